// Sign in, register, account (addresses, payment methods), orders, wishlist.
import { api, h, mount, money, dateTime, dateOnly, loading, errorBox, notice, humanError, toast, setBusy, field, pick, pager, qs } from './lib.js';
import { navigate, setTitle, loadMe, state, updateHeader, setCartCount, refreshUnread } from './session.js';
import { statusBadge, orderTotal, orderCurrency, timeline, shipmentBlock, orderItems, pricingBlock, returnsSection } from './orders.js';
import { productImage, productGrid } from './shop.js';

export function displayName(u) {
  if (!u) return '';
  return [u.first_name, u.last_name].filter(Boolean).join(' ') || u.name || '';
}

function nextUrl(params) {
  const n = params.get('next') || '/account';
  return /^\/(?!\/)/.test(n) ? n : '/account';
}

async function requireUser(main, what) {
  const wasSignedIn = !!state.me;
  const me = await loadMe(true);
  if (me) return me;
  navigate('/login?' + (wasSignedIn ? 'expired=1&' : '') + 'next=' + encodeURIComponent(location.pathname + location.search), { replace: true });
  return null;
}

function authForm({ title, submitLabel, fields, onSubmit, footer, banner }) {
  const msg = h('div', { class: 'form-msg', role: 'alert', 'aria-live': 'assertive' });
  const btn = h('button', { type: 'submit', class: 'btn primary big block' }, submitLabel);
  const form = h('form', { class: 'auth-form card', onsubmit: async (e) => {
    e.preventDefault();
    mount(msg);
    setBusy(btn, true, 'Please wait…');
    try {
      await onSubmit();
    } catch (err) {
      mount(msg, notice(err.status === 401 ? 'Wrong email or password.' : humanError(err), 'error'));
    } finally {
      setBusy(btn, false);
    }
  } }, h('h1', null, title), banner || null, fields, msg, btn, footer);
  return h('div', { class: 'auth-wrap' }, form);
}

export async function login(main, _m, params) {
  setTitle('Sign in');
  await loadMe();
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  mount(main, authForm({
    title: 'Sign in',
    submitLabel: 'Sign in',
    banner: params.get('expired') ? notice('Your session has expired. Please sign in again.', 'error')
      : params.get('reset') ? notice('Your password is changed. Sign in with the new one.', 'ok') : null,
    fields: [field('Email', email), field('Password', password)],
    footer: [h('p', { class: 'muted' }, h('a', { href: '/forgot-password', id: 'forgot-link' }, 'Forgot your password?')),
      h('p', { class: 'muted' }, 'New here? ', h('a', { href: '/register' + qs({ next: params.get('next') }) }, 'Create an account')),
      h('p', { class: 'muted small' }, 'Ordered as a guest? ', h('a', { href: '/orders/lookup' }, 'Find your order'))],
    onSubmit: async () => {
      const res = await api('POST', '/auth/login', { email: email.value.trim(), password: password.value });
      state.me = res.user || res;
      updateHeader();
      refreshUnread();
      try { setCartCount(await api('GET', '/cart')); } catch (e) { /* no cart */ }
      toast('Welcome back!');
      navigate(nextUrl(params));
    },
  }));
  email.focus();
}

export async function register(main, _m, params) {
  setTitle('Create an account');
  await loadMe();
  const first = h('input', { name: 'first_name', autocomplete: 'given-name', required: true });
  const last = h('input', { name: 'last_name', autocomplete: 'family-name' });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
  mount(main, authForm({
    title: 'Create an account',
    submitLabel: 'Create account',
    fields: [h('div', { class: 'two-fields' }, field('First name', first), field('Last name', last)), field('Email', email), field('Password', password, 'At least 8 characters')],
    footer: h('p', { class: 'muted' }, 'Already have an account? ', h('a', { href: '/login' + qs({ next: params.get('next') }) }, 'Sign in')),
    onSubmit: async () => {
      const body = { first_name: first.value.trim(), last_name: last.value.trim(), email: email.value.trim(), password: password.value };
      let res = await api('POST', '/auth/register', body);
      if (!res || !res.token) res = await api('POST', '/auth/login', { email: body.email, password: body.password });
      state.me = (res && res.user) || (await loadMe(true));
      updateHeader();
      try { setCartCount(await api('GET', '/cart')); } catch (e) { /* no cart */ }
      toast('Your account is ready');
      navigate(nextUrl(params));
    },
  }));
  first.focus();
}

