// The admin's customers and email pages, as a merchant checks them: a
// registered shopper and a guest who ordered are listed (search narrows
// them, the guest tab shows the guest); the order list and detail show the
// order number and who ordered; the email log shows the guest's order
// confirmation as sent; a dead letter (a guest mailbox the SMTP server
// says does not exist) is under "Dead letters" and is retried; a template
// preview renders the order confirmation with sample data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { launch, newPage, shot, settled, capture, axeViolations, apiJson, admin, findProduct, waitForMail, ADMIN_TOKEN, DESKTOP, PHONE } from '../helpers.mjs';

let browser;
const pages = [];
// One tag per run makes this run's shoppers findable by search.
const tag = Date.now().toString(36) + randomBytes(2).toString('hex');
const shopper = { email: `rita-${tag}@example.com`, first: 'Rita', last: 'Regis', password: 'correct horse battery staple' };
const guest = { email: `gale-${tag}@example.com`, name: 'Gale Guest' };
// The suite's SMTP server answers 550 "no such mailbox" for bounce-...
// recipients, a permanent refusal: the confirmation is dead at once.
const undeliverable = { email: `bounce-${tag}@example.com`, name: 'Jörg Undeliverable' };
let guestOrder;
let shopperOrder;

const address = (name) => ({ name, street: '9 Pine St', city: 'Seattle', state: 'WA', zip: '98101', country: 'US' });
const card = { type: 'card', card_number: '4242424242424242', exp_month: 12, exp_year: 2099, cvc: '123' };

// A guest checks out over the API: a cart of its own (X-Cart-Token, 32 hex
// characters), then POST /orders with an email.
async function guestCheckout(who, productName) {
  const cartToken = randomBytes(16).toString('hex');
  const product = await findProduct(productName);
  const added = await apiJson('POST', '/cart/items', { product_id: product.product_id, quantity: 1 }, { 'X-Cart-Token': cartToken });
  assert.ok(added.status === 200 || added.status === 201, JSON.stringify(added.body));
  const order = await apiJson('POST', '/orders', { email: who.email, shipping_address: address(who.name), payment_method: card },
    { 'X-Cart-Token': added.body.cart_token || cartToken, 'Idempotency-Key': 'admin-email-' + randomBytes(8).toString('hex') });
  assert.equal(order.status, 201, JSON.stringify(order.body));
  return order.body;
}

async function registeredCheckout(productName) {
  const reg = await apiJson('POST', '/auth/register', { email: shopper.email, password: shopper.password, first_name: shopper.first, last_name: shopper.last });
  assert.ok(reg.status === 200 || reg.status === 201, JSON.stringify(reg.body));
  const auth = { Authorization: 'Bearer ' + reg.body.token };
  const product = await findProduct(productName);
  const added = await apiJson('POST', '/cart/items', { product_id: product.product_id, quantity: 2 }, auth);
  assert.ok(added.status === 200 || added.status === 201, JSON.stringify(added.body));
  const order = await apiJson('POST', '/orders', { shipping_address: address('Rita Regis'), payment_method: card },
    { ...auth, 'Idempotency-Key': 'admin-email-' + randomBytes(8).toString('hex') });
  assert.equal(order.status, 201, JSON.stringify(order.body));
  return order.body;
}

// The email log's row for a recipient, once the dispatcher got to it.
async function emailRowTo(recipient, status) {
  for (let i = 0; i < 150; i++) {
    const r = await apiJson('GET', '/admin/emails?size=100' + (status ? '&status=' + status : ''), undefined, admin);
    const row = (r.body.emails || []).find((e) => e.recipient === recipient && e.template === 'order_confirmation');
    if (row) return row;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`no ${status || ''} order confirmation to ${recipient} in the email log`);
}

before(async () => {
  browser = await launch();
  shopperOrder = await registeredCheckout('Phone Case Rugged');
  guestOrder = await guestCheckout(guest, 'Wired Earphones');
  await guestCheckout(undeliverable, 'Wired Earphones');
});
after(async () => { await browser?.close(); });

