// The admin's variant editor on the product form: the options (name and
// comma-separated values, at most 3), "Generate variants" (every
// combination), and one plain table of the variants with their SKU, price,
// sale price, stock and image. Nothing is saved here: the product form
// sends body() with its one PATCH (or POST) of the product.
//
// Built for 100 variants: one table of inputs, no dialog per row, a sticky
// header, and "apply to all" for price and stock.
import { h, mount, notice, field } from './lib.js';
import { productImage } from './shop.js';

const MAX_OPTIONS = 3;
const lower = (s) => String(s ?? '').trim().toLowerCase();
const splitValues = (text) => String(text || '').split(',').map((s) => s.trim()).filter(Boolean);
const amount = (x) => (x === null || x === undefined ? '' : String(x));

function skuPart(s) {
  return String(s || '').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/[^A-Z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

// p: the product as GET /products/{id} gives it ({} for a new one).
// ctx: { priceInput, skuInput, nameInput, onMode(hasOptions) }
export function variantEditor(p, ctx) {
  let options = (p.options || []).map((o) => ({ name: o.name, values: (o.values || []).map(String) }));
  const valuesOf = (v) => options.map((o) => {
    const opts = v.options || {};
    const k = Object.keys(opts).find((key) => lower(key) === lower(o.name));
    return k === undefined ? null : String(opts[k]);
  });
  let rows = (p.variants || []).map((v) => ({
    variant_id: v.variant_id,
    values: valuesOf(v),
    sku: v.sku || '',
    price: amount(v.price && v.price.amount),
    sale_price: v.price && v.price.discount ? amount(v.price.discount.final_price) : '',
    stock: amount(v.inventory ? v.inventory.available : ''),
    stockDirty: false,
    image: v.image || '',
    isNew: false,
  }));
  const hadOptions = options.length > 0;
  let stale = false; // the options changed since the table was made

  const msg = h('div', { class: 'form-msg', id: 'variants-msg', role: 'status', 'aria-live': 'polite' });
  const optRows = h('div', { class: 'opt-rows' });
  const addOptBtn = h('button', { type: 'button', class: 'btn small', id: 'add-option', onclick: () => { readOptions(); options.push({ name: '', values: [] }); stale = true; renderOptions(); focusLastOption(); } }, '+ Add option');
  const genBtn = h('button', { type: 'button', class: 'btn small primary', id: 'generate-variants', onclick: () => generate() }, 'Generate variants');
  const count = h('p', { class: 'muted small', id: 'variants-count' });
  const tbody = h('tbody');
  const table = h('div', { class: 'table-wrap variant-table-wrap', id: 'variant-table-wrap' },
    h('table', { class: 'data variant-table', id: 'variant-table' },
      h('caption', { class: 'sr-only' }, 'Variants'),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, 'Variant'), h('th', { scope: 'col' }, 'SKU'), h('th', { scope: 'col' }, 'Price'),
        h('th', { scope: 'col' }, 'Sale price'), h('th', { scope: 'col' }, 'Stock'), h('th', { scope: 'col' }, 'Image URL'),
        h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Remove')))),
      tbody));
  const bulkPrice = h('input', { type: 'number', step: '0.01', min: 0, inputmode: 'decimal', id: 'bulk-price', class: 'bulk-input' });
  const bulkStock = h('input', { type: 'number', step: 1, min: 0, inputmode: 'numeric', id: 'bulk-stock', class: 'bulk-input' });
  const bulk = h('div', { class: 'variant-bulk' },
    h('span', { class: 'bulk-item' }, h('label', { for: 'bulk-price' }, 'Price for all variants'), bulkPrice,
      h('button', { type: 'button', class: 'btn small', onclick: () => applyAll('price', bulkPrice.value) }, 'Apply price')),
    h('span', { class: 'bulk-item' }, h('label', { for: 'bulk-stock' }, 'Stock for all variants'), bulkStock,
      h('button', { type: 'button', class: 'btn small', onclick: () => applyAll('stock', bulkStock.value) }, 'Apply stock')));

  // ---- options ----

  function readOptions() {
    options = [...optRows.querySelectorAll('.opt-row')].map((row) => ({
      name: row.querySelector('.opt-name').value.trim(),
      values: splitValues(row.querySelector('.opt-values-in').value),
    }));
  }
  function focusLastOption() {
    const names = optRows.querySelectorAll('.opt-name');
    if (names.length) names[names.length - 1].focus();
  }
  function renderOptions() {
    mount(optRows, options.map((o, i) => {
      const name = h('input', { class: 'opt-name', value: o.name, placeholder: i === 0 ? 'Color' : i === 1 ? 'Size' : 'Material', maxlength: 100 });
      const values = h('input', { class: 'opt-values-in', value: o.values.join(', '), placeholder: i === 0 ? 'Blue, Green' : i === 1 ? 'S, M, L' : 'Cotton, Linen' });
      name.addEventListener('change', () => { readOptions(); modeChanged(); });
      values.addEventListener('change', () => {
        const before = options[i] ? options[i].values : [];
        readOptions();
        const after = options[i].values;
        // same number of values: a rename, carried into the variants
        if (before.length === after.length) {
          for (const r of rows) {
            const k = before.findIndex((v) => lower(v) === lower(r.values[i]));
            if (k >= 0) r.values[i] = after[k];
          }
          renderRows();
        } else {
          stale = true;
          showStale();
        }
        modeChanged();
      });
      return h('div', { class: 'opt-row' },
        field(`Option ${i + 1} name`, name),
        field(`Option ${i + 1} values`, values, 'Comma-separated, in the order shoppers see them'),
        h('button', { type: 'button', class: 'btn small ghost danger', 'aria-label': `Remove option ${i + 1}${o.name ? ' (' + o.name + ')' : ''}`, onclick: () => removeOption(i) }, 'Remove'));
    }));
    addOptBtn.disabled = options.length >= MAX_OPTIONS;
    modeChanged();
  }
  function removeOption(i) {
    readOptions();
    options.splice(i, 1);
    for (const r of rows) r.values.splice(i, 1);
    // two variants that differed only in that option are now one
    const seen = new Set();
    rows = rows.filter((r) => {
      const k = r.values.map(lower).join('\u0001');
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    renderOptions();
    renderRows();
    mount(msg, notice(options.length ? 'Option removed. Check the variants, or generate them again.' : 'No options left: the product is sold as one item.', 'info'));
  }
  const activeOptions = () => options.filter((o) => o.name);
  let shown = false; // rows are in the table (only while there are options)
  function modeChanged() {
    const on = activeOptions().length > 0;
    if (on !== shown) {
      shown = on;
      fillRows();
    }
    table.hidden = !on || !rows.length;
    bulk.hidden = table.hidden;
    count.hidden = !on;
    if (ctx.onMode) ctx.onMode(on);
  }
  function showStale() {
    mount(msg, notice('The options changed: click “Generate variants” to make the variants match them.', 'info'));
  }

  function checkOptions(opts) {
    const names = new Set();
    for (const o of opts) {
      if (!o.name) return 'Give each option a name.';
      if (names.has(lower(o.name))) return `Two options are called “${o.name}”.`;
      names.add(lower(o.name));
      if (!o.values.length) return `Give “${o.name}” at least one value.`;
      const vals = new Set();
      for (const v of o.values) {
        if (vals.has(lower(v))) return `“${o.name}” has “${v}” twice.`;
        vals.add(lower(v));
      }
    }
    return null;
  }

  // ---- generate ----

  function newSku(values) {
    const base = skuPart(ctx.skuInput && ctx.skuInput.value) || skuPart(ctx.nameInput && ctx.nameInput.value).slice(0, 24);
    return base ? [base, ...values.map(skuPart)].join('-') : '';
  }
  function defaultPrice() {
    const prices = rows.map((r) => r.price).filter((x) => x !== '' && !isNaN(Number(x))).map(Number);
    if (prices.length) return String(Math.min(...prices));
    return ctx.priceInput ? ctx.priceInput.value : '';
  }
  function generate() {
    readOptions();
    const opts = options.filter((o) => o.name || o.values.length);
    const problem = checkOptions(opts);
    if (problem) return mount(msg, notice(problem, 'error'));
    if (!opts.length) return mount(msg, notice('Add an option (for example Size with S, M, L) first.', 'error'));
    options = opts;
    let combos = [[]];
    for (const o of options) combos = combos.flatMap((c) => o.values.map((v) => [...c, v]));
    const key = (vals) => vals.map(lower).join('\u0001');
    const have = new Map(rows.filter((r) => r.values.length === options.length && r.values.every((x) => x !== null)).map((r) => [key(r.values), r]));
    // a product that had no options: its one variant becomes the first combination
    const lone = rows.length === 1 && !hadOptions && rows[0].values.every((x) => x === null) ? rows[0] : null;
    const price = defaultPrice();
    let added = 0;
    const next = combos.map((values, n) => {
      const r = have.get(key(values));
      if (r) { r.values = values; return r; }
      if (n === 0 && lone) { lone.values = values; return lone; }
      added += 1;
      return { variant_id: null, values, sku: newSku(values), price, sale_price: '', stock: '0', stockDirty: true, image: '', isNew: true };
    });
    const removed = rows.filter((r) => !next.includes(r)).length;
    rows = next;
    stale = false;
    renderOptions();
    renderRows();
    const parts = [`${rows.length} ${rows.length === 1 ? 'variant' : 'variants'}`];
    if (added) parts.push(`${added} new`);
    if (removed) parts.push(`${removed} removed`);
    mount(msg, notice(parts.join(', ') + '. Set their prices and stock, then save.', 'ok'));
    if (rows.length > 100) mount(msg, notice(`${rows.length} variants: the shop allows at most 100 per product by default.`, 'error'));
  }

  function applyAll(what, value) {
    if (value === '') return;
    for (const r of rows) {
      r[what] = value;
      if (what === 'stock') r.stockDirty = true;
    }
    renderRows();
    mount(msg, notice(`${what === 'price' ? 'Price' : 'Stock'} set on all ${rows.length} variants. Save to keep it.`, 'ok'));
  }

  // ---- the table ----

  const title = (r) => r.values.map((x) => (x === null ? '?' : x)).join(' / ') || 'Default';
  function rowEl(r) {
    const t = title(r);
    const input = (key, attrs, label) => {
      const el = h('input', { ...attrs, value: r[key], 'aria-label': `${label} of ${t}`, class: 'cell-input cell-' + key });
      el.addEventListener('input', () => {
        r[key] = el.value;
        if (key === 'stock') r.stockDirty = true;
        if (key === 'image') mount(thumb, productImage(el.value.trim() || null, '', 'mini'));
      });
      return el;
    };
    const thumb = h('span', { class: 'variant-thumb' }, productImage(r.image || null, '', 'mini'));
    const tr = h('tr', { dataset: { variantId: r.variant_id || '' }, class: r.isNew ? 'new-row' : '' },
      h('th', { scope: 'row', class: 'variant-title' }, h('span', { class: 'vt' }, thumb, h('span', null, t, r.isNew ? h('span', { class: 'tag' }, 'new') : null))),
      h('td', null, input('sku', { maxlength: 100 }, 'SKU')),
      h('td', null, input('price', { type: 'number', step: '0.01', min: 0, inputmode: 'decimal', required: true }, 'Price')),
      h('td', null, input('sale_price', { type: 'number', step: '0.01', min: 0, inputmode: 'decimal', placeholder: '—' }, 'Sale price')),
      h('td', null, input('stock', { type: 'number', step: 1, min: 0, inputmode: 'numeric' }, 'Stock')),
      h('td', null, input('image', { type: 'text', inputmode: 'url', placeholder: '/images/…' }, 'Image URL')),
      h('td', { class: 'actions' }, h('button', { type: 'button', class: 'btn small ghost danger', 'aria-label': `Remove ${t}`, onclick: () => {
        const at = rows.indexOf(r);
        rows.splice(at, 1);
        const following = tr.nextElementSibling || tr.previousElementSibling;
        tr.remove();
        updateCount();
        mount(msg, notice(`${t} removed. It is deleted when you save.`, 'info'));
        const focusTo = following && following.querySelector('.actions button');
        if (focusTo) focusTo.focus();
        modeChanged();
      } }, '✕')));
    return tr;
  }
  function updateCount() {
    count.textContent = `${rows.length} ${rows.length === 1 ? 'variant' : 'variants'}`;
  }
  function fillRows() {
    const frag = document.createDocumentFragment();
    if (shown) for (const r of rows) frag.appendChild(rowEl(r));
    mount(tbody, frag);
    updateCount();
  }
  function renderRows() {
    fillRows();
    modeChanged();
  }

  // ---- what the product form sends ----

  // {options, variants} for the product body; {} for a product without
  // options that never had any. Throws an Error with a message for the admin.
  function body() {
    readOptions();
    const opts = activeOptions();
    if (!opts.length) {
      if (!hadOptions) return {};
      return { options: [], variants: [{ ...(rows[0] && rows[0].variant_id ? { variant_id: rows[0].variant_id } : {}), options: {} }] };
    }
    const problem = checkOptions(opts);
    if (problem) throw new Error(problem);
    if (stale) throw new Error('The options changed: click “Generate variants” before saving.');
    if (!rows.length) throw new Error('The product needs at least one variant: click “Generate variants”.');
    const variants = rows.map((r) => {
      const t = title(r);
      if (r.values.length !== opts.length || r.values.some((x, i) => x === null || !opts[i].values.some((v) => lower(v) === lower(x)))) {
        throw new Error(`${t} does not match the options: click “Generate variants”.`);
      }
      if (r.price === '' || isNaN(Number(r.price)) || Number(r.price) < 0) throw new Error(`Give ${t} a price.`);
      if (r.sale_price !== '' && (isNaN(Number(r.sale_price)) || Number(r.sale_price) < 0)) throw new Error(`The sale price of ${t} is not an amount.`);
      if ((r.isNew || r.stockDirty) && r.stock !== '' && !/^\d+$/.test(String(r.stock).trim())) throw new Error(`The stock of ${t} must be a whole number.`);
      const v = { options: Object.fromEntries(opts.map((o, i) => [o.name, r.values[i]])) };
      if (r.variant_id) v.variant_id = String(r.variant_id);
      if (r.sku.trim()) v.sku = r.sku.trim();
      v.price = String(r.price).trim();
      v.sale_price = r.sale_price === '' ? null : String(r.sale_price).trim();
      v.image = r.image.trim();
      if (r.isNew || r.stockDirty) v.stock = parseInt(String(r.stock).trim() || '0', 10);
      return v;
    });
    const skus = new Map();
    for (const v of variants) {
      if (!v.sku) continue;
      const k = lower(v.sku);
      if (skus.has(k)) throw new Error(`Two variants have the SKU ${v.sku}.`);
      skus.set(k, true);
    }
    return { options: opts.map((o) => ({ name: o.name, values: o.values })), variants };
  }

  if (!options.length && !hadOptions) options = [];
  renderOptions();
  renderRows();
  const el = h('fieldset', { class: 'variant-editor', id: 'variant-editor' },
    h('legend', null, 'Options and variants'),
    h('p', { class: 'muted small' }, 'Sizes, colours and the like: up to 3 options. Each combination is a variant with its own SKU, price, stock and picture. Without options the product is sold as one item.'),
    optRows,
    h('div', { class: 'row gap' }, addOptBtn, genBtn),
    msg,
    bulk,
    count,
    table);
  return { el, body, hasOptions: () => activeOptions().length > 0 };
}
