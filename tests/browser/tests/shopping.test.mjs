// The shopper's journey: search with autocomplete -> facet filter -> product
// -> add to cart -> save for later -> checkout (declined card, then an
// approving card) -> the order in the history; the admin ships it and the
// shopper sees the tracking. Each step runs once its API exists on the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, hasRoute, registerUi, newUser, apiJson, admin, findProduct, settled, DESKTOP, PHONE, ADMIN_TOKEN } from '../helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Every route these scenarios click through must be on the server (a
// missing one is a failure, not a skip).
const need = async (_t, ...routes) => {
  for (const [m, p] of routes) assert.ok(await hasRoute(m, p), `${m} /api/v1${p} is missing from the server`);
  return true;
};

test('search: autocomplete, did-you-mean, facet filter', async (t) => {
  if (!(await need(t, ['GET', '/search'], ['GET', '/search/suggest']))) return;
  const page = await newPage(browser);
  await page.goto('/');
  await page.getByRole('combobox', { name: 'Search products' }).pressSequentially('headph', { delay: 40 });
  const option = page.getByRole('option').first();
  await option.waitFor();
  assert.match((await page.locator('#search-suggest').textContent()).toLowerCase(), /headphones/);
  await shot(page, 'autocomplete-desktop');
  await page.keyboard.press('Escape');
  await page.getByRole('combobox', { name: 'Search products' }).fill('headphones');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/search\?q=headphones/);
  await page.locator('.product-card').first().waitFor();
  const before = await page.locator('.product-card').count();
  assert.ok(before >= 3);
  await page.getByLabel(/^QuietTech/).check();
  await page.waitForURL(/brand=QuietTech/);
  await page.waitForFunction(() => [...document.querySelectorAll('.product-card .brand')].every((b) => /quiettech/i.test(b.textContent)));
  assert.equal(await page.locator('.product-card').count(), 1);
  // a typo gets "did you mean"
  await page.goto('/search?q=hedphones');
  await page.locator('.did-you-mean').waitFor();
  await page.locator('.dym-link').click();
  await page.locator('.product-card').first().waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('cart, save for later, declined card, approved order, history, tracking', async (t) => {
  if (!(await need(t, ['GET', '/cart'], ['POST', '/cart/items'], ['POST', '/auth/register'], ['POST', '/orders'], ['GET', '/orders']))) return;
  const page = await newPage(browser);
  const headphones = await findProduct('Wireless Bluetooth Headphones');
  const kettle = await findProduct('Electric Kettle');
  if (await hasRoute('GET', '/search/suggest')) {
    // search with autocomplete -> filter by a facet -> product
    await page.goto('/');
    await page.getByRole('combobox', { name: 'Search products' }).pressSequentially('wireless', { delay: 40 });
    await page.getByRole('option').first().waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search/);
    await page.getByLabel(/^SoundWave/).check();
    await page.waitForURL(/brand=SoundWave/);
    await page.locator('.product-card', { hasText: 'Wireless Bluetooth Headphones' }).click();
  } else {
    await page.goto('/c/' + headphones.category_id);
    await page.getByLabel(/^SoundWave/).check();
    await page.waitForURL(/brand=SoundWave/);
    await page.locator('.product-card', { hasText: 'Wireless Bluetooth Headphones' }).click();
  }
  await page.getByRole('heading', { level: 1, name: 'Wireless Bluetooth Headphones' }).waitFor();
  await page.getByLabel('Quantity').fill('2');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByText('Added to your cart.').waitFor();
  assert.equal(await page.locator('#cart-count').textContent(), '2');
  await page.goto('/p/' + kettle.product_id);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByText('Added to your cart.').waitFor();
  // cart: quantities, save for later, move back, summary with tax and shipping
  await page.getByRole('link', { name: /^Cart/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Your cart' }).waitFor();
  assert.equal(await page.locator('#cart-items .cart-line').count(), 2);
  const kettleLine = page.locator('#cart-items .cart-line', { hasText: 'Electric Kettle' });
  await kettleLine.getByRole('button', { name: 'Save for later' }).click();
  await page.locator('#saved-items .cart-line', { hasText: 'Electric Kettle' }).waitFor();
  assert.equal(await page.locator('#cart-items .cart-line').count(), 1);
  // 2 x 84.99 = 169.98, tax 9 % = 15.30, free shipping, total 185.28
  const summary = await page.locator('.summary').textContent();
  assert.match(summary, /\$169\.98/);
  assert.match(summary, /\$15\.30/);
  assert.match(summary, /Free/);
  assert.match(summary, /\$185\.28/);
  await shot(page, 'cart-full-desktop');
  await page.setViewportSize(PHONE);
  await shot(page, 'cart-full-phone');
  await page.setViewportSize(DESKTOP);
  // the shopper creates an account at checkout: the guest cart comes along
  await page.getByRole('link', { name: 'Proceed to checkout' }).click();
  await page.getByRole('link', { name: 'Create an account' }).click();
  const user = newUser();
  await page.getByLabel('First name').fill(user.first);
  await page.getByLabel('Last name').fill(user.last);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();
  await settled(page);
  assert.equal(await page.getByText('Your cart is empty.').count(), 0,
    'the guest cart must move into the new account at sign-up (POST /auth/register merges shopbox_cart)');
  await page.getByLabel('Full name').fill('Ada Shopper');
  await page.getByLabel('Street address').fill('123 Main St');
  await page.getByLabel('City').fill('Seattle');
  await page.getByLabel('State / region').fill('WA');
  await page.getByLabel('ZIP / postal code').fill('98101');
  // a declined card shows the error and creates no order
  await page.getByLabel('Card number').fill('4000 0000 0000 0002');
  await page.getByLabel('Expiry (MM/YY)').fill('12/30');
  await page.getByLabel('CVC').fill('123');
  await shot(page, 'checkout-desktop');
  await page.getByRole('button', { name: 'Place order' }).click();
  await page.locator('#checkout-msg').getByText(/declined/i).waitFor();
  await shot(page, 'checkout-declined-desktop');
  const history = await page.evaluate(() => fetch('/api/v1/orders').then((r) => r.json()));
  assert.equal((history.orders || []).length, 0, 'a declined card creates no order');
  // an approving card: double click still makes one order
  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  await page.getByRole('button', { name: 'Place order' }).dblclick();
  await page.locator('#order-confirmation').waitFor();
  const orderNo = (await page.locator('#order-confirmation .order-id').textContent()).trim();
  assert.match(orderNo, /^#\d{4,}$/, 'the confirmation shows the readable order number');
  const orderId = await page.locator('#order-confirmation').getAttribute('data-order-id');
  assert.match(await page.locator('.summary').textContent(), /\$185\.28/);
  await shot(page, 'order-confirmation-desktop');
  // the order appears in the history, once
  await page.getByRole('link', { name: 'Orders', exact: true }).click();
  await page.locator('#order-list').waitFor();
  assert.equal(await page.locator('#order-list .order-row').count(), 1);
  assert.match(await page.locator('#order-list').textContent(), new RegExp(orderNo));
  await shot(page, 'orders-desktop');
  // the cart keeps the saved-for-later kettle, purchased lines are gone
  await page.goto('/cart');
  await page.locator('#saved-items .cart-line', { hasText: 'Electric Kettle' }).waitFor();
  assert.equal(await page.locator('#cart-items .cart-line').count(), 0);

  // the admin marks it shipped; the shopper sees the tracking
  if (await hasRoute('POST', '/admin/orders/{id}/ship')) {
    const adminPage = await newPage(browser);
    await adminPage.goto('/admin');
    await adminPage.getByLabel('Admin API token').fill(ADMIN_TOKEN);
    await adminPage.getByRole('button', { name: 'Use token' }).click();
    await adminPage.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await adminPage.goto('/admin/orders');
    await adminPage.locator(`a[href="/admin/orders/${encodeURIComponent(orderId)}"]`).first().click();
    await adminPage.getByLabel('Carrier').fill('UPS');
    await adminPage.getByLabel('Tracking number').fill('1Z999AA10123456784');
    await adminPage.getByRole('button', { name: 'Mark shipped' }).click();
    await adminPage.getByText('Marked as shipped').waitFor();
    await shot(adminPage, 'admin-order-detail-desktop');
    await adminPage.context().close();
    await page.goto('/orders/' + encodeURIComponent(orderId));
    await page.locator('#tracking .tracking-number', { hasText: '1Z999AA10123456784' }).waitFor();
    assert.match(await page.locator('.order-head').textContent(), /Shipped/);
    await shot(page, 'order-tracking-desktop');
    await page.setViewportSize(PHONE);
    await shot(page, 'order-tracking-phone');
  } else {
    t.diagnostic('admin ship route not on the server yet: tracking step not run');
  }
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('out of stock: adding more than available shows how many are left', async (t) => {
  if (!(await need(t, ['POST', '/cart/items']))) return;
  const p = await findProduct('Smart Light Bulb 4-pack');
  const page = await newPage(browser);
  await page.goto('/p/' + p.product_id);
  await page.getByLabel('Quantity').fill('9');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.locator('.form-msg .notice.error').waitFor();
  assert.match(await page.locator('.form-msg').textContent(), /Only 3 left|out of stock|available/i);
  await page.context().close();
});

// Places an order through the API as a new customer (Bearer token).
async function apiOrder(productName, quantity) {
  const user = newUser();
  const reg = await apiJson('POST', '/auth/register', { email: user.email, password: user.password, first_name: 'Api', last_name: 'Buyer' });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  const auth = { Authorization: 'Bearer ' + reg.body.token };
  const p = await findProduct(productName);
  const order = await apiJson('POST', '/orders', {
    items: [{ product_id: p.product_id, quantity }],
    shipping_address: { name: 'Api Buyer', street: '1 Test Way', city: 'Portland', state: 'OR', zip: '97201', country: 'US' },
    payment_method: { type: 'card', card_number: '4242424242424242', exp_month: 12, exp_year: 2031, cvc: '123' },
  }, { ...auth, 'Idempotency-Key': 'browser-test-' + user.email });
  assert.equal(order.status, 201, JSON.stringify(order.body));
  return order.body;
}

test('admin refunds part of an order and cancels another', async (t) => {
  if (!(await need(t, ['POST', '/orders'], ['POST', '/admin/orders/{id}/refunds'], ['POST', '/admin/orders/{id}/cancel']))) return;
  const a = await apiOrder('Cast Iron Skillet', 2);
  const b = await apiOrder('Bike Light Set', 1);
  const page = await newPage(browser);
  await page.goto('/admin');
  await page.getByLabel('Admin API token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Use token' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  assert.ok(parseInt(await page.locator('#stat-orders .stat-value').textContent(), 10) >= 2);
  await shot(page, 'admin-dashboard-orders-desktop');
  await page.goto('/admin/orders');
  await page.getByLabel('Status').selectOption('paid');
  await page.waitForURL(/status=paid/);
  await page.locator(`a[href="/admin/orders/${encodeURIComponent(a.order_id)}"]`).first().click();
  await page.getByLabel(/^Amount/).fill('10.00');
  await page.getByLabel('Reason', { exact: true }).fill('goodwill');
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  await page.getByText('Refund issued').waitFor();
  await page.locator('.status-badge', { hasText: 'Partially refunded' }).first().waitFor();
  // more than is left is refused with the API's reason
  await page.getByLabel(/^Amount/).fill('10000');
  await page.getByRole('button', { name: 'Refund', exact: true }).click();
  await page.locator('.form-msg .notice.error').waitFor();
  await page.goto('/admin/orders/' + encodeURIComponent(b.order_id));
  await page.getByRole('button', { name: /Cancel order/ }).click();
  await page.getByText('Order cancelled').waitFor();
  await page.locator('.status-badge', { hasText: 'Cancelled' }).first().waitFor();
  await shot(page, 'admin-order-cancelled-desktop');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