async function adminPage(vp = DESKTOP) {
  const page = await newPage(browser, vp);
  pages.push(page);
  await page.goto('/admin');
  await page.getByLabel('Admin API token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Use token' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  return page;
}

async function noOverflow(page, name) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${name} overflows the window by ${overflow}px`);
}

async function noViolations(page, name) {
  const violations = await axeViolations(page);
  if (violations) assert.deepEqual(violations, [], `${name} has accessibility violations`);
}

test('customers: a registered shopper and a guest are listed, search narrows, the guest tab shows the guest', async () => {
  const page = await adminPage();
  await capture('admin-customers', () => pages, async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
    await settled(page);
    assert.equal(await page.getByRole('link', { name: 'Registered accounts' }).getAttribute('aria-current'), 'true');
    await page.locator('#admin-customers tr', { hasText: shopper.email }).waitFor();

    // search by this run's tag: only this run's account is left
    await page.getByLabel('Search customers by name or email').fill(tag);
    await page.locator('.admin-main').getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/q=/);
    await page.locator('#customer-count', { hasText: /^1 registered account matching/ }).waitFor();
    const row = page.locator('#admin-customers tbody tr');
    assert.equal(await row.count(), 1);
    const text = await row.textContent();
    assert.match(text, /Rita Regis/);
    assert.match(text, new RegExp(shopper.email));
    assert.match(await row.locator('td').nth(1).textContent(), /^1$/, 'one order');
    assert.match(await row.locator('td').nth(2).textContent(), new RegExp(String(shopperOrder.pricing.total).replace('.', '\\.')));
    await shot(page, 'admin-customers-desktop');
    await noOverflow(page, 'the customers page at desktop width');
    await noViolations(page, 'the customers page');

    // the order count opens that account's orders, with their numbers
    await row.getByRole('link', { name: /1 order of/ }).click();
    await page.locator('#orders-of-customer').waitFor();
    await page.locator('#admin-orders a', { hasText: '#' + shopperOrder.order_number }).waitFor();
    assert.equal(await page.locator('#admin-orders tbody tr').count(), 1);
    await page.goBack();

    // the guest tab keeps the search and lists the guest (no account)
    await page.getByRole('link', { name: 'Guests (no account)' }).click();
    await page.waitForURL(/type=guest/);
    await page.locator('#customer-count', { hasText: /^2 guests matching/ }).waitFor();
    const guestRow = page.locator('#admin-customers tbody tr', { hasText: guest.email });
    assert.match(await guestRow.textContent(), /Gale Guest/);
    assert.match(await guestRow.locator('td').nth(2).textContent(), new RegExp(String(guestOrder.pricing.total).replace('.', '\\.')));
    assert.notEqual((await guestRow.locator('td').nth(3).textContent()).trim(), 'No orders yet');
    // a registered shopper is not a guest
    assert.equal(await page.locator('#admin-customers tbody tr', { hasText: shopper.email }).count(), 0);

    // nothing matches: an empty state, and a way back
    await page.getByLabel('Search customers by name or email').fill('nobody-' + tag);
    await page.locator('.admin-main').getByRole('button', { name: 'Search' }).click();
    await page.locator('#customers-empty', { hasText: 'No guest matches that search.' }).waitFor();
    await page.getByRole('link', { name: 'Clear search' }).click();
    await page.locator('#admin-customers').waitFor();
    assert.deepEqual(page.problems, []);
  });
  await page.context().close();
});

test('customers at phone width: the table scrolls inside its frame, the page does not', async () => {
  const page = await adminPage(PHONE);
  await capture('admin-customers-phone', () => pages, async () => {
    await page.goto('/admin/customers?type=guest&q=' + tag);
    await page.locator('#admin-customers tbody tr', { hasText: guest.email }).waitFor();
    await noOverflow(page, 'the customers page at phone width');
    await shot(page, 'admin-customers-phone');
    assert.deepEqual(page.problems, []);
  });
  await page.context().close();
});

test('orders: the list and the detail show the order number and who ordered', async () => {
  const page = await adminPage();
  await capture('admin-order-number', () => pages, async () => {
    await page.goto('/admin/orders');
    const row = page.locator('#admin-orders tbody tr', { has: page.locator(`a[href="/admin/orders/${encodeURIComponent(guestOrder.order_id)}"]`) });
    await row.waitFor();
    const text = await row.textContent();
    assert.match(text, new RegExp('#' + guestOrder.order_number));
    assert.match(text, /Gale Guest/);
    assert.match(text, new RegExp(guest.email));
    assert.match(text, /Guest/);
    await row.getByRole('link', { name: '#' + guestOrder.order_number }).click();
    await page.getByRole('heading', { level: 1, name: 'Order #' + guestOrder.order_number }).waitFor();
    const customer = page.locator('#order-customer');
    assert.match(await customer.textContent(), /Gale Guest/);
    assert.match(await customer.textContent(), new RegExp(guest.email));
    await customer.locator('.tag', { hasText: 'Guest' }).waitFor();
    assert.doesNotMatch(await page.locator('.order-detail').textContent(), /Customer #/);
    await shot(page, 'admin-order-guest-desktop');
    await noViolations(page, 'the order detail');
    assert.deepEqual(page.problems, []);
  });
  await page.context().close();
});

test('emails: the guest’s order confirmation is in the log as sent', async () => {
  await waitForMail(guest.email, /confirmed/);
  await emailRowTo(guest.email, 'sent');
  const page = await adminPage();
  await capture('admin-emails-sent', () => pages, async () => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Emails' }).click();
    await page.getByRole('heading', { level: 1, name: 'Emails' }).waitFor();
    await settled(page);
    assert.equal(await page.getByRole('link', { name: 'All', exact: true }).getAttribute('aria-current'), 'true');
    await page.getByRole('link', { name: 'Sent', exact: true }).click();
    await page.waitForURL(/status=sent/);
    const row = page.locator('#email-log tbody tr', { hasText: guest.email }).filter({ hasText: 'Order confirmation' });
    await row.waitFor();
    assert.equal((await row.locator('.status-badge').textContent()).trim(), 'Sent');
    assert.match(await row.textContent(), new RegExp(`Order #${guestOrder.order_number} confirmed`));
    assert.equal(await row.getByRole('button', { name: /Retry/ }).count(), 0, 'a sent email has no Retry');
    // the API agrees: a sent email is not retried (it would mail the guest twice)
    const id = await row.getAttribute('data-email-id');
    const again = await apiJson('POST', `/admin/emails/${id}/retry`, undefined, admin);
    assert.equal(again.status, 409);
    assert.deepEqual(page.problems, []);
  });
  await page.context().close();
});

