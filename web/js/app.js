// The storefront application: a small history-API router, the header
// (search with autocomplete, account, cart count) and the page table.
import { api, h, mount, loading, errorBox, pick } from './lib.js';
import * as shop from './shop.js';
import * as cartPages from './cart.js';
import * as account from './account.js';
import * as admin from './admin.js';
import * as flash from './flash.js';

export const state = {
  me: undefined,        // undefined: unknown yet; null: signed out; object: the user
  unread: 0,            // unread notifications (wishlist price drops, restocks)
  cartCount: 0,
  categories: null,
};

const routes = [
  [/^\/$/, shop.home],
  [/^\/c\/([^/]+)$/, shop.category],
  [/^\/search$/, shop.search],
  [/^\/p\/(\d+)$/, shop.product],
  [/^\/cart$/, cartPages.cart],
  [/^\/checkout$/, cartPages.checkout],
  [/^\/orders$/, account.orders],
  [/^\/orders\/([^/]+)$/, account.orderDetail],
  [/^\/login$/, account.login],
  [/^\/register$/, account.register],
  [/^\/account$/, account.account],
  [/^\/wishlist$/, account.wishlist],
  [/^\/flash\/(\d+)$/, flash.sale],
  [/^\/admin$/, admin.dashboard],
  [/^\/admin\/products$/, admin.products],
  [/^\/admin\/products\/(new|\d+)$/, admin.productEdit],
  [/^\/admin\/categories$/, admin.categories],
  [/^\/admin\/inventory$/, admin.inventory],
  [/^\/admin\/orders$/, admin.orders],
  [/^\/admin\/orders\/([^/]+)$/, admin.orderDetail],
  [/^\/admin\/flash-sales$/, flash.adminSales],
  [/^\/admin\/reviews$/, admin.reviews],
];

let renderSeq = 0;
export function currentSeq() {
  return renderSeq;
}

export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

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

export function setTitle(t) {
  document.title = t ? `${t} · shopbox` : 'shopbox';
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

// ---- session and header ----

export async function loadMe(force = false) {
  if (state.me !== undefined && !force) return state.me;
  try {
    const me = await api('GET', '/me');
    state.me = me && (me.user || me);
  } catch (e) {
    state.me = null;
  }
  updateHeader();
  if (state.me) refreshUnread();
  return state.me;
}

// The unread-notifications badge next to the account link.
export async function refreshUnread() {
  try {
    const data = await api('GET', '/me/notifications?size=1');
    state.unread = Number(data.unread || 0);
  } catch (e) {
    state.unread = 0;
  }
  updateHeader();
}

export function updateHeader() {
  const acc = document.getElementById('nav-account');
  document.getElementById('nav-wishlist').hidden = !state.me;
  if (state.me) {
    const name = state.me.first_name || state.me.name || (state.me.email || '').split('@')[0] || 'Account';
    mount(acc, 'Hi, ' + name, state.unread ? h('span', { class: 'badge', id: 'unread-count', title: `${state.unread} unread notifications`,
      'aria-label': `${state.unread} unread notifications` }, String(state.unread)) : null);
    acc.setAttribute('href', state.unread ? '/account#notifications' : '/account');
  } else {
    state.unread = 0;
    acc.textContent = 'Sign in';
    acc.setAttribute('href', '/login');
  }
  document.getElementById('cart-count').textContent = String(state.cartCount || 0);
}

export function setCartCount(cart) {
  if (!cart) return;
  const count = pick(cart, 'summary.items_count', 'summary.item_count', 'items_count', 'item_count');
  state.cartCount = count !== undefined ? count : (cart.items || []).reduce((n, i) => n + (i.quantity || 0), 0);
  updateHeader();
}

async function refreshCartCount() {
  try {
    setCartCount(await api('GET', '/cart'));
  } catch (e) {
    /* no cart yet */
  }
}

async function loadCategoryNav() {
  try {
    const data = await api('GET', '/categories');
    state.categories = data.categories || [];
    const nav = document.getElementById('cat-nav');
    mount(nav, state.categories.slice(0, 10).map((c) => h('a', { href: '/c/' + c.category_id }, c.name)),
      h('a', { href: '/search?q=', class: 'muted-link' }, 'All products'));
  } catch (e) {
    state.categories = [];
  }
}

export async function categoriesList() {
  if (!state.categories) await loadCategoryNav();
  return state.categories || [];
}

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

setupSearch();
loadCategoryNav();
loadMe().then(refreshCartCount);
render();
