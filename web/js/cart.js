// Cart and checkout.
import { api, h, mount, money, loading, errorBox, notice, humanError, toast, setBusy, field, uuid, pick, ApiError, optionsText, variantHref } from './lib.js';
import { navigate, setTitle, setCartCount, loadMe, state } from './session.js';
import { productImage } from './shop.js';

function lineName(l) {
  return l.name || (l.product && l.product.name) || 'Product ' + l.product_id;
}
// The line's chosen options ("Color: Blue · Size: M"), nothing for a simple product.
export function lineOptions(l, tag = 'p') {
  const text = optionsText(l);
  return text ? h(tag, { class: 'line-options' }, text) : null;
}
function lineHref(l) {
  return variantHref(l.product_id, l.variant_id, l.selected_options);
}
// Cart line routes take the line's variant id (a one-variant product's id is its variant's).
function lineKey(l) {
  return String(l.variant_id ?? l.product_id);
}
function lineImage(l) {
  return l.image || (l.product && l.product.image) || null;
}
function lineUnavailable(l) {
  return l.available === false || l.in_stock === false || l.unavailable === true || l.status === 'unavailable' || l.status === 'out_of_stock';
}
function cartCurrency(cart) {
  return cart.currency || pick(cart, 'summary.currency') || ((cart.items || [])[0] || {}).currency || 'USD';
}
export function savedLines(cart) {
  return cart.saved_for_later || cart.saved_items || cart.saved || [];
}

export function summaryBox(s, currency, extra) {
  s = s || {};
  const row = (label, value, cls) => h('div', { class: 'sum-row ' + (cls || '') }, h('dt', null, label), h('dd', null, value));
  const discount = Number(s.discount || 0);
  return h('section', { class: 'summary card', 'aria-label': 'Order summary' },
    h('h2', null, 'Order summary'),
    h('dl', null,
      row(`Items (${s.items_count ?? s.item_count ?? ''})`.replace(' ()', ''), money(s.subtotal, currency)),
      discount ? row('Discount', '−' + money(discount, currency), 'discount') : null,
      row('Shipping', Number(s.shipping) === 0 ? 'Free' : money(s.shipping, currency)),
      row('Estimated tax', money(s.tax, currency)),
      row('Total', money(s.total, currency), 'total')),
    Number(s.shipping) > 0 && s.free_shipping_remaining ? h('p', { class: 'muted small' }, `Add ${money(s.free_shipping_remaining, currency)} more for free shipping.`) : null,
    extra || null);
}

export async function cart(main, _m, _p, alive) {
  setTitle('Your cart');
  const data = await api('GET', '/cart');
  if (!alive()) return;
  renderCart(main, data);
}

