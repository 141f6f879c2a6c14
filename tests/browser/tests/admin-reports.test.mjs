// The admin's reports page, as a merchant uses it: after a shopper orders,
// the merchant opens Reports, picks "Last 7 days", sees the figures the API
// returns for that range (tiles, both charts with their tables, top
// products), and downloads the orders CSV. Screenshots at laptop and phone
// width (output/admin-reports-*.png).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, shot, settled, capture, apiJson, admin, adminSignIn, shopperOrder, axeViolations, DESKTOP, PHONE } from '../helpers.mjs';

let browser;
const pages = [];
let placed;

before(async () => {
  browser = await launch();
  placed = await shopperOrder([{ name: 'Wired Earphones', quantity: 2 }]);
});
after(async () => { await browser?.close(); });

// The dates the page asks for with "Last 7 days" (the browser's own days).
function last7() {
  const pad = (n) => String(n).padStart(2, '0');
  const ymd = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const today = new Date();
  const from = new Date(today);
  from.setDate(from.getDate() - 6);
  return { from: ymd(from), to: ymd(today) };
}

async function openReports(vp) {
  const page = await adminSignIn(browser, vp);
  pages.push(page);
  await page.goto('/admin/reports');
  await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
  await settled(page);
  return page;
}

test('reports: a preset shows the figures the API returns, and a CSV downloads', async () => {
  const page = await openReports(DESKTOP);
  await capture('admin-reports', () => pages, async () => {
    await page.getByRole('link', { name: 'Last 7 days' }).click();
    await page.waitForURL(/preset=7/);
    await page.locator('#report-tiles').waitFor();
    assert.equal(await page.getByRole('link', { name: 'Last 7 days' }).getAttribute('aria-current'), 'true');

    const { from, to } = last7();
    // The browser's offset is what the page sends (the test runs in the browser's zone).
    const offset = await page.evaluate(() => -new Date().getTimezoneOffset());
    const api = await apiJson('GET', `/admin/reports?from=${from}&to=${to}&utc_offset=${offset}`, undefined, admin);
    assert.equal(api.status, 200, JSON.stringify(api.body));
    assert.ok(api.body.totals.orders >= 1, 'the order placed before the test is in the last 7 days');
    assert.equal(api.body.days.length, 7);
    const ordersTile = await page.locator('#stat-orders .stat-value').textContent();
    assert.equal(ordersTile.trim(), String(api.body.totals.orders));
    const unitsTile = await page.locator('#stat-units .stat-value').textContent();
    assert.equal(unitsTile.trim(), String(api.body.totals.units));
    const revenue = await page.locator('#stat-revenue .stat-value').textContent();
    assert.match(revenue.replace(/[^0-9.]/g, ''), new RegExp('^' + Number(api.body.totals.revenue).toFixed(2).replace('.', '\\.') + '$'));

    // Both charts are drawn, with a bar per day and a table of the same numbers.
    assert.equal(await page.locator('#chart-revenue rect').count(), 7);
    assert.equal(await page.locator('#chart-orders rect').count(), 7);
    await page.locator('#table-orders summary').click();
    const rows = page.locator('#table-orders tbody tr');
    assert.equal(await rows.count(), 7);
    const lastDay = await rows.nth(6).locator('td').first().textContent();
    assert.equal(lastDay.trim(), String(api.body.days[6].orders));
    // The shopper's product is among the top products.
    await page.locator('#top-products tr', { hasText: placed.order.items[0].name }).waitFor();

    await shot(page, 'admin-reports-desktop');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the reports page overflows by ${overflow}px`);
    const violations = await axeViolations(page, '.admin-main');
    if (violations) assert.deepEqual(violations, [], 'the reports page has accessibility violations');

    // The orders CSV downloads with the placed order in it.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-orders').click()]);
    assert.equal(download.suggestedFilename(), `orders-${from}-to-${to}.csv`);
    const text = readFileSync(await download.path(), 'utf8');
    assert.ok(text.startsWith('\uFEFFPlaced at (UTC),Order ID,'), text.slice(0, 80));
    assert.ok(text.includes(placed.order.order_id), 'the order is in the CSV');
  });
});

test('reports at phone width: tiles and charts fit the screen', async () => {
  const page = await openReports(PHONE);
  await capture('admin-reports-phone', () => pages, async () => {
    await page.locator('#report-tiles').waitFor();
    await shot(page, 'admin-reports-phone');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the reports page overflows the phone screen by ${overflow}px`);
    const chartWidth = await page.locator('#chart-revenue').evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(chartWidth <= 390, `the chart is ${chartWidth}px wide`);
  });
});
