// Admin: discounts (codes and automatic promotions), shipping zones with
// their methods, and each zone's tax rates. Loaded only on /admin/discounts,
// /admin/shipping and /admin/tax (app.js), so shoppers never download it.
//
// The merchant types percentages ("12.5") and amounts ("5.00"); the API
// takes basis points (1250) and money in major units. An API error that
// names a field is shown next to that field.
import { api, h, mount, money, dateTime, notice, humanError, toast, setBusy, qs, pager, ApiError } from './lib.js';
import { navigate, categoriesList } from './session.js';
import { gate, shell } from './admin.js';

const A = { admin: true };
const aget = (path) => api('GET', path, undefined, A);
const asend = (method, path, body) => api(method, path, body, A);

// ---- small form helpers ----

let uid = 0;
const nextId = (p) => `${p}-${++uid}`;

// A labelled input; `label` may carry a hidden suffix that makes the
// accessible name unique ("Country" + " (region 2)").
function fld(label, input, { hint, hidden, cls, srSuffix } = {}) {
  input.id = input.id || nextId('fp');
  const hintEl = hint ? h('small', { class: 'hint', id: input.id + '-hint' }, hint) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' + (cls ? ' ' + cls : ''), hidden },
    h('label', { for: input.id }, label, srSuffix ? h('span', { class: 'sr-only' }, srSuffix) : null), input, hintEl);
}
function check(label, input, hint) {
  input.id = input.id || nextId('fc');
  return h('div', { class: 'check-field' },
    h('div', { class: 'check' }, input, h('label', { for: input.id }, label)),
    hint ? h('small', { class: 'hint' }, hint) : null);
}
const num = (v) => (v === '' || v === null || v === undefined ? null : Number(v));
const amountIn = (attrs = {}) => h('input', { type: 'number', min: 0, step: '0.01', inputmode: 'decimal', ...attrs });
const intIn = (attrs = {}) => h('input', { type: 'number', min: 0, step: 1, inputmode: 'numeric', ...attrs });
const bpToPct = (bp) => (bp === null || bp === undefined || bp === '' ? '' : String(Math.round(Number(bp)) / 100));
const pctToBp = (p) => Math.round(parseFloat(String(p).replace(',', '.')) * 100);
const pctText = (bp) => `${(Math.round(Number(bp)) / 100).toLocaleString('en-US', { maximumFractionDigits: 2 })} %`;
const idList = (text) => String(text || '').split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);

function isoNoMillis(d) {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
function localInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// Field errors: the API's details.field ("regions[1].country") finds the
// element tagged data-field="regions.1.country" (or its nearest parent path).
function fieldPath(f) {
  return String(f || '').replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');
}
function clearErrors(form) {
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    const d = (el.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && !x.endsWith('-err')).join(' ');
    if (d) el.setAttribute('aria-describedby', d); else el.removeAttribute('aria-describedby');
  }
}
function markField(form, field, text, onFix) {
  let path = fieldPath(field);
  let el = null;
  while (path && !el) {
    el = form.querySelector(`[data-field="${CSS.escape(path)}"]`);
    if (!el) path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
  }
  if (!el) return false;
  const target = el.matches('input, select, textarea') ? el : el.querySelector('input, select, textarea') || el;
  const err = h('p', { class: 'field-error', id: (target.id || nextId('fe')) + '-err' }, text);
  target.setAttribute('aria-invalid', 'true');
  target.setAttribute('aria-describedby', [(target.getAttribute('aria-describedby') || ''), err.id].join(' ').trim());
  const wrap = target.closest('.field, .check-field');
  if (wrap) wrap.append(err); else target.after(err);
  if (wrap && wrap.hidden) wrap.hidden = false;
  // the message goes once the merchant changes the value
  target.addEventListener('input', () => {
    err.remove();
    if (onFix) onFix();
    target.removeAttribute('aria-invalid');
    const d = (target.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== err.id).join(' ');
    if (d) target.setAttribute('aria-describedby', d); else target.removeAttribute('aria-describedby');
  }, { once: true });
  target.focus();
  return true;
}
function sentence(text) {
  const t = String(text || '').trim();
  if (!t) return '';
  return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}