export async function logout() {
  try {
    await api('POST', '/auth/logout', {});
  } catch (e) { /* already signed out */ }
  state.me = null;
  state.cartCount = 0;
  updateHeader();
  toast('You are signed out');
  navigate('/');
}

// ---- account ----

function addressForm(onSaved) {
  const f = {
    name: h('input', { name: 'name', required: true, autocomplete: 'name' }),
    street: h('input', { name: 'street', required: true, autocomplete: 'address-line1' }),
    city: h('input', { name: 'city', required: true, autocomplete: 'address-level2' }),
    state: h('input', { name: 'state', autocomplete: 'address-level1' }),
    zip: h('input', { name: 'zip', required: true, autocomplete: 'postal-code' }),
    country: h('input', { name: 'country', required: true, value: 'US', maxlength: 2 }),
  };
  const def = h('input', { type: 'checkbox', id: 'addr-default' });
  const msg = h('div', { class: 'form-msg', role: 'alert' });
  const btn = h('button', { type: 'submit', class: 'btn primary' }, 'Save address');
  return h('form', { class: 'card sub-form', onsubmit: async (e) => {
    e.preventDefault();
    const body = {};
    for (const [k, el] of Object.entries(f)) if (el.value.trim()) body[k] = el.value.trim();
    if (def.checked) body.is_default = true;
    setBusy(btn, true);
    try {
      await api('POST', '/me/addresses', body);
      toast('Address saved');
      onSaved();
    } catch (err) {
      mount(msg, notice(humanError(err), 'error'));
    } finally {
      setBusy(btn, false);
    }
  } }, h('h3', null, 'Add an address'),
  h('div', { class: 'grid-form' }, field('Full name', f.name), field('Street address', f.street), field('City', f.city), field('State / region', f.state), field('ZIP / postal code', f.zip), field('Country (2 letters)', f.country)),
  h('div', { class: 'check' }, def, h('label', { for: 'addr-default' }, 'Make this my default address')), msg, btn);
}

function cardForm(onSaved) {
  const number = h('input', { name: 'cardnumber', autocomplete: 'cc-number', inputmode: 'numeric', required: true, placeholder: '4242 4242 4242 4242' });
  const exp = h('input', { name: 'exp', autocomplete: 'cc-exp', placeholder: 'MM/YY', required: true });
  const cvc = h('input', { name: 'cvc', autocomplete: 'cc-csc', inputmode: 'numeric', required: true, placeholder: '123' });
  const msg = h('div', { class: 'form-msg', role: 'alert' });
  const btn = h('button', { type: 'submit', class: 'btn primary' }, 'Save card');
  return h('form', { class: 'card sub-form', onsubmit: async (e) => {
    e.preventDefault();
    const [mm, yy] = exp.value.split('/').map((s) => parseInt(s, 10));
    setBusy(btn, true);
    try {
      await api('POST', '/me/payment-methods', { type: 'card', card_number: number.value.replace(/[\s-]/g, ''), exp_month: mm, exp_year: yy < 100 ? 2000 + yy : yy, cvc: cvc.value.trim() });
      toast('Card saved');
      onSaved();
    } catch (err) {
      mount(msg, notice(humanError(err), 'error'));
    } finally {
      setBusy(btn, false);
    }
  } }, h('h3', null, 'Add a card'), h('p', { class: 'muted small' }, 'We keep only the card brand, the last four digits and the expiry.'),
  h('div', { class: 'grid-form cardform' }, field('Card number', number), field('Expiry (MM/YY)', exp), field('CVC', cvc)), msg, btn);
}

