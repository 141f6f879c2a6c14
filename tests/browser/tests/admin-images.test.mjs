// The product editor's picture manager, as a merchant uses it: choose two
// photos at once, drop a third on the drop zone, move one earlier, describe
// one, make it the main picture, remove one; then the shop's product page
// shows the main picture with srcset over the stored widths and its
// description as alt text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { launch, newPage, shot, settled, capture, apiJson, admin, adminSignIn, DESKTOP, PHONE } from '../helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dataDir = path.join(here, '..', '..', 'data', 'images');
const frontJpg = path.join(dataDir, 'mug-front.jpg');
const sidePng = path.join(dataDir, 'mug-side.png');
const smallWebp = path.join(here, '..', '..', 'fuzz', 'corpus', 'images', 'small.webp');

let browser;
const pages = [];
let productId;

async function adminPage(vp = DESKTOP) {
  const page = await adminSignIn(browser, vp);
  pages.push(page);
  return page;
}

const itemUrls = (page) => page.locator('#img-manager .img-item').evaluateAll((els) => els.map((e) => e.dataset.url));

before(async () => {
  browser = await launch();
  const tag = randomBytes(3).toString('hex');
  const r = await apiJson('POST', '/admin/products', {
    name: `Enamel Camp Mug ${tag}`, sku: `MUG-IMG-${tag}`, price: 14.5, brand: 'Trailhead', status: 'active', stock: 5,
  }, admin);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  productId = r.body.product_id;
});

after(async () => {
  if (browser) await browser.close();
});

test('admin uploads, drops, reorders, describes pictures; the shop shows them with srcset', async () => {
  const page = await adminPage();
  await capture('admin-images', () => pages, async () => {
    await page.goto(`/admin/products/${productId}`);
    await settled(page);
    await page.locator('#img-manager').waitFor();
    assert.equal(await page.locator('#img-manager .img-item').count(), 0);

    // Two files at once through the file picker.
    await page.locator('#img-file-input').setInputFiles([frontJpg, sidePng]);
    await page.locator('#img-manager .img-status', { hasText: '2 pictures added.' }).waitFor();
    assert.equal(await page.locator('#img-manager .img-item').count(), 2);

    // A third, dropped on the drop zone.
    const webp = readFileSync(smallWebp).toString('base64');
    const dt = await page.evaluateHandle((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'detail.webp', { type: 'image/webp' }));
      return transfer;
    }, webp);
    await page.locator('#img-drop').dispatchEvent('drop', { dataTransfer: dt });
    await page.locator('#img-manager .img-status', { hasText: '1 picture added.' }).waitFor();
    assert.equal(await page.locator('#img-manager .img-item').count(), 3);
    const before = await itemUrls(page);

    // Move the PNG earlier with the keyboard.
    await page.getByRole('button', { name: 'Move picture 2 earlier' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((first) => document.querySelector('#img-manager .img-item').dataset.url === first, before[1]);
    assert.deepEqual(await itemUrls(page), [before[1], before[0], before[2]]);

    // Describe the JPEG (now second) and make it the main picture.
    const alt = page.getByLabel('Description of picture 2');
    await alt.fill('Blue enamel mug, front');
    await alt.press('Enter');
    await page.locator('#img-manager .img-status', { hasText: 'Description saved.' }).waitFor();
    // The main picture is the first: making the JPEG main moves it to the front.
    await page.locator('#img-manager .img-item[data-pos="1"] .img-primary').click();
    await page.locator(`#img-manager .img-item.primary[data-pos="0"][data-url="${before[0]}"]`).waitFor();

    // Remove the dropped one.
    await page.getByRole('button', { name: 'Remove picture 3' }).click();
    await page.locator('#img-manager .img-status', { hasText: 'Picture removed.' }).waitFor();
    assert.deepEqual(await itemUrls(page), [before[0], before[1]]);
    // The editor's address list follows, so saving the product keeps them.
    assert.equal(await page.locator('textarea[name="images"]').inputValue(), [before[0], before[1]].join('\n'));
    await shot(page, 'admin-images-desktop');
    await page.setViewportSize(PHONE);
    await shot(page, 'admin-images-phone');
    assert.deepEqual(page.problems, []);

    const p = await apiJson('GET', `/products/${productId}`);
    const main = p.body.image_details.find((d) => d.primary);
    assert.equal(main.url, before[0]);
    assert.equal(main.alt, 'Blue enamel mug, front');
    assert.match(main.srcset, /-320\.webp 320w/);

    // The shop's product page: the main picture, every width in srcset.
    for (const [vp, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
      const shop = await newPage(browser, vp);
      pages.push(shop);
      await shop.goto(`/p/${productId}`);
      await settled(shop);
      const img = shop.locator('img.main-img');
      await img.waitFor();
      assert.equal(await img.getAttribute('src'), before[0]);
      const srcset = await img.getAttribute('srcset');
      assert.match(srcset, /-320\.webp 320w/);
      assert.match(srcset, /-640\.webp 640w/);
      assert.match(srcset, /-1280\.webp 1280w/);
      assert.match(srcset, /-1400\.webp 1400w/);
      assert.ok(await img.getAttribute('sizes'));
      assert.equal(await img.getAttribute('alt'), 'Blue enamel mug, front');
      assert.ok(await img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the picture loads');
      await shot(shop, `product-images-${name}`);
      assert.deepEqual(shop.problems, []);
    }
  });
});