// The API's message in a merchant's words: the field's label instead of its
// JSON path, percentages instead of basis points.
function merchantMessage(err, label) {
  if (!(err instanceof ApiError)) return humanError(err);
  const field = String(err.details.field || '');
  const m = String(err.message || '');
  if (err.code === 'discount_code_taken') return 'Another discount already uses this code. Choose a different code.';
  if (err.code === 'overlapping_zones') {
    const zone = (m.match(/zone "([^"]+)"/) || [])[1];
    return `This region is already served by ${zone ? 'the zone “' + zone + '”' : 'another zone'}. Remove it here or there.`;
  }
  if (/\.id$/.test(fieldPath(field)) && /another zone/.test(m)) return 'Another zone’s shipping method already uses this ID. Choose a different ID.';
  if (!(err.status === 400 || err.status === 409 || err.status === 422)) return humanError(err);
  let t = m;
  if (/percent_bp must be from/.test(t)) return 'The percentage must be from 0.01 to 100.';
  if (/rate_bp must be/.test(t)) return 'The rate must be from 0 to 100 %.';
  if (/must be (an id|positive ids)/.test(t)) return `${label || 'IDs'}: enter numbers separated by commas.`;
  t = t.replace(/must be an amount in major units with at most two decimals \(5\.00\)/, 'must be an amount such as 5.00')
    .replace(/must be an ISO 8601 time such as [^,]+, or null/, 'must be a date and time')
    .replace(/must be an id \(a string of digits\)/, 'must be IDs (numbers) separated by commas')
    .replace(/\bfor (flat|free_over|weight|pickup) methods\b/, (_, x) => `for ${(METHOD_TYPE[x] || x).toLowerCase()} methods`);
  if (label && field) {
    const lead = t.match(/^[A-Za-z_][\w.[\]]*/);
    if (lead && (fieldPath(lead[0]) === fieldPath(field) || fieldPath(lead[0]).startsWith(fieldPath(field) + '.'))) t = label + t.slice(lead[0].length);
  }
  return sentence(t) || humanError(err);
}
function labelOf(form, field) {
  let path = fieldPath(field);
  while (path) {
    const el = form.querySelector(`[data-field="${CSS.escape(path)}"]`);
    if (el) {
      const wrap = el.closest('.field, .check-field');
      const lab = wrap && (wrap.querySelector('label, legend'));
      if (lab) return [...lab.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim();
      return '';
    }
    path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
  }
  return '';
}
// Shows an error of a save: next to its field when the API names one, and
// in the form's message box.
function showSaveError(form, msg, err) {
  clearErrors(form);
  const field = err instanceof ApiError ? err.details.field : '';
  const text = merchantMessage(err, field ? labelOf(form, field) : '');
  const placed = field && markField(form, field, text, () => mount(msg));
  mount(msg, notice(placed ? 'Check the highlighted field: ' + text : text, 'error'));
  if (!placed) msg.scrollIntoView({ block: 'center' });
}
// A client-side check before sending.
function localError(form, msg, field, text) {
  clearErrors(form);
  markField(form, field, text, () => mount(msg));
  mount(msg, notice(text, 'error'));
  return false;
}

function flattenCats(tree, depth = 0, out = []) {
  for (const c of tree || []) {
    out.push({ id: String(c.category_id ?? c.id), name: c.name, depth });
    if (c.children) flattenCats(c.children, depth + 1, out);
  }
  return out;
}
async function categoryOptions() {
  try {
    const d = await api('GET', '/categories');
    return flattenCats(d.categories || []);
  } catch (e) {
    return flattenCats(await categoriesList());
  }
}

// ======================================================================
// Discounts
// ======================================================================

const TYPE_LABEL = { percentage: 'Percentage off', fixed_amount: 'Amount off', free_shipping: 'Free shipping', buy_x_get_y: 'Buy X get Y' };
const SCOPE_LABEL = { order: 'Whole order', categories: 'Categories', products: 'Products', variants: 'Variants' };

export function discountStatus(d, now = Date.now()) {
  if (!d.active) return ['inactive', 'Inactive'];
  if (d.starts_at && Date.parse(d.starts_at) > now) return ['scheduled', 'Scheduled'];
  if (d.ends_at && Date.parse(d.ends_at) <= now) return ['expired', 'Expired'];
  if (d.usage && d.usage.remaining === 0) return ['used_up', 'Used up'];
  return ['active', 'Active'];
}

export function discountValue(d, currency = 'USD') {
  switch (d.type) {
    case 'percentage': return `${pctText(d.percent_bp)} off`;
    case 'fixed_amount': return `${money(d.amount, currency)} off`;
    case 'free_shipping': return 'Free shipping';
    case 'buy_x_get_y':
      return `Buy ${d.buy_quantity}, get ${d.get_quantity} ${Number(d.percent_bp) >= 10000 ? 'free' : 'at ' + pctText(d.percent_bp) + ' off'}`;
    default: return d.type || '';
  }
}

function usageText(d) {
  const used = d.usage ? Number(d.usage.total || 0) : 0;
  return `${used} / ${d.usage_limit === null || d.usage_limit === undefined ? 'unlimited' : d.usage_limit}`;
}

function scopeText(d) {
  if (!d.scope || d.scope === 'order') return 'Whole order';
  const n = (d.scope_ids || []).length;
  const what = { categories: ['category', 'categories'], products: ['product', 'products'], variants: ['variant', 'variants'] }[d.scope] || ['item', 'items'];
  return `${n} ${n === 1 ? what[0] : what[1]}`;
}

export async function discounts(main, _m, params, alive) {
  if (!(await gate(main))) return;
  const q = params.get('q') || '';
  const kind = params.get('automatic') || '';
  const page = Number(params.get('page') || 1);
  const data = await aget('/admin/discounts' + qs({ q, automatic: kind, page, size: 25 }));
  if (!alive()) return;
  const list = data.discounts || [];
  const reload = () => discounts(main, _m, params, alive);
  const search = h('input', { type: 'search', id: 'discount-q', value: q, placeholder: 'Code or name' });
  const kindSel = h('select', { id: 'discount-kind' },
    [['', 'All discounts'], ['false', 'Codes'], ['true', 'Automatic promotions']].map(([v, l]) => h('option', { value: v, selected: v === kind }, l)));
  kindSel.addEventListener('change', () => navigate('/admin/discounts' + qs({ q: search.value.trim(), automatic: kindSel.value })));
  const del = (d) => async (e) => {
    const btn = e.currentTarget;
    if (!confirm(`Delete the discount “${d.code || d.name}”? Carts that use it lose it; orders keep what they were charged.`)) return;
    setBusy(btn, true);
    try {
      await asend('DELETE', '/admin/discounts/' + encodeURIComponent(d.id));
      toast('Discount deleted');
      reload();
    } catch (err) {
      setBusy(btn, false);
      toast(merchantMessage(err, ''), 'error');
    }
  };
  shell(main, 'discounts', 'Discounts',
    h('div', { class: 'toolbar' },
      h('form', { role: 'search', class: 'row gap', onsubmit: (e) => { e.preventDefault(); navigate('/admin/discounts' + qs({ q: search.value.trim(), automatic: kindSel.value })); } },
        h('label', { for: 'discount-q', class: 'sr-only' }, 'Search discounts'), search,
        h('label', { for: 'discount-kind', class: 'sr-only' }, 'Kind'), kindSel,
        h('button', { class: 'btn', type: 'submit' }, 'Search')),
      h('a', { class: 'btn primary', href: '/admin/discounts/new' }, '+ New discount')),
    h('p', { class: 'muted' }, `${data.total ?? list.length} ${(data.total ?? list.length) === 1 ? 'discount' : 'discounts'}`),
    list.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'data stack', id: 'admin-discounts' },
      h('thead', null, h('tr', null, ['Code', 'Type', 'Value', 'Usage', 'Status', 'Dates', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, list.map((d) => {
        const [st, stLabel] = discountStatus(d);
        return h('tr', { dataset: { discountId: d.id } },
          h('td', { dataset: { label: 'Code' } }, d.code ? h('a', { href: '/admin/discounts/' + d.id, class: 'code-cell' }, h('code', null, d.code))
            : h('a', { href: '/admin/discounts/' + d.id }, h('span', { class: 'tag' }, 'Automatic')),
          h('div', { class: 'muted small' }, d.name || '')),
          h('td', { dataset: { label: 'Type' } }, TYPE_LABEL[d.type] || d.type),
          h('td', { dataset: { label: 'Value' } }, discountValue(d), h('div', { class: 'muted small' }, scopeText(d),
            Number(d.min_subtotal) ? ` · over ${money(d.min_subtotal)}` : '', Number(d.min_quantity) ? ` · ${d.min_quantity}+ items` : '')),
          h('td', { class: 'usage', dataset: { label: 'Usage' } }, usageText(d)),
          h('td', { dataset: { label: 'Status' } }, h('span', { class: 'status-badge st-' + st }, stLabel)),
          h('td', { class: 'small', dataset: { label: 'Dates' } }, d.starts_at || d.ends_at ? [d.starts_at ? dateTime(d.starts_at) : 'now', ' – ', d.ends_at ? dateTime(d.ends_at) : 'no end'] : h('span', { class: 'muted' }, 'Always')),
          h('td', { class: 'actions' },
            h('a', { class: 'btn small', href: '/admin/discounts/' + d.id, 'aria-label': `Edit ${d.code || d.name}` }, 'Edit'),
            h('button', { type: 'button', class: 'btn small ghost danger', 'aria-label': `Delete ${d.code || d.name}`, onclick: del(d) }, 'Delete')));
      }))))
      : h('div', { class: 'card state empty' }, h('p', null, q || kind ? 'No discounts match.' : 'No discounts yet. Create a code shoppers enter in the cart, or an automatic promotion.')),
    pager(page, data.size || 25, data.total || 0, (n) => navigate('/admin/discounts' + qs({ q, automatic: kind, page: n }))));
}