export async function account(main, _m, _p, alive) {
  setTitle('Your account');
  const me = await requireUser(main, 'Your account');
  if (!me || !alive()) return;
  const [addresses, methods, notes, wished] = await Promise.all([
    api('GET', '/me/addresses').then((d) => d.addresses || d.items || []).catch((e) => e),
    api('GET', '/me/payment-methods').then((d) => d.payment_methods || d.items || []).catch((e) => e),
    api('GET', '/me/notifications?size=20').catch((e) => e),
    api('GET', '/me/wishlist?size=1').then((d) => d.total || 0).catch(() => null),
  ]);
  if (!alive()) return;
  const reload = () => account(main, _m, _p, alive);
  const del = (path, label) => async (e) => {
    if (!confirm(`Remove this ${label}?`)) return;
    setBusy(e.currentTarget, true);
    try {
      await api('DELETE', path);
      toast(`The ${label} was removed`);
      reload();
    } catch (err) {
      toast(humanError(err), 'error');
    }
  };
  const addrList = addresses instanceof Error ? errorBox(addresses)
    : addresses.length ? h('ul', { class: 'plain tiles' }, addresses.map((a) => h('li', { class: 'card tile' },
      h('strong', null, a.name || a.full_name || ''), (a.is_default || a.default_shipping) ? h('span', { class: 'tag' }, 'Default') : null,
      h('p', null, [a.street || a.line1, a.city, a.state, a.zip || a.postal_code, a.country].filter(Boolean).join(', ')),
      h('button', { type: 'button', class: 'linkish danger', onclick: del('/me/addresses/' + encodeURIComponent(a.address_id || a.id), 'address') }, 'Remove'))))
      : h('p', { class: 'muted' }, 'No saved addresses yet.');
  const payList = methods instanceof Error ? errorBox(methods)
    : methods.length ? h('ul', { class: 'plain tiles' }, methods.map((m) => h('li', { class: 'card tile' },
      h('strong', null, `${m.brand || 'Card'} •••• ${m.last_four || m.last4}`), h('p', { class: 'muted' }, `Expires ${m.exp_month}/${m.exp_year}`),
      h('button', { type: 'button', class: 'linkish danger', onclick: del('/me/payment-methods/' + encodeURIComponent(m.payment_method_id || m.id), 'card') }, 'Remove'))))
      : h('p', { class: 'muted' }, 'No saved cards yet.');
  mount(main,
    h('div', { class: 'account-head' },
      h('div', null, h('h1', null, 'Your account'), h('p', { class: 'muted' }, displayName(me) ? `${displayName(me)} · ` : '', me.email || '')),
      h('div', { class: 'row gap' },
        h('a', { class: 'btn', href: '/orders' }, 'Your orders'),
        h('a', { class: 'btn', href: '/wishlist', id: 'wishlist-link' }, 'Your wishlist', wished ? h('span', { class: 'badge' }, String(wished)) : null),
        me.role === 'admin' ? h('a', { class: 'btn', href: '/admin' }, 'Admin') : null,
        h('button', { type: 'button', class: 'btn ghost', id: 'logout', onclick: logout }, 'Sign out'))),
    me.email_verified === false ? verifyBanner() : null,
    notificationsSection(notes, reload),
    emailPreferences(),
    h('section', { class: 'section' }, h('h2', null, 'Addresses'), addrList, addresses instanceof Error ? null : h('details', { class: 'add-more' }, h('summary', { class: 'btn small' }, 'Add an address'), addressForm(reload))),
    h('section', { class: 'section' }, h('h2', null, 'Payment methods'), payList, methods instanceof Error ? null : h('details', { class: 'add-more' }, h('summary', { class: 'btn small' }, 'Add a card'), cardForm(reload))));
}

