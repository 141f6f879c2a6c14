// Browsing the catalog: home, category facets, product page, XSS safety,
// and screenshots of each page at desktop and phone width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, findProduct, DESKTOP, PHONE, hasRoute, settled } from '../helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('home shows categories, new and top-rated products', async () => {
  const page = await newPage(browser);
  await page.goto('/');
  await page.getByRole('heading', { name: 'Shop by category' }).waitFor();
  await page.getByRole('heading', { name: 'New arrivals' }).waitFor();
  await page.getByRole('heading', { name: 'Top rated' }).waitFor();
  assert.ok(await page.locator('.cat-tile').count() >= 5);
  assert.ok(await page.locator('.product-card').count() >= 8);
  // images are lazy-loaded
  assert.equal(await page.locator('.product-card img').first().getAttribute('loading'), 'lazy');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('category browse: brand facet, price range, rating and sort filter the list', async () => {
  const page = await newPage(browser);
  await page.goto('/');
  await page.locator('#cat-nav').getByRole('link', { name: 'Electronics' }).click();
  await page.getByRole('heading', { level: 1, name: 'Electronics' }).waitFor();
  const countText = async () => (await page.locator('#result-count').textContent()).trim();
  const all = parseInt(await countText(), 10);
  assert.ok(all > 10, 'electronics includes subcategories: ' + all);
  await page.getByLabel(/^SoundWave/).check();
  await page.waitForURL(/brand=SoundWave/);
  await page.waitForFunction(() => /^2 products/.test(document.querySelector('#result-count')?.textContent || ''));
  const names = await page.locator('.product-card .name').allTextContents();
  assert.deepEqual(names.sort(), ['Wireless Bluetooth Headphones', 'Wireless Earbuds Pro']);
  // prices show the discount: $84.99 now, $99.99 struck through
  const card = page.locator('.product-card', { hasText: 'Wireless Bluetooth Headphones' });
  assert.equal((await card.locator('.now').textContent()).trim(), '$84.99');
  assert.equal((await card.locator('.was').textContent()).trim(), '$99.99');
  // price range
  await page.getByLabel(/^SoundWave/).uncheck();
  await page.waitForFunction(() => !location.search.includes('brand='));
  await settled(page);
  await page.getByLabel('Minimum price').fill('100');
  await page.getByLabel('Maximum price').fill('300');
  await page.getByRole('button', { name: 'Go' }).click();
  await page.waitForURL(/min_price=100/);
  await settled(page);
  const prices = await page.locator('.product-card .now').allTextContents();
  assert.ok(prices.length > 0);
  for (const p of prices) {
    const v = parseFloat(p.replace(/[^0-9.]/g, ''));
    assert.ok(v >= 100 && v <= 300, 'price in range: ' + p);
  }
  // sort by price, high to low
  await page.getByLabel('Sort by').selectOption('price_desc');
  await page.waitForURL(/sort=price_desc/);
  await settled(page);
  const sorted = (await page.locator('.product-card .now').allTextContents()).map((p) => parseFloat(p.replace(/[^0-9.]/g, '')));
  assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a));
  await shot(page, 'category-desktop');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('product page: gallery, discount, stock, specs, similar products', async () => {
  const p = await findProduct('Wireless Bluetooth Headphones');
  const page = await newPage(browser);
  await page.goto('/p/' + p.product_id);
  await page.getByRole('heading', { level: 1, name: 'Wireless Bluetooth Headphones' }).waitFor();
  assert.match(await page.locator('.product-info .price').textContent(), /\$84\.99.*\$99\.99.*Save \$15\.00 \(15%\)/);
  assert.equal((await page.locator('.stock-line').textContent()).trim(), 'In stock');
  assert.equal(await page.locator('.specs td', { hasText: '30 hours' }).count(), 1);
  await page.locator('#similar .product-card').first().waitFor();
  const out = await findProduct('Smartphone Lite');
  await page.goto('/p/' + out.product_id);
  await page.getByText('Out of stock').first().waitFor();
  assert.equal(await page.locator('#add-to-cart').isDisabled(), true);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a product named <script> renders as text and runs nothing', async () => {
  const name = '<script>alert(1)</script> Gadget';
  const p = await findProduct(name);
  const page = await newPage(browser);
  await page.goto('/p/' + p.product_id);
  const h1 = page.getByRole('heading', { level: 1 });
  await h1.waitFor();
  assert.equal(await h1.textContent(), name);
  assert.equal(await page.locator('.product-info .brand').textContent(), '<img src=x onerror=alert(2)>');
  assert.equal(await page.locator('.product-info script').count(), 0);
  assert.equal(await page.locator('main img[src="x"]').count(), 0);
  assert.equal(await page.locator('.specs th').first().textContent(), '<b>bold</b>');
  await page.goto('/c/' + p.category_id);
  await page.locator('.product-card', { hasText: '<script>' }).first().waitFor();
  await page.goto('/search?q=');
  await page.locator('.product-card').first().waitFor();
  await page.waitForTimeout(200);
  await shot(page, 'xss-listing');
  assert.deepEqual(page.dialogs, [], 'no alert() ran');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('unknown pages and products get a friendly message', async () => {
  const page = await newPage(browser);
  await page.goto('/no/such/page');
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  await page.goto('/p/999999');
  await page.getByText('Product not found.').waitFor();
  await page.context().close();
});

test('screenshots of the shopper pages at desktop and phone width', async () => {
  const headphones = await findProduct('Wireless Bluetooth Headphones');
  const pages = [
    ['home', '/', '.product-card'],
    ['category', '/c/' + headphones.category_id, '.product-card'],
    ['all-products', '/search?q=', '.product-card'],
    ['product', '/p/' + headphones.product_id, '#similar'],
    ['cart', '/cart', 'h1'],
    ['login', '/login', 'h1'],
    ['register', '/register', 'h1'],
  ];
  if (await hasRoute('GET', '/search')) pages.push(['search', '/search?q=headphones', '.product-card']);
  for (const [vpName, vp] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const page = await newPage(browser, vp);
    for (const [name, url, sel] of pages) {
      await page.goto(url);
      await page.locator(sel).first().waitFor();
      // nothing wider than the screen: no sideways scrolling on a phone
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${name} at ${vpName} overflows by ${overflow}px`);
      await shot(page, `${name}-${vpName}`);
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

test('keyboard: the search box, links and buttons are reachable with Tab', async () => {
  const page = await newPage(browser);
  await page.goto('/');
  await page.locator('.product-card').first().waitFor();
  await page.keyboard.press('Tab'); // skip link
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to content');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input');
  await page.context().close();
});

test('a shopper never downloads the admin code; /admin loads it on demand', async () => {
  const page = await newPage(browser);
  const scripts = [];
  page.on('request', (r) => { if (r.url().includes('/js/')) scripts.push(new URL(r.url()).pathname); });
  await page.goto('/');
  await page.getByRole('heading', { name: 'New arrivals' }).waitFor();
  await page.locator('.product-card a').first().click();
  await page.locator('h1').first().waitFor();
  await page.goto('/cart');
  await page.locator('h1').first().waitFor();
  const shopper = [...new Set(scripts)];
  assert.ok(shopper.includes('/js/app.js') && shopper.includes('/js/session.js'), shopper.join(' '));
  assert.ok(!shopper.some((s) => s.startsWith('/js/admin')), `a shopper loaded ${shopper.join(' ')}`);
  await page.goto('/admin');
  await page.locator('h1').first().waitFor();
  assert.ok(scripts.includes('/js/admin.js'), 'opening /admin loads admin.js');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
