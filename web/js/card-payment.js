// How the checkout takes a new card, by gateway (GET /payments/config):
//   - test gateway: card number, expiry and CVC inputs posted to the shop,
//     with the "test cards" helper (only this gateway knows those numbers);
//   - Stripe: Stripe Elements. The card fields belong to Stripe.js, the card
//     goes from the browser to Stripe, and the shop only ever receives the
//     PaymentMethod id (pm_...), so no card number reaches shopbox.
// Both give checkout.js the same three things: the element to show, a
// check before "Place order", and the `payment_method` body field.
import { h, field, notice } from './lib.js';

const TEST_CARDS = [
  ['4242 4242 4242 4242', 'approves'],
  ['4000 0000 0000 0002', 'declined'],
  ['4000 0000 0000 9995', 'insufficient funds'],
  ['4000 0000 0000 0119', 'gateway error'],
];

let paymentsConfig = null;
// What the shop's gateway needs from the storefront; fetched once per page load.
export async function loadPaymentsConfig(api) {
  if (!paymentsConfig) {
    paymentsConfig = await api('GET', '/payments/config').catch(() => ({ gateway: 'test', takes_card_numbers: true, test_cards: false, guest_checkout: false }));
  }
  return paymentsConfig;
}

// The test gateway's form: plain inputs, posted as payment_method.card_number.
function numberCardForm(config) {
  const card = {
    number: h('input', { name: 'cardnumber', autocomplete: 'cc-number', inputmode: 'numeric', placeholder: '4242 4242 4242 4242', required: true, maxlength: 23 }),
    exp: h('input', { name: 'exp', autocomplete: 'cc-exp', placeholder: 'MM/YY', required: true, maxlength: 7 }),
    cvc: h('input', { name: 'cvc', autocomplete: 'cc-csc', inputmode: 'numeric', placeholder: '123', required: true, maxlength: 4 }),
  };
  const fill = (n) => {
    card.number.value = n;
    card.exp.value = '12/' + String((new Date().getFullYear() + 3) % 100);
    card.cvc.value = '123';
  };
  const el = h('div', null,
    h('div', { class: 'grid-form cardform' }, field('Card number', card.number), field('Expiry (MM/YY)', card.exp), field('CVC', card.cvc)),
    config.test_cards ? h('details', { class: 'test-cards' }, h('summary', null, 'Test cards'),
      h('ul', { class: 'plain' }, TEST_CARDS.map(([n, what]) => h('li', null,
        h('button', { type: 'button', class: 'linkish', onclick: () => fill(n) }, n), ' — ', what)))) : null);
  return {
    el,
    // null when the card looks complete, else [input to focus, message]
    problem() {
      if (!/^\d{12,19}$/.test(card.number.value.replace(/[\s-]/g, ''))) return [card.number, 'Enter the card number (12 to 19 digits).'];
      if (!/^\s*\d{1,2}\s*\/\s*\d{2,4}\s*$/.test(card.exp.value)) return [card.exp, 'Enter the expiry as MM/YY.'];
      if (!/^\d{3,4}$/.test(card.cvc.value.trim())) return [card.cvc, 'Enter the 3 or 4 digit CVC.'];
      return null;
    },
    // the same card gives the same body (one Idempotency-Key for retries)
    async paymentMethod() {
      const [mm, yy] = card.exp.value.split('/').map((s) => s.trim());
      const year = parseInt(yy, 10);
      return { type: 'card', card_number: card.number.value.replace(/[\s-]/g, ''), exp_month: parseInt(mm, 10), exp_year: year < 100 ? 2000 + year : year, cvc: card.cvc.value.trim() };
    },
    // the test gateway never asks the shopper to authenticate
    async completeAction() { return { error: 'This payment needs an authentication the shop cannot show.' }; },
  };
}

let stripeScript = null;
function loadStripeJs(url) {
  if (window.Stripe) return Promise.resolve(window.Stripe);
  if (!stripeScript) {
    stripeScript = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = url;
      s.onload = () => (window.Stripe ? resolve(window.Stripe) : reject(new Error('Stripe.js did not load')));
      s.onerror = () => { stripeScript = null; reject(new Error('Stripe.js did not load')); };
      document.head.appendChild(s);
    });
  }
  return stripeScript;
}

// Stripe Elements: the card element, a PaymentMethod per card, and the
// 3-D Secure challenge when the PaymentIntent asks for it.
async function stripeCardForm(config, billing) {
  const slot = h('div', { class: 'stripe-card', id: 'card-element', role: 'group', 'aria-labelledby': 'card-label' });
  const errorLine = h('p', { class: 'field-error', id: 'card-errors', role: 'alert' });
  const el = h('div', null, h('div', { class: 'label', id: 'card-label' }, 'Card'), slot, errorLine,
    h('p', { class: 'muted small' }, 'Your card details go straight to Stripe, our payment provider; this shop never sees them.'));
  let stripe;
  let card;
  let complete = false;
  let cached = null; // {key, id}: one PaymentMethod per entered card
  try {
    const Stripe = await loadStripeJs(config.js_url);
    stripe = Stripe(config.publishable_key);
    card = stripe.elements().create('card');
    card.mount(slot);
    card.on('change', (e) => {
      complete = !!e.complete;
      cached = null;
      errorLine.textContent = e.error ? e.error.message : '';
    });
  } catch (e) {
    return { el: notice('The card form could not load. Check your connection and reload the page.', 'error'), problem: () => [null, 'The card form could not load.'], paymentMethod: async () => null, completeAction: async () => ({ error: 'Stripe.js is not loaded.' }) };
  }
  return {
    el,
    problem() {
      return complete ? null : [null, errorLine.textContent || 'Enter your card details.'];
    },
    async paymentMethod() {
      const details = billing();
      const key = JSON.stringify(details);
      if (!cached || cached.key !== key) {
        const res = await stripe.createPaymentMethod({ type: 'card', card, billing_details: details });
        if (res.error) throw Object.assign(new Error(res.error.message), { cardError: true });
        cached = { key, id: res.paymentMethod.id };
      }
      return { type: 'card', token: cached.id };
    },
    // 3-D Secure: Stripe.js shows the bank's challenge; the shop then asks
    // Stripe itself whether it was paid (the answer here is not trusted).
    async completeAction(action) {
      const res = await stripe.handleNextAction({ clientSecret: action.client_secret });
      return res.error ? { error: res.error.message } : {};
    },
  };
}

// The new-card form for the shop's gateway. `billing()` gives the name and
// email Stripe records with the card.
export async function newCardForm(config, billing) {
  return config.gateway === 'stripe' ? stripeCardForm(config, billing) : numberCardForm(config);
}