export async function discountEdit(main, [id], _p, alive) {
  if (!(await gate(main))) return;
  const isNew = id === 'new';
  const [d, cats] = await Promise.all([
    isNew ? Promise.resolve({ type: 'percentage', scope: 'order', combinable: true, active: true, automatic: false, scope_ids: [], customer_ids: [] })
      : aget('/admin/discounts/' + encodeURIComponent(id)).then((r) => r.discount || r),
    categoryOptions(),
  ]);
  if (!alive()) return;
  const automatic = !!(d.automatic || (!isNew && !d.code));
  const f = {
    kindCode: h('input', { type: 'radio', name: 'kind', value: 'code', checked: !automatic }),
    kindAuto: h('input', { type: 'radio', name: 'kind', value: 'automatic', checked: automatic }),
    code: h('input', { name: 'code', value: d.code || '', maxlength: 50, autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', placeholder: 'SPRING10', dataset: { field: 'code' } }),
    name: h('input', { name: 'name', value: d.name || '', maxlength: 200, required: true, placeholder: 'Spring sale 10 %', dataset: { field: 'name' } }),
    type: h('select', { name: 'type', dataset: { field: 'type' } }, Object.entries(TYPE_LABEL).map(([v, l]) => h('option', { value: v, selected: d.type === v }, l))),
    percent: h('input', { name: 'percent', type: 'number', min: 0, max: 100, step: '0.01', inputmode: 'decimal', value: d.type === 'buy_x_get_y' && !d.percent_bp ? '100' : bpToPct(d.percent_bp), dataset: { field: 'percent_bp' } }),
    amount: amountIn({ name: 'amount', value: d.amount ?? '', dataset: { field: 'amount' } }),
    buy: intIn({ name: 'buy_quantity', min: 1, value: d.buy_quantity || '', dataset: { field: 'buy_quantity' } }),
    get: intIn({ name: 'get_quantity', min: 1, value: d.get_quantity || '', dataset: { field: 'get_quantity' } }),
    scope: h('select', { name: 'scope', dataset: { field: 'scope' } }, Object.entries(SCOPE_LABEL).map(([v, l]) => h('option', { value: v, selected: (d.scope || 'order') === v }, l))),
    ids: h('input', { name: 'scope_ids', value: d.scope === 'products' || d.scope === 'variants' ? (d.scope_ids || []).join(', ') : '', placeholder: '12, 15, 31', dataset: { field: 'scope_ids' } }),
    minSubtotal: amountIn({ name: 'min_subtotal', value: Number(d.min_subtotal) ? d.min_subtotal : '', placeholder: 'none', dataset: { field: 'min_subtotal' } }),
    minQty: intIn({ name: 'min_quantity', value: Number(d.min_quantity) ? d.min_quantity : '', placeholder: 'none', dataset: { field: 'min_quantity' } }),
    starts: h('input', { type: 'datetime-local', name: 'starts_at', value: localInput(d.starts_at), dataset: { field: 'starts_at' } }),
    ends: h('input', { type: 'datetime-local', name: 'ends_at', value: localInput(d.ends_at), dataset: { field: 'ends_at' } }),
    firstOrder: h('input', { type: 'checkbox', name: 'first_order_only', checked: !!d.first_order_only, dataset: { field: 'first_order_only' } }),
    customers: h('input', { name: 'customer_ids', value: (d.customer_ids || []).join(', '), placeholder: 'everyone', dataset: { field: 'customer_ids' } }),
    usageLimit: intIn({ name: 'usage_limit', min: 1, value: d.usage_limit ?? '', placeholder: 'unlimited', dataset: { field: 'usage_limit' } }),
    perCustomer: intIn({ name: 'per_customer_limit', min: 1, value: d.per_customer_limit ?? '', placeholder: 'unlimited', dataset: { field: 'per_customer_limit' } }),
    combinable: h('input', { type: 'checkbox', name: 'combinable', checked: d.combinable !== false, dataset: { field: 'combinable' } }),
    active: h('input', { type: 'checkbox', name: 'active', checked: d.active !== false, dataset: { field: 'active' } }),
  };
  f.code.addEventListener('blur', () => { f.code.value = f.code.value.trim().toUpperCase(); });
  const chosenCats = new Set(d.scope === 'categories' ? (d.scope_ids || []).map(String) : []);
  const catBoxes = cats.map((c) => {
    const box = h('input', { type: 'checkbox', value: c.id, checked: chosenCats.has(c.id), id: nextId('cat') });
    return h('li', { style: `padding-left:${c.depth * 1.1}rem` }, h('div', { class: 'check' }, box, h('label', { for: box.id }, c.name)));
  });
  const catField = h('fieldset', { class: 'field cat-pick', dataset: { field: 'scope_ids' } }, h('legend', null, 'Categories (their subcategories are included)'),
    h('ul', { class: 'plain cat-pick-list' }, catBoxes));
  const idsField = fld('Product IDs', f.ids, { hint: 'Comma-separated, as in the product list (the number in /admin/products/12).' });
  const idsLabel = idsField.querySelector('label');
  const idsPreview = h('p', { class: 'muted small ids-preview', 'aria-live': 'polite' });
  idsField.append(idsPreview);
  let previewSeq = 0;
  const preview = async () => {
    const seq = ++previewSeq;
    if (f.scope.value !== 'products') return mount(idsPreview);
    const ids = idList(f.ids.value).slice(0, 8);
    if (!ids.length) return mount(idsPreview);
    const names = await Promise.all(ids.map((x) => api('GET', '/products/' + encodeURIComponent(x)).then((p) => p.name).catch(() => `no product ${x}`)));
    if (seq === previewSeq) mount(idsPreview, names.join(' · '));
  };
  f.ids.addEventListener('change', preview);

  const percentField = fld('Percent off', f.percent, { hint: 'For example 10 for 10 % or 12.5 for 12.5 %.' });
  const amountField = fld('Amount off', f.amount, { hint: 'Taken off the qualifying items once per order.' });
  const buyField = fld('Customer buys (items)', f.buy);
  const getField = fld('Customer gets (items)', f.get, { hint: 'The cheapest qualifying items get the discount.' });
  const codeField = fld('Code', f.code, { hint: 'What the shopper types in the cart: letters, digits, - and _.' });
  const syncForm = () => {
    const t = f.type.value;
    percentField.hidden = !(t === 'percentage' || t === 'buy_x_get_y');
    percentField.querySelector('label').firstChild.textContent = t === 'buy_x_get_y' ? 'Discount on the items they get (%)' : 'Percent off';
    if (t === 'buy_x_get_y' && !f.percent.value) f.percent.value = '100';
    amountField.hidden = t !== 'fixed_amount';
    buyField.hidden = getField.hidden = t !== 'buy_x_get_y';
    const s = f.scope.value;
    catField.hidden = s !== 'categories';
    idsField.hidden = !(s === 'products' || s === 'variants');
    idsLabel.textContent = s === 'variants' ? 'Variant IDs' : 'Product IDs';
    codeField.hidden = f.kindAuto.checked;
    preview();
  };
  for (const el of [f.type, f.scope, f.kindCode, f.kindAuto]) el.addEventListener('change', syncForm);

  const msg = h('div', { class: 'form-msg', role: 'alert', id: 'discount-form-msg' });
  const btn = h('button', { type: 'submit', class: 'btn primary', id: 'save-discount' }, isNew ? 'Create discount' : 'Save changes');
  const usage = d.usage || null;
  const form = h('form', { class: 'card admin-form pricing-form', id: 'discount-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    mount(msg);
    clearErrors(form);
    const auto = f.kindAuto.checked;
    const code = f.code.value.trim().toUpperCase();
    if (!auto && !code) return localError(form, msg, 'code', 'Enter the code shoppers type, or choose an automatic promotion.');
    if (!auto && !/^[A-Z0-9_-]{1,50}$/.test(code)) return localError(form, msg, 'code', 'A code is letters, digits, - and _ only (up to 50).');
    if (!f.name.value.trim()) return localError(form, msg, 'name', 'Give the discount a name: shoppers see it in their cart.');
    const t = f.type.value;
    const body = {
      code: auto ? null : code,
      name: f.name.value.trim(),
      type: t,
      scope: f.scope.value,
      scope_ids: [],
      min_subtotal: num(f.minSubtotal.value) ?? 0,
      min_quantity: num(f.minQty.value) ?? 0,
      starts_at: f.starts.value ? isoNoMillis(new Date(f.starts.value)) : null,
      ends_at: f.ends.value ? isoNoMillis(new Date(f.ends.value)) : null,
      first_order_only: f.firstOrder.checked,
      customer_ids: idList(f.customers.value),
      usage_limit: num(f.usageLimit.value),
      per_customer_limit: num(f.perCustomer.value),
      combinable: f.combinable.checked,
      active: f.active.checked,
    };
    if (t === 'percentage' || t === 'buy_x_get_y') {
      const p = parseFloat(String(f.percent.value).replace(',', '.'));
      if (!(p > 0 && p <= 100)) return localError(form, msg, 'percent_bp', 'Enter a percentage between 0.01 and 100.');
      body.percent_bp = pctToBp(f.percent.value);
    }
    if (t === 'fixed_amount') {
      if (!(Number(f.amount.value) > 0)) return localError(form, msg, 'amount', 'Enter the amount to take off, for example 5.00.');
      body.amount = Number(f.amount.value);
    }
    if (t === 'buy_x_get_y') {
      if (!(Number(f.buy.value) >= 1)) return localError(form, msg, 'buy_quantity', 'Enter how many items the customer buys (1 or more).');
      if (!(Number(f.get.value) >= 1)) return localError(form, msg, 'get_quantity', 'Enter how many items the customer gets (1 or more).');
      body.buy_quantity = Number(f.buy.value);
      body.get_quantity = Number(f.get.value);
    }
    if (body.scope === 'categories') body.scope_ids = catBoxes.map((li) => li.querySelector('input')).filter((b) => b.checked).map((b) => b.value);
    else if (body.scope !== 'order') body.scope_ids = idList(f.ids.value);
    if (body.scope !== 'order' && !body.scope_ids.length) return localError(form, msg, 'scope_ids', `Choose at least one ${body.scope === 'categories' ? 'category' : body.scope === 'variants' ? 'variant' : 'product'}.`);
    if (body.starts_at && body.ends_at && Date.parse(body.ends_at) <= Date.parse(body.starts_at)) return localError(form, msg, 'ends_at', 'The end must be after the start.');
    setBusy(btn, true, 'Saving…');
    try {
      const saved = await asend(isNew ? 'POST' : 'PATCH', isNew ? '/admin/discounts' : '/admin/discounts/' + encodeURIComponent(id), body);
      const sd = (saved && (saved.discount || saved)) || {};
      toast(isNew ? 'Discount created' : 'Changes saved');
      navigate('/admin/discounts' + qs({ saved: sd.id }), { replace: !isNew });
    } catch (err) {
      setBusy(btn, false);
      showSaveError(form, msg, err);
    }
  } },
  h('fieldset', { class: 'form-section' }, h('legend', null, 'Discount'),
    h('div', { class: 'kind-choice', role: 'radiogroup', 'aria-label': 'How it applies' },
      h('div', { class: 'check' }, f.kindCode, h('label', { for: f.kindCode.id = nextId('k') }, 'A code the shopper enters')),
      h('div', { class: 'check' }, f.kindAuto, h('label', { for: f.kindAuto.id = nextId('k') }, 'Automatic promotion (applies without a code)'))),
    h('div', { class: 'grid-form' }, codeField, fld('Name', f.name, { hint: 'Shown on the cart’s summary line.' }))),
  h('fieldset', { class: 'form-section' }, h('legend', null, 'Value'),
    h('div', { class: 'grid-form' }, fld('Type', f.type), percentField, amountField, buyField, getField)),
  h('fieldset', { class: 'form-section' }, h('legend', null, 'Applies to'),
    h('div', { class: 'grid-form' }, fld('Items', f.scope)), catField, idsField),
  h('fieldset', { class: 'form-section' }, h('legend', null, 'Conditions'),
    h('div', { class: 'grid-form' },
      fld('Minimum order subtotal', f.minSubtotal, { hint: 'Sale prices, before discounts. Empty: no minimum.' }),
      fld('Minimum quantity', f.minQty, { hint: 'Qualifying items in the cart.' }),
      fld('Starts', f.starts, { hint: 'Empty: from now.' }),
      fld('Ends', f.ends, { hint: 'Empty: no end.' }),
      fld('Only for customer IDs', f.customers, { hint: 'Comma-separated. Empty: every customer.' })),
    check('First order only', f.firstOrder, 'Only customers without an earlier order.')),
  h('fieldset', { class: 'form-section' }, h('legend', null, 'Limits'),
    h('div', { class: 'grid-form' },
      fld('Total uses', f.usageLimit, { hint: 'Empty: unlimited.' }),
      fld('Uses per customer', f.perCustomer, { hint: 'Empty: unlimited.' })),
    check('Can be combined with other discounts', f.combinable, 'When not, the shopper gets whichever is worth more.'),
    check('Active', f.active, 'Turn off to pause the discount without deleting it.')),
  usage ? h('p', { class: 'usage-line', id: 'discount-usage' }, h('strong', null, 'Usage: '),
    `${usage.total ?? 0} used (${usage.kept ?? 0} in orders, ${usage.held ?? 0} held by checkouts in progress)`,
    usage.remaining === null || usage.remaining === undefined ? ' · no limit' : ` · ${usage.remaining} left`) : null,
  msg,
  h('div', { class: 'row gap' }, btn, h('a', { class: 'btn ghost', href: '/admin/discounts' }, 'Cancel')));
  syncForm();
  const [st, stLabel] = isNew ? [null, null] : discountStatus(d);
  shell(main, 'discounts', isNew ? 'New discount' : 'Edit discount',
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '/admin/discounts' }, 'Discounts'), ' › ', isNew ? 'New' : (d.code || d.name)),
    st ? h('p', null, h('span', { class: 'status-badge st-' + st }, stLabel), ' ', h('span', { class: 'muted' }, discountValue(d))) : null,
    form);
}

