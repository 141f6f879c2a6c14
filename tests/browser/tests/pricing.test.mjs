// Promotions, shipping and tax, clicked through as a merchant and a shopper
// would. The merchant creates a discount code in /admin/discounts, a zone
// with two methods in /admin/shipping and its tax rate in /admin/tax; the
// shopper sees sale savings and the free-shipping hint, applies the code
// (a discount line, a lower total), removes it and applies it again, tries
// a code whose minimum is not met (the reason in words), enters an address
// at checkout, picks a shipping method (the total changes), sees VAT
// included for a tax-inclusive zone, places the order, and the confirmation
// shows the same pricing as the cart did. axe-core on each page; screenshots
// at 1280 and 390 px. Everything the test creates is deleted at the end, so
// the other scenarios see the built-in zone again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, hasRoute, apiJson, admin, findProduct, settled, newUser, axeViolations, capture, ADMIN_TOKEN, DESKTOP, PHONE } from '../helpers.mjs';

let browser;
const pages = [];
const created = { discounts: new Set(), zones: new Set() };
before(async () => { browser = await launch(); });
after(async () => {
  await cleanup();
  await browser?.close();
});

// The discounts and zones this run made (found by their names too, in case
// a step failed before the id was known).
async function cleanup() {
  const ds = await apiJson('GET', '/admin/discounts?size=100', undefined, admin).catch(() => null);
  for (const d of (ds && ds.body && ds.body.discounts) || []) if (d.name && d.name.startsWith(TAG)) created.discounts.add(d.id);
  for (const id of created.discounts) await apiJson('DELETE', '/admin/discounts/' + id, undefined, admin).catch(() => {});
  const zs = await apiJson('GET', '/admin/shipping-zones', undefined, admin).catch(() => null);
  for (const z of (zs && zs.body && zs.body.zones) || []) if (z.name && z.name.startsWith(TAG)) created.zones.add(z.id);
  for (const id of created.zones) await apiJson('DELETE', '/admin/shipping-zones/' + id, undefined, admin).catch(() => {});
  created.discounts.clear();
  created.zones.clear();
}

const RUN = Date.now().toString(36).slice(-4).toUpperCase();
const TAG = 'PT ';
const CODE = 'SPRING' + RUN;
const BIG = 'BIGSPEND' + RUN;

