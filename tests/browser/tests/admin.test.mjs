// The admin: sign in with an admin API token, products (create with specs
// and images, edit, delete), categories, inventory (adjust, audit), and
// screenshots of each admin page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, ADMIN_TOKEN, ADMIN_EMAIL, ADMIN_PASSWORD, findProduct, apiJson, admin, hasRoute, registerUi, newUser, adminSignIn, DESKTOP, PHONE } from '../helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const adminPage = (vp = DESKTOP) => adminSignIn(browser, vp);

test('a wrong token is refused; an admin token opens the dashboard', async () => {
  const page = await newPage(browser);
  await page.goto('/admin');
  await page.getByLabel('Admin API token').fill('sbx_not_a_token');
  await page.getByRole('button', { name: 'Use token' }).click();
  await page.getByText('That token is not an admin token.').waitFor();
  await page.getByLabel('Admin API token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Use token' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  await page.locator('#stat-lowstock .stat-value').waitFor();
  // seeded: Smartphone Lite 0, Smart Light Bulb 3, Strategy Board Game 4, Gaming Laptop 5, ...
  assert.ok(parseInt(await page.locator('#stat-lowstock .stat-value').textContent(), 10) >= 4);
  // the numbers are the server's, over the whole shop (not the browser's
  // count of the latest 100 orders): the low-stock tile is the API's total
  const low = await apiJson('GET', '/admin/inventory?low_stock=true&size=1', undefined, admin);
  assert.equal(parseInt(await page.locator('#stat-lowstock .stat-value').textContent(), 10), low.body.total);
  const since = await page.evaluate(() => { const d = new Date(); d.setHours(0, 0, 0, 0); return d.toISOString(); });
  const stats = await apiJson('GET', '/admin/dashboard?since=' + encodeURIComponent(since), undefined, admin);
  assert.equal(stats.status, 200);
  assert.equal(await page.locator('#stat-orders .stat-value').textContent(), String(stats.body.orders));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the payment success rate counts card declines, not gateway errors', async () => {
  const product = await findProduct('Studio Monitor Headphones');
  const buyer = newUser();
  const reg = await apiJson('POST', '/auth/register', { email: buyer.email, password: buyer.password, first_name: 'Pay', last_name: 'Rate' });
  const auth = { Authorization: 'Bearer ' + reg.body.token };
  const order = (cardNumber, key) => apiJson('POST', '/orders', {
    items: [{ product_id: product.product_id, quantity: 1 }],
    shipping_address: { name: 'Pay Rate', street: '1 Main St', city: 'Seattle', state: 'WA', zip: '98101', country: 'US' },
    payment_method: { type: 'card', card_number: cardNumber, exp_month: 12, exp_year: 2030, cvc: '123' },
  }, { ...auth, 'Idempotency-Key': key + buyer.email });
  assert.equal((await order('4000000000000119', 'gw')).status >= 500, true);
  const page = await adminPage();
  const since = await page.evaluate(() => { const d = new Date(); d.setHours(0, 0, 0, 0); return d.toISOString(); });
  const stats = (await apiJson('GET', '/admin/dashboard?since=' + encodeURIComponent(since), undefined, admin)).body;
  assert.ok(stats.payments.gateway_errors >= 1);
  const tile = page.locator('#stat-payments');
  assert.match(await tile.textContent(), /gateway errors? \(not counted\)/);
  const expected = stats.payments.success_rate === null ? '—' : Math.round(stats.payments.success_rate * 1000) / 10 + '%';
  assert.equal(await tile.locator('.stat-value').textContent(), expected);
  await shot(page, 'admin-dashboard-desktop');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('admin creates a product with specs and images, edits it, and deletes it', async () => {
  const page = await adminPage();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Products' }).click();
  await page.getByRole('link', { name: '+ New product' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Trail Running Shoes');
  await page.getByLabel('Brand', { exact: true }).fill('TrailPeak');
  await page.getByLabel('Category').selectOption({ label: '└ Camping' }).catch(async () => {
    const opts = await page.locator('select[name=category_id] option').allTextContents();
    const label = opts.find((o) => o.includes('Camping'));
    await page.getByLabel('Category').selectOption({ label });
  });
  await page.getByLabel('Price', { exact: true }).fill('120');
  await page.getByLabel('Sale price').fill('96');
  await page.getByLabel('Initial stock').fill('14');
  await page.getByLabel('Description').fill('Grippy shoes for muddy trails.');
  await page.getByLabel('Image URLs').fill('/favicon.svg');
  await page.getByLabel('Specification name').first().fill('Drop');
  await page.getByLabel('Specification value').first().fill('6 mm');
  await page.getByRole('button', { name: 'Create product' }).click();
  await page.getByRole('heading', { level: 1, name: 'Edit product' }).waitFor();
  const id = page.url().split('/').pop();
  // a new product starts as a draft: the admin sees it, shoppers do not
  const created = await apiJson('GET', '/products/' + id, undefined, admin);
  assert.equal(created.body.status, 'draft');
  assert.equal((await apiJson('GET', '/products/' + id)).status, 404);
  assert.equal(await page.locator('.crumbs .status-badge').textContent(), 'Draft');
  assert.equal(created.body.name, 'Trail Running Shoes');
  assert.equal(created.body.price.final_price, 96);
  assert.equal(created.body.inventory.available, 14);
  assert.equal(created.body.specifications.Drop, '6 mm');
  assert.deepEqual(created.body.images, ['/favicon.svg']);
  await shot(page, 'admin-product-edit-desktop');
  // edit: a SKU taken by another product shows the API's message, changes nothing
  await page.getByLabel('SKU').fill('electric-kettle');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Another product has this SKU.').waitFor();
  await page.getByLabel('SKU').fill('trail-shoes-1');
  await page.getByLabel('Price', { exact: true }).fill('130');
  await page.getByLabel('Status').selectOption('active');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Changes saved').waitFor();
  assert.equal((await apiJson('GET', '/products/' + id)).body.price.amount, 130);
  // the list finds it under Active with its badge
  await page.goto('/admin/products?status=active&q=Trail');
  await page.locator('#admin-products tr', { hasText: 'Trail Running Shoes' }).getByText('Active').waitFor();
  // delete from the list
  await page.goto('/admin/products');
  const row = page.locator('#admin-products tr', { hasText: 'Trail Running Shoes' });
  await row.getByRole('button', { name: 'Delete' }).click();
  await page.getByText('Product deleted').waitFor();
  assert.equal((await apiJson('GET', '/products/' + id)).status, 404);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('a draft with a broken image address is refused in words; drafts stay out of the shop', async () => {
  const page = await adminPage();
  await page.goto('/admin/products/new');
  await page.getByLabel('Name', { exact: true }).fill('Half-made Lamp');
  await page.getByLabel('Price', { exact: true }).fill('30');
  await page.getByLabel('Image URLs').fill('not a url');
  await page.getByRole('button', { name: 'Create product' }).click();
  await page.getByText(/picture.s address must be a web address/).waitFor();
  await page.getByLabel('Image URLs').fill('');
  await page.getByRole('button', { name: 'Create product' }).click();
  await page.getByRole('heading', { level: 1, name: 'Edit product' }).waitFor();
  // not the shop's newest arrival: the home page and browse never list a draft
  const newest = await apiJson('GET', '/products?sort=newest&size=5');
  assert.ok(!newest.body.products.some((p) => p.name === 'Half-made Lamp'));
  await page.goto('/admin/products?status=draft');
  await page.locator('.status-tabs .tab.current', { hasText: 'Drafts' }).waitFor();
  await page.locator('#admin-products tr', { hasText: 'Half-made Lamp' }).waitFor();
  await shot(page, 'admin-products-drafts-desktop');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('admin adjusts stock and reads the audit log', async () => {
  const p = await findProduct('Electric Kettle');
  const page = await adminPage();
  await page.goto('/admin/inventory?product=' + p.product_id);
  await page.getByRole('heading', { name: 'Electric Kettle' }).waitFor();
  await page.getByLabel('Change by').fill('-5');
  await page.getByLabel('Reason').fill('damaged in storage');
  await page.getByRole('button', { name: 'Adjust' }).click();
  await page.locator('#audit-log td', { hasText: 'damaged in storage' }).waitFor();
  assert.equal((await apiJson('GET', '/products/' + p.product_id)).body.inventory.available, 75);
  await page.getByRole('navigation', { name: 'Stock filter' }).getByRole('link', { name: 'Low stock' }).click();
  await page.locator('#inventory-table td', { hasText: 'Smartphone Lite' }).waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('inventory: search, sold out, and several counts saved together', async () => {
  const page = await adminPage();
  await page.goto('/admin/inventory');
  // sold out: the seed's Smartphone Lite has no stock
  await page.getByRole('link', { name: 'Sold out' }).click();
  await page.locator('#inventory-table tr', { hasText: 'Smartphone Lite' }).getByText('Sold out').waitFor();
  const soldOut = await apiJson('GET', '/admin/inventory?filter=sold_out&size=1', undefined, admin);
  assert.equal(await page.locator('#inventory-total').textContent(), `${soldOut.body.total} ${soldOut.body.total === 1 ? 'variant' : 'variants'}`);
  // search by brand, then count both of its products and save them at once
  await page.getByRole('link', { name: 'All', exact: true }).click();
  await page.getByLabel('Search stock').fill('KitchenCraft');
  await page.getByLabel('Search stock').press('Enter');
  await page.locator('#inventory-table tr', { hasText: 'Cast Iron Skillet' }).waitFor();
  assert.equal(await page.locator('#inventory-table tbody tr').count(), 2);
  await page.getByLabel('On hand: Cast Iron Skillet').fill('41');
  await page.getByLabel('On hand: Stainless Steel Chef Knife').fill('7');
  await page.getByRole('button', { name: 'Save 2 counts' }).click();
  await page.getByText('Stock updated for 2 variants').waitFor();
  const sk = await findProduct('Cast Iron Skillet');
  const knife = await findProduct('Stainless Steel Chef Knife');
  assert.equal((await apiJson('GET', '/admin/inventory/' + sk.product_id, undefined, admin)).body.total, 41);
  assert.equal((await apiJson('GET', '/admin/inventory/' + knife.product_id, undefined, admin)).body.total, 7);
  // a count below what is reserved saves nothing, and says so
  const hold = await apiJson('POST', '/admin/inventory/reservations', { lines: [{ product_id: knife.product_id, quantity: 3 }], owner: 'test hold' }, admin);
  assert.equal(hold.status, 201);
  await page.getByLabel('On hand: Cast Iron Skillet').fill('50');
  await page.getByLabel('On hand: Stainless Steel Chef Knife').fill('1');
  await page.getByRole('button', { name: 'Save 2 counts' }).click();
  await page.getByText(/nothing was saved/i).waitFor();
  assert.equal((await apiJson('GET', '/admin/inventory/' + sk.product_id, undefined, admin)).body.total, 41);
  await apiJson('POST', `/admin/inventory/reservations/${hold.body.reservation_id}/release`, {}, admin);
  await shot(page, 'admin-inventory-bulk-desktop');
  assert.deepEqual(page.problems, []);
  await page.context().close();
  const phone = await adminPage(PHONE);
  await phone.goto('/admin/inventory?filter=low');
  await phone.locator('#inventory-table').waitFor();
  assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth) <= 1);
  await shot(phone, 'admin-inventory-phone');
  await phone.context().close();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('admin adds and renames a category', async () => {
  const page = await adminPage();
  await page.goto('/admin/categories');
  await page.getByLabel('Name', { exact: true }).fill('Garden');
  await page.getByRole('button', { name: 'Add category' }).click();
  await page.getByText('Category added').waitFor();
  const input = page.getByLabel('Name of Garden');
  await input.fill('Garden & Patio');
  await page.locator('tr', { has: input }).getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel('Name of Garden & Patio').waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('screenshots of the admin pages at desktop and phone width', async () => {
  const p = await findProduct('Espresso Machine');
  for (const [vpName, vp] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const page = await adminPage(vp);
    await shot(page, `admin-dashboard-${vpName}`);
    for (const [name, url, sel] of [
      ['admin-products', '/admin/products', '#admin-products'],
      ['admin-product-edit', '/admin/products/' + p.product_id, '#save-product'],
      ['admin-categories', '/admin/categories', 'table'],
      ['admin-inventory', '/admin/inventory?product=' + p.product_id, '#inventory-panel h2'],
      ['admin-orders', '/admin/orders', 'h1'],
    ]) {
      await page.goto(url);
      await page.locator(sel).first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${name} at ${vpName} overflows by ${overflow}px`);
      await shot(page, `${name}-${vpName}`);
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  }
});

test('an admin user signs in with email and password; a customer is refused', async (t) => {
  if (!ADMIN_EMAIL || !(await hasRoute('POST', '/auth/login'))) return t.skip('no admin user account on this server');
  const customer = await newPage(browser);
  await registerUi(customer, newUser());
  await customer.goto('/admin');
  await customer.getByText(/who is not an admin/).waitFor();
  await customer.context().close();
  const page = await newPage(browser);
  await page.goto('/admin');
  await page.getByRole('link', { name: 'Sign in as an admin user' }).click();
  await page.getByLabel('Email').fill(ADMIN_EMAIL);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('shopbox_admin_token')), null, 'no token needed');
  await page.goto('/admin/products');
  await page.locator('#admin-products').waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('admin imports a Shopify CSV: line errors import nothing, a good file imports, the export downloads', async () => {
  const page = await adminPage();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Import' }).click();
  await page.getByRole('heading', { level: 1, name: 'Import and export' }).waitFor();
  const bad = 'Handle,Title,Variant SKU,Variant Price\nlinen-apron,Linen Apron,APRON-1,not-a-price\n';
  await page.getByLabel('File').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await page.getByRole('button', { name: 'Import products' }).click();
  await page.locator('#import-errors li', { hasText: 'Line 2' }).waitFor();
  assert.equal((await apiJson('GET', '/admin/products?q=APRON-1', undefined, admin)).body.total, 0);
  const good = 'Handle,Title,Vendor,Variant SKU,Variant Price,Variant Inventory Qty,Status\nlinen-apron,Linen Apron,Flax,APRON-1,24.00,6,draft\n';
  await page.getByLabel('File').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await page.getByRole('button', { name: 'Import products' }).click();
  await page.locator('#import-summary', { hasText: '1 new' }).waitFor();
  const found = await apiJson('GET', '/admin/products?q=APRON-1', undefined, admin);
  assert.equal(found.body.total, 1);
  assert.equal(found.body.products[0].status, 'draft');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download products.csv' }).click();
  const file = await download;
  assert.equal(file.suggestedFilename(), 'products.csv');
  await shot(page, 'admin-import-desktop');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
