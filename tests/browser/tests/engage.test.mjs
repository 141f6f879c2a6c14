// Wishlist (with price-drop notifications), reviews, recommendations and
// flash sales, clicked through as a shopper would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, shot, registerUi, newUser, apiJson, admin, findProduct, settled, DESKTOP, PHONE, ADMIN_TOKEN } from '../helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const ADDRESS = { name: 'Api Buyer', street: '1 Test Way', city: 'Portland', state: 'OR', zip: '97201', country: 'US' };
const CARD = { type: 'card', card_number: '4242424242424242', exp_month: 12, exp_year: 2031, cvc: '123' };

// A customer made through the API; returns Bearer headers.
async function apiUser(first = 'Api') {
  const user = newUser();
  const reg = await apiJson('POST', '/auth/register', { email: user.email, password: user.password, first_name: first, last_name: 'Buyer' });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  return { Authorization: 'Bearer ' + reg.body.token };
}

async function waitFor(fn, what, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 300));
  }
}

test('wishlist: wish from the product page, price-drop notification, move to cart', async () => {
  const blocks = await findProduct('Wooden Building Blocks');
  const page = await newPage(browser);
  // signed out: the product page offers to sign in instead
  await page.goto('/p/' + blocks.product_id);
  await page.getByRole('link', { name: /Sign in to save this to your wishlist/ }).waitFor();
  await registerUi(page, newUser(), '/p/' + blocks.product_id);
  await page.getByRole('heading', { level: 1, name: 'Wooden Building Blocks' }).waitFor();
  await page.getByRole('button', { name: 'Add to wishlist' }).click();
  await page.locator('#wish-control').getByText('In your wishlist').waitFor();
  // a reload still knows it is wished
  await page.reload();
  await page.locator('#wish-control').getByText('In your wishlist').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Add to wishlist' }).count(), 0);
  await shot(page, 'product-wished-desktop');
  // the account page links to the wishlist
  await page.goto('/account');
  await page.locator('#wishlist-link').click();
  await page.getByRole('heading', { level: 1, name: 'Your wishlist' }).waitFor();
  const card = page.locator('#wishlist-items .wish-card', { hasText: 'Wooden Building Blocks' });
  await card.waitFor();
  assert.match(await card.textContent(), /\$32\.00/);
  assert.match(await card.textContent(), /In stock/);
  // the shop lowers the price: a notification arrives and the card shows the drop
  const patch = await apiJson('PATCH', '/admin/products/' + blocks.product_id, { sale_price: 27 }, admin);
  assert.equal(patch.status, 200, JSON.stringify(patch.body));
  const cookieHeader = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  await waitFor(async () => {
    const r = await apiJson('GET', '/me/notifications', undefined, { Cookie: cookieHeader });
    return (r.body.notifications || []).some((n) => n.type === 'wishlist.price_drop');
  }, 'the price-drop notification');
  await page.reload();
  await card.locator('.price-drop').waitFor();
  assert.match(await card.locator('.price-drop').textContent(), /was \$32\.00/);
  assert.match(await card.locator('.now').textContent(), /\$27\.00/);
  await shot(page, 'wishlist-desktop');
  await page.setViewportSize(PHONE);
  await shot(page, 'wishlist-phone');
  await page.setViewportSize(DESKTOP);
  // the header badge leads to the notifications on the account page
  await page.locator('#unread-count').waitFor();
  await page.locator('#nav-account').click();
  await page.locator('#notifications .note.unread', { hasText: /Wooden Building Blocks dropped in price from \$32\.00 to \$27\.00/ }).waitFor();
  await shot(page, 'account-notifications-desktop');
  await page.getByRole('button', { name: 'Mark all as read' }).click();
  await page.locator('#notifications .note.unread').first().waitFor({ state: 'detached' });
  assert.equal(await page.locator('#unread-count').count(), 0);
  // move to cart: it leaves the wishlist and is in the cart
  await page.locator('#nav-wishlist').click();
  await page.getByRole('heading', { level: 1, name: 'Your wishlist' }).waitFor();
  await card.getByRole('button', { name: 'Move to cart' }).click();
  await page.getByText('Wooden Building Blocks is in your cart.').waitFor();
  await page.getByText('Your wishlist is empty.').waitFor();
  assert.equal(await page.locator('#cart-count').textContent(), '1');
  await page.getByRole('link', { name: 'View cart ›' }).click();
  await page.locator('#cart-items .cart-line', { hasText: 'Wooden Building Blocks' }).waitFor();
  assert.match(await page.locator('.summary').textContent(), /\$27\.00/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
  await apiJson('PATCH', '/admin/products/' + blocks.product_id, { sale_price: null }, admin);
});

test('reviews: write one, the rating updates; helpful votes, sort, edit and delete', async () => {
  const book = await findProduct('The Pragmatic Programmer');
  // another customer reviewed it first
  const other = await apiUser('Grace');
  const first = await apiJson('POST', `/products/${book.product_id}/reviews`, { rating: 2, title: 'Too long for me', body: 'Good ideas, but slow going.' }, other);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const page = await newPage(browser);
  await page.goto('/p/' + book.product_id);
  await page.locator('#review-summary').getByText('1 rating').waitFor();
  await page.getByRole('link', { name: 'Sign in' }).last().waitFor(); // "Sign in to write a review"
  await registerUi(page, newUser(), '/p/' + book.product_id);
  await page.getByRole('heading', { level: 1, name: 'The Pragmatic Programmer' }).waitFor();
  const reviews = page.locator('#reviews');
  // a helpful vote on the other review
  const theirs = reviews.locator('.review', { hasText: 'Too long for me' });
  await theirs.getByRole('button', { name: 'Helpful' }).click();
  await theirs.getByText('1 person found this helpful').waitFor();
  // write a review: stars, title, body
  await reviews.getByRole('button', { name: 'Write a review' }).click();
  const form = page.locator('#write-review');
  await form.locator('label[for="new-rating-4"]').click();
  await form.getByLabel('Title').fill('A classic <b>worth</b> reading');
  await form.getByLabel('Your review').fill('Practical advice I still use every week.');
  await shot(page, 'review-form-desktop');
  await form.getByRole('button', { name: 'Submit review' }).click();
  await reviews.locator('.review', { hasText: 'A classic <b>worth</b> reading' }).waitFor();
  await page.locator('#review-summary').getByText('2 ratings').waitFor();
  assert.equal((await page.locator('#review-summary .big-rating').textContent()).trim(), '3.0');
  assert.match(await page.locator('#rating-link').getAttribute('href'), /#reviews/);
  assert.match(await page.locator('#rating-link .stars').getAttribute('aria-label'), /3\.0/);
  assert.match(await page.locator('#rating-link').textContent(), /\(2\)/);
  // the histogram counts one 4 and one 2
  assert.match(await reviews.locator('.hist-row').nth(1).getAttribute('aria-label'), /^4 stars: 1 reviews/);
  assert.match(await reviews.locator('.hist-row').nth(3).getAttribute('aria-label'), /^2 stars: 1 reviews/);
  // sort: most helpful first puts the voted review on top
  await page.getByLabel('Sort by').selectOption('helpful');
  await page.waitForFunction(() => /Too long for me/.test(document.querySelector('#review-list .review')?.textContent || ''));
  await page.getByLabel('Sort by').selectOption('rating');
  await page.waitForFunction(() => /A classic/.test(document.querySelector('#review-list .review')?.textContent || ''));
  await shot(page, 'reviews-desktop');
  await page.setViewportSize(PHONE);
  await shot(page, 'reviews-phone');
  await page.setViewportSize(DESKTOP);
  // edit: 4 -> 5 stars, the average follows
  await page.locator('#your-review').getByRole('button', { name: 'Edit' }).click();
  await page.locator('#edit-review label[for="edit-rating-5"]').click();
  await page.locator('#edit-review').getByRole('button', { name: 'Save changes' }).click();
  await page.waitForFunction(() => document.querySelector('#review-summary .big-rating')?.textContent === '3.5');
  // filter by stars from the histogram
  await reviews.getByRole('button', { name: /^2 stars: 1 reviews/ }).click();
  await page.waitForFunction(() => document.querySelectorAll('#review-list .review').length === 1 && /Too long/.test(document.querySelector('#review-list').textContent));
  // delete: back to one rating
  await page.locator('#your-review').getByRole('button', { name: 'Delete' }).click();
  await page.locator('#review-summary').getByText('1 rating').waitFor();
  assert.equal((await page.locator('#review-summary .big-rating').textContent()).trim(), '2.0');
  // the admin hides the remaining review: it stops counting
  const adminPage = await newPage(browser);
  await adminPage.goto('/admin/reviews');
  await adminPage.getByLabel('Admin API token').fill(ADMIN_TOKEN);
  await adminPage.getByRole('button', { name: 'Use token' }).click();
  const row = adminPage.locator('#admin-reviews tr', { hasText: 'Too long for me' });
  await row.getByRole('button', { name: 'Hide' }).click();
  await row.getByText('Hidden').waitFor();
  await shot(adminPage, 'admin-reviews-desktop');
  await adminPage.context().close();
  await page.reload();
  await page.locator('#review-summary').getByText('0 ratings').waitFor();
  assert.equal(await page.locator('#review-list .review').count(), 0);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(page.dialogs.filter((d) => !d.startsWith('confirm')), []);
  await page.context().close();
});

test('recommendations: also bought after orders, recommended and recently viewed on home', async () => {
  const earphones = await findProduct('Wired Earphones');
  const kase = await findProduct('Phone Case Rugged');
  const buyer = await apiUser();
  const order = await apiJson('POST', '/orders', {
    items: [{ product_id: earphones.product_id, quantity: 1 }, { product_id: kase.product_id, quantity: 1 }],
    shipping_address: ADDRESS, payment_method: CARD,
  }, { ...buyer, 'Idempotency-Key': 'browser-recs-' + Date.now() });
  assert.equal(order.status, 201, JSON.stringify(order.body));
  await waitFor(async () => {
    const r = await apiJson('GET', `/products/${earphones.product_id}/recommendations`);
    return (r.body.also_bought || []).some((p) => p.product_id === kase.product_id);
  }, 'the also-bought pair');
  const page = await newPage(browser);
  await registerUi(page, newUser(), '/p/' + earphones.product_id);
  const also = page.locator('#also-bought');
  await also.getByRole('heading', { name: 'Customers who bought this also bought' }).waitFor();
  await also.locator('.product-card', { hasText: 'Phone Case Rugged' }).waitFor();
  await shot(page, 'product-also-bought-desktop');
  // home: the personal row and the recently viewed product (views flush every second)
  await waitFor(async () => {
    await page.goto('/');
    await settled(page);
    return (await page.locator('#recently-viewed .product-card', { hasText: 'Wired Earphones' }).count()) > 0;
  }, 'recently viewed on the home page');
  await page.locator('#recommended').getByRole('heading', { name: 'Recommended for you' }).waitFor();
  assert.ok(await page.locator('#recommended .product-card').count() > 0);
  await shot(page, 'home-signed-in-desktop');
  await page.setViewportSize(PHONE);
  await shot(page, 'home-signed-in-phone');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

async function flashStatus(id, who) {
  return (await apiJson('GET', `/flash-sales/${id}/status`, undefined, who)).body;
}

test('flash sale: admin creates it, the queue updates by polling, a token buys at the sale price', async () => {
  // a one-unit sale that another shopper holds: our shopper waits in line and sees it sell out
  const bag = await findProduct('Sleeping Bag');
  const now = Date.now();
  const iso = (t) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const tiny = await apiJson('POST', '/admin/flash-sales', {
    product_id: bag.product_id, sale_price: 49, quantity: 1, per_user_limit: 1, starts_at: iso(now - 60000), ends_at: iso(now + 3600000),
  }, admin);
  assert.equal(tiny.status, 201, JSON.stringify(tiny.body));
  const rival = await apiUser('Rival');
  const held = await apiJson('POST', `/flash-sales/${tiny.body.flash_sale_id}/join`, {}, rival);
  assert.equal(held.body.state, 'granted', JSON.stringify(held.body));

  const camera = await findProduct('Action Camera 4K');
  const adminPage = await newPage(browser);
  await adminPage.goto('/admin/flash-sales');
  await adminPage.getByLabel('Admin API token').fill(ADMIN_TOKEN);
  await adminPage.getByRole('button', { name: 'Use token' }).click();
  await adminPage.getByRole('heading', { level: 1, name: 'Flash sales' }).waitFor();
  // the product is found by name (the form lists no catalog-wide dropdown)
  await adminPage.getByLabel('Find a product').fill('Action Camera');
  await adminPage.getByRole('button', { name: 'Find', exact: true }).click();
  await adminPage.locator('#fs-found').getByText('1 match').waitFor();
  await adminPage.getByLabel('Product', { exact: true }).selectOption(camera.product_id);
  const newSale = adminPage.locator('#flash-form');
  await newSale.getByLabel('Sale price').fill('149');
  await newSale.getByLabel('Quantity').fill('5');
  await newSale.getByLabel('Limit per customer').fill('2');
  await adminPage.getByRole('button', { name: 'Create flash sale' }).click();
  const row = adminPage.locator('#admin-flash tr', { hasText: 'Action Camera 4K' });
  await row.waitFor();
  assert.match(await row.textContent(), /\$149\.00/);
  assert.match(await row.textContent(), /5 \/ 5/);
  await shot(adminPage, 'admin-flash-sales-desktop');
  const saleHref = await row.getByRole('link', { name: 'Sale page' }).getAttribute('href');
  // a running sale: only its end changes; the merchant moves it later
  await row.getByRole('button', { name: 'Edit' }).click();
  const editForm = adminPage.locator('.flash-edit-row:not([hidden]) form');
  assert.equal(await editForm.getByLabel('Sale price').isDisabled(), true);
  const later = new Date(Date.now() + 2 * 3600 * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  await editForm.getByLabel('Ends').fill(`${later.getFullYear()}-${pad(later.getMonth() + 1)}-${pad(later.getDate())}T${pad(later.getHours())}:${pad(later.getMinutes())}`);
  await editForm.getByRole('button', { name: 'Save sale' }).click();
  await adminPage.getByText('Flash sale changed').waitFor();
  const saleId = saleHref.split('/').pop();
  const moved = await apiJson('GET', '/flash-sales/' + saleId);
  assert.ok(Math.abs(new Date(moved.body.ends_at).getTime() - later.getTime()) < 61000, moved.body.ends_at);
  await adminPage.context().close();

  const page = await newPage(browser);
  const user = newUser();
  await registerUi(page, user, '/');
  // the home page shows the current sales
  const banner = page.locator('.flash-banner', { hasText: 'Action Camera 4K' });
  await banner.waitFor();
  assert.match(await banner.textContent(), /\$149\.00/);
  assert.match(await banner.textContent(), /5 of 5 left/);
  assert.match(await banner.textContent(), /Ends in/);
  await shot(page, 'home-flash-banner-desktop');
  // and so does the product's own page
  await page.goto('/p/' + camera.product_id);
  await page.locator('#flash-slot .flash-banner', { hasText: '$149.00' }).waitFor();
  await shot(page, 'product-flash-desktop');

  // the held sale: join, wait in line, see it sell out by polling
  await page.goto('/flash/' + tiny.body.flash_sale_id);
  await page.getByRole('button', { name: 'Join the queue' }).click();
  await page.locator('#queue-position').getByText('number 1').waitFor();
  await shot(page, 'flash-queued-desktop');
  const bought = await apiJson('POST', `/flash-sales/${tiny.body.flash_sale_id}/checkout`, { token: held.body.token, shipping_address: ADDRESS, payment_method: CARD }, rival);
  assert.equal(bought.status, 201, JSON.stringify(bought.body));
  await page.locator('#flash-sold-out').waitFor();

  // the camera sale: join, get the token at once, buy with a new address and card
  await banner.count(); // (the banner was on the home page)
  await page.goto(saleHref);
  await page.getByRole('heading', { level: 1, name: 'Action Camera 4K' }).waitFor();
  assert.match(await page.locator('#units-left').textContent(), /5 of 5 left/);
  await page.getByLabel('Quantity').selectOption('1');
  await page.getByRole('button', { name: 'Join the queue' }).click();
  await page.getByText('It’s your turn!').waitFor();
  await page.getByLabel('Street address').fill('9 Sale Street');
  await page.getByLabel('City').fill('Austin');
  await page.getByLabel('State / region').fill('TX');
  await page.getByLabel('ZIP / postal code').fill('73301');
  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  await page.getByLabel('Expiry (MM/YY)').fill('12/30');
  await page.getByLabel('CVC').fill('123');
  await shot(page, 'flash-checkout-desktop');
  await page.setViewportSize(PHONE);
  await shot(page, 'flash-checkout-phone');
  await page.setViewportSize(DESKTOP);
  // The button shows the exact charge: the sale price plus the default zone's 9 % tax (free shipping over $50).
  await page.getByRole('button', { name: 'Buy now for $162.41' }).click();
  await page.locator('#flash-confirmation').waitFor();
  assert.match(await page.locator('#flash-confirmation .flash-unit').textContent(), /\$149\.00/);
  // 149.00 + 9 % tax 13.41, free shipping = 162.41
  assert.match(await page.locator('#flash-confirmation').textContent(), /\$162\.41/);
  await page.waitForFunction(() => /4 of 5 left/.test(document.querySelector('#units-left')?.textContent || ''));
  await shot(page, 'flash-bought-desktop');
  // a reload remembers the purchase
  await page.reload();
  await page.locator('#flash-confirmation').waitFor();
  await page.setViewportSize(PHONE);
  await shot(page, 'flash-bought-phone');
  await page.setViewportSize(DESKTOP);
  // it is a real order: in the history, with its total
  await page.getByRole('link', { name: 'View order and tracking' }).click();
  await page.locator('.order-head').waitFor();
  assert.match(await page.locator('.order-head').textContent(), /Order #\d{4,}/);
  assert.match(await page.locator('.summary').textContent(), /\$162\.41/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('flash sale: the merchant changes a scheduled sale, then cancels it and the units return to stock', async () => {
  const tent = await findProduct('Two-Person Tent');
  const stockBefore = (await apiJson('GET', '/admin/inventory/' + tent.product_id, undefined, admin)).body.total;
  const now = Date.now();
  const iso = (t) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const sale = await apiJson('POST', '/admin/flash-sales', {
    product_id: tent.product_id, sale_price: 99, quantity: 4, per_user_limit: 1, starts_at: iso(now + 3600000), ends_at: iso(now + 7200000),
  }, admin);
  assert.equal(sale.status, 201, JSON.stringify(sale.body));
  const page = await newPage(browser);
  await page.goto('/admin/flash-sales');
  await page.getByLabel('Admin API token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Use token' }).click();
  const row = page.locator(`#admin-flash tr[data-sale="${sale.body.flash_sale_id}"]`);
  await row.waitFor();
  await row.getByRole('button', { name: 'Edit' }).click();
  const form = page.locator('.flash-edit-row:not([hidden]) form');
  await form.getByLabel('Sale price').fill('89');
  await form.getByLabel('Limit per customer').fill('2');
  await form.getByRole('button', { name: 'Save sale' }).click();
  await page.getByText('Flash sale changed').waitFor();
  const changed = (await apiJson('GET', '/flash-sales/' + sale.body.flash_sale_id)).body;
  assert.equal(changed.sale_price, 89);
  assert.equal(changed.per_user_limit, 2);
  await page.locator(`#admin-flash tr[data-sale="${sale.body.flash_sale_id}"]`).getByRole('button', { name: 'Cancel' }).click();
  await page.getByText('Flash sale cancelled').waitFor();
  assert.equal((await apiJson('GET', '/flash-sales/' + sale.body.flash_sale_id)).body.status, 'ended');
  assert.equal((await apiJson('GET', '/admin/inventory/' + tent.product_id, undefined, admin)).body.total, stockBefore);
  assert.deepEqual(page.dialogs.length, 1);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
