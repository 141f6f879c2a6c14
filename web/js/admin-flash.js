// Admin: create, change and end flash sales. Loaded only on
// /admin/flash-sales (app.js), so shoppers never download it.
import { api, h, mount, money, notice, humanError, toast, setBusy, field, dateTime, qs } from './lib.js';
import { navigate } from './session.js';
import { gate, shell } from './admin.js';
import { unitsLeft } from './flash.js';

const A = { admin: true };

function isoNoMillis(d) {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
function localInput(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// The product a sale sells, found by name, brand or SKU among the products
// for sale (GET /admin/products?status=active), then its variant when it
// has several: a list of every product would not scale past a few hundred.
function productPicker() {
  const search = h('input', { id: 'fs-find', type: 'search', placeholder: 'Name, brand or SKU', autocomplete: 'off' });
  const product = h('select', { id: 'fs-product', required: true }, h('option', { value: '' }, 'Search for a product first'));
  const variant = h('select', { id: 'fs-variant' });
  const variantField = field('Variant', variant);
  variantField.hidden = true;
  const found = h('p', { class: 'muted small', id: 'fs-found', 'aria-live': 'polite' });
  let results = [];
  const find = async () => {
    const q = search.value.trim();
    if (!q) return;
    const d = await api('GET', '/admin/products' + qs({ q, status: 'active', size: 25 }), undefined, A);
    results = d.products || [];
    mount(product, results.length ? null : h('option', { value: '' }, 'No product matches'),
      results.map((p) => h('option', { value: p.product_id }, `${p.name} — ${money(p.price, p.currency)} (${p.available} in stock)`)));
    found.textContent = d.total > results.length ? `${d.total} match; the first ${results.length} are listed` : `${results.length} ${results.length === 1 ? 'match' : 'matches'}`;
    await showVariants();
  };
  const showVariants = async () => {
    const chosen = results.find((p) => p.product_id === product.value);
    variantField.hidden = !chosen || Number(chosen.variants_count) <= 1;
    if (variantField.hidden) return;
    const p = await api('GET', '/products/' + chosen.product_id, undefined, A);
    mount(variant, (p.variants || []).map((v) => h('option', { value: v.variant_id }, `${v.title} — ${money(v.price.final_price, p.price.currency)} (${v.inventory.available} in stock)`)));
  };
  search.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); find(); } });
  product.addEventListener('change', showVariants);
  const el = h('div', { class: 'product-picker' },
    h('div', { class: 'row gap' }, field('Find a product', search), h('button', { type: 'button', class: 'btn', id: 'fs-find-btn', onclick: find }, 'Find')),
    found, field('Product', product), variantField);
  return { el, product, body: () => (variantField.hidden ? { product_id: product.value } : { variant_id: variant.value }) };
}

function newSaleForm() {
  const picker = productPicker();
  const price = h('input', { id: 'fs-price', type: 'number', min: '0.01', step: '0.01', inputmode: 'decimal', required: true });
  const qty = h('input', { id: 'fs-qty', type: 'number', min: 1, step: 1, value: 10, required: true });
  const limit = h('input', { id: 'fs-limit', type: 'number', min: 1, step: 1, value: 1, required: true });
  const now = new Date();
  const starts = h('input', { id: 'fs-starts', type: 'datetime-local', value: localInput(now), required: true });
  const ends = h('input', { id: 'fs-ends', type: 'datetime-local', value: localInput(new Date(now.getTime() + 3600 * 1000)), required: true });
  const msg = h('div', { class: 'form-msg', role: 'alert' });
  const btn = h('button', { type: 'submit', class: 'btn primary' }, 'Create flash sale');
  return h('form', { class: 'card admin-form', id: 'flash-form', onsubmit: async (e) => {
    e.preventDefault();
    mount(msg);
    if (!picker.product.value) { picker.product.focus(); mount(msg, notice('Find and choose a product.', 'error')); return; }
    setBusy(btn, true, 'Creating…');
    try {
      const created = await api('POST', '/admin/flash-sales', {
        ...picker.body(), sale_price: price.value, quantity: Number(qty.value), per_user_limit: Number(limit.value),
        starts_at: isoNoMillis(new Date(starts.value)), ends_at: isoNoMillis(new Date(ends.value)),
      }, A);
      toast('Flash sale created');
      navigate('/admin/flash-sales?created=' + created.flash_sale_id, { replace: true });
    } catch (err) {
      setBusy(btn, false);
      mount(msg, notice(humanError(err), 'error'));
    }
  } },
  h('h2', null, 'New flash sale'),
  h('p', { class: 'muted small' }, 'The quantity leaves the product’s stock for the sale; unsold units go back when it ends.'),
  picker.el,
  h('div', { class: 'grid-form' }, field('Sale price', price), field('Quantity', qty), field('Limit per customer', limit),
    field('Starts', starts), field('Ends', ends)), msg, btn);
}