test('emails: a dead letter is under “Dead letters (N)” and Retry queues it again', async () => {
  const dead = await emailRowTo(undeliverable.email, 'dead');
  const page = await adminPage();
  await capture('admin-emails-dead', () => pages, async () => {
    await page.goto('/admin/emails');
    const filter = page.locator('#dead-letters');
    await filter.waitFor();
    const n = Number(((await filter.textContent()).match(/^Dead letters \((\d+)\)$/) || [])[1]);
    assert.ok(n >= 1, 'the filter counts the dead letters: ' + (await filter.textContent()));
    await shot(page, 'admin-emails-desktop');
    await noOverflow(page, 'the emails page at desktop width');
    await noViolations(page, 'the emails page');

    await filter.click();
    await page.waitForURL(/status=dead/);
    assert.equal(await filter.getAttribute('aria-current'), 'true');
    const row = page.locator(`#email-log tr[data-email-id="${dead.email_id}"]`);
    await row.waitFor();
    assert.equal((await row.locator('.status-badge').textContent()).trim(), 'Dead letter');
    assert.match(await row.locator('.email-error').textContent(), /550/);
    assert.match(await row.textContent(), new RegExp(`bounce-${tag}@example\\.com`));

    await row.getByRole('button', { name: `Retry the email to ${undeliverable.email}` }).click();
    await page.locator('#toast', { hasText: `Email to ${undeliverable.email} queued again` }).waitFor();
    // the row shows what the API answered: queued, its attempts counted afresh
    const updated = page.locator(`#email-log tr[data-email-id="${dead.email_id}"]`);
    assert.equal((await updated.locator('.status-badge').textContent()).trim(), 'Queued');
    assert.equal((await updated.locator('td.num').textContent()).trim(), '0');
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('email-status')), true, 'the focus stays on the row');
    assert.equal(await filter.textContent(), `Dead letters (${n - 1})`);
    await shot(page, 'admin-emails-retried-desktop');

    // the mailbox still does not exist: after the new attempt it is dead again
    let again;
    for (let i = 0; i < 150 && !(again && again.status === 'dead' && again.attempts === 1); i++) {
      await new Promise((res) => setTimeout(res, 100));
      const r = await apiJson('GET', '/admin/emails?status=dead&size=100', undefined, admin);
      again = (r.body.emails || []).find((e) => e.email_id === dead.email_id);
    }
    assert.ok(again && again.attempts === 1, 'dead again after one more attempt: ' + JSON.stringify(again));
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator(`#email-log tr[data-email-id="${dead.email_id}"][data-status="dead"]`).waitFor();
    assert.deepEqual(page.problems, []);
  });
  await page.context().close();
});

test('emails at phone width: filters wrap, the log scrolls inside its frame', async () => {
  const page = await adminPage(PHONE);
  await capture('admin-emails-phone', () => pages, async () => {
    await page.goto('/admin/emails');
    await page.locator('#email-log').waitFor();
    await noOverflow(page, 'the emails page at phone width');
    await shot(page, 'admin-emails-phone');
    assert.deepEqual(page.problems, []);
  });
  await page.context().close();
});

test('templates: the order confirmation preview shows subject, HTML (sandboxed) and text with sample data', async () => {
  for (const [vpName, vp] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const page = await adminPage(vp);
    await capture('admin-email-preview-' + vpName, () => pages, async () => {
      await page.goto('/admin/emails');
      const row = page.locator('#template-list tr[data-template="order_confirmation"]');
      await row.waitFor();
      assert.match(await row.textContent(), /built in/);
      // the layout is listed (it can be overridden) but has no preview of its own
      assert.equal(await page.locator('#template-list tr[data-template="layout"] button').count(), 0);
      await row.getByRole('button', { name: 'Preview Order confirmation' }).click();
      await page.locator('#preview-subject', { hasText: /^Order #\d+ confirmed/ }).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement.id), 'template-preview-title');
      const frame = page.locator('#preview-html');
      assert.equal(await frame.getAttribute('sandbox'), '', 'the HTML part runs in an iframe with every sandbox restriction');
      await page.frameLocator('#preview-html').getByText('Merino Crew Sweater').waitFor();
      assert.match(await page.locator('#preview-text').textContent(), /Hi Jane Doe,[\s\S]*Order number: #\d+/);
      await noOverflow(page, `the template preview at ${vpName} width`);
      await page.locator('#template-preview').scrollIntoViewIfNeeded();
      await shot(page, `admin-email-preview-${vpName}`);
      if (vpName === 'desktop') await noViolations(page, 'the emails page with a preview');
      assert.deepEqual(page.problems, []);
    });
    await page.context().close();
  }
});