// ======================================================================
// Shipping zones
// ======================================================================

const METHOD_TYPE = { flat: 'Flat rate', weight: 'By weight', free_over: 'Free over an amount', pickup: 'Pickup (free)' };

function regionText(r) {
  if (!r.country || r.country === '*') return 'Everywhere else';
  return [r.country, r.state, r.zip_prefix ? `ZIP ${r.zip_prefix}…` : ''].filter(Boolean).join(' · ');
}
function daysText(m) {
  if (m.min_days === undefined && m.max_days === undefined) return '';
  return Number(m.min_days) === Number(m.max_days) ? `${m.max_days} ${Number(m.max_days) === 1 ? 'day' : 'days'}` : `${m.min_days}–${m.max_days} days`;
}
function methodPrice(m, currency) {
  switch (m.type) {
    case 'pickup': return 'Free';
    case 'free_over': return `${Number(m.price) ? money(m.price, currency) : 'Free'}, free over ${money(m.free_over, currency)}`;
    case 'weight': return (m.tiers || []).map((t) => `≤ ${Number(t.up_to_grams).toLocaleString('en-US')} g ${money(t.price, currency)}`).join(' · ') || 'no tiers';
    default: return Number(m.price) ? money(m.price, currency) : 'Free';
  }
}
function taxText(z) {
  const rates = z.tax_rates || [];
  if (!rates.length) return 'No tax';
  return rates.map((r) => `${r.name} ${pctText(r.rate_bp)}${r.category_id ? ' (one category)' : ''}`).join(', ') + (z.prices_include_tax ? ' · included in prices' : '') + (z.tax_shipping ? ' · on shipping too' : '');
}