// An unconfirmed email: the shop can mail it, but guest orders placed with
// it join the account only once it is confirmed.
function verifyBanner() {
  const btn = h('button', { type: 'button', class: 'btn small', id: 'resend-verification', onclick: async () => {
    setBusy(btn, true, 'Sending…');
    try {
      await api('POST', '/me/verify-email', {});
      mount(box, 'A new confirmation link is on its way. Open it to confirm your email.');
    } catch (e) {
      setBusy(btn, false);
      toast(humanError(e), 'error');
    }
  } }, 'Send the link again');
  const box = h('div', { class: 'notice', role: 'status', id: 'verify-banner' },
    'Please confirm your email address: open the link we sent you. Orders you placed as a guest with this email then appear here. ', btn);
  return box;
}

// Optional emails (today: the abandoned-cart reminder), off until the shopper turns them on.
function emailPreferences() {
  const box = h('input', { type: 'checkbox', id: 'cart-reminders', disabled: true });
  const section = h('section', { class: 'section', id: 'email-preferences' }, h('h2', null, 'Emails'),
    h('div', { class: 'choice' }, box, h('label', { for: 'cart-reminders' }, 'Remind me by email about items I leave in my cart')));
  api('GET', '/me/email-preferences').then((p) => {
    box.checked = !!p.cart_reminders;
    box.disabled = false;
  }).catch(() => { section.hidden = true; });
  box.addEventListener('change', async () => {
    box.disabled = true;
    try {
      const p = await api('PUT', '/me/email-preferences', { cart_reminders: box.checked });
      box.checked = !!p.cart_reminders;
      toast(box.checked ? 'Cart reminders are on' : 'Cart reminders are off');
    } catch (e) {
      box.checked = !box.checked;
      toast(humanError(e), 'error');
    } finally {
      box.disabled = false;
    }
  });
  return section;
}

// ---- orders ----

export async function orders(main, _m, params, alive) {
  setTitle('Your orders');
  const me = await requireUser(main, 'Your orders');
  if (!me || !alive()) return;
  const page = Number(params.get('page') || 1);
  const data = await api('GET', '/orders' + qs({ page, size: 10 }));
  if (!alive()) return;
  const list = data.orders || data.items || [];
  mount(main, h('h1', null, 'Your orders'),
    list.length ? h('ul', { class: 'plain order-list', id: 'order-list' }, list.map((o) => h('li', { class: 'card order-row' },
      h('div', null, h('a', { href: '/orders/' + encodeURIComponent(o.order_id), class: 'order-id' }, 'Order ', orderNumber(o)),
        h('p', { class: 'muted' }, 'Placed ', dateOnly(o.created_at), ' · ', `${o.items_count ?? (o.items || []).reduce((n, i) => n + i.quantity, 0)} items`)),
      statusBadge(o.status),
      h('strong', null, money(orderTotal(o), orderCurrency(o))),
      h('a', { class: 'btn small', href: '/orders/' + encodeURIComponent(o.order_id) }, 'View details'))))
      : h('div', { class: 'state empty' }, h('p', { class: 'big' }, 'You have no orders yet.'), h('a', { class: 'btn', href: '/' }, 'Start shopping')),
    pager(page, data.size || 10, data.total || 0, (n) => navigate('/orders?page=' + n)));
}

