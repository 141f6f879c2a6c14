// Admin: orders (list with search and status filter, one order with its
// fulfilment and refunds) and the returns queue. Loaded only on
// /admin/orders and /admin/returns (app.js), so shoppers never download it.
//
// The order page draws its controls from the order's `actions` (what the
// API accepts now, computed by the orders module's one rule), never from
// the status: a partly refunded order that is on its way can still get
// tracking events and be delivered, and cannot be cancelled.
import { api, h, mount, money, dateTime, notice, humanError, toast, setBusy, field, qs, pager, ApiError } from './lib.js';
import { navigate } from './session.js';
import { statusBadge, orderTotal, orderCurrency, orderItems, pricingBlock, shipmentBlock, timeline } from './orders.js';
import { gate, shell } from './admin.js';

const A = { admin: true };
const aget = (path) => api('GET', path, undefined, A);
const asend = (method, path, body) => api(method, path, body, A);
const PAGE_SIZE = 25;

// "#1001" (or "#S1-1001"): the number the customer has in their emails; the
// raw id for an order that has none.
function orderNo(o) {
  return o.order_number ? '#' + o.order_number : o.order_id;
}
// A guest checked out without an account: the detail says `guest: true`,
// a list summary only has user_id "0".
function isGuest(o) {
  return o.guest === undefined ? String(o.user_id) === '0' : o.guest === true;
}
const guestBadge = () => h('span', { class: 'tag' }, 'Guest');
const can = (o, action) => (o.actions || []).includes(action);

export function ordersTable(list) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'admin-orders' },
    h('thead', null, h('tr', null, ['Order', 'Placed', 'Customer', 'Status', 'Total'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, list.map((o) => {
      const email = o.email || o.customer_email || '';
      return h('tr', null,
        h('td', null, h('a', { href: '/admin/orders/' + encodeURIComponent(o.order_id), class: 'order-no' }, orderNo(o)),
          o.order_number ? h('div', { class: 'muted small' }, o.order_id) : null),
        h('td', null, dateTime(o.created_at)),
        h('td', null, o.customer_name || email, isGuest(o) ? guestBadge() : null,
          o.customer_name && email ? h('div', { class: 'muted small' }, email) : null),
        h('td', null, statusBadge(o.status)),
        h('td', null, money(orderTotal(o), orderCurrency(o))));
    }))));
}

const ORDER_STATUSES = ['', 'pending_payment', 'paid', 'shipped', 'delivered', 'partially_refunded', 'refunded', 'cancelled'];

export async function orders(main, _m, params, alive) {
  if (!(await gate(main))) return;
  const page = Number(params.get('page') || 1);
  const status = params.get('status') || '';
  const q = params.get('q') || '';
  // one customer's orders (the link from /admin/customers)
  const user = params.get('user') || '';
  const data = await aget('/admin/orders' + qs({ status, user, q, page, size: PAGE_SIZE }));
  if (!alive()) return;
  const list = data.orders || [];
  const search = h('input', { type: 'search', id: 'order-search', value: q, placeholder: 'Order number or email', 'aria-label': 'Search orders' });
  const sel = h('select', { id: 'order-status', onchange: (e) => navigate('/admin/orders' + qs({ status: e.target.value, user, q })) },
    ORDER_STATUSES.map((s) => h('option', { value: s, selected: s === status }, s ? s.replace('_', ' ') : 'All statuses')));
  const who = list.find((o) => o.customer_name || o.email);
  shell(main, 'orders', 'Orders',
    user ? h('p', { class: 'notice', id: 'orders-of-customer' }, 'Orders of ', who ? (who.customer_name || who.email) : 'customer',
      ` (account #${user}) · `, h('a', { href: '/admin/orders' + qs({ status }) }, 'Show all orders')) : null,
    h('div', { class: 'toolbar' },
      h('form', { class: 'row gap', role: 'search', id: 'order-search-form', onsubmit: (e) => { e.preventDefault(); navigate('/admin/orders' + qs({ q: search.value.trim(), status, user })); } },
        search, h('button', { type: 'submit', class: 'btn' }, 'Search'),
        h('label', { for: 'order-status' }, 'Status'), sel),
      h('span', { class: 'muted', id: 'orders-count' }, `${data.total ?? list.length} orders`)),
    list.length ? ordersTable(list) : h('p', { class: 'muted', id: 'orders-empty' }, q ? `No order matches “${q}”.` : 'No orders match.'),
    pager(page, PAGE_SIZE, data.total || 0, (n) => navigate('/admin/orders' + qs({ status, user, q, page: n }))));
}