function zoneCard(z, { builtIn, onDelete } = {}) {
  const methods = z.methods || [];
  return h('section', { class: 'card zone-card', dataset: { zoneId: z.id ?? 'default' }, 'aria-labelledby': `zone-h-${z.id ?? 'default'}` },
    h('div', { class: 'zone-head' },
      h('h2', { id: `zone-h-${z.id ?? 'default'}` }, z.name || 'Zone', builtIn ? h('span', { class: 'tag' }, 'Built in') : null),
      builtIn ? h('a', { class: 'btn small', href: '/admin/shipping/new?copy=default' }, 'Copy into a new zone')
        : h('div', { class: 'row gap' },
          h('a', { class: 'btn small', href: '/admin/shipping/' + z.id, 'aria-label': `Edit zone ${z.name}` }, 'Edit'),
          h('button', { type: 'button', class: 'btn small ghost danger', 'aria-label': `Delete zone ${z.name}`, onclick: onDelete }, 'Delete'))),
    builtIn ? h('p', { class: 'muted small' }, 'From the server’s config. It applies while no zone is stored; the first zone you create replaces it.') : null,
    h('p', { class: 'zone-regions' }, h('strong', null, 'Ships to: '), (z.regions || []).length ? z.regions.map((r) => h('span', { class: 'chip region-chip' }, regionText(r))) : h('span', { class: 'muted' }, 'no regions yet')),
    methods.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'data zone-methods' },
      h('thead', null, h('tr', null, ['Method', 'Type', 'Price', 'Delivery'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, methods.map((m) => h('tr', null,
        h('td', null, m.name, h('div', { class: 'muted small' }, m.id)),
        h('td', null, METHOD_TYPE[m.type] || m.type),
        h('td', null, methodPrice(m)),
        h('td', null, daysText(m)))))))
      : h('p', { class: 'muted' }, 'No shipping methods: shoppers in this zone cannot check out.'),
    h('p', { class: 'muted small zone-tax' }, 'Tax: ', taxText(z), ' · ', h('a', { href: '/admin/tax' }, 'Edit tax')));
}

