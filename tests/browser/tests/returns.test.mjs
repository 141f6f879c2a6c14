// Returns and refunds as the merchant and the shopper work them: a shipped
// order that was partly refunded can still be tracked and delivered (and is
// no longer offered a dead "Cancel"); a shopper asks for a return on their
// delivered order, the merchant approves it with restock from the returns
// queue and the shopper sees it approved with the refund; a rejection's
// reason reaches the shopper; the order page and the queue fit a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, settled, capture, apiJson, admin, adminSignIn, shopperOrder, signInUi, DESKTOP, PHONE } from '../helpers.mjs';

let browser;
const pages = [];
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const orderPath = (o) => '/admin/orders/' + encodeURIComponent(o.order_id);

async function post(path, body) {
  const r = await apiJson('POST', path, body, admin);
  assert.ok(r.status >= 200 && r.status < 300, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
const ship = (o) => post(`/admin/orders/${o.order_id}/ship`, { carrier: 'UPS', tracking_number: '1ZRET' + Date.now() });
const deliver = (o) => post(`/admin/orders/${o.order_id}/deliver`, {});

async function noSideScroll(page) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width + 1, `page scrolls sideways: ${scroll} > ${width}`);
}

test('a shipped order partly refunded can still be tracked and delivered, not cancelled', async () => {
  await capture('returns-partial', () => pages, async () => {
    const { order } = await shopperOrder([{ name: 'Wired Earphones', quantity: 1 }, { name: 'Phone Case Rugged', quantity: 1 }]);
    await ship(order);
    await post(`/admin/orders/${order.order_id}/refunds`, { lines: [{ variant_id: order.items[1].variant_id, quantity: 1 }], reason: 'case arrived cracked' });
    const page = await adminSignIn(browser);
    pages.push(page);
    await page.goto(orderPath(order));
    await settled(page);
    await page.locator('#order-refunds').getByText('case arrived cracked').waitFor();
    assert.equal(await page.locator('#admin-cancel').count(), 0, 'no Cancel button: the API refuses it');
    assert.equal(await page.locator('#mark-shipped').count(), 0);
    await page.locator('#add-tracking-event').waitFor();
    await page.getByLabel('Status').fill('Out for delivery');
    await page.locator('#add-tracking-event').click();
    await page.locator('#tracking').getByText('Out for delivery').waitFor();
    await shot(page, 'returns-partial-refund-desktop');
    await page.getByRole('button', { name: 'Mark delivered' }).click();
    await page.locator('.order-head .status-badge', { hasText: 'Delivered' }).waitFor();
    assert.equal(await page.locator('#mark-delivered').count(), 0);
    // the customer by name and email, never a bare account number
    const customer = await page.locator('#order-customer').textContent();
    assert.match(customer, /Test Shopper/);
    assert.match(customer, /@example\.com/);
    assert.deepEqual(page.problems, []);
  });
});

