// Shared helpers of the browser tests: the browser, pages that fail on
// script errors, screenshots at desktop and phone width, API look-ups.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const BASE = process.env.SHOPBOX_URL || 'http://127.0.0.1:8080';
export const ADMIN_TOKEN = process.env.SHOPBOX_ADMIN_TOKEN || '';
export const ADMIN_EMAIL = process.env.SHOPBOX_ADMIN_EMAIL || '';
export const ADMIN_PASSWORD = process.env.SHOPBOX_ADMIN_PASSWORD || '';
export const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'output');
mkdirSync(OUT, { recursive: true });

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A fresh context (own cookies) and page; collects script errors, failed
// CSP checks and dialogs (an XSS would open alert()).
export async function newPage(browser, viewport = DESKTOP, base = BASE) {
  const context = await browser.newContext({ viewport, baseURL: base, locale: 'en-US', deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.problems = [];
  page.dialogs = [];
  page.on('pageerror', (e) => page.problems.push('pageerror: ' + e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of [45][0-9][0-9]/.test(m.text())) page.problems.push('console: ' + m.text());
  });
  page.on('dialog', async (d) => {
    page.dialogs.push(d.type() + ': ' + d.message());
    if (d.type() === 'confirm') await d.accept();
    else await d.dismiss();
  });
  page.setDefaultTimeout(10000);
  return page;
}

export async function shot(page, name) {
  await page.locator('#main:not([aria-busy])').waitFor({ state: 'attached' }).catch(() => {});
  // scroll through so lazy images load, then back to the top
  await page.evaluate(async () => {
    for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight) {
      window.scrollTo(0, y);
      await new Promise((r) => setTimeout(r, 30));
    }
    window.scrollTo(0, 0);
    const t = document.getElementById('toast');
    if (t) t.className = 'toast';
  });
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.screenshot({ path: path.join(OUT, name + '.png'), fullPage: true });
}

let routesCache;
// Does the server have this API route yet? (from /api/v1/openapi.json)
export async function hasRoute(method, routePath) {
  if (!routesCache) {
    const res = await fetch(BASE + '/api/v1/openapi.json');
    routesCache = (await res.json()).paths || {};
  }
  const ops = routesCache['/api/v1' + routePath];
  return !!(ops && ops[method.toLowerCase()]);
}

