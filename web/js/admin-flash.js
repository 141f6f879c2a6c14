// Admin: create and watch flash sales. Loaded only on /admin/flash-sales
// (app.js), so shoppers never download it.
import { api, h, mount, money, notice, humanError, toast, setBusy, field, dateTime } from './lib.js';
import { navigate } from './session.js';
import { gate, shell } from './admin.js';
import { unitsLeft } from './flash.js';

function isoNoMillis(d) {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
function localInput(d) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export async function adminSales(main, _m, _p, alive) {
  if (!(await gate(main))) return;
  const [sales, products] = await Promise.all([
    api('GET', '/flash-sales').then((d) => d.flash_sales || []),
    api('GET', '/products?size=100&sort=name').then((d) => d.products || []).catch(() => []),
  ]);
  if (!alive()) return;
  const product = h('select', { id: 'fs-product', required: true }, h('option', { value: '' }, 'Choose a product…'),
    products.map((p) => h('option', { value: p.product_id }, `${p.name} — ${money(p.price, p.currency)} (${p.available} in stock)`)));
  const price = h('input', { id: 'fs-price', type: 'number', min: '0.01', step: '0.01', inputmode: 'decimal', required: true });
  const qty = h('input', { id: 'fs-qty', type: 'number', min: 1, step: 1, value: 10, required: true });
  const limit = h('input', { id: 'fs-limit', type: 'number', min: 1, step: 1, value: 1, required: true });
  const now = new Date();
  const starts = h('input', { id: 'fs-starts', type: 'datetime-local', value: localInput(now), required: true });
  const ends = h('input', { id: 'fs-ends', type: 'datetime-local', value: localInput(new Date(now.getTime() + 3600 * 1000)), required: true });
  const msg = h('div', { class: 'form-msg', role: 'alert' });
  const btn = h('button', { type: 'submit', class: 'btn primary' }, 'Create flash sale');
  const form = h('form', { class: 'card admin-form', id: 'flash-form', onsubmit: async (e) => {
    e.preventDefault();
    mount(msg);
    if (!product.value) { product.focus(); mount(msg, notice('Choose a product.', 'error')); return; }
    setBusy(btn, true, 'Creating…');
    try {
      // a start a little in the past counts as "now" (the form's minute precision)
      const startAt = new Date(starts.value);
      const created = await api('POST', '/admin/flash-sales', {
        product_id: product.value, sale_price: price.value, quantity: Number(qty.value), per_user_limit: Number(limit.value),
        starts_at: isoNoMillis(startAt), ends_at: isoNoMillis(new Date(ends.value)),
      }, { admin: true });
      toast('Flash sale created');
      navigate('/admin/flash-sales?created=' + created.flash_sale_id, { replace: true });
    } catch (err) {
      setBusy(btn, false);
      mount(msg, notice(humanError(err), 'error'));
    }
  } },
  h('h2', null, 'New flash sale'),
  h('p', { class: 'muted small' }, 'The quantity leaves the product’s stock for the sale; unsold units go back when it ends.'),
  h('div', { class: 'grid-form' }, field('Product', product), field('Sale price', price), field('Quantity', qty), field('Limit per customer', limit),
    field('Starts', starts), field('Ends', ends)), msg, btn);
  shell(main, 'flash', 'Flash sales',
    sales.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'admin-flash' },
      h('thead', null, h('tr', null, ['Product', 'Price', 'Left', 'Sold', 'In line', 'Status', 'Ends', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, sales.map((s) => h('tr', null,
        h('td', null, s.product_name || s.product_id),
        h('td', null, money(s.sale_price, s.currency), s.list_price ? h('div', { class: 'muted small' }, 'list ', money(s.list_price, s.currency)) : null),
        h('td', null, `${unitsLeft(s)} / ${s.quantity}`),
        h('td', null, String(s.sold)),
        h('td', null, String(s.queued)),
        h('td', null, h('span', { class: 'status-badge st-' + s.status }, s.status.replace('_', ' '))),
        h('td', null, dateTime(s.ends_at)),
        h('td', { class: 'actions' }, h('a', { href: '/flash/' + s.flash_sale_id }, 'Open sale page')))))))
      : h('p', { class: 'muted' }, 'No current or upcoming flash sales.'),
    form);
}
