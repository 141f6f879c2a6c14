// The storefront application: a small history-API router, the page table
// and the header's search with autocomplete. Session state, navigation and
// the header's account and cart live in session.js; admin pages are loaded
// only when an /admin URL is opened.
import { api, h, mount, loading, errorBox } from './lib.js';
import { navigate, setRenderer, loadMe, refreshCartCount, loadCategoryNav } from './session.js';
import * as shop from './shop.js';
import * as cartPages from './cart.js';
import * as checkoutPages from './checkout.js';
import * as account from './account.js';
import * as flash from './flash.js';
import * as inbox from './inbox.js';

// Admin pages load on first use: a shopper's browser never fetches them.
const adminPage = (name) => async (...args) => (await import('./admin.js'))[name](...args);
const adminFlashPage = (name) => async (...args) => (await import('./admin-flash.js'))[name](...args);
const adminPricingPage = (name) => async (...args) => (await import('./admin-pricing.js'))[name](...args);
const adminCustomersPage = (name) => async (...args) => (await import('./admin-customers.js'))[name](...args);
const adminImportPage = (name) => async (...args) => (await import('./admin-import.js'))[name](...args);
const adminOrdersPage = (name) => async (...args) => (await import('./admin-orders.js'))[name](...args);
const adminReportsPage = (name) => async (...args) => (await import('./admin-reports.js'))[name](...args);
const adminStaffPage = (name) => async (...args) => (await import('./admin-staff.js'))[name](...args);
const adminSettingsPage = (name) => async (...args) => (await import('./admin-settings.js'))[name](...args);
const policyPage = (name) => async (...args) => (await import('./policy.js'))[name](...args);

const routes = [
  [/^\/$/, shop.home],
  [/^\/c\/([^/]+)$/, shop.category],
  [/^\/search$/, shop.search],
  [/^\/p\/(\d+)$/, shop.product],
  [/^\/cart$/, cartPages.cart],
  [/^\/checkout$/, checkoutPages.checkout],
  [/^\/orders$/, account.orders],
  [/^\/orders\/lookup$/, inbox.orderLookup],
  [/^\/orders\/([^/]+)$/, account.orderDetail],
  [/^\/login$/, account.login],
  [/^\/register$/, account.register],
  [/^\/forgot-password$/, inbox.forgotPassword],
  [/^\/account\/reset-password$/, inbox.resetPassword],
  [/^\/account\/verify-email$/, inbox.verifyEmail],
  [/^\/account$/, account.account],
  [/^\/wishlist$/, account.wishlist],
  [/^\/flash\/(\d+)$/, flash.sale],
  [/^\/admin$/, adminPage('dashboard')],
  [/^\/admin\/products$/, adminPage('products')],
  [/^\/admin\/products\/(new|\d+)$/, adminPage('productEdit')],
  [/^\/admin\/categories$/, adminPage('categories')],
  [/^\/admin\/inventory$/, adminPage('inventory')],
  [/^\/admin\/orders$/, adminOrdersPage('orders')],
  [/^\/admin\/orders\/([^/]+)$/, adminOrdersPage('orderDetail')],
  [/^\/admin\/returns$/, adminOrdersPage('returnsQueue')],
  [/^\/admin\/flash-sales$/, adminFlashPage('adminSales')],
  [/^\/admin\/reviews$/, adminPage('reviews')],
  [/^\/admin\/discounts$/, adminPricingPage('discounts')],
  [/^\/admin\/discounts\/(new|\d+)$/, adminPricingPage('discountEdit')],
  [/^\/admin\/shipping$/, adminPricingPage('zones')],
  [/^\/admin\/shipping\/(new|\d+)$/, adminPricingPage('zoneEdit')],
  [/^\/admin\/tax$/, adminPricingPage('tax')],
  [/^\/admin\/customers$/, adminCustomersPage('customers')],
  [/^\/admin\/import$/, adminImportPage('adminImport')],
  [/^\/admin\/emails$/, adminCustomersPage('emails')],
  [/^\/admin\/reports$/, adminReportsPage('reports')],
  [/^\/admin\/staff$/, adminStaffPage('staff')],
  [/^\/admin\/api-keys$/, adminStaffPage('apiKeys')],
  [/^\/admin\/audit$/, adminStaffPage('audit')],
  [/^\/admin\/settings$/, adminSettingsPage('settings')],
  [/^\/pages\/([^/]+)$/, policyPage('policy')],
];

let renderSeq = 0;

