// Checkout: the address first (saved or new), then the shipping methods for
// it with price and delivery date (each choice is PUT to /cart/shipping, so
// the summary is the exact total with its tax lines), payment, the items,
// and "Place order" showing that total. The order is sent with the chosen
// shipping_method and the discount codes that apply.
import { api, h, mount, money, notice, humanError, setBusy, field, uuid, ApiError, addressForm } from './lib.js';
import { navigate, setTitle, setCartCount, loadMe } from './session.js';
import { productImage } from './shop.js';
import { summaryBox, lineName, lineOptions, lineImage, cartCurrencyOf } from './cart.js';
import { discountForm, shippingChoices, shippingProblem, reasonText, discountError } from './pricing.js';

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

export function addressText(a) {
  return [a.name || a.full_name, a.street || a.line1 || a.address_line1, a.line2 || a.address_line2, [a.city, a.state, a.zip || a.postal_code].filter(Boolean).join(' '), a.country].filter(Boolean).join(', ');
}

// The codes to send with the order: applied and currently applying.
function liveCodes(cart) {
  const rejected = new Set((cart.rejected_codes || []).map((r) => String(r.code).toUpperCase()));
  return (cart.discount_codes || []).filter((c) => !rejected.has(String(c).toUpperCase()));
}

export async function checkout(main, _m, _params, alive) {
  setTitle('Checkout');
  const me = await loadMe(true);
  let cart = await api('GET', '/cart');
  if (!alive()) return;
  const items = cart.items || [];
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
  const currency = cartCurrencyOf(cart);
  const [addresses, methods] = await Promise.all([
    api('GET', '/me/addresses').then((d) => d.addresses || d.items || []).catch(() => []),
    api('GET', '/me/payment-methods').then((d) => d.payment_methods || d.items || []).catch(() => []),
  ]);
  if (!alive()) return;
  // Does the server price shipping per address (PUT /cart/shipping)?
  let shippingApi = cart.shipping !== undefined;

  // ---- 1. address ----
  const defaultAddr = addresses.find((a) => a.is_default_shipping || a.is_default || a.default_shipping) || addresses[0];
  const addrChoice = { value: defaultAddr ? String(defaultAddr.address_id) : 'new' };
  const addrForm = addressForm(me, addrChoice.value !== 'new');
  const addrFields = addrForm.fields;
  const newAddr = addrForm.el;
  const radio = (group, value, label, checked, onpick) => {
    const id = `${group}-${value}`;
    return h('div', { class: 'choice' }, h('input', { type: 'radio', name: group, id, value, checked, onchange: () => onpick(value) }), h('label', { for: id }, label));
  };
  const addrSection = h('fieldset', { class: 'card step', id: 'step-address' }, h('legend', null, h('span', { class: 'step-no' }, '1'), ' Shipping address'),
    addresses.map((a) => radio('addr', String(a.address_id), addressText(a), addrChoice.value === String(a.address_id), (v) => { addrChoice.value = v; newAddr.hidden = true; scheduleSync(0); })),
    addresses.length ? radio('addr', 'new', 'Use a new address', false, (v) => { addrChoice.value = v; newAddr.hidden = false; addrFields.street.focus(); scheduleSync(0); }) : null,
    newAddr);

  // ---- 2. shipping method ----
  const shipBody = h('div', { id: 'shipping-methods', 'aria-live': 'polite' });
  const shipSection = h('fieldset', { class: 'card step', id: 'step-shipping' }, h('legend', null, h('span', { class: 'step-no' }, '2'), ' Shipping method'), shipBody);
  let chosenMethod = cart.shipping && cart.shipping.method ? String(cart.shipping.method.id) : '';

  // The destination the address choice gives, as PUT /cart/shipping takes it
  // (null: not enough of a new address typed yet).
  const destination = () => {
    if (addrChoice.value !== 'new') return { address_id: addrChoice.value };
    const country = addrFields.country.value.trim().toUpperCase();
    const zip = addrFields.zip.value.trim();
    if (!/^[A-Z]{2}$/.test(country) || !zip) return null;
    const d = { country, zip };
    const st = addrFields.state.value.trim();
    if (st) d.state = st;
    return d;
  };
  const destKey = (d) => (d ? JSON.stringify(d) : '');
  let syncedKey = null; // the destination the cart was last priced for
  let syncSeq = 0;
  let syncing = null;
  let syncTimer = null;
  let syncError = '';

  const sync = async (methodId) => {
    if (!shippingApi) return;
    const d = destination();
    const seq = ++syncSeq;
    if (!d) {
      syncedKey = '';
      renderShipping();
      return;
    }
    const body = { ...d };
    if (methodId) body.shipping_method = methodId;
    const run = (async () => {
      try {
        const next = await api('PUT', '/cart/shipping', body);
        if (seq !== syncSeq || !alive()) return;
        syncError = '';
        syncedKey = destKey(d);
        update(next);
      } catch (err) {
        if (seq !== syncSeq || !alive()) return;
        if (err instanceof ApiError && (err.status === 404 || err.status === 405) && !/shipping|address/.test(err.code || '')) {
          shippingApi = false; // an older server: shipping is priced at checkout
          renderShipping();
          return;
        }
        syncedKey = destKey(d);
        syncError = err.code === 'no_shipping_to_address' ? shippingProblem('no_shipping_to_address')
          : err.code === 'shipping_method_unavailable' ? shippingProblem('shipping_method_unavailable') : humanError(err);
        if (err.code === 'shipping_method_unavailable' && methodId) { chosenMethod = ''; syncing = null; return sync(''); }
        renderShipping();
      }
    })();
    syncing = run;
    await run;
    if (syncing === run) syncing = null;
  };
  const scheduleSync = (ms = 450) => {
    clearTimeout(syncTimer);
    syncTimer = setTimeout(() => sync(chosenMethod), ms);
  };
  for (const k of ['country', 'state', 'zip']) {
    addrFields[k].addEventListener('change', () => scheduleSync(0));
    addrFields[k].addEventListener('input', () => scheduleSync(700));
  }

  function renderShipping() {
    if (!shippingApi) {
      shipSection.hidden = true;
      return;
    }
    shipSection.hidden = false;
    const s = cart.shipping || {};
    const options = Array.isArray(s.options) ? s.options : [];
    const d = destination();
    if (syncError) return mount(shipBody, notice(syncError, 'error'));
    if (!d) return mount(shipBody, h('p', { class: 'muted' }, 'Enter the country and ZIP / postal code of your address to see the shipping methods.'));
    if (syncedKey !== destKey(d)) return mount(shipBody, h('div', { class: 'state loading small-state' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Finding shipping methods for this address…'));
    if (s.problem) {
      return mount(shipBody, notice(shippingProblem(s.problem), 'error'),
        s.problem === 'shipping_method_unavailable' && options.length ? shippingChoices(options, '', currency, pickMethod) : null);
    }
    if (!options.length) return mount(shipBody, notice(shippingProblem('no_shipping_to_address'), 'error'));
    mount(shipBody,
      s.zone ? h('p', { class: 'muted small ship-zone' }, 'Delivery options for ', h('strong', null, s.zone)) : null,
      shippingChoices(options, s.method ? s.method.id : '', currency, pickMethod));
  }
  function pickMethod(id) {
    chosenMethod = String(id);
    clearTimeout(syncTimer);
    sync(chosenMethod);
  }

  // ---- 3. payment ----
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
  const paySection = h('fieldset', { class: 'card step' }, h('legend', null, h('span', { class: 'step-no' }, '3'), ' Payment'),
    methods.map((m) => radio('pay', String(m.payment_method_id || m.id), payLabel(m), payChoice.value === String(m.payment_method_id || m.id), (v) => { payChoice.value = v; newCard.hidden = true; })),
    methods.length ? radio('pay', 'new', 'Use a new card', false, (v) => { payChoice.value = v; newCard.hidden = false; }) : null,
    newCard);

  // ---- 4. items ----
  const review = h('section', { class: 'card step' }, h('h2', null, h('span', { class: 'step-no' }, '4'), ' Review items'),
    h('ul', { class: 'plain review-lines' }, items.map((l) => h('li', null,
      productImage(lineImage(l), ''), h('span', { class: 'rl-name' }, lineName(l), lineOptions(l, 'small')), h('span', { class: 'muted' }, ` × ${l.quantity}`),
      h('strong', null, money(l.subtotal ?? l.unit_price * l.quantity, currency))))));

  // ---- summary and "Place order" ----
  const msg = h('div', { class: 'form-msg', id: 'checkout-msg', role: 'alert', 'aria-live': 'assertive' });
  const placeBtn = h('button', { type: 'submit', class: 'btn primary big block', id: 'place-order' }, 'Place order');
  const terms = h('p', { class: 'muted small' }, 'By placing your order you agree to the shop’s terms. Your card is charged the total above when you place the order.');
  const summarySlot = h('div', { class: 'summary-slot' });
  let inFlight = false;

  function renderSummary() {
    const total = cart.summary ? cart.summary.total : undefined;
    // no zone serves the address the shopper chose: nothing to pay yet
    const noShip = shippingApi && cart.shipping && cart.shipping.problem === 'no_shipping_to_address' && !!destination() && syncedKey === destKey(destination());
    if (!inFlight) {
      placeBtn.textContent = total !== undefined && !noShip ? `Place order · ${money(total, currency)}` : 'Place order';
      placeBtn.disabled = !!noShip;
      delete placeBtn.dataset.label;
    }
    mount(summarySlot, summaryBox(cart.summary, currency, [
      cart.discount_codes === undefined ? null : discountForm(cart, currency, (next) => { update(next); const b = summarySlot.querySelector('#discount-code'); if (b) b.focus(); }),
      msg,
      noShip ? h('p', { class: 'ship-blocked', id: 'ship-blocked' }, shippingProblem('no_shipping_to_address')) : null,
      placeBtn, terms], cart));
  }
  function update(next) {
    if (next && next.items) {
      cart = next;
      setCartCount(cart);
    }
    renderShipping();
    renderSummary();
  }

  const buildBody = () => {
    const body = {};
    if (addrChoice.value === 'new') {
      body.shipping_address = addrForm.value();
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
    if (shippingApi && cart.shipping && cart.shipping.method) body.shipping_method = String(cart.shipping.method.id);
    const codes = liveCodes(cart);
    if (codes.length) body.discount_codes = codes;
    return body;
  };

  const form = h('form', { class: 'checkout-page', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    if (inFlight) return; // a double click sends one request
    inFlight = true;
    try {
      await placeOrder();
    } finally {
      inFlight = false;
      setBusy(placeBtn, false);
      renderSummary();
    }
  } },
  h('div', { class: 'checkout-steps' }, addrSection, shipSection, paySection, review),
  summarySlot);

  async function placeOrder() {
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
    setBusy(placeBtn, true, 'Placing your order…');
    // The total on the button is what is charged: price the address first
    // when the shopper typed faster than the summary followed.
    if (shippingApi) {
      const shown = cart.summary ? Number(cart.summary.total) : null;
      clearTimeout(syncTimer);
      if (syncing) await syncing;
      if (shippingApi && syncedKey !== destKey(destination())) await sync(chosenMethod);
      if (!alive()) return;
      if (syncError) { mount(msg, notice(syncError, 'error')); return; }
      const s = cart.shipping || {};
      if (shippingApi && s.problem) { mount(msg, notice(shippingProblem(s.problem), 'error')); shipSection.scrollIntoView({ block: 'center' }); return; }
      if (shippingApi && shown !== null && cart.summary && Number(cart.summary.total) !== shown) {
        mount(msg, notice(`The total for this address is ${money(cart.summary.total, currency)}. Check the summary, then place the order.`, 'error'));
        return;
      }
    }
    const body = buildBody();
    const bodyText = JSON.stringify(body);
    const key = attemptKey(bodyText);
    try {
      const res = await api('POST', '/orders', body, { headers: { 'Idempotency-Key': key } });
      endAttempt();
      const order = res.order || res;
      setCartCount({ items: [] });
      navigate('/orders/' + encodeURIComponent(order.order_id || order.id) + '?placed=1');
    } catch (err) {
      const retryable = err instanceof ApiError && (err.status === 0 || err.status >= 500) &&
        !(err.headers && err.headers.get && err.headers.get('Idempotent-Replayed') === 'true');
      if (!retryable) endAttempt();
      if (err.status === 401) {
        mount(msg, notice('Your session has expired. Please sign in again; your cart is kept.', 'error'), h('a', { href: '/login?next=/checkout' }, 'Sign in'));
      } else if (err.code === 'discount_not_applicable') {
        const code = err.details.code || (body.discount_codes || []).join(', ');
        mount(msg, notice(`${code ? 'Code ' + code + ': ' : ''}${reasonText(err.details.reason, err.details, currency)} Remove it or change your cart, then place the order again.`, 'error'));
        await refreshCart();
      } else if (err.code === 'shipping_method_unavailable' || err.code === 'no_shipping_to_address') {
        mount(msg, notice(shippingProblem(err.code), 'error'));
        chosenMethod = '';
        await sync('');
      } else if (err.code === 'discount_not_found') {
        mount(msg, notice(discountError(err, err.details.code || '', currency), 'error'));
        await refreshCart();
      } else {
        mount(msg, notice(humanError(err) + (retryable ? ' You can safely try again: you will not be charged twice.' : ''), 'error'));
      }
      msg.scrollIntoView({ block: 'center' });
    }
  }
  async function refreshCart() {
    try {
      update(await api('GET', '/cart'));
    } catch (e) { /* keep what is shown */ }
  }

  mount(main, h('h1', null, 'Checkout'), form);
  renderShipping();
  renderSummary();
  if (shippingApi) sync(chosenMethod);
}