export async function orderDetail(main, [id], params, alive) {
  setTitle('Your order');
  const me = await requireUser(main, 'Your order');
  if (!me || !alive()) return;
  let o;
  try {
    o = await api('GET', '/orders/' + encodeURIComponent(id));
  } catch (e) {
    if (e.status === 404) return mount(main, h('div', { class: 'state empty' }, h('h1', null, 'Order not found'), h('a', { class: 'btn', href: '/orders' }, 'Your orders')));
    throw e;
  }
  if (!alive()) return;
  o = o.order || o;
  // the order's actions: what the API accepts now (orders.h order_action_allowed)
  const cancellable = (o.actions || []).includes('cancel');
  const cancelBtn = cancellable ? h('button', { type: 'button', class: 'btn ghost danger', onclick: async () => {
    if (!confirm('Cancel this order? You will get a full refund.')) return;
    setBusy(cancelBtn, true);
    try {
      await api('POST', `/orders/${encodeURIComponent(o.order_id)}/cancel`, {});
      toast('Your order was cancelled');
      orderDetail(main, [id], new URLSearchParams(), alive);
    } catch (e) {
      setBusy(cancelBtn, false);
      toast(humanError(e), 'error');
    }
  } }, 'Cancel order') : null;
  const reload = () => orderDetail(main, [id], new URLSearchParams(), alive);
  const returns = returnsSection(o, (body) => api('POST', `/orders/${encodeURIComponent(o.order_id)}/returns`, body), () => { toast('Return requested'); reload(); });
  mount(main, orderView(o, { placed: !!params.get('placed'), crumbs: h('a', { href: '/orders' }, 'Your orders'), actions: cancelBtn, returns }));
}

// "#1001" (or "#S1-1001" in a cluster): the number shoppers and the shop
// use; the long id only when an older order has none.
export function orderNumber(o) {
  return o.order_number ? '#' + o.order_number : o.order_id;
}

// One order as its shopper sees it (signed in, or a guest through the
// emailed link): the thank-you banner, status and progress, lines,
// tracking, payment, and the address.
export function orderView(o, { placed = false, crumbs = null, actions = null, returns = null } = {}) {
  setTitle('Order ' + orderNumber(o));
  const addr = o.shipping_address || {};
  const pay = o.payment || (o.payments || [])[0] || {};
  const waiting = o.status === 'pending_payment';
  // placed, but the bank said no (3-D Secure failed): nothing was charged
  const unpaid = placed && (o.status === 'cancelled' || o.status === 'canceled');
  return [
    unpaid ? h('div', { class: 'notice error', role: 'alert', id: 'payment-failed' },
      'The payment was not completed, so the order is cancelled and nothing was charged. ', h('a', { href: '/' }, 'Continue shopping'), ' and try again with another card.') : null,
    placed && !waiting && !unpaid ? h('div', { class: 'confirm-banner', role: 'status', id: 'order-confirmation', dataset: { orderId: o.order_id } },
      h('span', { class: 'check-mark', 'aria-hidden': 'true' }, '✓'),
      h('div', null, h('h1', null, 'Thank you! Your order is placed.'), h('p', null, 'Order number ', h('strong', { class: 'order-id' }, orderNumber(o)),
        o.estimated_delivery ? ` · estimated delivery ${dateOnly(o.estimated_delivery)}` : '',
        o.email ? ` · a confirmation is on its way to ${o.email}` : ''))) : null,
    waiting ? h('div', { class: 'notice', role: 'status', id: 'payment-pending' },
      'We are waiting for your bank to confirm the payment. Your items are held for you; this page shows the result once the payment is confirmed.') : null,
    crumbs ? h('nav', { class: 'crumbs' }, crumbs, ' › ', h('span', null, orderNumber(o))) : null,
    h('div', { class: 'order-head' }, h('h2', null, 'Order ', h('span', { class: 'order-id' }, orderNumber(o))), statusBadge(o.status), h('span', { class: 'muted' }, 'placed ', dateTime(o.created_at))),
    timeline(o),
    h('div', { class: 'order-detail' },
      h('div', null,
        h('section', { class: 'card' }, h('h2', null, 'Items'), orderItems(o)),
        shipmentBlock(o), returns),
      h('div', null,
        h('section', { class: 'card summary' }, h('h2', null, 'Payment'), pricingBlock(o),
          pay.status ? h('p', { class: 'muted small' }, `Payment ${pay.status}`, (pay.method && pay.method.last4) || pay.last4 ? ` · ${(pay.method && pay.method.brand) || 'card'} ending ${(pay.method && pay.method.last4) || pay.last4}` : '') : null),
        h('section', { class: 'card' }, h('h2', null, 'Shipping to'), h('p', null, [addr.name, addr.street || addr.line1, addr.city, addr.state, addr.zip || addr.postal_code, addr.country].filter(Boolean).join(', ')),
          o.email ? h('p', { class: 'muted small' }, 'Emails about this order go to ', o.email) : null),
        actions)),
  ];
}

