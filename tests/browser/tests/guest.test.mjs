// Shopping without an account, and the shop's email: a guest checks out,
// gets the confirmation by email (a real SMTP server in browser.sh) and
// opens the order from its link; finds it again with a mailed code;
// registers with the same email, confirms it from the verification mail,
// and finds the guest order in the account; resets a forgotten password.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, settled, capture, findProduct, newUser, registerUi, waitForMail, mailsTo, axeViolations, BASE, DESKTOP, PHONE } from '../helpers.mjs';

let browser;
const pages = [];
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function page(viewport = DESKTOP) {
  const p = await newPage(browser, viewport);
  pages.push(p);
  return p;
}

// The first link in a mail's plain text that starts with `path`.
function linkIn(mail, pathPrefix) {
  const m = mail.text.match(new RegExp('https?://[^\\s]+' + pathPrefix.replace(/[/?]/g, '\\$&') + '[^\\s]*'));
  assert.ok(m, `the mail "${mail.subject}" has a ${pathPrefix} link:\n${mail.text}`);
  return new URL(m[0]);
}

async function addToCart(p, name) {
  const product = await findProduct(name);
  await p.goto('/p/' + product.product_id);
  await p.getByRole('button', { name: 'Add to cart' }).click();
  await p.locator('#cart-count', { hasText: /^[1-9]/ }).waitFor();
}

async function fillAddress(p) {
  await p.getByLabel('Full name').fill('Gale Guest');
  await p.getByLabel('Street address').fill('9 Pine St');
  await p.getByLabel('City').fill('Seattle');
  await p.getByLabel('State / region').fill('WA');
  await p.getByLabel('ZIP / postal code').fill('98101');
}

async function guestCheckout(p, email, viewport = 'desktop') {
  await addToCart(p, 'Studio Monitor Headphones');
  await p.goto('/checkout');
  await p.getByRole('heading', { level: 1, name: 'Checkout' }).waitFor();
  await settled(p);
  await p.getByLabel('Email').fill(email);
  await fillAddress(p);
  await p.getByLabel('Card number').fill('4242 4242 4242 4242');
  await p.getByLabel('Expiry (MM/YY)').fill('12/30');
  await p.getByLabel('CVC').fill('123');
  await shot(p, `guest-checkout-${viewport}`);
  await p.getByRole('button', { name: /^Place order/ }).click();
  await p.locator('#order-confirmation').waitFor();
  return (await p.locator('#order-confirmation .order-id').textContent()).trim();
}