export async function zones(main, _m, _p, alive) {
  if (!(await gate(main))) return;
  const data = await aget('/admin/shipping-zones');
  if (!alive()) return;
  const list = (data.zones || []).slice().sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  const reload = () => zones(main, _m, _p, alive);
  const del = (z) => async (e) => {
    const btn = e.currentTarget;
    if (!confirm(`Delete the zone “${z.name}” with its methods and tax rates?`)) return;
    setBusy(btn, true);
    try {
      await asend('DELETE', '/admin/shipping-zones/' + encodeURIComponent(z.id));
      toast('Zone deleted');
      reload();
    } catch (err) {
      setBusy(btn, false);
      toast(merchantMessage(err, ''), 'error');
    }
  };
  shell(main, 'shipping', 'Shipping',
    h('div', { class: 'toolbar' },
      h('p', { class: 'muted' }, 'An address belongs to the zone with its most specific region (ZIP prefix, then state, then country, then “everywhere else”).'),
      h('a', { class: 'btn primary', href: '/admin/shipping/new' }, '+ New zone')),
    h('div', { id: 'zone-list' },
      list.map((z) => zoneCard(z, { onDelete: del(z) })),
      !list.length && data.default_zone ? zoneCard(data.default_zone, { builtIn: true }) : null,
      !list.length && !data.default_zone ? h('div', { class: 'card state empty' }, h('p', null, 'No shipping zones yet: create one so shoppers can check out.')) : null));
}

// One editable row of a list (regions, tiers, rates): a wrap of fields and
// a remove button. `make(values, n)` returns { el, fields: {key: input} }.
function rowList(items, make, { addLabel, min = 0, cls = '' }) {
  const box = h('div', { class: 'row-list ' + cls });
  const rows = [];
  const renumber = () => rows.forEach((r, i) => r.number(i + 1));
  const add = (values = {}) => {
    const r = make(values, rows.length + 1);
    const removeBtn = h('button', { type: 'button', class: 'btn small ghost danger row-remove', onclick: () => {
      if (rows.length <= min) return;
      rows.splice(rows.indexOf(r), 1);
      r.el.remove();
      renumber();
    } }, '✕', h('span', { class: 'sr-only' }, ' Remove'));
    r.removeBtn = removeBtn;
    r.el.append(removeBtn);
    rows.push(r);
    box.append(r.el);
    renumber();
    return r;
  };
  for (const it of items) add(it);
  const addBtn = h('button', { type: 'button', class: 'btn small', onclick: () => { const r = add(); const first = r.el.querySelector('input, select'); if (first) first.focus(); } }, addLabel);
  return { el: h('div', null, box, addBtn), rows, add };
}

function regionRow(r = {}) {
  const country = h('input', { value: r.country || '', maxlength: 2, placeholder: 'US or *', autocapitalize: 'characters', class: 'short' });
  const state = h('input', { value: r.state || '', maxlength: 10, placeholder: 'any', class: 'short' });
  const zip = h('input', { value: r.zip_prefix || '', maxlength: 20, placeholder: 'any', class: 'short' });
  const fC = fld('Country', country, { cls: 'f-country' });
  const fS = fld('State', state, { cls: 'f-state' });
  const fZ = fld('ZIP prefix', zip, { cls: 'f-zip' });
  const el = h('div', { class: 'edit-row region-row' }, fC, fS, fZ);
  return {
    el,
    number(n) {
      el.dataset.field = `regions.${n - 1}`;
      for (const [f, name, key] of [[fC, 'Country', 'country'], [fS, 'State', 'state'], [fZ, 'ZIP prefix', 'zip_prefix']]) {
        mount(f.querySelector('label'), name, h('span', { class: 'sr-only' }, ` (region ${n})`));
        f.querySelector('input').dataset.field = `regions.${n - 1}.${key}`;
      }
      this.removeBtn && this.removeBtn.setAttribute('aria-label', `Remove region ${n}`);
    },
    value: () => ({ country: country.value.trim().toUpperCase(), state: state.value.trim().toUpperCase(), zip_prefix: zip.value.trim() }),
  };
}

function tierRow(t = {}, _n, methodNo) {
  const upTo = intIn({ value: t.up_to_grams ?? '', min: 1, placeholder: '1000', class: 'short' });
  const price = amountIn({ value: t.price ?? '', class: 'short' });
  const fU = fld('Up to (grams)', upTo);
  const fP = fld('Price', price);
  const el = h('div', { class: 'edit-row tier-row' }, fU, fP);
  return {
    el,
    number(n) {
      mount(fU.querySelector('label'), 'Up to (grams)', h('span', { class: 'sr-only' }, ` (method ${methodNo()}, tier ${n})`));
      mount(fP.querySelector('label'), 'Price', h('span', { class: 'sr-only' }, ` (method ${methodNo()}, tier ${n})`));
      upTo.dataset.tier = String(n - 1);
      price.dataset.tier = String(n - 1);
      this.removeBtn && this.removeBtn.setAttribute('aria-label', `Remove tier ${n}`);
    },
    inputs: { upTo, price },
    value: () => ({ up_to_grams: num(upTo.value), price: num(price.value) ?? 0 }),
  };
}