// Units of each line waiting in undecided returns (they are refunded by
// approving the return, not here).
function unitsInRequests(o) {
  const out = {};
  for (const r of o.returns || []) {
    if (r.status !== 'requested') continue;
    for (const l of r.lines || []) out[l.variant_id] = (out[l.variant_id] || 0) + Number(l.quantity || 0);
  }
  return out;
}

// Refund by lines (units of each) or by an amount, always with a reason.
function refundForm(o, run) {
  const oid = encodeURIComponent(o.order_id);
  const cur = orderCurrency(o);
  const remaining = Math.round((Number(orderTotal(o) || 0) - Number((o.pricing && o.pricing.refunded) || 0)) * 100) / 100;
  const waiting = unitsInRequests(o);
  const qtys = (o.items || []).map((i) => {
    const max = Math.max(0, i.quantity - (i.refunded_quantity || 0) - (waiting[i.variant_id] || 0));
    return { item: i, max, input: h('input', { type: 'number', min: '0', max: String(max), value: '0', step: '1', class: 'qty-input refund-qty', disabled: max === 0, 'aria-label': `Units of ${i.name} to refund` }) };
  });
  const byLines = h('input', { type: 'radio', name: 'refund-mode', id: 'refund-by-lines', value: 'lines', checked: true });
  const byAmount = h('input', { type: 'radio', name: 'refund-mode', id: 'refund-by-amount', value: 'amount' });
  const amount = h('input', { id: 'refund-amount', type: 'number', step: '0.01', min: '0.01', max: String(remaining), placeholder: remaining.toFixed(2) });
  // typing in one way of refunding picks it
  amount.addEventListener('input', () => { byAmount.checked = true; });
  for (const q of qtys) q.input.addEventListener('input', () => { byLines.checked = true; });
  const restock = h('input', { type: 'checkbox', id: 'refund-restock' });
  const reason = h('input', { id: 'refund-reason', required: true, maxlength: '500', placeholder: 'Damaged in transit' });
  const btn = h('button', { type: 'submit', class: 'btn', id: 'refund-submit' }, 'Refund');
  const msg = h('div', { class: 'form-msg', role: 'alert' });
  const lineRows = h('ul', { class: 'plain refund-lines', id: 'refund-lines' }, qtys.map(({ item, max, input }) => h('li', null,
    h('label', null, input, ' ', item.name, item.variant_title ? ` (${item.variant_title})` : ''), ' ',
    h('small', { class: 'muted' }, max ? `up to ${max}` : (waiting[item.variant_id] ? 'in a return request' : 'all refunded')))));
  const submit = (e) => {
    e.preventDefault();
    if (!reason.value.trim()) return mount(msg, notice('Give a reason: it is kept with the refund.', 'error'));
    let body;
    if (byAmount.checked) {
      body = { amount: amount.value || remaining, reason: reason.value.trim() };
    } else {
      const lines = qtys.filter((q) => Number(q.input.value) > 0).map((q) => ({ variant_id: q.item.variant_id, quantity: Number(q.input.value) }));
      if (!lines.length) return mount(msg, notice('Pick at least one unit to refund, or refund an amount.', 'error'));
      body = { lines, restock: restock.checked, reason: reason.value.trim() };
    }
    run(btn, () => asend('POST', `/admin/orders/${oid}/refunds`, body), 'Refund issued', msg);
  };
  return h('form', { class: 'card', id: 'refund-form', novalidate: true, onsubmit: submit },
    h('h2', null, 'Refund'),
    h('div', { class: 'row gap' }, h('label', null, byLines, ' By line'), h('label', null, byAmount, ' By amount')),
    lineRows, h('p', null, h('label', null, restock, ' Put the refunded units back in stock')),
    field(`Amount (by amount; empty for all that is left, ${money(remaining, cur)})`, amount),
    field('Reason', reason), msg, btn);
}