test('a guest checks out with an email, gets the confirmation mail and opens the order from its link', async () => {
  const p = await page();
  await capture('guest-checkout', () => pages, async () => {
    const email = newUser().email;
    // without an email the order is not sent
    await addToCart(p, 'Studio Monitor Headphones');
    await p.goto('/checkout');
    await settled(p);
    await fillAddress(p);
    await p.getByRole('button', { name: /^Place order/ }).click();
    await p.getByText('Enter your email address').waitFor();
    assert.equal(await p.evaluate(() => document.activeElement.id), 'guest-email');

    const number = await guestCheckout(p, email);
    assert.match(number, /^#\d{4,}$/);
    // the guest lands on the order's signed link, not a sign-in page
    assert.equal(new URL(p.url()).pathname, '/orders/lookup');
    assert.match(await p.locator('#order-confirmation').textContent(), new RegExp(email.replace(/[.]/g, '\\.')));
    assert.match(await p.locator('.review-lines').textContent(), /Studio Monitor Headphones/);
    await shot(p, 'guest-order-placed-desktop');
    const violations = await axeViolations(p);
    if (violations) assert.deepEqual(violations, [], 'the guest order page has accessibility violations');

    const mail = await waitForMail(email, /confirmed/);
    assert.match(mail.subject, new RegExp(number.slice(1)));
    assert.match(mail.text, /Studio Monitor Headphones/);
    assert.match(mail.text, /9 Pine St/);
    assert.match(mail.html, /<table|<td/, 'the confirmation has an HTML part');
    // the link in the mail opens the order in another browser, no account
    const link = linkIn(mail, '/orders/lookup');
    const other = await page(PHONE);
    await other.goto(link.pathname + link.search);
    await other.locator('.order-head').waitFor();
    assert.match(await other.locator('.order-head').textContent(), new RegExp(number));
    await shot(other, 'guest-order-link-phone');
    // a tampered link shows the lookup form instead of an order
    await other.goto(link.pathname + link.search.replace(/token=(.)/, (_, c) => 'token=' + (c === 'a' ? 'b' : 'a')));
    await other.getByText('This order link does not work any more').waitFor();
    await other.getByRole('heading', { level: 1, name: 'Find your order' }).waitFor();
    assert.deepEqual(p.problems, []);
    assert.deepEqual(other.problems, []);
  });
});

test('a guest finds an order with its number, the email and a mailed code', async () => {
  const p = await page();
  await capture('guest-lookup', () => pages, async () => {
    const email = newUser().email;
    const number = await guestCheckout(p, email);
    await waitForMail(email, /confirmed/);
    const q = await page();
    await q.goto('/login');
    await q.getByRole('link', { name: 'Find your order' }).click();
    await q.getByRole('heading', { level: 1, name: 'Find your order' }).waitFor();
    await q.getByLabel('Order number').fill(number);
    await q.getByLabel('Email').fill(email.toUpperCase());
    await shot(q, 'order-lookup-desktop');
    await q.getByRole('button', { name: 'Email me a code' }).click();
    await q.getByRole('heading', { level: 1, name: 'Enter your code' }).waitFor();
    const mail = await waitForMail(email, /code/i);
    const code = mail.text.match(/\b(\d{6})\b/)[1];
    // a wrong code first: the page says so and keeps the form
    await q.getByLabel('Code').fill(code === '000000' ? '111111' : '000000');
    await q.getByRole('button', { name: 'Open the order' }).click();
    await q.getByText('That code does not match').waitFor();
    await q.getByLabel('Code').fill(code);
    await q.getByRole('button', { name: 'Open the order' }).click();
    await q.locator('.order-head').waitFor();
    assert.match(await q.locator('.order-head').textContent(), new RegExp(number));
    await shot(q, 'order-lookup-found-desktop');
    // an unknown order number asks for a code just the same (nothing leaks), and no mail goes out
    const before = (await mailsTo('nobody-' + email)).length;
    await q.goto('/orders/lookup');
    await q.getByLabel('Order number').fill('99999999');
    await q.getByLabel('Email').fill('nobody-' + email);
    await q.getByRole('button', { name: 'Email me a code' }).click();
    await q.getByRole('heading', { level: 1, name: 'Enter your code' }).waitFor();
    assert.equal((await mailsTo('nobody-' + email)).length, before);
    assert.deepEqual(q.problems, []);
  });
});

test('registering with a guest email: the verification mail confirms it and the guest order joins the account', async () => {
  const p = await page();
  await capture('guest-claim', () => pages, async () => {
    const user = newUser();
    const number = await guestCheckout(p, user.email);
    await waitForMail(user.email, /confirmed/);
    await registerUi(p, user);
    // not yet confirmed: the guest order is not in the account, the page says why
    await p.goto('/account');
    await p.locator('#verify-banner').waitFor();
    await shot(p, 'account-unverified-desktop');
    const mail = await waitForMail(user.email, /Confirm your email/);
    const link = linkIn(mail, '/account/verify-email');
    await p.goto(link.pathname + link.search);
    await p.getByRole('heading', { level: 1, name: 'Your email is confirmed' }).waitFor();
    assert.match(await p.locator('#verify-result').textContent(), /1 earlier order/);
    await shot(p, 'email-verified-desktop');
    await p.getByRole('link', { name: 'Your orders' }).click();
    await p.locator('#order-list').waitFor();
    assert.match(await p.locator('#order-list').textContent(), new RegExp(number));
    // the link works once
    await p.goto(link.pathname + link.search);
    await p.getByRole('heading', { level: 1, name: 'This link does not work' }).waitFor();
    assert.deepEqual(p.problems, []);
  });
});

test('a forgotten password is reset from the emailed link; the old one stops working', async () => {
  const p = await page();
  await capture('password-reset', () => pages, async () => {
    const user = newUser();
    const res = await fetch(BASE + '/api/v1/auth/register', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: user.email, password: user.password, first_name: user.first, last_name: user.last }),
    });
    assert.equal(res.status, 201);
    await p.goto('/login');
    await p.getByRole('link', { name: 'Forgot your password?' }).click();
    await p.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor();
    await p.getByLabel('Email').fill(user.email);
    await p.getByRole('button', { name: 'Send the link' }).click();
    await p.locator('#reset-sent').waitFor();
    await shot(p, 'reset-sent-desktop');
    const mail = await waitForMail(user.email, /Reset your/);
    const link = linkIn(mail, '/account/reset-password');
    const phone = await page(PHONE);
    await phone.goto(link.pathname + link.search);
    await phone.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor();
    await phone.getByLabel('New password', { exact: true }).fill('a brand new password 7');
    await phone.getByLabel('New password again').fill('a different one 8');
    await phone.getByRole('button', { name: 'Set the new password' }).click();
    await phone.getByText('The two passwords are not the same.').waitFor();
    await phone.getByLabel('New password again').fill('a brand new password 7');
    await shot(phone, 'reset-password-phone');
    await phone.getByRole('button', { name: 'Set the new password' }).click();
    await phone.getByText('Your password is changed').waitFor();
    await phone.getByLabel('Email').fill(user.email);
    await phone.getByLabel('Password').fill(user.password);
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.getByText('Wrong email or password.').waitFor();
    await phone.getByLabel('Password').fill('a brand new password 7');
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    // the link was used: opening it again says so
    await phone.goto(link.pathname + link.search);
    await phone.getByLabel('New password', { exact: true }).fill('yet another password 9');
    await phone.getByLabel('New password again').fill('yet another password 9');
    await phone.getByRole('button', { name: 'Set the new password' }).click();
    await phone.getByText('This link has expired or was already used.').waitFor();
    assert.deepEqual(p.problems, []);
    assert.deepEqual(phone.problems, []);
  });
});
