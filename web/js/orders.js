// How an order looks wherever it is shown (the shopper's order pages and
// the admin's): status badge, totals, lines, shipments and the progress line.
import { h, money, dateTime, pick, optionsText, variantHref, field } from './lib.js';
import { productImage } from './shop.js';
import { summaryRows } from './pricing.js';

const STATUS_LABEL = {
  pending: 'Pending', pending_payment: 'Awaiting payment', processing: 'Processing', paid: 'Paid', shipped: 'Shipped', delivered: 'Delivered',
  cancelled: 'Cancelled', canceled: 'Cancelled', refunded: 'Refunded', partially_refunded: 'Partially refunded',
};
export function statusBadge(s) {
  return h('span', { class: 'status-badge st-' + String(s || '').replace(/[^a-z_]/g, '') }, STATUS_LABEL[s] || s || 'Unknown');
}
export function orderTotal(o) {
  return pick(o, 'pricing.total', 'totals.total', 'summary.total', 'total');
}
export function orderCurrency(o) {
  return o.currency || pick(o, 'pricing.currency', 'totals.currency') || 'USD';
}

export function shipmentsOf(o) {
  const s = o.shipments || (o.shipment ? [o.shipment] : []);
  if (!s.length && (o.tracking_number || o.tracking)) return [{ carrier: o.carrier, tracking_number: o.tracking_number, events: o.tracking_events || o.tracking || [] }];
  return s;
}

export function timeline(o) {
  const steps = [['placed', 'Ordered'], ['paid', 'Paid'], ['shipped', 'Shipped'], ['delivered', 'Delivered']];
  const order = ['pending', 'paid', 'shipped', 'delivered'];
  let reached = order.indexOf(o.status);
  if (o.status === 'processing') reached = 1;
  if (['refunded', 'partially_refunded'].includes(o.status)) reached = Math.max(1, shipmentsOf(o).length ? 2 : 1);
  const cancelled = o.status === 'cancelled' || o.status === 'canceled';
  return h('ol', { class: 'timeline' + (cancelled ? ' cancelled' : ''), 'aria-label': 'Order progress' },
    steps.map(([, label], i) => h('li', { class: i <= reached ? 'done' : '', 'aria-current': i === reached ? 'step' : null }, h('span', { class: 'dot', 'aria-hidden': 'true' }), label)),
    cancelled ? h('li', { class: 'done cancelled-step' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), 'Cancelled') : null);
}

export function shipmentBlock(o) {
  const ships = shipmentsOf(o);
  if (!ships.length) return null;
  return h('section', { class: 'card', id: 'tracking' }, h('h2', null, 'Tracking'),
    ships.map((s) => h('div', { class: 'shipment' },
      h('p', null, h('strong', null, s.carrier || 'Carrier'), ' · tracking number ', h('code', { class: 'tracking-number' }, s.tracking_number || '—'),
        s.shipped_at ? h('span', { class: 'muted' }, ' · shipped ', dateTime(s.shipped_at)) : null),
      (s.tracking || s.events || s.tracking_events || []).length ? h('ol', { class: 'events' }, (s.tracking || s.events || s.tracking_events).slice().reverse().map((ev) => h('li', null,
        h('strong', null, ev.status || ev.description || ev.message || ''),
        ev.location ? ` · ${ev.location}` : '', ev.description && ev.status ? ` — ${ev.description}` : '',
        h('small', { class: 'muted' }, ' ', dateTime(ev.at || ev.occurred_at || ev.created_at || ev.timestamp))))) : null)));
}

export function orderItems(o) {
  const cur = orderCurrency(o);
  return h('ul', { class: 'plain review-lines' }, (o.items || []).map((i) => h('li', null,
    productImage(i.image, ''),
    h('span', { class: 'rl-name' }, h('a', { href: variantHref(i.product_id, i.variant_id, i.selected_options) }, i.name || 'Product ' + i.product_id),
      optionsText(i) ? h('small', { class: 'line-options' }, optionsText(i)) : null,
      i.sku && optionsText(i) ? h('small', { class: 'line-sku muted' }, 'SKU ' + i.sku) : null),
    h('span', { class: 'muted' }, ` × ${i.quantity}`),
    h('strong', null, money(i.subtotal ?? i.line_total ?? i.unit_price * i.quantity, cur)))));
}

