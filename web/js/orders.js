// How an order looks wherever it is shown (the shopper's order pages and
// the admin's): status badge, totals, lines, shipments and the progress line.
import { h, money, dateTime, pick, optionsText, variantHref } from './lib.js';
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
