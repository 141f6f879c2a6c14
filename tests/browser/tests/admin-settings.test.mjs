// The shop settings as a merchant uses them: on /admin/settings they rename
// the shop and write the returns policy; a bad contact email is refused
// next to its field; the storefront's header and footer then show the new
// name, and the footer's returns link opens the policy page with the text.
// The suite's shop is shared with other test files: the settings are put
// back as they were at the end.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { launch, newPage, shot, settled, capture, apiJson, admin, adminSignIn, DESKTOP, PHONE } from '../helpers.mjs';

let browser;
let original;
const pages = [];
const tag = randomBytes(3).toString('hex');
const newName = `Lantern & Leaf ${tag}`;
const policyText = `Send anything back within 60 days (${tag}).`;

before(async () => {
  browser = await launch();
  const got = await apiJson('GET', '/admin/settings', undefined, admin);
  assert.equal(got.status, 200, JSON.stringify(got.body));
  original = got.body;
});

after(async () => {
  if (original) {
    const { currency: _c, ...rest } = original;
    await apiJson('PUT', '/admin/settings', rest, admin);
  }
  await browser?.close();
});

test('the merchant renames the shop and writes the returns policy; the storefront shows both', async () => {
  await capture('admin-settings', () => pages, async () => {
    const page = await adminSignIn(browser, DESKTOP);
    pages.push(page);
    await page.goto('/admin/settings');
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();

    // a bad email is refused next to its field, nothing saved
    await page.getByLabel('Contact email').fill('not an email');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('#set-contact_email[aria-invalid="true"]').waitFor();
    assert.match(await page.locator('.field:has(#set-contact_email) .field-error').innerText(), /contact_email must look like/);
    const unchanged = await apiJson('GET', '/admin/settings', undefined, admin);
    assert.equal(unchanged.body.contact_email, original.contact_email);

    await page.getByLabel('Contact email').fill('care@lantern.example');
    await page.getByLabel('Shop name').fill(newName);
    await page.locator('#set-policies-returns-body').fill(policyText + '\n\nRefunds go to the card you paid with.');
    await shot(page, 'admin-settings-desktop');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('.form-msg', { hasText: 'Saved.' }).waitFor();
    const saved = await apiJson('GET', '/admin/settings', undefined, admin);
    assert.equal(saved.body.name, newName);
    assert.equal(saved.body.contact_email, 'care@lantern.example');

    // the storefront: header and footer from the settings
    const shopPage = await newPage(browser, DESKTOP);
    pages.push(shopPage);
    await shopPage.goto('/');
    await settled(shopPage);
    assert.equal((await shopPage.locator('.site-header .logo-name').innerText()).trim(), newName);
    assert.match(await shopPage.locator('.site-footer').innerText(), new RegExp('© ' + newName.replace(/[&]/g, '\\&')));
    assert.equal(await shopPage.title(), newName);
    await shopPage.locator('.site-footer a[href="/pages/returns"]').click();
    await shopPage.waitForURL('**/pages/returns');
    await settled(shopPage);
    await shopPage.getByRole('heading', { level: 1, name: 'Returns and refunds' }).waitFor();
    assert.match(await shopPage.locator('#main').innerText(), new RegExp(policyText.replace(/[()]/g, '\\$&')));
    assert.match(await shopPage.title(), new RegExp('Returns and refunds · '));
    await shot(shopPage, 'policy-page-desktop');
    assert.deepEqual(shopPage.problems, []);

    const phone = await newPage(browser, PHONE);
    pages.push(phone);
    await phone.goto('/pages/returns');
    await settled(phone);
    await phone.getByRole('heading', { level: 1, name: 'Returns and refunds' }).waitFor();
    await shot(phone, 'policy-page-phone');
    const adminPhone = await adminSignIn(browser, PHONE);
    pages.push(adminPhone);
    await adminPhone.goto('/admin/settings');
    await adminPhone.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await shot(adminPhone, 'admin-settings-phone');
    assert.deepEqual(page.problems, []);
  });
});
