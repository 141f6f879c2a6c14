// Products with options and variants. The shopper picks Blue / M of a
// T-shirt (Color x Size, prices and stock per variant, Green / L sold out),
// sees its price, stock and SKU, buys it, and only that variant's stock
// drops. The admin builds variants with the editor: generate from options,
// set prices and stock, save, reload; and a 100-variant product stays usable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launch, newPage, shot, apiJson, admin, settled, newUser, axeViolations, capture, ADMIN_TOKEN, OUT, DESKTOP, PHONE } from '../helpers.mjs';

let browser;
const pages = [];
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

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

const PRICES = { 'Blue/S': 20, 'Blue/M': 22, 'Blue/L': 24, 'Green/S': 21, 'Green/M': 23, 'Green/L': 25 };
const STOCK = { 'Blue/S': 10, 'Blue/M': 3, 'Blue/L': 10, 'Green/S': 5, 'Green/M': 8, 'Green/L': 0 };

// The T-shirt, made through the admin API: 2 colours x 3 sizes.
async function createTee() {
  const variants = Object.keys(PRICES).map((k) => {
    const [Color, Size] = k.split('/');
    return { sku: `TEE-${Color.toUpperCase()}-${Size}`, options: { Color, Size }, price: PRICES[k], stock: STOCK[k] };
  });
  const res = await apiJson('POST', '/admin/products', {
    name: 'Loomwear Organic Tee', brand: 'Loomwear', description: 'A soft organic cotton T-shirt.',
    options: [{ name: 'Color', values: ['Blue', 'Green'] }, { name: 'Size', values: ['S', 'M', 'L'] }],
    variants,
  }, admin);
  assert.ok(res.status === 201 || res.status === 200, `POST /admin/products with variants: ${res.status} ${JSON.stringify(res.body)}`);
  const id = res.body.product_id;
  // product pictures, and the green variants get a picture of their own
  // (one PATCH: the variants list matched by variant_id keeps everything else)
  const made = res.body.variants || (await apiJson('GET', '/products/' + id)).body.variants;
  assert.equal(made.length, 6, JSON.stringify(made));
  const img = await apiJson('PATCH', '/admin/products/' + id, {
    images: [`/images/products/${id}/1.svg`, `/images/products/${id}/2.svg`],
    variants: made.map((v) => ({ variant_id: v.variant_id, image: v.options.Color === 'Green' ? `/images/products/${id}/2.svg` : '' })),
  }, admin);
  assert.equal(img.status, 200, JSON.stringify(img.body));
  return (await apiJson('GET', '/products/' + id)).body;
}

const bySku = (p, sku) => p.variants.find((v) => v.sku === sku);
const stockBySku = (p) => Object.fromEntries(p.variants.map((v) => [v.sku, v.inventory.available]));

