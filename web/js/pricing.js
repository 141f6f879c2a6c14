// Promotions, shipping and tax as the shopper sees them: the order summary
// (each discount, sale savings, shipping, tax lines, "incl. VAT"), the
// discount-code form with a chip per applied code, the reasons a code does
// not apply in words, and the shipping-method choice. Used by the cart, the
// checkout (checkout.js), the order pages (orders.js) and flash sales.
import { api, h, mount, money, dateOnly, notice, humanError, setBusy, ApiError } from './lib.js';

// ---- why a code does not apply ----

// d: the error's details (or a rejected code's entry), for amounts and dates.
export function reasonText(reason, d = {}, currency = 'USD') {
  const min = d.minimum ?? d.min_subtotal;
  const short = d.remaining ?? (min !== undefined && d.subtotal !== undefined ? Math.round((Number(min) - Number(d.subtotal)) * 100) / 100 : undefined);
  switch (reason) {
    case 'expired':
      return d.ended_at ? `This code expired on ${dateOnly(d.ended_at)}.` : 'This code has expired.';
    case 'not_found':
      return 'This code no longer exists.';
    case 'not_started':
      return d.starts_at ? `This code can be used from ${dateOnly(d.starts_at)}.` : 'This code is not active yet.';
    case 'minimum_not_met':
      if (min !== undefined && short !== undefined && Number(short) > 0) return `This code needs an order of at least ${money(min, currency)}. Add ${money(short, currency)} more to use it.`;
      if (min !== undefined) return `This code needs an order of at least ${money(min, currency)}.`;
      return 'Your order does not reach this code’s minimum yet.';
    case 'minimum_quantity_not_met': {
      const q = d.minimum_quantity ?? d.min_quantity;
      return q ? `This code needs at least ${q} qualifying items in your cart.` : 'This code needs more qualifying items in your cart.';
    }
    case 'no_eligible_items':
      return 'None of the items in your cart qualify for this code.';
    case 'limit_reached':
      return 'This code has been used as many times as it allows.';
    case 'customer_limit_reached':
      return 'You have already used this code as many times as it allows.';
    case 'first_order_only':
      return 'This code is only for a first order.';
    case 'customer_not_eligible':
      return 'This code is not available for your account.';
    case 'sign_in_required':
      return 'Sign in to use this code.';
    case 'not_combinable':
      return 'This code cannot be combined with your other discounts.';
    case 'inactive':
    case 'disabled':
      return 'This code is not active.';
    default:
      return 'This code does not apply to your order.';
  }
}

// An error of POST /cart/discounts or of a checkout, in words.
export function discountError(err, code, currency) {
  if (!(err instanceof ApiError)) return humanError(err);
  if (err.code === 'discount_not_found' || (err.status === 404 && /discount/.test(err.code || ''))) return `We could not find the code “${code}”. Check the spelling.`;
  if (err.code === 'discount_not_applicable') return reasonText(err.details.reason, err.details, currency);
  if (err.status === 400 && /code|discount/.test(err.code + ' ' + (err.details.field || ''))) return 'A code is letters, digits, “-” and “_” (up to 50 characters).';
  return humanError(err);
}

// ---- the order summary ----

const pct = (bp) => {
  const n = Number(bp) / 100;
  return (Math.round(n * 100) / 100).toLocaleString(navigator.language || 'en-US', { maximumFractionDigits: 2 }) + ' %';
};

function discountLabel(d) {
  const name = d.name || (d.code ? 'Code ' + d.code : 'Discount');
  return d.code && d.name && !d.name.toUpperCase().includes(String(d.code).toUpperCase()) ? `${name} (${d.code})` : name;
}