async function open(vp = DESKTOP) {
  const page = await newPage(browser, vp);
  pages.push(page);
  return page;
}
async function adminPage(vp = DESKTOP) {
  const page = await open(vp);
  await page.goto('/admin');
  await page.getByLabel('Admin API token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Use token' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  return page;
}
async function axeClean(page, what, include) {
  const v = await axeViolations(page, include);
  if (v) assert.deepEqual(v, [], 'axe-core on ' + what);
}
// Screenshots at both widths; at 390 px nothing may scroll sideways.
async function shots(page, name) {
  await shot(page, name + '-desktop');
  await page.setViewportSize(PHONE);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${name} overflows the phone width by ${overflow}px`);
  await shot(page, name + '-phone');
  await page.setViewportSize(DESKTOP);
}
const text = async (loc) => ((await loc.innerText()) || '').replace(/\s+/g, ' ').trim();
const usd = (n) => '$' + Number(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const cartApi = (page) => page.evaluate(() => fetch('/api/v1/cart').then((r) => r.json()));
// Waits until the summary's total shows `amount` (a number) and returns the text.
async function totalIs(page, amount) {
  const want = usd(amount);
  await page.waitForFunction((w) => (document.querySelector('#sum-total dd') || {}).textContent === w, want);
  return want;
}

const need = async (...routes) => {
  for (const [m, p] of routes) assert.ok(await hasRoute(m, p), `${m} /api/v1${p} is missing from the server`);
};

test('merchant: a discount code, a shipping zone and its tax rate in the admin', async () => {
  await need(['GET', '/admin/discounts'], ['POST', '/admin/discounts'], ['PATCH', '/admin/discounts/{id}'], ['DELETE', '/admin/discounts/{id}'],
    ['GET', '/admin/shipping-zones'], ['POST', '/admin/shipping-zones'], ['PATCH', '/admin/shipping-zones/{id}'], ['DELETE', '/admin/shipping-zones/{id}']);
  await cleanup();
  await capture('pricing-admin', () => pages, async () => {
    const page = await adminPage();
    // the navigation links the three pages
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Discounts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Discounts' }).waitFor();
    await settled(page);
    assert.equal(await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Shipping' }).count(), 1);
    assert.equal(await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Tax' }).count(), 1);

    // a 10 % code, limited to 100 uses
    await page.getByRole('link', { name: '+ New discount' }).click();
    await page.getByRole('heading', { level: 1, name: 'New discount' }).waitFor();
    await page.getByLabel('Code', { exact: true }).fill(CODE.toLowerCase());
    await page.getByLabel('Name', { exact: true }).fill(TAG + 'Spring sale 10 %');
    await page.getByLabel('Type', { exact: true }).selectOption('percentage');
    await page.getByLabel('Percent off').fill('10');
    await page.getByLabel('Total uses').fill('100');
    await axeClean(page, 'the discount form', '#discount-form');
    await shots(page, 'pricing-admin-discount-form');
    await page.getByRole('button', { name: 'Create discount' }).click();
    await page.getByRole('heading', { level: 1, name: 'Discounts' }).waitFor();
    const row = page.locator('#admin-discounts tbody tr', { hasText: CODE });
    await row.waitFor();
    const rowText = await text(row);
    assert.match(rowText, /Percentage off/);
    assert.match(rowText, /10 % off/);
    assert.match(rowText, /0 \/ 100/);
    assert.match(rowText, /Active/);
    const made = (await apiJson('GET', '/admin/discounts?q=' + CODE, undefined, admin)).body.discounts.find((d) => d.code === CODE);
    assert.ok(made, 'the code is stored upper-case');
    created.discounts.add(made.id);
    assert.equal(made.percent_bp, 1000, '10 % is 1000 basis points');
    assert.equal(made.usage_limit, 100);

    // a code with a minimum no cart here reaches; a duplicate code is refused next to the field
    await page.getByRole('link', { name: '+ New discount' }).click();
    await page.getByLabel('Code', { exact: true }).fill(CODE);
    await page.getByLabel('Name', { exact: true }).fill(TAG + 'Big spender');
    await page.getByLabel('Type', { exact: true }).selectOption('fixed_amount');
    assert.equal(await page.getByLabel('Percent off').isVisible(), false, 'percent is hidden for an amount off');
    await page.getByLabel('Amount off').fill('20');
    await page.getByLabel('Minimum order subtotal').fill('5000');
    await page.getByRole('button', { name: 'Create discount' }).click();
    await page.locator('#discount-form .field-error').waitFor();
    assert.match(await text(page.locator('#discount-form .field-error')), /already uses this code/);
    assert.equal(await page.getByLabel('Code', { exact: true }).getAttribute('aria-invalid'), 'true');
    await shot(page, 'pricing-admin-discount-error-desktop');
    await page.getByLabel('Code', { exact: true }).fill(BIG);
    await page.getByRole('button', { name: 'Create discount' }).click();
    await page.locator('#admin-discounts tbody tr', { hasText: BIG }).waitFor();
    created.discounts.add((await apiJson('GET', '/admin/discounts?q=' + BIG, undefined, admin)).body.discounts.find((x) => x.code === BIG).id);
    assert.match(await text(page.locator('#admin-discounts tbody tr', { hasText: BIG })), /\$20\.00 off.*over \$5,000\.00/);
    // a scheduled one shows as scheduled
    const later = await apiJson('POST', '/admin/discounts', { code: 'LATER' + RUN, name: TAG + 'Next month', type: 'free_shipping', starts_at: new Date(Date.now() + 30 * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z') }, admin);
    assert.equal(later.status, 201, JSON.stringify(later.body));
    created.discounts.add(later.body.id);
    await page.reload();
    await page.locator('#admin-discounts tbody tr', { hasText: 'LATER' + RUN }).getByText('Scheduled').waitFor();
    await axeClean(page, 'the discount list');
    await shots(page, 'pricing-admin-discounts');

    // edit: the form shows what is stored; 12.5 % is 1250 basis points
    await page.getByRole('link', { name: 'Edit ' + CODE }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit discount' }).waitFor();
    assert.equal(await page.getByLabel('Percent off').inputValue(), '10');
    await page.getByLabel('Percent off').fill('12.5');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('#admin-discounts tbody tr', { hasText: CODE }).getByText('12.5 % off').waitFor();
    assert.equal((await apiJson('GET', '/admin/discounts/' + made.id, undefined, admin)).body.percent_bp, 1250);
    // back to 10 % for the shopper
    await page.getByRole('link', { name: 'Edit ' + CODE }).click();
    await page.getByLabel('Percent off').fill('10');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('#admin-discounts tbody tr', { hasText: CODE }).getByText('10 % off').waitFor();
    // delete (the scheduled one)
    await page.getByRole('button', { name: 'Delete LATER' + RUN }).click();
    await page.locator('#admin-discounts tbody tr', { hasText: 'LATER' + RUN }).waitFor({ state: 'detached' });
    created.discounts.delete(later.body.id);

    // shipping: a zone for Washington with two methods
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Shipping' }).click();
    await page.getByRole('heading', { level: 1, name: 'Shipping' }).waitFor();
    await settled(page);
    await shots(page, 'pricing-admin-shipping-builtin');
    await page.getByRole('link', { name: '+ New zone' }).click();
    await page.getByRole('heading', { level: 1, name: 'New shipping zone' }).waitFor();
    await page.getByLabel('Zone name').fill(TAG + 'Washington');
    await page.getByLabel('Country (region 1)').fill('US');
    await page.getByLabel('State (region 1)').fill('WA');
    await page.getByLabel('Name (method 1)').fill('Standard');
    await page.getByLabel('Type (method 1)').selectOption('flat');
    await page.getByLabel('Price (method 1)').fill('5.99');
    await page.getByLabel('Delivery from (days) (method 1)').fill('3');
    await page.getByLabel('Delivery to (days) (method 1)').fill('5');
    await page.getByRole('button', { name: '+ Add shipping method' }).click();
    await page.getByLabel('Name (method 2)').fill('Express');
    await page.getByLabel('ID (method 2)').fill('express-' + RUN.toLowerCase());
    await page.getByLabel('Type (method 2)').selectOption('flat');
    await page.getByLabel('Price (method 2)').fill('19.99');
    await page.getByLabel('Delivery from (days) (method 2)').fill('1');
    // a latest day before the earliest is caught before saving
    await page.getByLabel('Delivery to (days) (method 2)').fill('0');
    await page.getByRole('button', { name: 'Create zone' }).click();
    await page.locator('#zone-form .field-error', { hasText: 'cannot be before' }).waitFor();
    await page.getByLabel('Delivery to (days) (method 2)').fill('2');
    await axeClean(page, 'the zone form', '#zone-form');
    await shots(page, 'pricing-admin-zone-form');
    await page.getByRole('button', { name: 'Create zone' }).click();
    await page.getByRole('heading', { level: 1, name: 'Shipping' }).waitFor();
    const card = page.locator('.zone-card', { hasText: TAG + 'Washington' });
    await card.waitFor();
    const cardText = await text(card);
    assert.match(cardText, /US · WA/);
    assert.match(cardText, /Standard.*Flat rate.*\$5\.99.*3–5 days/);
    assert.match(cardText, /Express.*\$19\.99.*1–2 days/);
    const zs = (await apiJson('GET', '/admin/shipping-zones', undefined, admin)).body;
    const wa = zs.zones.find((z) => z.name === TAG + 'Washington');
    assert.ok(wa, JSON.stringify(zs));
    created.zones.add(wa.id);
    assert.deepEqual(wa.methods.map((m) => [m.name, m.price, m.min_days, m.max_days]), [['Standard', 5.99, 3, 5], ['Express', 19.99, 1, 2]]);

    // a second zone (through the API): Germany, VAT included in prices
    const de = await apiJson('POST', '/admin/shipping-zones', {
      name: TAG + 'Germany', regions: [{ country: 'DE' }],
      methods: [{ name: 'DHL', type: 'flat', price: 9.9, min_days: 4, max_days: 7 }],
      tax_rates: [{ name: 'VAT', rate_bp: 1900 }], prices_include_tax: true,
    }, admin);
    assert.equal(de.status, 201, JSON.stringify(de.body));
    created.zones.add(de.body.id);
    // everywhere else, so the other scenarios' addresses still ship while these zones exist
    const rest = await apiJson('POST', '/admin/shipping-zones', {
      name: TAG + 'Everywhere else', position: 9, regions: [{ country: '*' }],
      methods: [{ name: 'Standard', id: 'rest-' + RUN.toLowerCase(), type: 'free_over', price: 4.99, free_over: 50, min_days: 3, max_days: 5 }],
      tax_rates: [{ name: 'Sales tax', rate_bp: 900 }],
    }, admin);
    assert.equal(rest.status, 201, JSON.stringify(rest.body));
    created.zones.add(rest.body.id);
    await page.reload();
    await page.locator('.zone-card', { hasText: TAG + 'Germany' }).waitFor();
    await axeClean(page, 'the shipping page');
    await shots(page, 'pricing-admin-shipping');

    // tax: Washington's rate, edited on the tax page (the zone's PATCH)
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Tax' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tax' }).waitFor();
    const taxForm = page.locator('form.tax-form', { hasText: TAG + 'Washington' });
    await taxForm.getByRole('button', { name: '+ Add tax rate' }).click();
    await taxForm.getByLabel(/^Tax name/).fill('WA sales tax');
    await taxForm.getByLabel(/^Rate \(%\)/).fill('150');
    await taxForm.getByRole('button', { name: /^Save tax for/ }).click();
    await taxForm.locator('.field-error', { hasText: 'between 0 and 100' }).waitFor();
    await taxForm.getByLabel(/^Rate \(%\)/).fill('10.1');
    await taxForm.getByRole('button', { name: /^Save tax for/ }).click();
    await page.getByText(`Tax for ${TAG}Washington saved`).waitFor();
    const waNow = (await apiJson('GET', '/admin/shipping-zones/' + wa.id, undefined, admin)).body;
    assert.deepEqual((waNow.zone || waNow).tax_rates.map((r) => [r.name, r.rate_bp]), [['WA sales tax', 1010]]);
    await page.locator('form.tax-form', { hasText: TAG + 'Germany' }).waitFor();
    assert.equal(await page.locator('form.tax-form', { hasText: TAG + 'Germany' }).getByLabel('Prices include tax (VAT)').isChecked(), true);
    await axeClean(page, 'the tax page');
    await shots(page, 'pricing-admin-tax');
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});

test('shopper: code on the cart, address and shipping method at checkout, the same pricing on the order', async () => {
  await need(['POST', '/cart/discounts'], ['DELETE', '/cart/discounts/{code}'], ['PUT', '/cart/shipping'], ['POST', '/orders']);
  await capture('pricing-shopper', () => pages, async () => {
    assert.ok(created.zones.size >= 2 && created.discounts.size >= 2, 'the merchant test made the code and the zones');
    const headphones = await findProduct('Wireless Bluetooth Headphones'); // 99.99, on sale at 84.99
    const kettle = await findProduct('Electric Kettle'); // 34.99
    const page = await open();

    // the kettle alone: under the free-shipping threshold of "everywhere else"
    await page.goto('/p/' + kettle.product_id);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added to your cart.').waitFor();
    await page.goto('/cart');
    await page.getByRole('heading', { level: 1, name: 'Your cart' }).waitFor();
    await settled(page);
    let c = await cartApi(page);
    if (c.summary.free_shipping_remaining) {
      assert.equal(await text(page.locator('#free-shipping-remaining')), `Add ${usd(c.summary.free_shipping_remaining)} more for free shipping.`);
    }
    await shot(page, 'pricing-cart-free-shipping-hint-desktop');

    // the headphones too: sale savings
    await page.goto('/p/' + headphones.product_id);
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Added to your cart.').waitFor();
    await page.getByRole('link', { name: /^Cart/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Your cart' }).waitFor();
    await settled(page);
    c = await cartApi(page);
    assert.equal(c.summary.subtotal, 119.98);
    assert.equal(await text(page.locator('#sum-savings')), 'You save $15.00 on sale prices');
    const before = await totalIs(page, c.summary.total);
    for (const t of c.summary.taxes || []) if (!t.included) assert.match(await text(page.locator('#order-summary')), new RegExp(t.name));

    // a code whose minimum is not met: the reason, next to the field
    await page.getByLabel('Discount code').fill(BIG.toLowerCase());
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#discount-msg', { hasText: /at least \$5,000\.00/ }).waitFor();
    assert.equal(await page.getByLabel('Discount code').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#order-summary .sum-row.discount').count(), 0);
    await shots(page, 'pricing-cart-code-refused');
    // an unknown code
    await page.getByLabel('Discount code').fill('NOSUCH' + RUN);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#discount-msg', { hasText: /could not find the code/ }).waitFor();

    // the 10 % code: a discount line of its own and a lower total
    await page.getByLabel('Discount code').fill(CODE.toLowerCase());
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator(`#code-chips .code-chip[data-code="${CODE}"]`).waitFor();
    c = await cartApi(page);
    assert.deepEqual(c.discount_codes, [CODE]);
    assert.equal(c.summary.discount, 12);
    const line = page.locator('#order-summary .sum-row.discount');
    assert.equal(await line.count(), 1);
    assert.match(await text(line), new RegExp(`Spring sale 10 %.*−\\$12\\.00`));
    const withCode = await totalIs(page, c.summary.total);
    assert.ok(c.summary.total < Number(before.slice(1)), `the total drops: ${before} -> ${withCode}`);
    assert.equal(await text(page.locator('#discount-msg')), '');
    await axeClean(page, 'the cart');
    await shots(page, 'pricing-cart-code');

    // remove it: the line goes, the total is back; then apply it again
    await page.getByRole('button', { name: 'Remove code ' + CODE }).click();
    await page.locator(`#code-chips .code-chip[data-code="${CODE}"]`).waitFor({ state: 'detached' });
    assert.equal(await page.locator('#order-summary .sum-row.discount').count(), 0);
    await totalIs(page, Number(before.replace(/[$,]/g, '')));
    await page.getByLabel('Discount code').fill(CODE);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator(`#code-chips .code-chip[data-code="${CODE}"]`).waitFor();

    // checkout: sign up (the cart comes along), then the address
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
    c = await cartApi(page);
    if (!(c.discount_codes || []).includes(CODE)) {
      // the code did not come along with the guest cart: apply it here
      await page.getByLabel('Discount code').fill(CODE);
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.locator(`#code-chips .code-chip[data-code="${CODE}"]`).waitFor();
    }
    assert.match(await text(page.locator('#shipping-methods')), /Enter the country and ZIP/);

    // a German address: VAT is inside the prices
    await page.getByLabel('Full name').fill('Ada Shopper');
    await page.getByLabel('Street address').fill('Unter den Linden 1');
    await page.getByLabel('City').fill('Berlin');
    await page.getByLabel('Country (2 letters)').fill('DE');
    await page.getByLabel('ZIP / postal code').fill('10117');
    await page.getByLabel('ZIP / postal code').press('Tab');
    await page.getByRole('radio', { name: /DHL/ }).waitFor();
    c = await cartApi(page);
    assert.ok(c.summary.tax_included > 0, 'VAT is inside the prices: ' + JSON.stringify(c.summary));
    assert.equal(c.summary.tax, 0, 'no tax is added on top in a VAT zone');
    await page.locator('#sum-tax-included', { hasText: /^incl\. \$[\d.,]+ VAT/ }).waitFor();
    assert.match(await text(page.locator('#sum-tax-included')), new RegExp('incl\\. \\' + usd(c.summary.tax_included) + ' VAT \\(19 %\\)'));
    assert.equal(await page.locator('#order-summary .sum-row.tax').count(), 0);
    await totalIs(page, c.summary.total);
    await shots(page, 'pricing-checkout-vat');

    // Seattle: Washington's methods with price and delivery date
    await page.getByLabel('Street address').fill('500 Pine St');
    await page.getByLabel('City').fill('Seattle');
    await page.getByLabel('Country (2 letters)').fill('US');
    await page.getByLabel('State / region').fill('WA');
    await page.getByLabel('ZIP / postal code').fill('98101');
    await page.getByLabel('ZIP / postal code').press('Tab');
    const standard = page.getByRole('radio', { name: /Standard/ });
    const express = page.getByRole('radio', { name: /Express/ });
    await express.waitFor();
    assert.equal(await page.locator('#shipping-methods .ship-choice').count(), 2);
    assert.match(await text(page.locator('#shipping-methods .ship-choice', { hasText: 'Standard' })), /Standard \$5\.99 Arrives by \w{3}, \w{3} \d+ \(3–5 days\)/);
    assert.match(await text(page.locator('#shipping-methods .ship-choice', { hasText: 'Express' })), /Express \$19\.99 Arrives by .* \(1–2 days\)/);
    assert.equal(await page.locator('#sum-tax-included').count(), 0);
    await standard.check();
    await page.waitForFunction(() => /\$5\.99/.test(document.querySelector('#sum-shipping')?.textContent || ''));
    c = await cartApi(page);
    assert.equal(c.shipping.method.name, 'Standard');
    const totalStandard = await totalIs(page, c.summary.total);
    // 119.98 - 12.00 + 5.99 shipping + 10.1 % WA tax on the discounted goods (about 10.91)
    const waTax = (c.summary.taxes || []).find((t) => t.name === 'WA sales tax');
    assert.ok(waTax && Math.abs(waTax.amount - 107.98 * 0.101) < 0.02, JSON.stringify(c.summary));
    assert.match(await text(page.locator('#order-summary')), new RegExp('WA sales tax \\(10\\.1 %\\) \\' + usd(waTax.amount)));
    assert.equal(Math.round(c.summary.total * 100), Math.round((107.98 + 5.99 + waTax.amount) * 100), JSON.stringify(c.summary));
    const standardTotal = c.summary.total;
    await express.check();
    await page.waitForFunction(() => /\$19\.99/.test(document.querySelector('#sum-shipping')?.textContent || ''));
    c = await cartApi(page);
    assert.equal(c.shipping.method.name, 'Express');
    const totalExpress = await totalIs(page, c.summary.total);
    assert.notEqual(totalExpress, totalStandard, 'the total changes with the method');
    assert.equal(Math.round((c.summary.total - standardTotal) * 100), 1400, 'Express costs $14.00 more');
    assert.match(await text(page.locator('#place-order')), new RegExp('Place order · \\' + totalExpress));
    assert.match(await text(page.locator('#order-summary')), /Spring sale 10 %.*−\$12\.00/);
    const summaryBefore = c.summary;

    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByLabel('Expiry (MM/YY)').fill('12/30');
    await page.getByLabel('CVC').fill('123');
    await axeClean(page, 'the checkout');
    await shots(page, 'pricing-checkout');
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.locator('#order-confirmation').waitFor();
    await settled(page);

    // the confirmation: the cart's discount line, shipping, tax lines and total
    const pricing = page.locator('#order-pricing');
    const pText = await text(pricing);
    assert.match(pText, /Spring sale 10 %.*−\$12\.00/);
    assert.match(pText, /Shipping \(Express\) \$19\.99/);
    assert.match(pText, /WA sales tax \(10\.1 %\)/);
    assert.match(pText, new RegExp('Total \\' + totalExpress));
    const orderId = await page.locator('#order-confirmation').getAttribute('data-order-id');
    const order = await page.evaluate((id) => fetch('/api/v1/orders/' + encodeURIComponent(id)).then((r) => r.json()), orderId);
    const o = order.order || order;
    assert.equal(o.pricing.total, summaryBefore.total, 'the order charged what the cart showed');
    assert.equal(o.pricing.discount, 12);
    assert.deepEqual((o.pricing.discounts || []).map((d) => d.code), [CODE]);
    assert.equal(o.pricing.shipping_method && o.pricing.shipping_method.name, 'Express');
    assert.deepEqual((o.pricing.taxes || []).map((t) => t.name), ['WA sales tax']);
    await axeClean(page, 'the order confirmation');
    await shots(page, 'pricing-order');

    // the admin's list counts the use
    const d = (await apiJson('GET', '/admin/discounts?q=' + CODE, undefined, admin)).body.discounts.find((x) => x.code === CODE);
    assert.equal(d.usage.total, 1, JSON.stringify(d.usage));
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});