// ---- notifications (wishlist price drops and restocks) ----

function notificationText(n) {
  const d = n.data || {};
  const name = d.name || 'A product on your wishlist';
  if (n.type === 'wishlist.price_drop') return [h('strong', null, name), ` dropped in price from ${money(d.old_price, d.currency)} to ${money(d.new_price, d.currency)}.`];
  if (n.type === 'wishlist.back_in_stock') return [h('strong', null, name), ` is back in stock${d.price !== undefined ? ' at ' + money(d.price, d.currency) : ''}.`];
  return [h('strong', null, name), ' changed.'];
}

function notificationsSection(notes, reload) {
  if (notes instanceof Error) return h('section', { class: 'section', id: 'notifications' }, h('h2', null, 'Notifications'), errorBox(notes));
  const list = notes.notifications || [];
  const unread = Number(notes.unread || 0);
  const markBtn = unread ? h('button', { type: 'button', class: 'btn small', id: 'mark-read', onclick: async () => {
    setBusy(markBtn, true);
    try {
      await api('POST', '/me/notifications/read', {});
      await refreshUnread();
      reload();
    } catch (e) {
      setBusy(markBtn, false);
      toast(humanError(e), 'error');
    }
  } }, 'Mark all as read') : null;
  return h('section', { class: 'section', id: 'notifications' },
    h('div', { class: 'section-head' }, h('h2', null, 'Notifications', unread ? h('span', { class: 'badge' }, String(unread)) : null), markBtn),
    list.length ? h('ul', { class: 'plain card notes' }, list.map((n) => h('li', { class: 'note' + (n.read ? '' : ' unread') },
      h('span', { class: 'note-icon', 'aria-hidden': 'true' }, n.type === 'wishlist.price_drop' ? '↓' : '✓'),
      h('div', null, h('p', null, notificationText(n), ' ', n.product_id ? h('a', { href: '/p/' + n.product_id }, 'View') : null),
        h('small', { class: 'muted' }, dateTime(n.created_at), n.read ? '' : ' · new')))))
      : h('p', { class: 'muted' }, 'Nothing yet. We tell you here when something on your wishlist drops in price or is back in stock.'));
}

// ---- wishlist ----

let wishNote = null; // a message that outlives the re-render after an action