function refundsCard(o) {
  if (!(o.refunds || []).length) return null;
  const cur = orderCurrency(o);
  return h('section', { class: 'card', id: 'order-refunds' }, h('h2', null, 'Refunds'),
    h('ul', { class: 'plain' }, o.refunds.map((r) => h('li', { class: 'refund-row' },
      h('strong', null, money(r.amount, cur)), ' · ', r.status || '',
      (r.lines || []).length ? ` · ${r.lines.map((l) => `${l.quantity} × ${lineName(o, l)}`).join(', ')}` : '',
      r.reason ? h('div', null, 'Why: ', r.reason) : null,
      h('div', { class: 'muted small' }, 'by ', r.actor || 'unknown', ' · ', dateTime(r.created_at))))));
}

function lineName(o, l) {
  const it = (o.items || []).find((i) => String(i.variant_id) === String(l.variant_id));
  return it ? it.name + (it.variant_title ? ` (${it.variant_title})` : '') : 'item ' + l.variant_id;
}

function returnsCard(o) {
  if (!(o.returns || []).length) return null;
  return h('section', { class: 'card', id: 'order-returns' }, h('h2', null, 'Returns'),
    h('ul', { class: 'plain' }, o.returns.map((r) => h('li', null,
      h('strong', null, r.status), ' · ', (r.lines || []).map((l) => `${l.quantity} × ${lineName(o, l)}`).join(', '),
      r.reason ? ` · “${r.reason}”` : '', r.decision_reason ? ` · rejected: ${r.decision_reason}` : '',
      h('small', { class: 'muted' }, ' ', dateTime(r.created_at))))),
    h('a', { href: '/admin/returns' }, 'Returns queue'));
}

// Shipping, tracking, delivery and cancelling: each only when the order's
// actions say the API accepts it.
function fulfilmentCards(o, run) {
  const oid = encodeURIComponent(o.order_id);
  const out = [];
  if (can(o, 'ship')) {
    const carrier = h('input', { id: 'ship-carrier', required: true, value: 'UPS' });
    const tracking = h('input', { id: 'ship-tracking', required: true, placeholder: '1Z999AA10123456784' });
    const btn = h('button', { type: 'submit', class: 'btn primary', id: 'mark-shipped' }, 'Mark shipped');
    out.push(h('form', { class: 'card', id: 'ship-form', onsubmit: (e) => { e.preventDefault(); run(btn, () => asend('POST', `/admin/orders/${oid}/ship`, { carrier: carrier.value.trim(), tracking_number: tracking.value.trim() }), 'Marked as shipped'); } },
      h('h2', null, 'Ship'), field('Carrier', carrier), field('Tracking number', tracking), btn));
  }
  if (can(o, 'add_tracking_event') || can(o, 'deliver')) {
    const evStatus = h('input', { id: 'ev-status', required: true, placeholder: 'In transit' });
    const evLoc = h('input', { id: 'ev-location', placeholder: 'Seattle, WA' });
    const evBtn = h('button', { type: 'submit', class: 'btn', id: 'add-tracking-event' }, 'Add tracking event');
    out.push(h('form', { class: 'card', id: 'tracking-form', onsubmit: (e) => { e.preventDefault(); run(evBtn, () => asend('POST', `/admin/orders/${oid}/tracking-events`, { status: evStatus.value.trim(), location: evLoc.value.trim() || undefined }), 'Tracking updated'); } },
      h('h2', null, 'Tracking'),
      can(o, 'add_tracking_event') ? [field('Status', evStatus), field('Location', evLoc), evBtn] : null,
      can(o, 'deliver') ? h('button', { type: 'button', class: 'btn ghost', id: 'mark-delivered', onclick: (e) => run(e.currentTarget, () => asend('POST', `/admin/orders/${oid}/deliver`, {}), 'Marked as delivered') }, 'Mark delivered') : null));
  }
  if (can(o, 'cancel')) {
    const cancelBtn = h('button', { type: 'button', class: 'btn ghost danger', id: 'admin-cancel' }, 'Cancel order (refund and restock)');
    cancelBtn.addEventListener('click', () => confirm('Cancel this order, refund the payment and restock the items?') && run(cancelBtn, () => asend('POST', `/admin/orders/${oid}/cancel`, {}), 'Order cancelled'));
    out.push(cancelBtn);
  }
  return out;
}

