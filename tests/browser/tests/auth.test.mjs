// Accounts: register, sign out, sign in, wrong password, account page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, hasRoute, registerUi, newUser, DESKTOP, PHONE } from '../helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('register, sign out, wrong password, sign in', async (t) => {
  for (const r of ['/auth/register', '/auth/login', '/auth/logout']) {
    assert.ok(await hasRoute('POST', r), `POST /api/v1${r} is missing from the server`);
  }
  const page = await newPage(browser);
  const user = newUser();
  await registerUi(page, user);
  await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
  assert.match(await page.locator('#nav-account').textContent(), /Hi, Test/);
  await shot(page, 'account-desktop');
  await page.setViewportSize(PHONE);
  await shot(page, 'account-phone');
  await page.setViewportSize(DESKTOP);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  assert.equal((await page.locator('#nav-account').textContent()).trim(), 'Sign in');
  // signed out: the account page asks to sign in
  await page.goto('/account');
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Wrong email or password.').waitFor();
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
  // the session ends behind the page's back: the next page says so
  await page.context().clearCookies();
  await page.getByRole('link', { name: 'Orders', exact: true }).click();
  await page.getByText('Your session has expired. Please sign in again.').waitFor();
  await shot(page, 'session-expired-desktop');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('account: add an address and a card (only the last four digits are shown)', async (t) => {
  assert.ok(await hasRoute('POST', '/me/addresses') && await hasRoute('POST', '/me/payment-methods'), 'the profile APIs are missing from the server');
  const page = await newPage(browser);
  await registerUi(page, newUser());
  await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
  await page.getByText('Add an address', { exact: true }).first().click();
  await page.getByLabel('Full name').fill('Ada Shopper');
  await page.getByLabel('Street address').fill('1 Infinite Loop');
  await page.getByLabel('City').fill('Cupertino');
  await page.getByLabel('ZIP / postal code').fill('95014');
  await page.getByRole('button', { name: 'Save address' }).click();
  await page.getByText('1 Infinite Loop').waitFor();
  await page.getByText('Add a card', { exact: true }).first().click();
  await page.getByLabel('Card number').fill('4242424242424242');
  await page.getByLabel('Expiry (MM/YY)').fill('11/31');
  await page.getByLabel('CVC').fill('123');
  await page.getByRole('button', { name: 'Save card' }).click();
  await page.getByText(/•••• 4242/).waitFor();
  assert.equal(await page.getByText('4242424242424242').count(), 0);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