export async function wishlist(main, _m, params, alive) {
  setTitle('Wishlist');
  const me = await requireUser(main, 'Wishlist');
  if (!me || !alive()) return;
  const page = Number(params.get('page') || 1);
  const [data, notes] = await Promise.all([
    api('GET', '/me/wishlist' + qs({ page, size: 24 })),
    api('GET', '/me/notifications?size=100').catch(() => ({ notifications: [] })),
  ]);
  if (!alive()) return;
  // The latest price drop we told the shopper about, per product.
  const drops = new Map();
  for (const n of notes.notifications || []) {
    if (n.type === 'wishlist.price_drop' && n.product_id && !drops.has(String(n.product_id))) drops.set(String(n.product_id), n.data || {});
  }
  const items = data.items || [];
  const msg = h('div', { class: 'form-msg', role: 'status', 'aria-live': 'polite' }, wishNote);
  wishNote = null;
  const reload = () => wishlist(main, _m, params, alive);
  const card = (i) => {
    const cur = i.currency || 'USD';
    const price = Number(i.price);
    const was = Math.max(Number(i.price_when_added || 0), Number((drops.get(String(i.product_id)) || {}).old_price || 0));
    const dropped = was > price;
    const moveBtn = h('button', { type: 'button', class: 'btn primary small', disabled: !i.in_stock, onclick: async () => {
      setBusy(moveBtn, true, 'Moving…');
      try {
        const cart = await api('POST', `/me/wishlist/${encodeURIComponent(i.product_id)}/move-to-cart`, {});
        setCartCount(cart);
        toast('Moved to your cart');
        wishNote = [notice(`${i.name} is in your cart. `, 'ok'), h('a', { href: '/cart' }, 'View cart ›')];
        reload();
      } catch (e) {
        setBusy(moveBtn, false);
        if (e.code === 'variant_required') {
          // a product with options: the shopper picks them on its page
          toast(humanError(e));
          navigate('/p/' + encodeURIComponent(i.product_id));
          return;
        }
        mount(msg, notice(humanError(e) + (e.code === 'out_of_stock' ? ' It stays on your wishlist; we will tell you when it is back.' : ''), 'error'));
      }
    } }, i.in_stock ? 'Move to cart' : 'Out of stock');
    const removeBtn = h('button', { type: 'button', class: 'linkish danger', onclick: async () => {
      setBusy(removeBtn, true);
      try {
        await api('DELETE', '/me/wishlist/' + encodeURIComponent(i.product_id));
        toast('Removed from your wishlist');
        reload();
      } catch (e) {
        setBusy(removeBtn, false);
        mount(msg, notice(humanError(e), 'error'));
      }
    } }, 'Remove');
    return h('li', { class: 'card wish-card', dataset: { productId: i.product_id } },
      h('a', { href: '/p/' + i.product_id, class: 'wish-img', tabindex: '-1', 'aria-hidden': 'true' }, productImage(i.image, '')),
      h('div', { class: 'wish-info' },
        i.brand ? h('div', { class: 'brand' }, i.brand) : null,
        h('a', { href: '/p/' + i.product_id, class: 'line-name' }, i.name),
        h('div', { class: 'price' },
          h('span', { class: 'now' + (dropped ? ' sale' : '') }, money(price, cur)),
          Number(i.original_price) > price ? h('s', { class: 'was' }, money(i.original_price, cur)) : null),
        dropped ? h('p', { class: 'price-drop' }, `↓ Price dropped ${money(was - price, cur)} since you saved it (was ${money(was, cur)})`) : null,
        i.in_stock
          ? (i.available !== undefined && i.available <= 5 ? h('p', { class: 'stock low' }, `Only ${i.available} left`) : h('p', { class: 'stock in' }, 'In stock'))
          : h('p', { class: 'stock out' }, 'Out of stock — we will tell you when it is back'),
        h('small', { class: 'muted' }, 'Saved ', dateOnly(i.added_at)),
        h('div', { class: 'line-actions' }, moveBtn, removeBtn)));
  };
  mount(main,
    h('div', { class: 'listing-head' }, h('div', null, h('h1', null, 'Your wishlist'),
      h('p', { class: 'muted' }, `${data.total || 0} ${data.total === 1 ? 'item' : 'items'}`)), h('a', { href: '/account#notifications' }, 'Notifications')),
    msg,
    items.length ? h('ul', { class: 'plain wish-grid', id: 'wishlist-items' }, items.map(card))
      : h('div', { class: 'state empty' }, h('p', { class: 'big' }, 'Your wishlist is empty.'),
        h('p', null, 'Tap “Add to wishlist” on a product to save it here. We let you know when it drops in price or is back in stock.'),
        h('a', { class: 'btn', href: '/' }, 'Find something you love')),
    pager(page, data.size || 24, data.total || 0, (n) => navigate('/wishlist?page=' + n)));
}
