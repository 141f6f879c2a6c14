// Paying through Stripe (browser.sh's second shop, backed by the local fake
// of Stripe's API and its Stripe.js stand-in): the card goes from the
// browser to "Stripe", the shop receives only a pm_ id; a 3-D Secure card
// shows the bank's challenge, and the order is paid (or released) once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, settled, capture, newUser, DESKTOP, PHONE } from '../helpers.mjs';

const SHOP = process.env.SHOPBOX_STRIPE_SHOP_URL || '';
const TOKEN = process.env.SHOPBOX_STRIPE_SHOP_TOKEN || '';
const FAKE = process.env.SHOPBOX_STRIPE_FAKE_URL || '';

let browser;
let product;
const pages = [];

async function call(method, path, body) {
  const res = await fetch(SHOP + '/api/v1' + path, {
    method,
    headers: { Authorization: 'Bearer ' + TOKEN, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

before(async () => {
  browser = await launch();
  if (!SHOP) return;
  const made = await call('POST', '/admin/products', { name: 'Trail Thermos', brand: 'Camp Co', price: 32.0, stock: 10 });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  product = made.body;
});
after(async () => { await browser?.close(); });

async function stock() {
  const r = await call('GET', '/admin/inventory/' + product.product_id);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.available;
}

// A guest at the Stripe shop's checkout with the thermos in the cart; every
// request the browser sends to the shop is kept in `sent`.
async function atCheckout(viewport = DESKTOP) {
  const p = await newPage(browser, viewport, SHOP);
  pages.push(p);
  p.sent = [];
  p.on('request', (r) => {
    if (r.url().startsWith(SHOP)) p.sent.push(r.url() + ' ' + (r.postData() || ''));
  });
  await p.goto('/p/' + product.product_id);
  await p.getByRole('button', { name: 'Add to cart' }).click();
  await p.locator('#cart-count', { hasText: /^[1-9]/ }).waitFor();
  await p.goto('/checkout');
  await settled(p);
  await p.getByLabel('Email').fill(newUser().email);
  await p.getByLabel('Full name').fill('Sam Stripe');
  await p.getByLabel('Street address').fill('1 Dock Rd');
  await p.getByLabel('City').fill('Portland');
  await p.getByLabel('State / region').fill('OR');
  await p.getByLabel('ZIP / postal code').fill('97201');
  await p.locator('[data-fake-stripe="card"]').waitFor();
  return p;
}

async function typeCard(p, number) {
  const card = p.locator('#card-element');
  await card.getByLabel('Card number').fill(number);
  await card.getByLabel('Expiration date').fill('12 / 30');
  await card.getByLabel('CVC').fill('123');
}

function noCardNumbers(p, number) {
  const leaked = p.sent.filter((s) => s.includes(number) || s.includes(number.slice(0, 4) + ' ' + number.slice(4, 8)));
  assert.deepEqual(leaked, [], 'the card number reached the shop');
}

test('with Stripe the card goes to Stripe: the shop gets a pm_ id, no test-card helper, the order is paid', async (t) => {
  if (!SHOP) return t.skip('no Stripe shop (browser.sh starts one)');
  const p = await atCheckout();
  await capture('stripe-pay', () => pages, async () => {
    assert.equal(await p.locator('.test-cards').count(), 0, 'the test-card helper shows only with the test gateway');
    assert.equal(await p.getByLabel('Expiry (MM/YY)').count(), 0, 'no card inputs of the shop itself');
    // a declined card: Stripe's message, no order
    await typeCard(p, '4000000000000002');
    await p.getByRole('button', { name: /^Place order/ }).click();
    await p.locator('#checkout-msg').getByText(/declined/i).waitFor();
    await typeCard(p, '4242424242424242');
    await shot(p, 'stripe-checkout-desktop');
    await p.getByRole('button', { name: /^Place order/ }).click();
    await p.locator('#order-confirmation').waitFor();
    assert.match(await p.locator('.order-head').textContent(), /Paid/);
    await shot(p, 'stripe-order-desktop');
    noCardNumbers(p, '4242424242424242');
    noCardNumbers(p, '4000000000000002');
    const orderPost = p.sent.filter((s) => /\/api\/v1\/orders /.test(s)).pop();
    assert.match(orderPost, /"token":"pm_/, 'the order names the PaymentMethod');
    assert.deepEqual(p.problems, []);
  });
});

test('3-D Secure: the bank challenge is shown; completing it pays the order once, failing it releases the stock', async (t) => {
  if (!SHOP) return t.skip('no Stripe shop (browser.sh starts one)');
  const before = await stock();
  const p = await atCheckout(PHONE);
  await capture('stripe-3ds', () => pages, async () => {
    await typeCard(p, '4000002760003184');
    await p.getByRole('button', { name: /^Place order/ }).click();
    const challenge = p.getByRole('dialog', { name: '3D Secure authentication' });
    await challenge.waitFor();
    await shot(p, 'stripe-3ds-phone');
    assert.equal(await stock(), before - 1, 'the stock is held while the bank asks');
    await challenge.getByRole('button', { name: 'Complete authentication' }).click();
    await p.locator('#order-confirmation').waitFor();
    assert.match(await p.locator('.order-head').textContent(), /Paid/);
    const orderId = await p.locator('#order-confirmation').getAttribute('data-order-id');
    const order = (await call('GET', '/admin/orders/' + encodeURIComponent(orderId))).body;
    assert.equal((order.order || order).status, 'paid');
    assert.equal(await stock(), before - 1);
    noCardNumbers(p, '4000002760003184');

    // the same card, and the shopper fails the challenge
    const q = await atCheckout();
    await typeCard(q, '4000002760003184');
    await q.getByRole('button', { name: /^Place order/ }).click();
    const again = q.getByRole('dialog', { name: '3D Secure authentication' });
    await again.getByRole('button', { name: 'Fail authentication' }).click();
    await q.locator('.order-head').waitFor();
    assert.doesNotMatch(await q.locator('.order-head').textContent(), /Paid/);
    assert.equal(await q.locator('#order-confirmation').count(), 0, 'no thank-you for an unpaid order');
    await q.locator('#payment-failed').waitFor();
    // released: by the shopper's confirmation (the shop asked Stripe) or Stripe's webhook
    for (let i = 0; i < 50 && (await stock()) !== before - 1; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await stock(), before - 1, 'the failed payment gave its stock back');
    await shot(q, 'stripe-3ds-failed-desktop');
    if (FAKE) {
      const state = await (await fetch(FAKE + '/_fake/state')).json();
      assert.ok(Object.values(state.intents).includes('succeeded'));
    }
    assert.deepEqual(p.problems, []);
  });
});