function methodRow(m = {}) {
  let no = 1;
  const idIn = h('input', { value: m.id || '', maxlength: 40, placeholder: 'made from the name', class: 'f-id-input' });
  const name = h('input', { value: m.name || '', maxlength: 100, placeholder: 'Standard' });
  const type = h('select', null, Object.entries(METHOD_TYPE).map(([v, l]) => h('option', { value: v, selected: (m.type || 'flat') === v }, l)));
  const price = amountIn({ value: m.price ?? '' });
  const freeOver = amountIn({ value: m.free_over ?? '' });
  const minDays = intIn({ value: m.min_days ?? '', class: 'short' });
  const maxDays = intIn({ value: m.max_days ?? '', class: 'short' });
  const tiers = rowList(m.tiers || [], (t, n) => tierRow(t, n, () => no), { addLabel: '+ Add weight tier', cls: 'tiers' });
  const f = {
    name: fld('Name', name), id: fld('ID', idIn, { hint: 'Lowercase letters, digits, - and _; unique in the shop.' }),
    type: fld('Type', type), price: fld('Price', price), freeOver: fld('Free when the order is over', freeOver),
    minDays: fld('Delivery from (days)', minDays), maxDays: fld('Delivery to (days)', maxDays),
  };
  const tiersBox = h('fieldset', { class: 'tiers-box' }, h('legend', null, 'Weight tiers'), h('p', { class: 'muted small' }, 'The first tier the cart’s weight fits sets the price; a heavier cart cannot use this method.'), tiers.el);
  const legend = h('legend', null, 'Method');
  const el = h('fieldset', { class: 'method-box' }, legend,
    h('div', { class: 'grid-form' }, f.name, f.id, f.type, f.price, f.freeOver, f.minDays, f.maxDays), tiersBox);
  const syncType = () => {
    const t = type.value;
    f.price.hidden = t === 'pickup' || t === 'weight';
    f.freeOver.hidden = t !== 'free_over';
    tiersBox.hidden = t !== 'weight';
    if (t === 'weight' && !tiers.rows.length) tiers.add();
  };
  type.addEventListener('change', syncType);
  syncType();
  const labelled = [[f.name, 'Name', 'name'], [f.id, 'ID', 'id'], [f.type, 'Type', 'type'], [f.price, 'Price', 'price'], [f.freeOver, 'Free when the order is over', 'free_over'],
    [f.minDays, 'Delivery from (days)', 'min_days'], [f.maxDays, 'Delivery to (days)', 'max_days']];
  return {
    el,
    number(n) {
      no = n;
      el.dataset.field = `methods.${n - 1}`;
      mount(legend, `Method ${n}`);
      for (const [wrap, label, key] of labelled) {
        mount(wrap.querySelector('label'), label, h('span', { class: 'sr-only' }, ` (method ${n})`));
        wrap.querySelector('input, select').dataset.field = `methods.${n - 1}.${key}`;
      }
      tiers.rows.forEach((r, i) => {
        r.number(i + 1);
        r.inputs.upTo.dataset.field = `methods.${n - 1}.tiers.${i}.up_to_grams`;
        r.inputs.price.dataset.field = `methods.${n - 1}.tiers.${i}.price`;
      });
      tiersBox.dataset.field = `methods.${n - 1}.tiers`;
      this.removeBtn && this.removeBtn.setAttribute('aria-label', `Remove method ${n}`);
      this.removeBtn && mount(this.removeBtn, 'Remove method');
    },
    value() {
      const t = type.value;
      // no id: the server derives one from the name (unique in the shop)
      const out = { id: idIn.value.trim() || undefined, name: name.value.trim(), type: t, min_days: num(minDays.value) ?? 0, max_days: num(maxDays.value) ?? num(minDays.value) ?? 0 };
      if (t === 'flat' || t === 'free_over') out.price = num(price.value) ?? 0;
      if (t === 'free_over') out.free_over = num(freeOver.value) ?? 0;
      if (t === 'weight') out.tiers = tiers.rows.map((r) => r.value()).filter((x) => x.up_to_grams !== null).sort((a, b) => a.up_to_grams - b.up_to_grams);
      if (t === 'pickup') out.price = 0;
      return out;
    },
  };
}

export async function zoneEdit(main, [id], params, alive) {
  if (!(await gate(main))) return;
  const isNew = id === 'new';
  let z;
  if (isNew) {
    z = { name: '', position: 0, regions: [{ country: 'US' }], methods: [{ name: 'Standard', type: 'flat', min_days: 3, max_days: 5 }] };
    if (params.get('copy') === 'default') {
      const all = await aget('/admin/shipping-zones').catch(() => ({}));
      if (all.default_zone) z = { ...all.default_zone, name: all.default_zone.name || 'Default', id: undefined };
    }
  } else {
    z = await aget('/admin/shipping-zones/' + encodeURIComponent(id)).then((r) => r.zone || r);
  }
  if (!alive()) return;
  const name = h('input', { value: z.name || '', maxlength: 100, required: true, placeholder: 'United States', dataset: { field: 'name' } });
  const position = intIn({ value: z.position ?? 0, dataset: { field: 'position' } });
  const regions = rowList(z.regions && z.regions.length ? z.regions : [{}], (r) => regionRow(r), { addLabel: '+ Add region', cls: 'regions' });
  const methods = rowList(z.methods || [], (m) => methodRow(m), { addLabel: '+ Add shipping method', cls: 'methods' });
  const msg = h('div', { class: 'form-msg', role: 'alert', id: 'zone-form-msg' });
  const btn = h('button', { type: 'submit', class: 'btn primary', id: 'save-zone' }, isNew ? 'Create zone' : 'Save changes');
  const form = h('form', { class: 'card admin-form pricing-form', id: 'zone-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    mount(msg);
    clearErrors(form);
    // (re)tag the fields with their paths so an API error finds its input
    regions.rows.forEach((r, i) => r.number(i + 1));
    methods.rows.forEach((r, i) => r.number(i + 1));
    if (!name.value.trim()) return localError(form, msg, 'name', 'Give the zone a name, for example “United States”.');
    const body = {
      name: name.value.trim(),
      position: num(position.value) ?? 0,
      regions: regions.rows.map((r) => r.value()).filter((r) => r.country || r.state || r.zip_prefix),
      methods: methods.rows.map((r) => r.value()),
    };
    for (const [i, r] of body.regions.entries()) {
      if (!/^([A-Z]{2}|\*)$/.test(r.country)) return localError(form, msg, `regions.${i}.country`, 'Enter a two-letter country code (US, DE…) or * for everywhere else.');
    }
    if (!body.regions.length) return localError(form, msg, 'regions.0.country', 'Add at least one region the zone ships to.');
    for (const [i, m] of body.methods.entries()) {
      if (!m.name) return localError(form, msg, `methods.${i}.name`, 'Give the shipping method a name, for example “Standard”.');
      if (m.max_days < m.min_days) return localError(form, msg, `methods.${i}.max_days`, 'The latest delivery day cannot be before the earliest.');
      if (m.type === 'weight' && !(m.tiers || []).length) return localError(form, msg, `methods.${i}.tiers.0.up_to_grams`, 'Add at least one weight tier.');
    }
    if (isNew && z.tax_rates) {
      body.tax_rates = z.tax_rates;
      body.tax_shipping = !!z.tax_shipping;
      body.prices_include_tax = !!z.prices_include_tax;
    }
    setBusy(btn, true, 'Saving…');
    try {
      await asend(isNew ? 'POST' : 'PATCH', isNew ? '/admin/shipping-zones' : '/admin/shipping-zones/' + encodeURIComponent(id), body);
      toast(isNew ? 'Zone created' : 'Changes saved');
      navigate('/admin/shipping');
    } catch (err) {
      setBusy(btn, false);
      showSaveError(form, msg, err);
    }
  } },
  h('fieldset', { class: 'form-section' }, h('legend', null, 'Zone'),
    h('div', { class: 'grid-form' }, fld('Zone name', name), fld('Position', position, { hint: 'Order in the list; lower comes first.' }))),
  h('fieldset', { class: 'form-section' }, h('legend', null, 'Regions'),
    h('p', { class: 'muted small' }, 'Country as two letters (US, DE) or * for everywhere no other zone serves; a state (WA) or ZIP prefix (981) narrows it.'),
    regions.el),
  h('fieldset', { class: 'form-section' }, h('legend', null, 'Shipping methods'), methods.el),
  msg,
  h('div', { class: 'row gap' }, btn, h('a', { class: 'btn ghost', href: '/admin/shipping' }, 'Cancel')));
  shell(main, 'shipping', isNew ? 'New shipping zone' : 'Edit shipping zone',
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '/admin/shipping' }, 'Shipping'), ' › ', isNew ? 'New zone' : z.name),
    form);
}