export async function orderDetail(main, [id], _p, alive) {
  if (!(await gate(main))) return;
  let o;
  try {
    o = await aget('/admin/orders/' + encodeURIComponent(id));
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
    return shell(main, 'orders', 'Order not found', h('p', null, 'No order has that id. ', h('a', { href: '/admin/orders' }, 'All orders')));
  }
  if (!alive()) return;
  o = o.order || o;
  const reload = () => orderDetail(main, [id], _p, alive);
  const msg = h('div', { class: 'form-msg', role: 'alert' });
  const run = async (btn, fn, done, where = msg) => {
    setBusy(btn, true);
    try {
      await fn();
      toast(done);
      reload();
    } catch (e) {
      setBusy(btn, false);
      mount(where, notice(humanError(e), 'error'));
    }
  };
  shell(main, 'orders', 'Order ' + orderNo(o),
    h('nav', { class: 'crumbs' }, h('a', { href: '/admin/orders' }, 'Orders'), ' › ', orderNo(o), o.order_number ? h('span', { class: 'muted' }, ' · ', o.order_id) : null),
    h('div', { class: 'order-head' }, statusBadge(o.status), h('span', { class: 'muted' }, 'placed ', dateTime(o.created_at)),
      o.customer_name || o.email ? h('span', null, ' · ', o.customer_name || o.email) : null, isGuest(o) ? guestBadge() : null),
    timeline(o), msg,
    h('div', { class: 'order-detail' },
      h('div', null, h('section', { class: 'card' }, h('h2', null, 'Items'), orderItems(o)), shipmentBlock(o), refundsCard(o), returnsCard(o)),
      h('div', null,
        customerCard(o),
        h('section', { class: 'card summary' }, h('h2', null, 'Totals'), pricingBlock(o),
          o.payment && o.payment.status ? h('p', { class: 'muted small' }, `Payment ${o.payment.status}`,
            o.payment.method && o.payment.method.last4 ? ` · ${o.payment.method.brand || 'card'} ending ${o.payment.method.last4}` : '',
            o.payment.transaction_id ? ` · ${o.payment.transaction_id}` : '') : null),
        o.shipping_address ? h('section', { class: 'card' }, h('h2', null, 'Ship to'),
          h('p', null, [o.shipping_address.name, o.shipping_address.street, o.shipping_address.city, o.shipping_address.state, o.shipping_address.zip, o.shipping_address.country].filter(Boolean).join(', '))) : null,
        ...fulfilmentCards(o, run),
        can(o, 'refund') ? refundForm(o, run) : null,
        (o.actions || []).length ? null : h('p', { class: 'muted', id: 'no-actions' }, 'Nothing more can be done to this order.'))));
}

// Who placed the order: their name and email; a guest has no account, an
// account links to the customer's other orders.
function customerCard(o) {
  const guest = isGuest(o);
  return h('section', { class: 'card', id: 'order-customer' }, h('h2', null, 'Customer'),
    h('p', null, h('strong', null, o.customer_name || o.email || 'No name given'), guest ? guestBadge() : null),
    o.email ? h('p', null, h('a', { href: 'mailto:' + o.email }, o.email)) : null,
    guest ? h('p', { class: 'muted small' }, 'Checked out without an account.')
      : h('p', { class: 'muted small' }, h('a', { href: '/admin/orders' + qs({ user: o.user_id }) }, 'All their orders')));
}

// ---- returns queue ----

const RETURN_STATUSES = [['requested', 'Requested'], ['approved', 'Approved'], ['rejected', 'Rejected'], ['', 'All']];

