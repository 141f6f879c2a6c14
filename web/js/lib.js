// Small helpers shared by every page: a safe DOM builder, the API client,
// money and date formatting, and human-readable error messages.
//
// Every piece of text that came from the API or the user goes through
// textContent (never innerHTML), so a product named <script> shows as text.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked' || k === 'disabled' || k === 'selected' || k === 'hidden') el[k] = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function mount(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

// ---- API ----

export class ApiError extends Error {
  constructor(status, code, message, details, headers) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || {};
    this.headers = headers;
  }
}

const ADMIN_TOKEN_KEY = 'shopbox_admin_token';
export const adminToken = {
  get: () => sessionStorage.getItem(ADMIN_TOKEN_KEY) || '',
  set: (t) => (t ? sessionStorage.setItem(ADMIN_TOKEN_KEY, t) : sessionStorage.removeItem(ADMIN_TOKEN_KEY)),
};

// api('GET', '/products?x=1') -> parsed JSON. Throws ApiError with the API's
// error code/message, status 0 for a network failure.
export async function api(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.admin && adminToken.get()) headers.Authorization = 'Bearer ' + adminToken.get();
  if (opts.headers) Object.assign(headers, opts.headers);
  let res;
  try {
    res = await fetch('/api/v1' + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (e) {
    throw new ApiError(0, 'network', 'We could not reach the shop. Check your connection and try again.');
  }
  if (res.status === 204) return null;
  let data = null;
  const text = await res.text();
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    data = null;
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || res.statusText || 'Request failed', err.details, res.headers);
  }
  if (opts.withHeaders) return { data, headers: res.headers };
  return data;
}

// The API's error in words a shopper understands.
export function humanError(err) {
  if (!(err instanceof ApiError)) return 'Something went wrong. Please try again.';
  const code = err.code || '';
  const d = err.details || {};
  if (err.status === 0) return err.message;
  if (code === 'out_of_stock') {
    const items = Array.isArray(d.items) ? d.items : [];
    if (items.length) {
      return items.map((i) => (i.available > 0
        ? `Only ${i.available} left${i.name ? ' of ' + i.name : ' in stock'} (you asked for ${i.requested}).`
        : `${i.name || 'This item'} is out of stock.`)).join(' ');
    }
    return 'Sorry, that item is out of stock.';
  }
  if (err.status === 402 || code === 'payment_failed' || code === 'card_declined' || code === 'insufficient_funds') {
    const reason = String(d.decline_code || d.reason || d.code || code);
    if (/insufficient/.test(reason) || /insufficient/.test(err.message)) return 'Payment declined: the card has insufficient funds. Try another card.';
    return 'Payment declined: your card was declined. Try another card. ' + (err.message && !/declin/i.test(err.message) ? '(' + err.message + ')' : '');
  }
  if (code === 'variant_required') {
    const names = (Array.isArray(d.options) ? d.options : []).map((o) => (typeof o === 'string' ? o : o && o.name)).filter(Boolean);
    return names.length ? `Choose ${names.join(' and ')} first.` : 'Choose the options first.';
  }
  if (code === 'unknown_variant') return 'That combination is not available. Choose another one.';
  if (code === 'invalid_card') return 'That card number is not valid. Check the number, expiry and CVC.';
  if (err.status === 401) return 'Your session has expired or you are not signed in. Please sign in again.';
  // A staff role or key scope refusal says what it may not do ("Your role
  // (fulfilment) cannot change products"); other refusals stay generic.
  if (err.status === 403) {
    return code === 'forbidden' && d.permission && err.message
      ? err.message.replace(/\.?$/, '.') : 'You do not have permission to do that.';
  }
  if (err.status === 429) {
    const retry = err.headers && err.headers.get && err.headers.get('Retry-After');
    return 'Too many requests. Please wait ' + (retry ? retry + ' seconds' : 'a moment') + ' and try again.';
  }
  if (err.status === 503) return 'The service is busy right now. Please try again in a moment.';
  if (err.status >= 500) return 'Something went wrong on our side. Please try again.';
  const msg = err.message || 'Request failed';
  return msg.charAt(0).toUpperCase() + msg.slice(1) + (/[.!?]$/.test(msg) ? '' : '.');
}

// ---- formatting ----

const fmtCache = new Map();
export function money(amount, currency = 'USD') {
  if (amount === null || amount === undefined || amount === '') return '';
  const cur = /^[A-Z]{3}$/.test(currency || '') ? currency : 'USD';
  let f = fmtCache.get(cur);
  if (!f) {
    f = new Intl.NumberFormat(navigator.language || 'en-US', { style: 'currency', currency: cur });
    fmtCache.set(cur, f);
  }
  return f.format(Number(amount));
}

export function dateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  return d.toLocaleString(navigator.language || 'en-US', { dateStyle: 'medium', timeStyle: 'short' });
}

export function dateOnly(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  return d.toLocaleDateString(navigator.language || 'en-US', { dateStyle: 'medium' });
}

