// The storefront without JavaScript, as a crawler or a link preview sees
// it: the server-rendered product page (src/http/storefront_pages.cpp)
// and real 404 statuses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, findProduct, apiJson, settled, BASE, DESKTOP, OUT } from '../helpers.mjs';
import path from 'node:path';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function noScriptPage() {
  const context = await browser.newContext({ viewport: DESKTOP, baseURL: BASE, locale: 'en-US', javaScriptEnabled: false });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  return page;
}

test('with JavaScript off, a product page shows its name, price and description', async () => {
  const summary = await findProduct('Wireless Bluetooth Headphones');
  const p = (await apiJson('GET', '/products/' + summary.product_id)).body;
  const page = await noScriptPage();
  const res = await page.goto('/p/' + p.product_id);
  assert.equal(res.status(), 200);
  const main = page.locator('#main');
  assert.equal((await main.getByRole('heading', { level: 1 }).textContent()).trim(), p.name);
  assert.match(await main.locator('.price .now').textContent(), new RegExp('\\$' + p.price.final_price.toFixed(2).replace('.', '\\.')));
  const firstLine = p.description.split('\n')[0];
  assert.ok((await main.textContent()).includes(firstLine), 'description: ' + firstLine);
  const img = main.locator('img.main-img');
  assert.notEqual(await img.getAttribute('alt'), null);
  assert.equal(await img.getAttribute('width'), '600');
  // a link preview reads the head
  assert.equal(await page.title(), `${p.name} · shopbox`);
  assert.equal(await page.locator('meta[property="og:title"]').getAttribute('content'), p.name);
  const ld = JSON.parse(await page.locator('script[type="application/ld+json"]').first().textContent());
  assert.equal(ld['@type'], 'Product');
  assert.equal(Number(ld.offers[0].price), p.variants[0].price.final_price);
  // the header's category links work without the app
  assert.ok(await page.locator('#cat-nav a', { hasText: 'Electronics' }).count() === 1);
  await page.screenshot({ path: path.join(OUT, 'seo-product-nojs.png'), fullPage: true });
  await page.context().close();

  // With JavaScript the app replaces the fallback: one heading, the buy form.
  const context = await browser.newContext({ viewport: DESKTOP, baseURL: BASE });
  const js = await context.newPage();
  await js.goto('/p/' + p.product_id);
  await js.locator('#add-to-cart').waitFor();
  await settled(js);
  assert.equal(await js.locator('#main h1').count(), 1);
  assert.equal(await js.locator('#main .variant-table').count(), 0);
  await context.close();
});

test('an unknown product is a 404 page with a way back', async () => {
  const page = await noScriptPage();
  const res = await page.goto('/p/999999999');
  assert.equal(res.status(), 404);
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  assert.equal(await page.locator('#main form[action="/search"] input[name="q"]').count(), 1);
  await page.context().close();
  // the app still shows its own not-found page over the same 404
  const context = await browser.newContext({ viewport: DESKTOP, baseURL: BASE });
  const js = await context.newPage();
  const res2 = await js.goto('/p/999999999');
  assert.equal(res2.status(), 404);
  await js.locator('#main [role="alert"]').waitFor();
  assert.equal(await js.locator('#main h1', { hasText: 'Page not found' }).count(), 0, 'the app replaced the fallback');
  await context.close();
});