function returnCard(r, reload) {
  const msg = h('div', { class: 'form-msg', role: 'alert' });
  const orderHref = '/admin/orders/' + encodeURIComponent(r.order_id);
  const decide = async (btn, path, body, done) => {
    setBusy(btn, true);
    try {
      await asend('POST', `/admin/returns/${encodeURIComponent(r.return_id)}/${path}`, body);
      toast(done);
      reload();
    } catch (e) {
      setBusy(btn, false);
      mount(msg, notice(humanError(e), 'error'));
    }
  };
  let controls = null;
  if (r.status === 'requested') {
    const restock = h('input', { type: 'checkbox', class: 'return-restock', checked: true });
    const approve = h('button', { type: 'button', class: 'btn primary return-approve' }, 'Approve and refund');
    approve.addEventListener('click', () => decide(approve, 'approve', { restock: restock.checked }, 'Return approved and refunded'));
    const why = h('input', { class: 'return-reject-reason', maxlength: '1000', placeholder: 'Why (the shopper sees this)', 'aria-label': 'Reason for rejecting' });
    const reject = h('button', { type: 'submit', class: 'btn ghost danger return-reject' }, 'Reject');
    controls = h('div', { class: 'return-controls' },
      h('div', { class: 'row gap' }, h('label', null, restock, ' Put items back in stock'), approve),
      h('form', { class: 'row gap', novalidate: true, onsubmit: (e) => {
        e.preventDefault();
        if (!why.value.trim()) return mount(msg, notice('Give a reason: the shopper reads it.', 'error'));
        decide(reject, 'reject', { reason: why.value.trim() }, 'Return rejected');
      } }, why, reject), msg);
  }
  return h('li', { class: 'card return-card', dataset: { returnId: r.return_id } },
    h('div', { class: 'row gap' }, h('a', { href: orderHref, class: 'order-no' }, r.order_number ? '#' + r.order_number : r.order_id),
      h('span', { class: 'status-badge st-' + r.status }, r.status), h('span', { class: 'muted' }, dateTime(r.created_at))),
    h('p', null, r.customer_name || r.email || '', r.customer_name && r.email ? h('span', { class: 'muted' }, ' · ', r.email) : null),
    h('ul', { class: 'plain return-lines' }, (r.lines || []).map((l) => h('li', null, `${l.quantity} × `, l.name || 'item ' + l.variant_id,
      l.variant_title ? ` (${l.variant_title})` : '', l.sku ? h('small', { class: 'muted' }, ' SKU ', l.sku) : null))),
    h('p', null, 'Reason: ', r.reason || h('span', { class: 'muted' }, 'none given')),
    r.status !== 'requested' ? h('p', { class: 'muted small' }, `${r.status} by ${r.decided_by || 'unknown'} · ${dateTime(r.decided_at)}`,
      r.decision_reason ? ` · ${r.decision_reason}` : '') : null,
    controls);
}

export async function returnsQueue(main, _m, params, alive) {
  if (!(await gate(main))) return;
  const status = params.has('status') ? params.get('status') : 'requested';
  const page = Math.max(1, Number(params.get('page') || 1) || 1);
  const data = await aget('/admin/returns' + qs({ status: status === 'all' ? '' : status, page, size: PAGE_SIZE }));
  if (!alive()) return;
  const list = data.returns || [];
  const reload = () => returnsQueue(main, _m, params, alive);
  shell(main, 'returns', 'Returns',
    h('nav', { class: 'filter-links', 'aria-label': 'Return status', id: 'return-status' },
      RETURN_STATUSES.map(([s, label]) => {
        const current = (s || 'all') === status;
        return h('a', { href: '/admin/returns' + qs({ status: s || 'all' }), class: 'btn small ' + (current ? 'current' : 'ghost'), 'aria-current': current ? 'true' : null }, label);
      })),
    list.length ? h('ul', { class: 'plain returns-list', id: 'returns-list' }, list.map((r) => returnCard(r, reload)))
      : h('p', { class: 'muted', id: 'returns-empty' }, status === 'requested' ? 'No return requests are waiting.' : 'No returns match.'),
    pager(page, PAGE_SIZE, data.total || 0, (n) => navigate('/admin/returns' + qs({ status, page: n }))));
}