function renderCart(main, data) {
  setCartCount(data);
  const currency = cartCurrency(data);
  const items = data.items || [];
  const saved = savedLines(data);
  const msg = h('div', { class: 'form-msg', role: 'status', 'aria-live': 'polite' });
  const act = async (btn, fn) => {
    setBusy(btn, true);
    try {
      const next = await fn();
      renderCart(main, next && next.items ? next : await api('GET', '/cart'));
    } catch (e) {
      setBusy(btn, false);
      mount(msg, notice(humanError(e), 'error'));
    }
  };
  const pid = (l) => encodeURIComponent(lineKey(l));
  const line = (l) => {
    const qty = h('input', { type: 'number', min: 1, max: 999, value: l.quantity, inputmode: 'numeric', id: 'qty-' + lineKey(l), class: 'qty-input' });
    qty.addEventListener('change', () => {
      const n = parseInt(qty.value, 10);
      if (!(n >= 1)) { qty.value = l.quantity; return; }
      act(qty, () => api('PATCH', `/cart/items/${pid(l)}`, { quantity: n }));
    });
    const unavailable = lineUnavailable(l);
    return h('li', { class: 'cart-line' + (unavailable ? ' unavailable' : ''), dataset: { productId: l.product_id, variantId: lineKey(l) } },
      h('a', { href: lineHref(l), class: 'line-img', tabindex: '-1', 'aria-hidden': 'true' }, productImage(lineImage(l), '')),
      h('div', { class: 'line-info' },
        h('a', { href: lineHref(l), class: 'line-name' }, lineName(l)),
        lineOptions(l),
        unavailable ? h('p', { class: 'stock out' }, 'Currently unavailable — remove it or save it for later') :
          (l.insufficient_stock || (typeof l.available === 'number' && l.available < l.quantity) ? h('p', { class: 'stock low' }, `Only ${l.available} available — lower the quantity`) : h('p', { class: 'stock in' }, 'In stock')),
        h('div', { class: 'line-actions' },
          h('label', { for: 'qty-' + lineKey(l) }, 'Qty'), qty,
          h('button', { type: 'button', class: 'linkish', onclick: (e) => act(e.currentTarget, () => api('POST', `/cart/items/${pid(l)}/save-for-later`)) }, 'Save for later'),
          h('button', { type: 'button', class: 'linkish danger', onclick: (e) => act(e.currentTarget, () => api('DELETE', `/cart/items/${pid(l)}`)) }, 'Remove'))),
      h('div', { class: 'line-price' },
        h('strong', null, money(l.subtotal ?? l.line_total ?? l.unit_price * l.quantity, currency)),
        l.quantity > 1 ? h('small', { class: 'muted' }, `${money(l.unit_price, currency)} each`) : null));
  };
  const savedLine = (l) => h('li', { class: 'cart-line saved', dataset: { productId: l.product_id, variantId: lineKey(l) } },
    h('a', { href: lineHref(l), class: 'line-img', tabindex: '-1', 'aria-hidden': 'true' }, productImage(lineImage(l), '')),
    h('div', { class: 'line-info' },
      h('a', { href: lineHref(l), class: 'line-name' }, lineName(l)),
      lineOptions(l),
      h('div', { class: 'line-actions' },
        h('button', { type: 'button', class: 'btn small', onclick: (e) => act(e.currentTarget, () => api('POST', `/cart/items/${pid(l)}/move-to-cart`)) }, 'Move to cart'),
        h('button', { type: 'button', class: 'linkish danger', onclick: (e) => act(e.currentTarget, () => api('DELETE', `/cart/items/${pid(l)}`)) }, 'Remove'))),
    h('div', { class: 'line-price' }, h('strong', null, money(l.unit_price ?? l.price, currency))));
  const hasUnavailable = items.some(lineUnavailable);
  mount(main,
    h('h1', null, 'Your cart'),
    msg,
    h('div', { class: 'cart-page' },
      h('div', { class: 'cart-lines' },
        items.length ? h('ul', { class: 'plain lines', id: 'cart-items' }, items.map(line))
          : h('div', { class: 'state empty' }, h('p', { class: 'big' }, 'Your cart is empty.'), h('a', { class: 'btn', href: '/' }, 'Continue shopping')),
        saved.length ? h('section', { class: 'saved-section', id: 'saved-items' }, h('h2', null, `Saved for later (${saved.length})`), h('ul', { class: 'plain lines' }, saved.map(savedLine))) : null),
      items.length ? summaryBox(data.summary, currency, [
        hasUnavailable ? notice('Some items are unavailable. Remove them or save them for later to check out.', 'error') : null,
        h('a', { class: 'btn primary big block' + (hasUnavailable ? ' disabled' : ''), href: '/checkout', id: 'go-checkout', 'aria-disabled': hasUnavailable ? 'true' : null }, 'Proceed to checkout'),
        data.expires_at ? h('p', { class: 'muted small' }, 'Your cart is saved on this device and account.') : null]) : null));
}

// ---- checkout ----

const TEST_CARDS = [
  ['4242 4242 4242 4242', 'approves'],
  ['4000 0000 0000 0002', 'declined'],
  ['4000 0000 0000 9995', 'insufficient funds'],
  ['4000 0000 0000 0119', 'gateway error'],
];

const ATTEMPT_KEY = 'shopbox_checkout_attempt';
// One Idempotency-Key per checkout attempt: the same body reuses the key
// (double click, retry after a network error or 5xx); a changed body, or an
// attempt that got a definite answer, starts a new key.
function attemptKey(bodyText) {
  try {
    const saved = JSON.parse(sessionStorage.getItem(ATTEMPT_KEY) || 'null');
    if (saved && saved.body === bodyText) return saved.key;
  } catch (e) { /* ignore */ }
  const key = 'chk_' + uuid();
  sessionStorage.setItem(ATTEMPT_KEY, JSON.stringify({ key, body: bodyText }));
  return key;
}
function endAttempt() {
  sessionStorage.removeItem(ATTEMPT_KEY);
}

function addressText(a) {
  return [a.name || a.full_name, a.street || a.line1 || a.address_line1, a.line2 || a.address_line2, [a.city, a.state, a.zip || a.postal_code].filter(Boolean).join(' '), a.country].filter(Boolean).join(', ');
}