async function render() {
  const seq = ++renderSeq;
  const main = document.getElementById('main');
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const params = new URLSearchParams(location.search);
  hideSuggest();
  document.body.classList.toggle('admin-mode', path.startsWith('/admin'));
  for (const [re, page] of routes) {
    const m = path.match(re);
    if (!m) continue;
    // Each navigation renders into its own element: a slow page that
    // finishes after the shopper moved on writes into a detached node.
    const view = h('div', { class: 'view' }, loading());
    mount(main, view);
    main.setAttribute('aria-busy', 'true');
    try {
      await page(view, m.slice(1).map(decodeURIComponent), params, () => seq === renderSeq);
    } catch (e) {
      if (seq !== renderSeq) return;
      console.error(e);
      mount(view, errorBox(e, () => render()));
    }
    if (seq === renderSeq) main.removeAttribute('aria-busy');
    if (seq === renderSeq && !location.hash) window.scrollTo(0, 0);
    else if (seq === renderSeq) {
      const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target) target.scrollIntoView();
    }
    return;
  }
  document.title = 'Page not found · shopbox';
  mount(main, h('div', { class: 'state empty' },
    h('h1', null, 'Page not found'),
    h('p', null, 'We could not find that page.'),
    h('a', { class: 'btn', href: '/' }, 'Go to the home page')));
}

// Links: same-origin <a href="/..."> navigate without a page load.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  if (/^\/(api|images|metrics|healthz|readyz)(\/|$)/.test(url.pathname) || /\.[a-z0-9]+$/i.test(url.pathname)) return;
  e.preventDefault();
  if (url.pathname === location.pathname && url.search === location.search && url.hash) {
    location.hash = url.hash;
    return;
  }
  navigate(url.pathname + url.search + url.hash);
});
window.addEventListener('popstate', render);

// ---- search box with autocomplete ----

const input = () => document.getElementById('search-input');
const box = () => document.getElementById('search-suggest');
let suggestTimer;
let suggestSeq = 0;
let active = -1;

function hideSuggest() {
  const b = box();
  if (!b) return;
  b.hidden = true;
  input().setAttribute('aria-expanded', 'false');
  active = -1;
}

function showSuggestions(items) {
  const b = box();
  mount(b, items.map((s, i) => h('li', {
    role: 'option', id: 'sugg-' + i, class: 'suggest-item', tabindex: '-1',
    onmousedown: (e) => { e.preventDefault(); chooseSuggestion(s); },
  }, s.kind === 'category' ? h('span', { class: 'sugg-kind' }, 'in ') : null, s.text,
  s.kind === 'category' ? h('span', { class: 'sugg-kind' }, ' category') : null)));
  b.hidden = items.length === 0;
  input().setAttribute('aria-expanded', items.length ? 'true' : 'false');
  active = -1;
}

function chooseSuggestion(s) {
  hideSuggest();
  if (s.kind === 'product' && s.id) return navigate('/p/' + s.id);
  if (s.kind === 'category' && s.id) return navigate('/c/' + s.id);
  input().value = s.text;
  navigate('/search?q=' + encodeURIComponent(s.text));
}

function normaliseSuggestions(data) {
  const raw = Array.isArray(data) ? data : data.suggestions || data.results || [];
  const out = [];
  for (const s of raw) {
    if (typeof s === 'string') out.push({ text: s, kind: 'query' });
    else if (s && typeof s === 'object') {
      const kind = s.type || s.kind || (s.product_id ? 'product' : s.category_id ? 'category' : 'query');
      out.push({ text: s.text || s.name || s.query || s.value || '', kind, id: s.product_id || s.category_id || s.id });
    }
  }
  if (data && Array.isArray(data.categories)) {
    for (const c of data.categories) out.push({ text: c.name || c.text, kind: 'category', id: c.category_id || c.id });
  }
  return out.filter((s) => s.text).slice(0, 10);
}

async function suggest() {
  const q = input().value.trim();
  if (!q) return hideSuggest();
  const seq = ++suggestSeq;
  try {
    const data = await api('GET', '/search/suggest?q=' + encodeURIComponent(q));
    if (seq !== suggestSeq || document.activeElement !== input()) return;
    showSuggestions(normaliseSuggestions(data));
  } catch (e) {
    hideSuggest();
  }
}

function moveActive(delta) {
  const items = [...box().querySelectorAll('.suggest-item')];
  if (!items.length || box().hidden) return false;
  active = (active + delta + items.length) % items.length;
  items.forEach((li, i) => li.setAttribute('aria-selected', i === active ? 'true' : 'false'));
  input().setAttribute('aria-activedescendant', items[active].id);
  return true;
}

function setupSearch() {
  const form = document.getElementById('search-form');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const items = [...box().querySelectorAll('.suggest-item')];
    if (active >= 0 && items[active]) {
      items[active].dispatchEvent(new MouseEvent('mousedown', { bubbles: true }));
      return;
    }
    hideSuggest();
    navigate('/search?q=' + encodeURIComponent(input().value.trim()));
  });
  input().addEventListener('input', () => {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(suggest, 120);
  });
  input().addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { if (moveActive(1)) e.preventDefault(); }
    else if (e.key === 'ArrowUp') { if (moveActive(-1)) e.preventDefault(); }
    else if (e.key === 'Escape') hideSuggest();
  });
  input().addEventListener('blur', () => setTimeout(hideSuggest, 150));
}

setRenderer(render);
setupSearch();
loadCategoryNav();
loadMe().then(refreshCartCount);
render();
