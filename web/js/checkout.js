// Checkout: who is buying (a signed-in shopper, or a guest's email), the
// address (saved or new), then the shipping methods for
// it with price and delivery date (each choice is PUT to /cart/shipping, so
// the summary is the exact total with its tax lines), payment, the items,
// and "Place order" showing that total. The order is sent with the chosen
// shipping_method and the discount codes that apply.
import { api, h, mount, money, notice, humanError, setBusy, field, uuid, ApiError, addressForm, toast } from './lib.js';
import { navigate, setTitle, setCartCount, loadMe } from './session.js';
import { productImage } from './shop.js';
import { summaryBox, lineName, lineOptions, lineImage, cartCurrencyOf } from './cart.js';
import { discountForm, shippingChoices, shippingProblem, reasonText, discountError } from './pricing.js';
import { loadPaymentsConfig, newCardForm } from './card-payment.js';

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

// Where the shopper lands after placing the order: their order page, or for
// a guest the signed link (the same one the confirmation email holds).
function placedUrl(order, guestUrl) {
  if (guestUrl) {
    try {
      const u = new URL(guestUrl, location.href);
      u.searchParams.set('placed', '1');
      return u.pathname + u.search;
    } catch (e) { /* fall through */ }
  }
  return '/orders/' + encodeURIComponent(order.order_id || order.id) + '?placed=1';
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
  const [me, payConfig] = await Promise.all([loadMe(true), loadPaymentsConfig(api)]);
  let cart = await api('GET', '/cart');
  if (!alive()) return;
  const items = cart.items || [];
  if (!items.length) {
    return mount(main, h('h1', null, 'Checkout'), h('div', { class: 'state empty' }, h('p', { class: 'big' }, 'Your cart is empty.'), h('a', { class: 'btn', href: '/' }, 'Continue shopping')));
  }
  if (!me && !payConfig.guest_checkout) {
    return mount(main, h('h1', null, 'Checkout'),
      h('div', { class: 'state empty card' },
        h('p', { class: 'big' }, 'Sign in to check out'),
        h('p', null, 'Your cart is kept when you sign in or create an account.'),
        h('div', { class: 'row gap' },
          h('a', { class: 'btn primary', href: '/login?next=/checkout' }, 'Sign in'),
          h('a', { class: 'btn', href: '/register?next=/checkout' }, 'Create an account'))));
  }
  const currency = cartCurrencyOf(cart);
  // A guest has no saved addresses or cards: the forms are empty.
  const [addresses, methods] = me ? await Promise.all([
    api('GET', '/me/addresses').then((d) => d.addresses || d.items || []).catch(() => []),
    api('GET', '/me/payment-methods').then((d) => d.payment_methods || d.items || []).catch(() => []),
  ]) : [[], []];
  if (!alive()) return;
  // Does the server price shipping per address (PUT /cart/shipping)?
  let shippingApi = cart.shipping !== undefined;

  // ---- 0. a guest's email (order confirmation, the order's link) ----
  const guestEmail = me ? null : h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true, id: 'guest-email' });
  const contactSection = me ? null : h('fieldset', { class: 'card step', id: 'step-contact' }, h('legend', null, ' Contact'),
    field('Email', guestEmail, 'We send the order confirmation and a link to your order here.'),
    h('p', { class: 'muted small' }, 'Checking out as a guest. Have an account? ',
      h('a', { href: '/login?next=/checkout' }, 'Sign in'), '. New here? ', h('a', { href: '/register?next=/checkout' }, 'Create an account'),
      ' to save your address and see your orders. Your cart is kept either way.'));

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
  const billing = () => ({ name: addrChoice.value === 'new' ? addrFields.name.value.trim() : undefined, email: guestEmail ? guestEmail.value.trim() : me.email });
  const cardForm = await newCardForm(payConfig, billing);
  if (!alive()) return;
  const newCard = h('div', { hidden: payChoice.value !== 'new' }, cardForm.el);
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

  const buildBody = async () => {
    const body = {};
    if (guestEmail) body.email = guestEmail.value.trim();
    if (addrChoice.value === 'new') {
      body.shipping_address = addrForm.value();
    } else {
      body.shipping_address_id = addrChoice.value;
    }
    if (payChoice.value === 'new') {
      body.payment_method = await cardForm.paymentMethod();
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
  h('div', { class: 'checkout-steps' }, contactSection, addrSection, shipSection, paySection, review),
  summarySlot);

  async function placeOrder() {
    mount(msg);
    if (guestEmail && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(guestEmail.value.trim())) {
      guestEmail.focus();
      mount(msg, notice('Enter your email address: the order confirmation goes there.', 'error'));
      return;
    }
    if (addrChoice.value === 'new') {
      for (const el of Object.values(addrFields)) {
        if (el.required && !el.value.trim()) { el.focus(); mount(msg, notice('Please fill in the shipping address.', 'error')); return; }
      }
    }
    if (payChoice.value === 'new') {
      const problem = cardForm.problem();
      if (problem) {
        if (problem[0]) problem[0].focus();
        mount(msg, notice(problem[1], 'error'));
        return;
      }
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
    let body;
    try {
      body = await buildBody();
    } catch (err) {
      mount(msg, notice(err.cardError ? err.message : humanError(err), 'error'));
      return;
    }
    const bodyText = JSON.stringify(body);
    const key = attemptKey(bodyText);
    try {
      const res = await api('POST', '/orders', body, { headers: { 'Idempotency-Key': key } });
      endAttempt();
      setCartCount({ items: [] });
      const order = res.order || res;
      if (res.next_action) await finishPayment(order, res.next_action);
      navigate(placedUrl(order, res.guest_order_url));
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
  // 3-D Secure: the order waits (pending_payment, stock held) while the
  // shopper answers the bank's challenge; then the shop asks the gateway.
  // Whatever the outcome, the order page shows where the payment stands.
  async function finishPayment(order, action) {
    setBusy(placeBtn, true, 'Confirming with your bank…');
    const done = await cardForm.completeAction(action);
    try {
      await api('POST', String(action.confirm_url).replace(/^\/api\/v1/, ''));
    } catch (e) { /* Stripe's webhook, or the sweeper, settles it */ }
    if (done.error) toast(done.error, 'error');
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