export async function checkout(main, _m, _params, alive) {
  setTitle('Checkout');
  const me = await loadMe(true);
  const data = await api('GET', '/cart');
  if (!alive()) return;
  const items = data.items || [];
  if (!items.length) {
    return mount(main, h('h1', null, 'Checkout'), h('div', { class: 'state empty' }, h('p', { class: 'big' }, 'Your cart is empty.'), h('a', { class: 'btn', href: '/' }, 'Continue shopping')));
  }
  if (!me) {
    return mount(main, h('h1', null, 'Checkout'),
      h('div', { class: 'state empty card' },
        h('p', { class: 'big' }, 'Sign in to check out'),
        h('p', null, 'Your cart is kept when you sign in or create an account.'),
        h('div', { class: 'row gap' },
          h('a', { class: 'btn primary', href: '/login?next=/checkout' }, 'Sign in'),
          h('a', { class: 'btn', href: '/register?next=/checkout' }, 'Create an account'))));
  }
  const currency = cartCurrency(data);
  const [addresses, methods] = me ? await Promise.all([
    api('GET', '/me/addresses').then((d) => d.addresses || d.items || []).catch(() => []),
    api('GET', '/me/payment-methods').then((d) => d.payment_methods || d.items || []).catch(() => []),
  ]) : [[], []];
  if (!alive()) return;

  // Address
  const addrChoice = { value: addresses.length ? String(addresses.find((a) => a.is_default_shipping || a.is_default || a.default_shipping)?.address_id || addresses[0].address_id) : 'new' };
  const inp = (name, attrs = {}) => h('input', { name, required: true, ...attrs });
  const addrFields = {
    name: inp('name', { autocomplete: 'name', value: me ? [me.first_name, me.last_name].filter(Boolean).join(' ') : '' }),
    street: inp('street', { autocomplete: 'address-line1' }),
    city: inp('city', { autocomplete: 'address-level2' }),
    state: inp('state', { autocomplete: 'address-level1', required: false }),
    zip: inp('zip', { autocomplete: 'postal-code' }),
    country: inp('country', { autocomplete: 'country', value: 'US', maxlength: 2 }),
  };
  const newAddr = h('div', { class: 'grid-form', hidden: addrChoice.value !== 'new' },
    field('Full name', addrFields.name), field('Street address', addrFields.street), field('City', addrFields.city),
    field('State / region', addrFields.state), field('ZIP / postal code', addrFields.zip), field('Country (2 letters)', addrFields.country));
  const radio = (group, value, label, checked, onpick) => {
    const id = `${group}-${value}`;
    return h('div', { class: 'choice' }, h('input', { type: 'radio', name: group, id, value, checked, onchange: () => onpick(value) }), h('label', { for: id }, label));
  };
  const addrSection = h('fieldset', { class: 'card step' }, h('legend', null, h('span', { class: 'step-no' }, '1'), ' Shipping address'),
    addresses.map((a) => radio('addr', String(a.address_id), addressText(a), addrChoice.value === String(a.address_id), (v) => { addrChoice.value = v; newAddr.hidden = true; })),
    addresses.length ? radio('addr', 'new', 'Use a new address', false, (v) => { addrChoice.value = v; newAddr.hidden = false; }) : null,
    newAddr);

  // Payment
  const payChoice = { value: methods.length ? String(methods[0].payment_method_id || methods[0].id) : 'new' };
  const card = {
    number: h('input', { name: 'cardnumber', autocomplete: 'cc-number', inputmode: 'numeric', placeholder: '4242 4242 4242 4242', required: true, maxlength: 23 }),
    exp: h('input', { name: 'exp', autocomplete: 'cc-exp', placeholder: 'MM/YY', required: true, maxlength: 7 }),
    cvc: h('input', { name: 'cvc', autocomplete: 'cc-csc', inputmode: 'numeric', placeholder: '123', required: true, maxlength: 4 }),
  };
  const newCard = h('div', { hidden: payChoice.value !== 'new' },
    h('div', { class: 'grid-form cardform' }, field('Card number', card.number), field('Expiry (MM/YY)', card.exp), field('CVC', card.cvc)),
    h('details', { class: 'test-cards' }, h('summary', null, 'Test cards'),
      h('ul', { class: 'plain' }, TEST_CARDS.map(([n, what]) => h('li', null,
        h('button', { type: 'button', class: 'linkish', onclick: () => { card.number.value = n; card.exp.value = '12/' + String((new Date().getFullYear() + 3) % 100); card.cvc.value = '123'; } }, n),
        ' — ', what)))));
  const payLabel = (m) => `${m.brand || 'Card'} ending ${m.last_four || m.last4} (exp ${m.exp_month}/${m.exp_year})`;
  const paySection = h('fieldset', { class: 'card step' }, h('legend', null, h('span', { class: 'step-no' }, '2'), ' Payment'),
    methods.map((m) => radio('pay', String(m.payment_method_id || m.id), payLabel(m), payChoice.value === String(m.payment_method_id || m.id), (v) => { payChoice.value = v; newCard.hidden = true; })),
    methods.length ? radio('pay', 'new', 'Use a new card', false, (v) => { payChoice.value = v; newCard.hidden = false; }) : null,
    newCard);

  // Review
  const review = h('section', { class: 'card step' }, h('h2', null, h('span', { class: 'step-no' }, '3'), ' Review items'),
    h('ul', { class: 'plain review-lines' }, items.map((l) => h('li', null,
      productImage(lineImage(l), ''), h('span', { class: 'rl-name' }, lineName(l), lineOptions(l, 'small')), h('span', { class: 'muted' }, ` × ${l.quantity}`),
      h('strong', null, money(l.subtotal ?? l.unit_price * l.quantity, currency))))));

  const msg = h('div', { class: 'form-msg', id: 'checkout-msg', role: 'alert', 'aria-live': 'assertive' });
  const placeBtn = h('button', { type: 'submit', class: 'btn primary big block', id: 'place-order' }, 'Place order');
  let inFlight = false;

  const buildBody = () => {
    const body = {};
    if (addrChoice.value === 'new') {
      const a = {};
      for (const [k, el] of Object.entries(addrFields)) if (el.value.trim()) a[k] = el.value.trim();
      body.shipping_address = a;
    } else {
      body.shipping_address_id = addrChoice.value;
    }
    if (payChoice.value === 'new') {
      const [mm, yy] = card.exp.value.split('/').map((s) => s.trim());
      const year = parseInt(yy, 10);
      body.payment_method = {
        type: 'card',
        card_number: card.number.value.replace(/[\s-]/g, ''),
        exp_month: parseInt(mm, 10),
        exp_year: year < 100 ? 2000 + year : year,
        cvc: card.cvc.value.trim(),
      };
    } else {
      body.payment_method_id = payChoice.value;
    }
    return body;
  };

  const form = h('form', { class: 'checkout-page', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    if (inFlight) return; // a double click sends one request
    mount(msg);
    if (addrChoice.value === 'new') {
      for (const el of Object.values(addrFields)) {
        if (el.required && !el.value.trim()) { el.focus(); mount(msg, notice('Please fill in the shipping address.', 'error')); return; }
      }
    }
    if (payChoice.value === 'new') {
      if (!/^\d{12,19}$/.test(card.number.value.replace(/[\s-]/g, ''))) { card.number.focus(); mount(msg, notice('Enter the card number (12 to 19 digits).', 'error')); return; }
      if (!/^\s*\d{1,2}\s*\/\s*\d{2,4}\s*$/.test(card.exp.value)) { card.exp.focus(); mount(msg, notice('Enter the expiry as MM/YY.', 'error')); return; }
      if (!/^\d{3,4}$/.test(card.cvc.value.trim())) { card.cvc.focus(); mount(msg, notice('Enter the 3 or 4 digit CVC.', 'error')); return; }
    }
    const body = buildBody();
    const bodyText = JSON.stringify(body);
    const key = attemptKey(bodyText);
    inFlight = true;
    setBusy(placeBtn, true, 'Placing your order…');
    try {
      const res = await api('POST', '/orders', body, { headers: { 'Idempotency-Key': key } });
      endAttempt();
      const order = res.order || res;
      setCartCount({ items: [] });
      navigate('/orders/' + encodeURIComponent(order.order_id || order.id) + '?placed=1');
      return;
    } catch (err) {
      const retryable = err instanceof ApiError && (err.status === 0 || err.status >= 500) &&
        !(err.headers && err.headers.get && err.headers.get('Idempotent-Replayed') === 'true');
      if (!retryable) endAttempt();
      if (err.status === 401) mount(msg, notice('Your session has expired. Please sign in again; your cart is kept.', 'error'), h('a', { href: '/login?next=/checkout' }, 'Sign in'));
      else mount(msg, notice(humanError(err) + (retryable ? ' You can safely try again: you will not be charged twice.' : ''), 'error'));
      msg.scrollIntoView({ block: 'center' });
    } finally {
      inFlight = false;
      setBusy(placeBtn, false);
    }
  } },
  h('div', { class: 'checkout-steps' }, addrSection, paySection, review),
  summaryBox(data.summary, currency, [msg, placeBtn, h('p', { class: 'muted small' }, 'By placing your order you agree to the shop’s terms. Your card is charged when you place the order.')]));
  mount(main, h('h1', null, 'Checkout'), form);
}