// The lines of a summary or of an order's pricing: {subtotal, discount,
// discounts, savings, shipping, tax, taxes, tax_included, total}.
// opts: { itemsLabel, shippingName, estimated, refunded }
export function summaryRows(s, currency, opts = {}) {
  s = s || {};
  const row = (label, value, cls, attrs = {}) => h('div', { class: 'sum-row ' + (cls || ''), ...attrs }, h('dt', null, label), h('dd', null, value));
  const discounts = Array.isArray(s.discounts) ? s.discounts.filter((d) => Number(d.amount)) : [];
  const discount = Number(s.discount || 0);
  const taxes = Array.isArray(s.taxes) ? s.taxes : [];
  const added = taxes.filter((t) => !t.included);
  const included = taxes.filter((t) => t.included && Number(t.amount));
  // tax_included is the tax inside the prices (an amount; older shapes: a flag)
  const inclAmount = typeof s.tax_included === 'number' ? s.tax_included : included.reduce((n, t) => n + Number(t.amount || 0), 0);
  const shipName = opts.shippingName ? `Shipping (${opts.shippingName})` : 'Shipping';
  const shipping = opts.noShipping === 'later' ? row('Shipping', 'At checkout', 'shipping', { id: opts.ids ? 'sum-shipping' : null })
    : opts.noShipping ? row('Shipping', 'Not available', 'shipping unavailable', { id: opts.ids ? 'sum-shipping' : null })
    : s.shipping === null || s.shipping === undefined ? null
      : row(shipName, Number(s.shipping) === 0 ? 'Free' : money(s.shipping, currency), 'shipping', { id: opts.ids ? 'sum-shipping' : null });
  let taxRows = [];
  if (added.length) taxRows = added.map((t) => row(`${t.name || 'Tax'}${t.rate_bp ? ` (${pct(t.rate_bp)})` : ''}`, money(t.amount, currency), 'tax'));
  else if (s.tax !== undefined && s.tax !== null && (Number(s.tax) > 0 || !(Number(inclAmount) > 0))) taxRows = [row(opts.estimated ? 'Estimated tax' : 'Tax', money(s.tax, currency), 'tax')];
  let inclText = null;
  if (included.length) inclText = included.map((t) => `incl. ${money(t.amount, currency)} ${t.name || 'VAT'}${t.rate_bp ? ` (${pct(t.rate_bp)})` : ''}`).join(', ');
  else if (Number(inclAmount) > 0) inclText = `incl. ${money(inclAmount, currency)} VAT`;
  return [
    h('dl', { class: 'sum-list' },
      row(opts.itemsLabel || 'Subtotal', money(s.subtotal, currency), 'subtotal'),
      discounts.length ? discounts.map((d) => row(discountLabel(d), '−' + money(d.amount, currency), 'discount', { dataset: { code: d.code || '' } }))
        : (discount ? row('Discount', '−' + money(discount, currency), 'discount') : null),
      shipping,
      taxRows,
      row('Total', money(s.total, currency), 'total', { id: opts.ids ? 'sum-total' : null }),
      Number(opts.refunded) ? row('Refunded', '−' + money(opts.refunded, currency), 'refunded') : null),
    inclText ? h('p', { class: 'tax-incl muted small', id: opts.ids ? 'sum-tax-included' : null }, inclText) : null,
    Number(s.savings) > 0 ? h('p', { class: 'savings', id: opts.ids ? 'sum-savings' : null }, `You save ${money(s.savings, currency)} on sale prices`) : null,
  ];
}

// ---- discount codes ----