test('a shopper asks for a return; the merchant approves it with restock; the shopper sees the refund', async () => {
  await capture('returns-approve', () => pages, async () => {
    const { user, order } = await shopperOrder([{ name: 'Wired Earphones', quantity: 2 }]);
    await ship(order);
    await deliver(order);
    const shopper = await newPage(browser);
    pages.push(shopper);
    await signInUi(shopper, user);
    await shopper.goto('/orders/' + encodeURIComponent(order.order_id));
    await shopper.locator('#return-form').waitFor();
    await shopper.locator('.return-qty').first().fill('1');
    await shopper.getByLabel('Reason').selectOption('damaged');
    await shopper.getByLabel('Details (optional)').fill('left earbud is silent');
    await shot(shopper, 'returns-request-desktop');
    await shopper.getByRole('button', { name: 'Request a return' }).click();
    await shopper.locator('#order-return-list').getByText('Return requested').waitFor();
    // one of two left to return
    assert.equal(await shopper.locator('.return-qty').first().getAttribute('max'), '1');

    const stockBefore = (await apiJson('GET', `/admin/inventory/${order.items[0].variant_id}`, undefined, admin)).body;
    const page = await adminSignIn(browser);
    pages.push(page);
    await page.getByRole('link', { name: 'Returns', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Returns' }).waitFor();
    const card = page.locator('.return-card', { hasText: '#' + order.order_number });
    await card.getByText('left earbud is silent').waitFor();
    await card.getByText('1 × Wired Earphones').waitFor();
    assert.ok(await card.getByLabel('Put items back in stock').isChecked());
    await shot(page, 'returns-queue-desktop');
    await card.getByRole('button', { name: 'Approve and refund' }).click();
    await page.getByText('Return approved and refunded').waitFor();
    await page.locator('.return-card', { hasText: '#' + order.order_number }).waitFor({ state: 'detached' });

    const after = (await apiJson('GET', `/admin/inventory/${order.items[0].variant_id}`, undefined, admin)).body;
    assert.equal(after.total, stockBefore.total + 1, 'the returned unit is back in stock');
    await shopper.reload();
    const row = shopper.locator('#order-return-list li').first();
    await row.getByText('Return approved').waitFor();
    const refunded = await row.locator('.return-refunded').textContent();
    assert.match(refunded, /\$\d/);
    assert.deepEqual(page.problems, []);
    assert.deepEqual(shopper.problems, []);
  });
});

test('a rejected return tells the shopper why', async () => {
  await capture('returns-reject', () => pages, async () => {
    const { user, auth, order } = await shopperOrder([{ name: 'Phone Case Rugged', quantity: 1 }]);
    await ship(order);
    await deliver(order);
    const req = await apiJson('POST', `/orders/${order.order_id}/returns`, { lines: [{ variant_id: order.items[0].variant_id, quantity: 1 }], reason: 'Changed my mind' }, auth);
    assert.equal(req.status, 201, JSON.stringify(req.body));
    const page = await adminSignIn(browser);
    pages.push(page);
    await page.goto('/admin/returns');
    const card = page.locator('.return-card', { hasText: '#' + order.order_number });
    await card.waitFor();
    // no reason: refused in the page, nothing sent
    await card.getByRole('button', { name: 'Reject' }).click();
    await card.getByText('Give a reason').waitFor();
    await card.getByLabel('Reason for rejecting').fill('Opened and used: not returnable');
    await card.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('Return rejected').waitFor();
    await page.goto('/admin/returns?status=rejected');
    await page.locator('.return-card', { hasText: '#' + order.order_number }).getByText('Opened and used').waitFor();

    const shopper = await newPage(browser);
    pages.push(shopper);
    await signInUi(shopper, user);
    await shopper.goto('/orders/' + encodeURIComponent(order.order_id));
    const row = shopper.locator('#order-return-list li').first();
    await row.getByText('Return rejected').waitFor();
    await row.getByText('Opened and used: not returnable').waitFor();
    await shot(shopper, 'returns-rejected-desktop');
    assert.deepEqual(shopper.problems, []);
  });
});

test('the admin order page and the returns queue fit a phone', async () => {
  await capture('returns-phone', () => pages, async () => {
    const { auth, order } = await shopperOrder([{ name: 'Wired Earphones', quantity: 1 }, { name: 'Phone Case Rugged', quantity: 1 }]);
    await ship(order);
    await deliver(order);
    const req = await apiJson('POST', `/orders/${order.order_id}/returns`, { lines: [{ variant_id: order.items[0].variant_id, quantity: 1 }], reason: 'Wrong item' }, auth);
    assert.equal(req.status, 201, JSON.stringify(req.body));
    const page = await adminSignIn(browser, PHONE);
    pages.push(page);
    await page.goto(orderPath(order));
    await page.locator('#refund-form').waitFor();
    await noSideScroll(page);
    await shot(page, 'returns-admin-order-phone');
    await page.goto('/admin/returns');
    await page.locator('.return-card', { hasText: '#' + order.order_number }).waitFor();
    await noSideScroll(page);
    await shot(page, 'returns-queue-phone');
    await page.setViewportSize(DESKTOP);
    await page.goto(orderPath(order));
    await page.locator('#refund-form').waitFor();
    await shot(page, 'returns-admin-order-desktop');
    assert.deepEqual(page.problems, []);
  });
});
