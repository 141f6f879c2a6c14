// The shopper's session and the page chrome every page shares: who is
// signed in, the cart count, the category list, the title, and navigation.
// Pages import this module, never app.js (the router), so no import circle
// exists and the router can load the admin pages only when they are opened.
import { api, h, mount, pick } from './lib.js';

export const state = {
  me: undefined,        // undefined: unknown yet; null: signed out; object: the user
  unread: 0,            // unread notifications (wishlist price drops, restocks)
  cartCount: 0,
  categories: null,
};

// The router (app.js) registers how to render the current URL.
let renderCurrent = () => {};
export function setRenderer(fn) {
  renderCurrent = fn;
}

export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  renderCurrent();
}

// The shop's name as the server rendered it into the header (the settings).
export function shopName() {
  const el = document.querySelector('.site-header .logo-name');
  return (el && el.textContent.trim()) || 'shopbox';
}

export function setTitle(t) {
  document.title = t ? `${t} · ${shopName()}` : shopName();
}

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

export async function refreshCartCount() {
  try {
    setCartCount(await api('GET', '/cart'));
  } catch (e) {
    /* no cart yet */
  }
}

export async function loadCategoryNav() {
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