// ======================================================================
// Tax (each zone's rates, saved with the zone's PATCH)
// ======================================================================

function rateRow(r, cats, zoneName) {
  const name = h('input', { value: r.name || '', maxlength: 100, placeholder: 'Sales tax' });
  const rate = h('input', { type: 'number', min: 0, max: 100, step: '0.001', inputmode: 'decimal', value: bpToPct(r.rate_bp), class: 'short' });
  const cat = h('select', null, h('option', { value: '' }, 'All products'),
    cats.map((c) => h('option', { value: c.id, selected: String(r.category_id ?? '') === c.id }, '  '.repeat(c.depth) + (c.depth ? '└ ' : '') + c.name)));
  const fN = fld('Tax name', name);
  const fR = fld('Rate (%)', rate);
  const fC = fld('Applies to', cat);
  const el = h('div', { class: 'edit-row rate-row' }, fN, fR, fC);
  return {
    el,
    number(n) {
      el.dataset.field = `tax_rates.${n - 1}`;
      for (const [wrap, label, key] of [[fN, 'Tax name', 'name'], [fR, 'Rate (%)', 'rate_bp'], [fC, 'Applies to', 'category_id']]) {
        mount(wrap.querySelector('label'), label, h('span', { class: 'sr-only' }, ` (${zoneName}, rate ${n})`));
        wrap.querySelector('input, select').dataset.field = `tax_rates.${n - 1}.${key}`;
      }
      this.removeBtn && this.removeBtn.setAttribute('aria-label', `Remove rate ${n} of ${zoneName}`);
    },
    value: () => ({ name: name.value.trim(), rate_bp: rate.value === '' ? null : pctToBp(rate.value), category_id: cat.value || null }),
  };
}

function taxForm(z, cats, onSaved) {
  const builtIn = z.id === undefined || z.id === null;
  const rates = rowList(z.tax_rates || [], (r) => rateRow(r, cats, z.name), { addLabel: '+ Add tax rate', cls: 'rates' });
  const shipTax = h('input', { type: 'checkbox', checked: !!z.tax_shipping, dataset: { field: 'tax_shipping' } });
  const incl = h('input', { type: 'checkbox', checked: !!z.prices_include_tax, dataset: { field: 'prices_include_tax' } });
  const msg = h('div', { class: 'form-msg', role: 'alert' });
  const btn = h('button', { type: 'submit', class: 'btn primary' }, 'Save tax for ', z.name);
  const hid = `tax-h-${z.id ?? 'default'}`;
  const form = h('form', { class: 'card admin-form tax-form', novalidate: true, dataset: { zoneId: z.id ?? 'default' }, 'aria-labelledby': hid, onsubmit: async (e) => {
    e.preventDefault();
    mount(msg);
    clearErrors(form);
    rates.rows.forEach((r, i) => r.number(i + 1));
    const body = { tax_rates: rates.rows.map((r) => r.value()), tax_shipping: shipTax.checked, prices_include_tax: incl.checked };
    for (const [i, r] of body.tax_rates.entries()) {
      if (!r.name) return localError(form, msg, `tax_rates.${i}.name`, 'Give the rate a name shoppers see, for example “WA sales tax” or “VAT”.');
      if (r.rate_bp === null || !(r.rate_bp >= 0 && r.rate_bp <= 10000)) return localError(form, msg, `tax_rates.${i}.rate_bp`, 'Enter a rate between 0 and 100 %.');
    }
    setBusy(btn, true, 'Saving…');
    try {
      await asend('PATCH', '/admin/shipping-zones/' + encodeURIComponent(z.id), body);
      toast(`Tax for ${z.name} saved`);
      onSaved();
    } catch (err) {
      setBusy(btn, false);
      showSaveError(form, msg, err);
    }
  } },
  h('div', { class: 'zone-head' }, h('h2', { id: hid }, z.name, builtIn ? h('span', { class: 'tag' }, 'Built in') : null)),
  h('p', { class: 'muted small' }, (z.regions || []).map(regionText).join(' · ') || 'no regions'),
  builtIn ? h('p', { class: 'muted' }, 'The built-in zone’s tax comes from the server’s config: ', taxText(z), '. Create a zone in ', h('a', { href: '/admin/shipping' }, 'Shipping'), ' to set rates here.') : [
    h('p', { class: 'muted small' }, 'General rates apply to every product; a rate for a category replaces them for its products (and its subcategories).'),
    rates.el,
    check('Charge tax on shipping', shipTax, 'Shipping is taxed at the general rates.'),
    check('Prices include tax (VAT)', incl, 'Catalog prices already contain the tax: the cart shows “incl. VAT” instead of adding it.'),
    msg, btn]);
  if (builtIn) for (const el of form.querySelectorAll('input, select, button')) el.disabled = true;
  return form;
}

export async function tax(main, _m, _p, alive) {
  if (!(await gate(main))) return;
  const [data, cats] = await Promise.all([aget('/admin/shipping-zones'), categoryOptions()]);
  if (!alive()) return;
  const list = (data.zones || []).slice().sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  const reload = () => tax(main, _m, _p, alive);
  shell(main, 'tax', 'Tax',
    h('p', { class: 'muted' }, 'Tax is set per shipping zone: the zone of the shopper’s address decides the rates.'),
    list.length ? list.map((z) => taxForm(z, cats, reload))
      : [data.default_zone ? taxForm(data.default_zone, cats, reload) : null,
        h('div', { class: 'card state empty' }, h('p', null, 'No shipping zones yet. ', h('a', { href: '/admin/shipping/new' }, 'Create a zone'), ' to set its tax rates.'))]);
}