export async function apiJson(method, p, body, headers = {}) {
  const res = await fetch(BASE + '/api/v1' + p, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export const admin = { Authorization: 'Bearer ' + ADMIN_TOKEN };

export async function findProduct(name) {
  for (let page = 1; page <= 5; page++) {
    const r = await apiJson('GET', `/products?size=100&page=${page}`);
    const p = (r.body.products || []).find((x) => x.name === name);
    if (p) return p;
    if ((r.body.products || []).length < 100) break;
  }
  throw new Error('no product named ' + name);
}

let userSeq = 0;
export function newUser() {
  userSeq += 1;
  const id = `${Date.now().toString(36)}${userSeq}${Math.random().toString(36).slice(2, 6)}`;
  return { first: 'Test', last: 'Shopper', email: `shopper-${id}@example.com`, password: 'correct horse battery staple' };
}

// Registers through the UI; leaves the page signed in.
export async function registerUi(page, user, next = '') {
  await page.goto('/register' + (next ? '?next=' + encodeURIComponent(next) : ''));
  await page.getByLabel('First name').fill(user.first);
  await page.getByLabel('Last name').fill(user.last);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForFunction(() => !location.pathname.startsWith('/register'));
}

// Runs a test body; on failure saves a screenshot of each open page
// (output/FAILED-<name>-<n>.png) before rethrowing.
export async function capture(name, pages, fn) {
  try {
    return await fn();
  } catch (e) {
    let n = 0;
    for (const p of pages()) {
      n += 1;
      await p.screenshot({ path: path.join(OUT, `FAILED-${name}-${n}.png`), fullPage: true }).catch(() => {});
    }
    throw e;
  }
}

// Waits until the app finished rendering the current route.
export async function settled(page) {
  await page.locator('#main:not([aria-busy])').waitFor({ state: 'attached' });
}

// Accessibility check with axe-core (WCAG 2 A/AA rules) of the page or of
// one part of it. Returns the violations as "rule: target" lines; null when
// axe-core is not installed (npm ci in tests/browser installs it).
let axeSource;
export async function axeViolations(page, include) {
  if (axeSource === undefined) {
    try {
      const { createRequire } = await import('node:module');
      const { readFileSync } = await import('node:fs');
      axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    } catch (e) {
      axeSource = null;
    }
  }
  if (!axeSource) return null;
  // evaluated through the debugger protocol: the page's CSP does not apply
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
  const result = await page.evaluate(async (sel) => {
    const r = await window.axe.run(sel ? { include: [sel] } : document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
  }, include || null);
  return result;
}

// ---- the shop's email, as the SMTP server in browser.sh received it ----

export const MAIL_DIR = process.env.SHOPBOX_MAIL_DIR || '';

function decodeQuotedPrintable(text) {
  const bytes = [];
  const soft = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeHeader(v) {
  return v.replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/gi, (_, b64) => Buffer.from(b64, 'base64').toString('utf8')).trim();
}

// One .eml file: {to, subject, text, html, headers}.
export function parseMail(raw) {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const headers = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const body = rest.join('\r\n\r\n');
  const part = (type) => {
    const m = body.match(new RegExp(`Content-Type: ${type}[^\\r]*\\r\\nContent-Transfer-Encoding: quoted-printable\\r\\n\\r\\n([\\s\\S]*?)\\r\\n--=_shopbox_`));
    return m ? decodeQuotedPrintable(m[1]) : '';
  };
  return { to: headers['x-sink-rcpt'] || '', subject: decodeHeader(headers.subject || ''), text: part('text/plain'), html: part('text/html'), headers };
}

// Every mail to `address` so far, oldest first.
export async function mailsTo(address) {
  const { readdirSync, readFileSync } = await import('node:fs');
  if (!MAIL_DIR) throw new Error('SHOPBOX_MAIL_DIR is not set (browser.sh runs an SMTP server)');
  let names = [];
  try { names = readdirSync(MAIL_DIR).filter((n) => n.endsWith('.eml')).sort(); } catch (e) { /* none yet */ }
  return names.map((n) => parseMail(readFileSync(path.join(MAIL_DIR, n), 'utf8')))
    .filter((m) => m.to.toLowerCase().split(',').includes(address.toLowerCase()));
}

// Waits (up to 15 s) for a mail to `address` whose subject matches.
export async function waitForMail(address, subject) {
  for (let i = 0; i < 150; i++) {
    const found = (await mailsTo(address)).filter((m) => subject.test(m.subject));
    if (found.length) return found[found.length - 1];
    await new Promise((r) => setTimeout(r, 100));
  }
  const seen = (await mailsTo(address)).map((m) => m.subject).join(' | ') || 'none';
  throw new Error(`no mail to ${address} with a subject like ${subject} (got: ${seen})`);
}

// ---- shared by the order and returns tests ----

export const TEST_CARD = { type: 'card', card_number: '4242424242424242', exp_month: 12, exp_year: 2099, cvc: '123' };
export const testAddress = (name) => ({ name, street: '9 Pine St', city: 'Seattle', state: 'WA', zip: '98101', country: 'US' });

// Opens /admin in a new page signed in with the suite's admin token.
export async function adminSignIn(browser, viewport = DESKTOP) {
  const page = await newPage(browser, viewport);
  await page.goto('/admin');
  await page.getByLabel('Admin API token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Use token' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  return page;
}

// Registers a shopper over the API and places an order of `items`
// ([{name, quantity}] by seeded product name). Returns {user, auth, order}.
export async function shopperOrder(items) {
  const user = newUser();
  const reg = await apiJson('POST', '/auth/register', { email: user.email, password: user.password, first_name: user.first, last_name: user.last });
  if (reg.status !== 200 && reg.status !== 201) throw new Error('register: ' + JSON.stringify(reg.body));
  const auth = { Authorization: 'Bearer ' + reg.body.token };
  const lines = [];
  for (const it of items) lines.push({ product_id: (await findProduct(it.name)).product_id, quantity: it.quantity });
  const order = await apiJson('POST', '/orders', { items: lines, shipping_address: testAddress(`${user.first} ${user.last}`), payment_method: TEST_CARD },
    { ...auth, 'Idempotency-Key': 'order-' + Date.now().toString(36) + Math.random().toString(36).slice(2) });
  if (order.status !== 201) throw new Error('order: ' + JSON.stringify(order.body));
  return { user, auth, order: order.body };
}

// Signs a shopper in through the sign-in page.
export async function signInUi(page, user) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForFunction(() => !location.pathname.startsWith('/login'));
}