test('shopper picks Blue / M, sees its price and stock, buys it; only its stock drops', async () => {
  await capture('variants-shopper', () => pages, async () => {
    const tee = await createTee();
    assert.equal(tee.price.final_price, 20);
    assert.equal(tee.price_max, 25);
    assert.equal(tee.inventory.in_stock, true);
    const blueM = bySku(tee, 'TEE-BLUE-M');
    const greenL = bySku(tee, 'TEE-GREEN-L');
    assert.equal(greenL.inventory.in_stock, false);
    const before = stockBySku(tee);

    // the API the page relies on: a choice is needed, a wrong one is refused
    const noChoice = await apiJson('POST', '/cart/items', { product_id: tee.product_id, quantity: 1 });
    assert.equal(noChoice.status, 400, JSON.stringify(noChoice.body));
    assert.equal(noChoice.body.error.code, 'variant_required');
    const wrong = await apiJson('POST', '/cart/items', { product_id: tee.product_id, selected_options: { color: 'Red', size: 'M' }, quantity: 1 });
    assert.equal(wrong.status, 400, JSON.stringify(wrong.body));
    assert.equal(wrong.body.error.code, 'unknown_variant');

    const page = await open();
    // listings: "from $20.00"
    await page.goto('/');
    const card = page.locator('.product-card', { hasText: 'Loomwear Organic Tee' }).first();
    await card.waitFor();
    assert.equal((await card.locator('.from').textContent()).trim(), 'from');
    assert.equal((await card.locator('.now').textContent()).trim(), '$20.00');
    await card.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await card.screenshot({ path: path.join(OUT, 'variants-listing-card.png') });
    await card.click();
    await page.getByRole('heading', { level: 1, name: 'Loomwear Organic Tee' }).waitFor();
    await settled(page);

    const color = page.getByRole('group', { name: /^Color/ });
    const size = page.getByRole('group', { name: /^Size/ });
    const sizeBtn = (s) => size.getByRole('button', { name: new RegExp(`^${s}(, sold out|, unavailable)?$`) });
    const colorBtn = (c) => color.getByRole('button', { name: new RegExp(`^${c}(, sold out|, unavailable)?$`) });
    // colours are swatches
    assert.equal(await colorBtn('Blue').locator('.swatch-dot').count(), 1);

    // Blue with the mouse, M with the keyboard
    await colorBtn('Blue').click();
    assert.equal(await colorBtn('Blue').getAttribute('aria-pressed'), 'true');
    await sizeBtn('M').focus();
    await page.keyboard.press('Space');
    await page.waitForURL(new RegExp(`\\?variant=${blueM.variant_id}$`));
    assert.equal(await sizeBtn('M').getAttribute('aria-pressed'), 'true');
    assert.equal(await sizeBtn('S').getAttribute('aria-pressed'), 'false');
    assert.match(await page.locator('#product-price').textContent(), /^\$22\.00$/);
    assert.match(await page.locator('#product-stock').textContent(), /Only 3 left/);
    assert.equal((await page.locator('#product-sku').textContent()).trim(), 'TEE-BLUE-M');
    assert.match(await size.locator('legend').textContent(), /Size: M/);
    assert.equal(await page.locator('#add-to-cart').isEnabled(), true);

    // Green / L is sold out: struck through, and cannot be added
    await colorBtn('Green').click();
    assert.equal(await sizeBtn('M').getAttribute('aria-pressed'), 'true', 'the size stays when Green / M exists');
    assert.match(await page.locator('#product-price').textContent(), /\$23\.00/);
    assert.match(await page.locator('.gallery .main-img').getAttribute('src'), /\/2\.svg$/, 'the green picture');
    const soldL = size.getByRole('button', { name: 'L, sold out' });
    assert.equal(await soldL.count(), 1);
    assert.match(await soldL.getAttribute('class'), /soldout/);
    assert.equal(await size.getByRole('button', { name: 'S', exact: true }).count(), 1, 'Green / S is in stock');
    await soldL.click();
    await page.waitForURL(new RegExp(`\\?variant=${greenL.variant_id}$`));
    assert.equal(await page.locator('#add-to-cart').isDisabled(), true);
    assert.equal((await page.locator('#add-to-cart').textContent()).trim(), 'Sold out');
    assert.equal((await page.locator('#product-stock').textContent()).trim(), 'Sold out');
    await shot(page, 'variants-soldout-desktop');

    // the URL remembers the choice: a reload shows Blue / M again
    await page.goto(`/p/${tee.product_id}?variant=${blueM.variant_id}`);
    await page.getByRole('heading', { level: 1, name: 'Loomwear Organic Tee' }).waitFor();
    await settled(page);
    assert.equal(await colorBtn('Blue').getAttribute('aria-pressed'), 'true');
    assert.equal(await sizeBtn('M').getAttribute('aria-pressed'), 'true');
    assert.match(await page.locator('#product-price').textContent(), /^\$22\.00$/);
    assert.match(await page.locator('.gallery .main-img').getAttribute('src'), /\/1\.svg$/, 'the product picture for blue');
    const a11y = await axeViolations(page, '.product-info');
    if (a11y) assert.deepEqual(a11y, [], 'axe-core on the product page');
    await shot(page, 'variants-product-desktop');
    await page.setViewportSize(PHONE);
    await shot(page, 'variants-product-phone');
    await page.setViewportSize(DESKTOP);

    // into the cart: the line says which variant
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByText('Blue / M added to your cart.').waitFor();
    assert.equal(await page.locator('#cart-count').textContent(), '2');
    const cartApi = await page.evaluate(() => fetch('/api/v1/cart').then((r) => r.json()));
    const line = cartApi.items.find((i) => String(i.variant_id) === String(blueM.variant_id));
    assert.ok(line, 'the cart line is the Blue / M variant: ' + JSON.stringify(cartApi.items));
    assert.equal(line.sku, 'TEE-BLUE-M');
    assert.deepEqual(line.selected_options, { Color: 'Blue', Size: 'M' });
    await page.goto('/cart');
    const cartLine = page.locator('#cart-items .cart-line', { hasText: 'Loomwear Organic Tee' });
    await cartLine.waitFor();
    assert.match(await cartLine.locator('.line-options').textContent(), /Color: Blue · Size: M/);
    assert.match(await page.locator('.summary').textContent(), /\$44\.00/);
    await shot(page, 'variants-cart-desktop');
    await page.setViewportSize(PHONE);
    await shot(page, 'variants-cart-phone');
    await page.setViewportSize(DESKTOP);

    // check out with a test card (sign-up keeps the cart)
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
    assert.match(await page.locator('.review-lines').textContent(), /Color: Blue · Size: M/);
    await page.getByLabel('Full name').fill('Ada Shopper');
    await page.getByLabel('Street address').fill('123 Main St');
    await page.getByLabel('City').fill('Seattle');
    await page.getByLabel('State / region').fill('WA');
    await page.getByLabel('ZIP / postal code').fill('98101');
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByLabel('Expiry (MM/YY)').fill('12/30');
    await page.getByLabel('CVC').fill('123');
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.locator('#order-confirmation').waitFor();
    const orderId = await page.locator('#order-confirmation').getAttribute('data-order-id');
    assert.match(await page.locator('.review-lines').textContent(), /Color: Blue · Size: M/);
    await shot(page, 'variants-order-desktop');
    await page.setViewportSize(PHONE);
    await shot(page, 'variants-order-phone');

    // the order line is the variant; only Blue / M's stock dropped
    const order = await page.evaluate((id) => fetch('/api/v1/orders/' + encodeURIComponent(id)).then((r) => r.json()), orderId);
    const o = order.order || order;
    assert.equal(o.items.length, 1);
    assert.equal(String(o.items[0].variant_id), String(blueM.variant_id));
    assert.equal(o.items[0].sku, 'TEE-BLUE-M');
    assert.deepEqual(o.items[0].selected_options, { Color: 'Blue', Size: 'M' });
    const afterP = (await apiJson('GET', '/products/' + tee.product_id)).body;
    const after = stockBySku(afterP);
    assert.deepEqual(after, { ...before, 'TEE-BLUE-M': before['TEE-BLUE-M'] - 2 });
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});

test('admin variant editor: generate from options, set prices and stock, save, reload', async () => {
  await capture('variants-admin', () => pages, async () => {
    const page = await adminPage();
    await page.goto('/admin/products/new');
    await page.getByLabel('Name', { exact: true }).fill('Harbor Hoodie');
    await page.getByLabel('Brand', { exact: true }).fill('Loomwear');
    await page.getByLabel('SKU', { exact: true }).fill('HOODIE');
    await page.getByLabel('Price', { exact: true }).fill('40');
    await page.getByRole('button', { name: '+ Add option' }).click();
    await page.getByLabel('Option 1 name').fill('Size');
    await page.getByLabel('Option 1 values').fill('S, M, L');
    await page.getByRole('button', { name: '+ Add option' }).click();
    await page.getByLabel('Option 2 name').fill('Color');
    await page.getByLabel('Option 2 values').fill('Black, Grey');
    await page.getByRole('button', { name: 'Generate variants' }).click();
    await page.locator('#variants-msg', { hasText: '6 variants' }).waitFor();
    assert.equal(await page.locator('#variant-table tbody tr').count(), 6);
    // per product price and stock give way to the variants'
    assert.equal(await page.getByLabel('Price', { exact: true }).isVisible(), false);
    assert.equal(await page.getByLabel('Price of S / Black', { exact: true }).inputValue(), '40');
    assert.equal(await page.getByLabel('SKU of M / Grey').inputValue(), 'HOODIE-M-GREY');
    await page.getByLabel('Stock for all variants').fill('5');
    await page.getByRole('button', { name: 'Apply stock' }).click();
    await page.getByLabel('Price of M / Grey', { exact: true }).fill('45');
    await page.getByLabel('Sale price of L / Black').fill('35');
    await page.getByLabel('Stock of M / Grey').fill('7');
    await page.getByLabel('Image URL of M / Grey').fill('/favicon.svg');
    // a new product starts as a draft; this one goes on sale at once
    await page.getByLabel('Status').selectOption('active');
    await page.getByRole('button', { name: 'Create product' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit product' }).waitFor();
    const id = page.url().split('/').pop();
    let p = (await apiJson('GET', '/products/' + id)).body;
    assert.equal(p.variants.length, 6);
    const v = (title) => p.variants.find((x) => `${x.options.Size} / ${x.options.Color}` === title);
    assert.equal(v('M / Grey').price.amount, 45);
    assert.equal(v('M / Grey').inventory.available, 7);
    assert.equal(v('M / Grey').image, '/favicon.svg');
    assert.equal(v('L / Black').price.final_price, 35);
    assert.equal(v('S / Black').inventory.available, 5);
    assert.equal(v('S / Black').sku, 'HOODIE-S-BLACK');
    assert.equal(p.price.final_price, 35);
    assert.equal(p.price_max, 45);

    // a reload shows what was saved
    await page.reload();
    await page.getByLabel('Price of M / Grey', { exact: true }).waitFor();
    assert.equal(await page.locator('#variant-table tbody tr').count(), 6);
    assert.equal(await page.getByLabel('Price of M / Grey', { exact: true }).inputValue(), '45');
    assert.equal(await page.getByLabel('Stock of M / Grey').inputValue(), '7');
    await shot(page, 'variants-admin-editor-desktop');

    // a new size and one variant fewer, in one save
    await page.getByLabel('Option 1 values').fill('S, M, L, XL');
    await page.getByLabel('Option 1 values').blur();
    await page.locator('#variants-msg', { hasText: 'options changed' }).waitFor();
    await page.getByRole('button', { name: 'Generate variants' }).click();
    await page.locator('#variants-msg', { hasText: '8 variants, 2 new' }).waitFor();
    await page.getByRole('button', { name: 'Remove S / Grey' }).click();
    assert.equal(await page.locator('#variant-table tbody tr').count(), 7);
    await page.getByLabel('Price of XL / Black', { exact: true }).fill('48');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved').waitFor();
    p = (await apiJson('GET', '/products/' + id)).body;
    assert.equal(p.variants.length, 7);
    assert.equal(v('S / Grey'), undefined);
    assert.equal(v('XL / Black').price.amount, 48);
    assert.equal(v('XL / Grey').inventory.available, 0);
    assert.equal(v('M / Grey').inventory.available, 7, 'untouched stock stays');
    // saving re-renders the page: check the editor it shows now
    await page.locator('#main:not([aria-busy]) #variant-editor').waitFor();
    const a11y = await axeViolations(page, '#variant-editor');
    if (a11y) assert.deepEqual(a11y, [], 'axe-core on the variant editor');

    // the shop shows it: from $35.00
    const shop = await open();
    await shop.goto('/p/' + id);
    await shop.getByRole('group', { name: /^Size/ }).waitFor();
    await shop.getByRole('group', { name: /^Size/ }).getByRole('button', { name: /^XL/ }).click();
    await shop.getByRole('group', { name: /^Color/ }).getByRole('button', { name: /^Black/ }).click();
    assert.match(await shop.locator('#product-price').textContent(), /\$48\.00/);
    assert.equal((await shop.locator('#add-to-cart').textContent()).trim(), 'Sold out', 'new variants start with no stock');
    assert.deepEqual(shop.problems, []);
    await shop.context().close();
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});

test('admin variant editor with 100 variants stays usable', async () => {
  await capture('variants-admin-100', () => pages, async () => {
    const created = await apiJson('POST', '/admin/products', { name: 'Sampler Sock Pack', brand: 'Loomwear', price: 12, stock: 0 }, admin);
    assert.ok(created.status === 201 || created.status === 200, JSON.stringify(created.body));
    const id = created.body.product_id;
    for (const [vpName, vp] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const page = await adminPage(vp);
      await page.goto('/admin/products/' + id);
      await page.getByRole('heading', { level: 1, name: 'Edit product' }).waitFor();
      if (vpName === 'desktop') {
        await page.getByRole('button', { name: '+ Add option' }).click();
        await page.getByLabel('Option 1 name').fill('Size');
        await page.getByLabel('Option 1 values').fill(Array.from({ length: 10 }, (_, i) => String(36 + i)).join(', '));
        await page.getByRole('button', { name: '+ Add option' }).click();
        await page.getByLabel('Option 2 name').fill('Colour');
        await page.getByLabel('Option 2 values').fill('Black, White, Red, Navy, Olive, Teal, Tan, Pink, Plum, Gold');
        const t0 = Date.now();
        await page.getByRole('button', { name: 'Generate variants' }).click();
        await page.locator('#variants-msg', { hasText: '100 variants' }).waitFor();
        const ms = Date.now() - t0;
        assert.ok(ms < 3000, `generating 100 variants took ${ms} ms`);
        assert.equal(await page.locator('#variant-table tbody tr').count(), 100);
        // the first combination keeps the product's own variant (and id)
        assert.equal(await page.locator('#variant-table tbody tr').first().getAttribute('data-variant-id'), String(id));
        await page.getByLabel('Price for all variants').fill('14.5');
        await page.getByRole('button', { name: 'Apply price' }).click();
        await page.getByLabel('Stock for all variants').fill('3');
        await page.getByRole('button', { name: 'Apply stock' }).click();
        await page.getByLabel('Price of 45 / Gold', { exact: true }).fill('16');
        await page.getByRole('button', { name: 'Save changes' }).click();
        await page.getByText('Changes saved').waitFor();
        const p = (await apiJson('GET', '/products/' + id)).body;
        assert.equal(p.variants.length, 100);
        assert.equal(p.price.final_price, 14.5);
        assert.equal(p.price_max, 16);
        assert.equal(p.variants.every((x) => x.inventory.available === 3), true);
        await page.getByLabel('Price of 45 / Gold', { exact: true }).waitFor();
      }
      assert.equal(await page.locator('#variant-table tbody tr').count(), 100);
      // the header stays in view while the table scrolls
      await page.locator('#variant-table-wrap').evaluate((el) => { el.scrollTop = 1500; });
      const head = await page.locator('#variant-table thead th').first().boundingBox();
      const wrap = await page.locator('#variant-table-wrap').boundingBox();
      assert.ok(Math.abs(head.y - wrap.y) <= 2, `sticky header at ${head.y}, table top at ${wrap.y}`);
      await page.locator('#variant-table-wrap').evaluate((el) => { el.scrollTop = 0; });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `the editor at ${vpName} overflows by ${overflow}px`);
      await shot(page, `variants-admin-100-${vpName}`);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    }
  });
});