// A sale's row opens this form: before the start everything, once running
// only the end (the API's rule, PATCH /admin/flash-sales/{id}).
function changeForm(s, reload) {
  const scheduled = s.status === 'scheduled';
  const price = h('input', { type: 'number', min: '0', step: '0.01', value: s.sale_price, disabled: !scheduled, id: 'fs-edit-price-' + s.flash_sale_id });
  const limit = h('input', { type: 'number', min: 1, step: 1, value: s.per_user_limit, disabled: !scheduled, id: 'fs-edit-limit-' + s.flash_sale_id });
  const ends = h('input', { type: 'datetime-local', value: localInput(new Date(s.ends_at)), id: 'fs-edit-ends-' + s.flash_sale_id });
  const msg = h('div', { class: 'form-msg', role: 'alert' });
  const save = h('button', { type: 'submit', class: 'btn primary small' }, 'Save sale');
  return h('form', { class: 'card admin-form flash-edit', onsubmit: async (e) => {
    e.preventDefault();
    mount(msg);
    const body = { ends_at: isoNoMillis(new Date(ends.value)) };
    if (scheduled) Object.assign(body, { sale_price: price.value, per_user_limit: Number(limit.value) });
    setBusy(save, true, 'Saving…');
    try {
      await api('PATCH', '/admin/flash-sales/' + s.flash_sale_id, body, A);
      toast('Flash sale changed');
      reload();
    } catch (err) {
      setBusy(save, false);
      mount(msg, notice(humanError(err), 'error'));
    }
  } },
  h('div', { class: 'grid-form' }, field('Sale price', price), field('Limit per customer', limit), field('Ends', ends)),
  scheduled ? null : h('p', { class: 'muted small' }, 'The sale is running: shoppers in line joined for this price and limit, so only the end can change.'),
  msg, save);
}

async function endSale(s, btn, reload) {
  const what = s.status === 'scheduled' ? 'Cancel this flash sale? It will not open.' : 'End this flash sale now? Nobody else gets in; unsold units go back to stock.';
  if (!confirm(what)) return;
  setBusy(btn, true);
  try {
    await api('POST', `/admin/flash-sales/${s.flash_sale_id}/end`, {}, A);
    toast(s.status === 'scheduled' ? 'Flash sale cancelled' : 'Flash sale ended');
    reload();
  } catch (err) {
    setBusy(btn, false);
    toast(humanError(err), 'error');
  }
}

function salesTable(sales, reload) {
  if (!sales.length) return h('p', { class: 'muted' }, 'No current or upcoming flash sales.');
  const rows = [];
  for (const s of sales) {
    // The form is made when opened: one set of "Sale price"/"Ends" fields
    // on the page at a time, not one hidden set per sale.
    const cell = h('td', { colspan: 8 });
    const editRow = h('tr', { class: 'flash-edit-row', hidden: true }, cell);
    const editBtn = h('button', { type: 'button', class: 'btn small', 'aria-expanded': 'false', onclick: () => {
      editRow.hidden = !editRow.hidden;
      mount(cell, editRow.hidden ? null : changeForm(s, reload));
      editBtn.setAttribute('aria-expanded', String(!editRow.hidden));
    } }, 'Edit');
    const endBtn = h('button', { type: 'button', class: 'btn small ghost danger' }, s.status === 'scheduled' ? 'Cancel' : 'End now');
    endBtn.onclick = () => endSale(s, endBtn, reload);
    rows.push(h('tr', { 'data-sale': s.flash_sale_id },
      h('td', null, s.product_name || s.product_id),
      h('td', null, money(s.sale_price, s.currency), s.list_price ? h('div', { class: 'muted small' }, 'list ', money(s.list_price, s.currency)) : null),
      h('td', null, `${unitsLeft(s)} / ${s.quantity}`),
      h('td', null, String(s.sold)),
      h('td', null, String(s.queued)),
      h('td', null, h('span', { class: 'status-badge st-' + s.status }, s.status.replace('_', ' '))),
      h('td', null, dateTime(s.ends_at)),
      h('td', { class: 'actions' }, editBtn, endBtn, h('a', { class: 'btn small ghost', href: '/flash/' + s.flash_sale_id }, 'Sale page'))), editRow);
  }
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'admin-flash' },
    h('thead', null, h('tr', null, ['Product', 'Price', 'Left', 'Sold', 'In line', 'Status', 'Ends', ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, rows)));
}

export async function adminSales(main, _m, params, alive) {
  if (!(await gate(main))) return;
  const sales = await api('GET', '/flash-sales').then((d) => d.flash_sales || []);
  if (!alive()) return;
  const reload = () => adminSales(main, _m, params, alive);
  shell(main, 'flash', 'Flash sales', salesTable(sales, reload), newSaleForm());
}