test('flash sale checkout shows the quoted total before paying', async () => {
  await need(['POST', '/flash-sales/{id}/quote'], ['POST', '/admin/flash-sales']);
  await capture('pricing-flash', () => pages, async () => {
    const bag = await findProduct('Two-Person Tent');
    const now = Date.now();
    const iso = (t) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const sale = await apiJson('POST', '/admin/flash-sales', {
      product_id: bag.product_id, sale_price: 120, quantity: 1, per_user_limit: 1, starts_at: iso(now - 60000), ends_at: iso(now + 3600000),
    }, admin);
    assert.equal(sale.status, 201, JSON.stringify(sale.body));
    const page = await open();
    const user = newUser();
    await page.goto('/register?next=' + encodeURIComponent('/flash/' + sale.body.flash_sale_id));
    await page.getByLabel('First name').fill(user.first);
    await page.getByLabel('Last name').fill(user.last);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('button', { name: 'Join the queue' }).click();
    await page.getByText('It’s your turn!').waitFor();
    assert.match(await text(page.locator('#flash-note')), /Enter your address to see the total/);
    await page.getByLabel('Street address').fill('500 Pine St');
    await page.getByLabel('City').fill('Seattle');
    await page.getByLabel('State / region').fill('WA');
    await page.getByLabel('ZIP / postal code').fill('98101');
    await page.getByLabel('ZIP / postal code').press('Tab');
    await page.locator('#flash-quote-summary').waitFor();
    const quote = await page.evaluate((id) => fetch(`/api/v1/flash-sales/${id}/quote`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ shipping_address: { name: 'Test Shopper', street: '500 Pine St', city: 'Seattle', state: 'WA', zip: '98101', country: 'US' } }),
    }).then((r) => r.json()), sale.body.flash_sale_id);
    assert.ok(quote.total > 120, 'tax and shipping on top of the sale price: ' + JSON.stringify(quote));
    await page.getByRole('button', { name: 'Buy now for ' + usd(quote.total) }).waitFor();
    assert.match(await text(page.locator('#flash-quote-summary')), new RegExp('Total \\' + usd(quote.total)));
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByLabel('Expiry (MM/YY)').fill('12/30');
    await page.getByLabel('CVC').fill('123');
    await axeClean(page, 'the flash checkout', '#flash-panel');
    await shots(page, 'pricing-flash-quote');
    await page.getByRole('button', { name: 'Buy now for ' + usd(quote.total) }).click();
    await page.locator('#flash-confirmation').waitFor();
    assert.match(await text(page.locator('#flash-confirmation')), new RegExp('Total \\' + usd(quote.total)));
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});

test('cleanup: the built-in zone is back for the other scenarios', async () => {
  await cleanup();
  const zs = await apiJson('GET', '/admin/shipping-zones', undefined, admin);
  assert.equal(zs.status, 200);
  assert.equal((zs.body.zones || []).filter((z) => z.name.startsWith(TAG)).length, 0);
});