// The code field with a chip per applied code and the reason a code does
// not apply. onCart(cart) re-renders the page with the cart the API answered.
export function discountForm(cart, currency, onCart) {
  const codes = Array.isArray(cart.discount_codes) ? cart.discount_codes : [];
  const rejected = new Map((Array.isArray(cart.rejected_codes) ? cart.rejected_codes : []).map((r) => [String(r.code).toUpperCase(), r]));
  const input = h('input', { id: 'discount-code', name: 'discount_code', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: 50, 'aria-describedby': 'discount-msg' });
  const msg = h('div', { class: 'field-msg', id: 'discount-msg', role: 'alert', 'aria-live': 'assertive' });
  const btn = h('button', { type: 'submit', class: 'btn' }, 'Apply');
  const apply = async (e) => {
    e.preventDefault();
    e.stopPropagation();
    const code = input.value.trim();
    mount(msg);
    input.removeAttribute('aria-invalid');
    if (!code) { input.focus(); mount(msg, 'Enter a discount code.'); return; }
    setBusy(btn, true, 'Applying…');
    try {
      const next = await api('POST', '/cart/discounts', { code });
      onCart(next, { applied: code.toUpperCase() });
    } catch (err) {
      setBusy(btn, false);
      input.setAttribute('aria-invalid', 'true');
      mount(msg, discountError(err, code.toUpperCase(), currency));
      input.focus();
    }
  };
  const remove = (code) => async (e) => {
    const b = e.currentTarget;
    setBusy(b, true);
    try {
      const next = await api('DELETE', '/cart/discounts/' + encodeURIComponent(code));
      onCart(next, { removed: code });
    } catch (err) {
      setBusy(b, false);
      mount(msg, humanError(err));
    }
  };
  const chips = codes.map((c) => {
    const r = rejected.get(String(c).toUpperCase());
    return h('li', { class: 'code-chip' + (r ? ' rejected' : ''), dataset: { code: c } },
      h('span', { class: 'code-name' }, c),
      r ? h('span', { class: 'code-reason' }, reasonText(r.reason, { ...r, ...(r.details || {}) }, currency)) : h('span', { class: 'code-ok' }, 'Applied'),
      h('button', { type: 'button', class: 'chip-x', 'aria-label': `Remove code ${c}`, title: `Remove code ${c}`, onclick: remove(c) }, '✕'));
  });
  // a code that was rejected but is not in discount_codes (should not happen) still shows why
  for (const [c, r] of rejected) if (!codes.some((x) => String(x).toUpperCase() === c)) {
    chips.push(h('li', { class: 'code-chip rejected', dataset: { code: r.code } }, h('span', { class: 'code-name' }, r.code), h('span', { class: 'code-reason' }, reasonText(r.reason, { ...r, ...(r.details || {}) }, currency)),
      h('button', { type: 'button', class: 'chip-x', 'aria-label': `Remove code ${r.code}`, title: `Remove code ${r.code}`, onclick: remove(r.code) }, '✕')));
  }
  return h('div', { class: 'discount-box', id: 'discount-box' },
    h('form', { class: 'discount-form', novalidate: true, onsubmit: apply },
      h('label', { for: 'discount-code' }, 'Discount code'),
      h('div', { class: 'code-row' }, input, btn)),
    msg,
    chips.length ? h('ul', { class: 'plain code-chips', id: 'code-chips', 'aria-label': 'Applied discount codes' }, chips) : null);
}

// ---- shipping methods ----

export function deliveryText(o) {
  const days = o.delivery_days || {};
  const range = days.min !== undefined && days.max !== undefined
    ? (Number(days.min) === Number(days.max) ? `${days.max} ${Number(days.max) === 1 ? 'day' : 'days'}` : `${days.min}–${days.max} days`) : '';
  const by = o.estimated_delivery ? 'Arrives by ' + new Date(o.estimated_delivery).toLocaleDateString(navigator.language || 'en-US', { weekday: 'short', month: 'short', day: 'numeric' }) : '';
  return [by, range ? `(${range})` : ''].filter(Boolean).join(' ');
}

// A radio list of options; onPick(id) when the shopper chooses one.
export function shippingChoices(options, chosenId, currency, onPick, group = 'ship') {
  return h('div', { class: 'ship-options', role: 'radiogroup', 'aria-label': 'Shipping method' }, options.map((o) => {
    const id = `${group}-${o.id}`;
    return h('div', { class: 'choice ship-choice' + (String(o.id) === String(chosenId) ? ' chosen' : ''), dataset: { method: o.id } },
      h('input', { type: 'radio', name: group, id, value: o.id, checked: String(o.id) === String(chosenId), onchange: () => onPick(o.id) }),
      h('label', { for: id },
        h('span', { class: 'ship-name' }, o.name),
        h('span', { class: 'ship-price' }, Number(o.price) === 0 ? 'Free' : money(o.price, currency)),
        h('span', { class: 'ship-eta muted' }, deliveryText(o))));
  }));
}

export function shippingProblem(problem) {
  if (problem === 'no_shipping_to_address') return 'We do not ship to this address. Choose another address.';
  if (problem === 'shipping_method_unavailable') return 'The shipping method you chose is not available for this order any more. Choose another one.';
  return problem ? 'Shipping is not available for this order. Check the address.' : '';
}

export function showNotice(el, text, kind = 'error') {
  mount(el, text ? notice(text, kind) : null);
}
