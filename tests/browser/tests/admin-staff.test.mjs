// Staff, API keys and the audit log, as an owner uses them: the owner
// creates a fulfilment key with scopes, sees it once, revokes it (it stops
// working); invites a staff member by email with the fulfilment role; that
// member's admin hides Products and Discounts and shows the API's words
// when they open a page their role cannot use; the audit page lists the
// owner's writes and what each changed. Screenshots at laptop and phone widths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, settled, capture, apiJson, admin, adminSignIn, newUser, signInUi, PHONE } from '../helpers.mjs';

let browser;
const pages = [];
const picker = newUser();

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('the owner creates a scoped key, sees it once and revokes it', () => capture('staff-keys', () => pages, async () => {
  const page = await adminSignIn(browser);
  pages.push(page);
  await page.goto('/admin/api-keys');
  await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
  await page.locator('#key-label').fill('Packing desk');
  for (const scope of ['orders:read', 'orders:write', 'inventory:write']) await page.locator(`input[name=scope][value="${scope}"]`).check();
  await page.locator('#key-create').click();
  const value = page.locator('#new-key-value');
  await value.waitFor();
  const key = (await value.textContent()).trim();
  assert.match(key, /^sbx_[0-9a-f]{64}$/);
  assert.equal((await apiJson('GET', '/admin/orders', undefined, { Authorization: 'Bearer ' + key })).status, 200);
  const refused = await apiJson('POST', '/admin/products', { name: 'Hat', price: 5 }, { Authorization: 'Bearer ' + key });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.message, 'This API key cannot change products');
  await shot(page, 'admin-api-keys-created-desktop');

  // Shown once: a reload lists the key without its secret.
  await page.reload();
  await settled(page);
  const row = page.locator('#key-table tr[data-label="Packing desk"]');
  await row.waitFor();
  assert.equal(await page.locator('#new-key-value').count(), 0);
  assert.ok(!(await page.content()).includes(key));
  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.waitFor({ state: 'detached' });
  assert.equal((await apiJson('GET', '/admin/orders', undefined, { Authorization: 'Bearer ' + key })).status, 401);
}));

test('the owner invites a fulfilment member, whose admin hides what the role cannot use', () => capture('staff-invite', () => pages, async () => {
  const reg = await apiJson('POST', '/auth/register', { email: picker.email, password: picker.password, first_name: picker.first, last_name: picker.last });
  assert.ok(reg.status === 200 || reg.status === 201, JSON.stringify(reg.body));
  const owner = await adminSignIn(browser);
  pages.push(owner);
  await owner.goto('/admin/staff');
  await owner.getByRole('heading', { level: 1, name: 'Staff' }).waitFor();
  await owner.locator('#staff-email').fill(picker.email);
  await owner.locator('#staff-role').selectOption('fulfilment');
  await owner.locator('#staff-invite').click();
  const row = owner.locator(`#staff-table tr[data-email="${picker.email}"]`);
  await row.waitFor();
  assert.equal(await row.locator('select').inputValue(), 'fulfilment');
  await shot(owner, 'admin-staff-desktop');

  const member = await newPage(browser);
  pages.push(member);
  await signInUi(member, picker);
  await member.goto('/admin/orders');
  await member.getByRole('heading', { level: 1, name: 'Orders' }).waitFor();
  const nav = member.locator('nav.admin-nav');
  assert.equal(await nav.getByRole('link', { name: 'Orders', exact: true }).count(), 1);
  assert.equal(await nav.getByRole('link', { name: 'Inventory', exact: true }).count(), 1);
  assert.equal(await nav.getByRole('link', { name: 'Products', exact: true }).count(), 0);
  assert.equal(await nav.getByRole('link', { name: 'Discounts', exact: true }).count(), 0);
  assert.equal(await nav.getByRole('link', { name: 'Staff', exact: true }).count(), 0);
  // A page the role cannot use says so in the API's words.
  await member.goto('/admin/staff');
  await member.getByText('Your role (fulfilment) cannot manage staff accounts').waitFor();
  await shot(member, 'admin-staff-forbidden-desktop');
}));

test('the audit page shows the owner\'s writes, filtered by path', () => capture('staff-audit', () => pages, async () => {
  const page = await adminSignIn(browser);
  pages.push(page);
  await page.goto('/admin/audit?path=/api/v1/admin/');
  await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
  const table = page.locator('#audit-table');
  await table.waitFor();
  const text = await table.textContent();
  assert.match(text, /POST \/api\/v1\/admin\/api-keys/);
  assert.match(text, /POST \/api\/v1\/admin\/staff/);
  assert.match(text, /DELETE \/api\/v1\/admin\/api-keys\/\d+/);
  await page.locator('#audit-path').fill('/api/v1/admin/staff');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForFunction(() => location.search.includes('path=%2Fapi%2Fv1%2Fadmin%2Fstaff') || location.search.includes('path=/api/v1/admin/staff'));
  await settled(page);
  assert.doesNotMatch(await page.locator('#audit-table').textContent(), /api-keys/);

  // A product renamed and repriced: the entry says what changed, old and new.
  const made = await apiJson('POST', '/admin/products', { name: 'Stoneware jug', price: 24, status: 'draft' }, admin);
  assert.equal(made.status, 201);
  const pid = made.body.product_id;
  assert.equal((await apiJson('PATCH', `/admin/products/${pid}`, { name: 'Stoneware pitcher', price: 26 }, admin)).status, 200);
  await page.goto(`/admin/audit?path=/api/v1/admin/products/${pid}`);
  const entry = page.locator('#audit-table tbody tr').first();
  await entry.waitFor();
  const changed = await entry.locator('ul.changes').textContent();
  assert.match(changed, /name: Stoneware jug → Stoneware pitcher/);
  assert.match(changed, /price\.amount: 24 → 26/);
  assert.match(await entry.textContent(), /API key|@/);  // who, by name
  await entry.locator('summary', { hasText: 'Details' }).click();
  await entry.locator('pre').first().waitFor();
  await shot(page, 'admin-audit-desktop');

  const phone = await adminSignIn(browser, PHONE);
  pages.push(phone);
  for (const [url, name] of [['/admin/audit', 'admin-audit-phone'], ['/admin/api-keys', 'admin-api-keys-phone'], ['/admin/staff', 'admin-staff-phone']]) {
    await phone.goto(url);
    await settled(phone);
    await shot(phone, name);
  }
  for (const p of pages) assert.deepEqual(p.problems, []);
}));