export function stars(rating, count) {
  const r = Math.max(0, Math.min(5, Number(rating) || 0));
  const full = Math.round(r);
  return h('span', { class: 'stars', title: r ? `${r.toFixed(1)} out of 5` : 'No ratings yet', 'aria-label': r ? `Rated ${r.toFixed(1)} out of 5` : 'No ratings yet' },
    h('span', { class: 'stars-on', 'aria-hidden': 'true' }, '★'.repeat(full)),
    h('span', { class: 'stars-off', 'aria-hidden': 'true' }, '★'.repeat(5 - full)),
    count !== undefined ? h('span', { class: 'stars-count' }, count ? `(${count})` : '') : null);
}

// ---- page states ----

export function loading(text = 'Loading…') {
  return h('div', { class: 'state loading', role: 'status', 'aria-live': 'polite' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}

export function errorBox(err, retry) {
  return h('div', { class: 'state error', role: 'alert' },
    h('p', null, typeof err === 'string' ? err : humanError(err)),
    retry ? h('button', { class: 'btn', type: 'button', onclick: retry }, 'Try again') : null);
}

export function notice(text, kind = 'info') {
  return h('div', { class: 'notice ' + kind, role: kind === 'error' ? 'alert' : 'status' }, text);
}

// "2d 4h", "3h 05m", "4:07" until (or since, negative) a time.
export function countdown(seconds) {
  let s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  if (d) return `${d}d ${hh}h`;
  if (hh) return `${hh}h ${String(mm).padStart(2, '0')}m`;
  return `${mm}:${String(ss).padStart(2, '0')}`;
}

let toastTimer;
export function toast(text, kind = 'ok') {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = text;
  el.className = 'toast show ' + kind;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.className = 'toast'), 3500);
}

export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, v);
  const s = u.toString();
  return s ? '?' + s : '';
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function field(label, input, hint) {
  const id = input.id || 'f_' + Math.random().toString(36).slice(2, 9);
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('small', { class: 'hint' }, hint) : null);
}

// The shipping-address form both checkouts show (new address): its inputs
// (`fields`, by API name), the element, the filled-in address (`value()`),
// and the first required input left empty (`missing()`).
export function addressForm(me, hidden) {
  const inp = (name, attrs = {}) => h('input', { name, required: true, ...attrs });
  const fields = {
    name: inp('name', { autocomplete: 'name', value: [(me || {}).first_name, (me || {}).last_name].filter(Boolean).join(' ') }),
    street: inp('street', { autocomplete: 'address-line1' }),
    city: inp('city', { autocomplete: 'address-level2' }),
    state: inp('state', { autocomplete: 'address-level1', required: false }),
    zip: inp('zip', { autocomplete: 'postal-code' }),
    country: inp('country', { autocomplete: 'country', value: 'US', maxlength: 2 }),
  };
  const el = h('div', { class: 'grid-form', hidden },
    field('Full name', fields.name), field('Street address', fields.street), field('City', fields.city),
    field('State / region', fields.state), field('ZIP / postal code', fields.zip), field('Country (2 letters)', fields.country));
  const value = () => {
    const a = {};
    for (const [k, input] of Object.entries(fields)) if (input.value.trim()) a[k] = input.value.trim();
    return a;
  };
  const missing = () => Object.values(fields).find((input) => input.required && !input.value.trim()) || null;
  return { fields, el, value, missing };
}

export function setBusy(btn, busy, text) {
  if (!btn) return;
  if (busy) {
    btn.dataset.label = btn.dataset.label || btn.textContent;
    btn.disabled = true;
    btn.setAttribute('aria-busy', 'true');
    if (text) btn.textContent = text;
  } else {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
    if (btn.dataset.label) btn.textContent = btn.dataset.label;
  }
}

export function pick(obj, ...keys) {
  for (const k of keys) {
    const v = k.split('.').reduce((o, p) => (o === null || o === undefined ? undefined : o[p]), obj);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}

export function pager(page, size, total, go) {
  const pages = Math.max(1, Math.ceil((total || 0) / size));
  if (pages <= 1) return null;
  return h('nav', { class: 'pager', 'aria-label': 'Pages' },
    h('button', { class: 'btn ghost', type: 'button', disabled: page <= 1, onclick: () => go(page - 1) }, '‹ Previous'),
    h('span', null, `Page ${page} of ${pages}`),
    h('button', { class: 'btn ghost', type: 'button', disabled: page >= pages, onclick: () => go(page + 1) }, 'Next ›'));
}

// ---- variants ----

// "Color: Blue · Size: M" for a line's chosen options ({} for a simple
// product gives ''), or its variant title when it has no options object.
export function optionsText(line) {
  const opts = line && line.selected_options;
  if (opts && typeof opts === 'object' && !Array.isArray(opts)) {
    const parts = Object.entries(opts).filter(([, v]) => v !== '' && v !== null && v !== undefined).map(([k, v]) => `${k}: ${v}`);
    if (parts.length) return parts.join(' · ');
  }
  if (typeof opts === 'string' && opts) return opts;
  const t = line && line.variant_title;
  return t && t !== 'Default' && t !== 'Default Title' ? t : '';
}

// Where a line's product page is, with its variant chosen.
export function variantHref(productId, variantId, options) {
  const has = options && typeof options === 'object' && Object.keys(options).length > 0;
  return '/p/' + encodeURIComponent(productId) + (has && variantId ? '?variant=' + encodeURIComponent(variantId) : '');
}