// The order's totals: each discount by name, shipping with its method, tax
// lines by name (or "incl. VAT"), the total and what was refunded.
export function pricingBlock(o) {
  const p = o.pricing || o.totals || o.summary || o;
  const cur = orderCurrency(o);
  const method = p.shipping_method || o.shipping_method;
  return h('div', { class: 'pricing-block', id: 'order-pricing' }, summaryRows(p, cur, {
    shippingName: method && typeof method === 'object' ? method.name : '',
    refunded: p.refunded || o.refunded_amount,
  }));
}

// ---- returns (the shopper's side; the shop decides in /admin/returns) ----

const RETURN_REASONS = [['damaged', 'Arrived damaged'], ['wrong_item', 'Wrong item'], ['not_as_described', 'Not as described'], ['changed_mind', 'Changed my mind'], ['other', 'Other']];

function returnLineName(o, l) {
  const it = (o.items || []).find((i) => String(i.variant_id) === String(l.variant_id));
  return it ? it.name + (it.variant_title ? ` (${it.variant_title})` : '') : 'Item';
}

// The order's return requests and their outcome, and (when the order's
// actions allow it) a form to ask for another. `submit(body)` posts it:
// the signed-in shopper and a guest with the emailed link post to different
// routes. `done()` redraws the page.
export function returnsSection(o, submit, done) {
  const cur = orderCurrency(o);
  const rets = o.returns || [];
  const list = rets.length ? h('ul', { class: 'plain', id: 'order-return-list' }, rets.map((r) => h('li', { class: 'return-status st-' + r.status, dataset: { returnId: r.return_id } },
    h('strong', null, r.status === 'requested' ? 'Return requested' : r.status === 'approved' ? 'Return approved' : 'Return rejected'),
    ': ', (r.lines || []).map((l) => `${l.quantity} × ${returnLineName(o, l)}`).join(', '),
    r.status === 'approved' && r.refunded != null ? h('div', null, 'Refunded ', h('strong', { class: 'return-refunded' }, money(r.refunded, cur))) : null,
    r.status === 'rejected' && r.decision_reason ? h('div', { class: 'return-rejected-reason' }, 'Why: ', r.decision_reason) : null,
    h('div', { class: 'muted small' }, 'asked ', dateTime(r.created_at))))) : null;
  const canReturn = (o.actions || []).includes('request_return');
  if (!list && !canReturn) return null;
  let form = null;
  if (canReturn) {
    const qtys = (o.items || []).filter((i) => i.returnable_quantity > 0).map((i) => ({
      item: i,
      input: h('input', { type: 'number', min: '0', max: String(i.returnable_quantity), value: '0', step: '1', class: 'qty-input return-qty', 'aria-label': `How many ${i.name} to return` }),
    }));
    const reason = h('select', { id: 'return-reason' }, RETURN_REASONS.map(([v, label]) => h('option', { value: v }, label)));
    const details = h('textarea', { id: 'return-details', maxlength: '800', rows: '2', placeholder: 'Anything the shop should know' });
    const msg = h('div', { class: 'form-msg', role: 'alert' });
    const btn = h('button', { type: 'submit', class: 'btn', id: 'return-submit' }, 'Request a return');
    form = h('form', { id: 'return-form', novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const lines = qtys.filter((q) => Number(q.input.value) > 0).map((q) => ({ variant_id: q.item.variant_id, quantity: Number(q.input.value) }));
      if (!lines.length) { msg.replaceChildren(h('p', { class: 'notice error' }, 'Choose how many of which items to return.')); return; }
      const label = RETURN_REASONS.find(([v]) => v === reason.value)[1];
      btn.disabled = true;
      try {
        await submit({ lines, reason: details.value.trim() ? `${label}: ${details.value.trim()}` : label });
        done();
      } catch (err) {
        btn.disabled = false;
        msg.replaceChildren(h('p', { class: 'notice error' }, err.message || 'The return could not be requested.'));
      }
    } },
    h('h3', null, 'Request a return'),
    h('ul', { class: 'plain' }, qtys.map(({ item, input }) => h('li', { class: 'row gap' }, h('label', null, input, ' ', item.name, item.variant_title ? ` (${item.variant_title})` : ''), h('small', { class: 'muted' }, `up to ${item.returnable_quantity}`)))),
    field('Reason', reason), field('Details (optional)', details), msg, btn);
  }
  return h('section', { class: 'card', id: 'order-returns' }, h('h2', null, 'Returns'), list, form);
}
