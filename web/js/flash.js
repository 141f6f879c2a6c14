// Flash sales: the sale page (price, units left, countdown), the virtual
// queue (join, position updated by polling), the token holder's checkout at
// the sale price. The admin page that creates sales is admin-flash.js.
import { api, h, mount, money, notice, humanError, toast, setBusy, field, dateTime, countdown, stars, addressForm } from './lib.js';
import { setTitle, loadMe, navigate } from './session.js';
import { productImage, tickCountdowns } from './shop.js';
import { summaryRows, shippingChoices, shippingProblem } from './pricing.js';

const POLL_MS = 1500;

export function unitsLeft(s) {
  return Number(s.remaining || 0) + Number(s.held || 0);
}

function saleHeadline(s) {
  const started = s.status === 'active';
  if (s.status === 'scheduled') return ['Starts in ', h('span', { class: 'countdown', dataset: { until: String(Date.parse(s.starts_at)) } }, countdown((Date.parse(s.starts_at) - Date.now()) / 1000))];
  if (started) return ['Ends in ', h('span', { class: 'countdown', dataset: { until: String(Date.parse(s.ends_at)) } }, countdown((Date.parse(s.ends_at) - Date.now()) / 1000))];
  if (s.status === 'sold_out') return ['Sold out'];
  return ['This sale has ended'];
}

// The counters block, refreshed on every poll.
function saleFacts(s) {
  const left = unitsLeft(s);
  const pct = s.quantity ? Math.round((left / s.quantity) * 100) : 0;
  return h('div', { class: 'flash-facts' },
    h('p', { class: 'flash-when', id: 'flash-when' }, saleHeadline(s)),
    h('div', { class: 'flash-meter', 'aria-hidden': 'true' }, h('span', { class: 'flash-meter-fill', style: `width:${pct}%` })),
    h('p', { id: 'units-left' }, h('strong', null, `${left} of ${s.quantity} left`), h('span', { class: 'muted' }, ` · ${s.sold} sold`,
      s.queued ? ` · ${s.queued} waiting in line` : '')),
    h('p', { class: 'muted small' }, `Limit ${s.per_user_limit} per customer · ${dateTime(s.starts_at)} – ${dateTime(s.ends_at)}`));
}

export async function sale(main, [id], _params, alive) {
  const [s, me] = await Promise.all([api('GET', '/flash-sales/' + id), loadMe()]);
  if (!alive()) return;
  setTitle('Flash sale: ' + (s.product_name || ''));
  const p = await api('GET', '/products/' + s.product_id).catch(() => null);
  if (!alive()) return;
  const cur = s.currency || 'USD';
  const list = Number(s.list_price || 0);
  const off = list > Number(s.sale_price) ? Math.round((1 - Number(s.sale_price) / list) * 100) : 0;
  const facts = h('div', { id: 'flash-facts' }, saleFacts(s));
  const panel = h('div', { class: 'card flash-panel', id: 'flash-panel', 'aria-live': 'polite' });
  const image = p && (p.image_details && p.image_details[0] ? p.image_details[0].url : (p.images || [])[0]);
  mount(main,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '/' }, 'Home'), ' › ', h('span', null, 'Flash sale')),
    h('div', { class: 'product-page flash-page' },
      h('div', { class: 'gallery' }, productImage(image, s.product_name, 'main-img')),
      h('div', { class: 'product-info' },
        h('span', { class: 'flash-tag' }, '⚡ Flash sale'),
        h('h1', { class: 'product-name' }, s.product_name || 'Product ' + s.product_id),
        p && p.rating && p.rating.count ? stars(p.rating.average, p.rating.count) : null,
        h('div', { class: 'price big' },
          h('span', { class: 'now sale', id: 'sale-price' }, money(s.sale_price, cur)),
          off ? h('s', { class: 'was' }, money(list, cur)) : null,
          off ? h('span', { class: 'off' }, `−${off}%`) : null),
        facts,
        panel,
        h('p', null, h('a', { href: '/p/' + s.product_id }, 'Product details ›')))));
  tickCountdowns(main, alive);

  const ctx = { id, sale: s, me, cur, panel, facts, alive, main, polling: false, checkingOut: false };
  if (!me && (s.status === 'sold_out' || s.status === 'ended')) {
    mount(panel, h('p', { class: 'big-msg' }, s.status === 'sold_out' ? 'Sold out' : 'This sale has ended'),
      h('a', { href: '/p/' + s.product_id }, 'See the product at its regular price ›'));
    return;
  }
  if (!me) {
    mount(panel, h('p', null, 'Sign in to join the queue for this sale.'),
      h('a', { class: 'btn primary big', href: '/login?next=' + encodeURIComponent('/flash/' + id) }, 'Sign in to join'));
    return;
  }
  await refresh(ctx);
}

async function refresh(ctx) {
  let st;
  try {
    const [status, s] = await Promise.all([api('GET', `/flash-sales/${ctx.id}/status`), api('GET', '/flash-sales/' + ctx.id)]);
    st = status;
    ctx.sale = s;
    mount(ctx.facts, saleFacts(s));
  } catch (e) {
    if (!ctx.alive()) return;
    mount(ctx.panel, notice(humanError(e), 'error'), h('button', { type: 'button', class: 'btn', onclick: () => refresh(ctx) }, 'Try again'));
    return;
  }
  if (!ctx.alive()) return;
  showState(ctx, st);
}

function schedulePoll(ctx) {
  if (ctx.polling) return;
  ctx.polling = true;
  setTimeout(async () => {
    ctx.polling = false;
    if (!ctx.alive() || !ctx.panel.isConnected) return;
    await refresh(ctx);
  }, POLL_MS);
}

function joinForm(ctx, st, intro) {
  const s = ctx.sale;
  const max = Math.max(0, Number(s.per_user_limit) - Number(st.bought || 0));
  if (max <= 0) return [notice('You have bought the most this sale allows per customer.', 'info')];
  const qty = h('select', { id: 'flash-qty' }, Array.from({ length: Math.min(max, 10) }, (_, i) => h('option', { value: String(i + 1) }, String(i + 1))));
  const msg = h('div', { class: 'form-msg', role: 'alert' });
  const btn = h('button', { type: 'submit', class: 'btn primary big', id: 'join-queue', disabled: s.status !== 'active' },
    s.status === 'scheduled' ? 'Not started yet' : 'Join the queue');
  return [intro || null,
    h('form', { class: 'buy', onsubmit: async (e) => {
      e.preventDefault();
      setBusy(btn, true, 'Joining…');
      try {
        const res = await api('POST', `/flash-sales/${ctx.id}/join`, { quantity: Number(qty.value) });
        if (!ctx.alive()) return;
        showState(ctx, res);
      } catch (err) {
        setBusy(btn, false);
        mount(msg, notice(humanError(err), 'error'));
      }
    } }, max > 1 ? h('div', { class: 'qty' }, h('label', { for: 'flash-qty' }, 'Quantity'), qty) : null, btn),
    msg,
    h('p', { class: 'muted small' }, 'Places are given in the order shoppers join. When it is your turn we hold your units for 5 minutes.')];
}

function showState(ctx, st) {
  const { panel, sale: s } = ctx;
  if (ctx.checkingOut && st.state === 'granted') return; // keep the form the shopper is filling in
  switch (st.state) {
    case 'not_joined':
      if (s.status === 'sold_out') return mount(panel, h('p', { class: 'big-msg' }, 'Sold out'), h('p', { class: 'muted' }, 'Every unit of this sale is gone.'));
      if (s.status === 'ended') return mount(panel, h('p', { class: 'big-msg' }, 'This sale has ended'));
      return mount(panel, joinForm(ctx, st));
    case 'queued':
      mount(panel,
        h('p', { class: 'queue-pos', id: 'queue-position' }, 'You are ', h('strong', null, `number ${st.position}`), ' in line'),
        h('div', { class: 'state loading' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Keep this page open: it updates by itself.'));
      return schedulePoll(ctx);
    case 'granted':
      return mount(panel, checkoutForm(ctx, st));
    case 'purchased':
      return showOrder(ctx, st);
    case 'expired':
      return mount(panel, joinForm(ctx, st, notice('Your turn ran out before you checked out, so the units went back to the sale. You can join again.', 'error')));
    case 'sold_out':
      return mount(panel, h('p', { class: 'big-msg', id: 'flash-sold-out' }, 'Sold out'), h('p', { class: 'muted' }, 'Sorry, every unit went before your turn came.'));
    case 'ended':
      return mount(panel, h('p', { class: 'big-msg' }, 'This sale has ended'));
    default:
      mount(panel, notice(`Status: ${st.state}`));
      return schedulePoll(ctx);
  }
}

async function showOrder(ctx, st) {
  let order = null;
  if (st.order_id) order = await api('GET', '/me/flash-orders/' + encodeURIComponent(st.order_id)).catch(() => null);
  if (!ctx.alive()) return;
  mount(ctx.panel, order ? confirmation(order) : h('p', null, 'You bought this sale item.'),
    joinMore(ctx, st));
}

function joinMore(ctx, st) {
  const max = Number(ctx.sale.per_user_limit) - Number(st.bought || 0);
  if (max <= 0 || ctx.sale.status !== 'active') return null;
  return h('details', { class: 'write-more' }, h('summary', { class: 'btn small' }, 'Buy another'), joinForm(ctx, st));
}

function confirmation(o) {
  const cur = o.currency || 'USD';
  const item = (o.items || [])[0] || {};
  const sum = o.pricing || o.summary || {};
  const m = sum.shipping_method || o.shipping_method;
  return h('div', { id: 'flash-confirmation' },
    h('div', { class: 'confirm-banner' }, h('span', { class: 'check-mark', 'aria-hidden': 'true' }, '✓'),
      h('div', null, h('h2', null, 'You got it!'), h('p', null, 'Order ', h('strong', { class: 'order-id' }, o.order_number ? '#' + o.order_number : o.order_id)))),
    h('p', null, `${item.product_name || 'Item'} × ${item.quantity} at `, h('strong', { class: 'flash-unit' }, money(item.unit_price, cur)), ' each'),
    h('div', { class: 'summary-list' }, summaryRows(sum, cur, { shippingName: m && typeof m === 'object' ? m.name : '' })),
    o.payment && o.payment.last4 ? h('p', { class: 'muted small' }, `Paid with ${brandName(o.payment.brand)} ending ${o.payment.last4}`) : null,
    h('p', null, h('a', { class: 'btn small', href: '/orders/' + encodeURIComponent(o.order_id) }, 'View order and tracking')));
}

function brandName(b) {
  return b ? b.charAt(0).toUpperCase() + b.slice(1) : 'card';
}

function addressLine(a) {
  return [a.name, a.street, [a.city, a.state, a.zip].filter(Boolean).join(' '), a.country].filter(Boolean).join(', ');
}

function checkoutForm(ctx, st) {
  const { sale: s, cur, me } = ctx;
  const wrap = h('div', { id: 'flash-checkout' });
  const expires = Date.now() + Number(st.expires_in_seconds || 0) * 1000;
  const unit = Number(s.sale_price);
  wrap.appendChild(h('div', { class: 'notice ok turn' },
    h('strong', null, 'It’s your turn! '), `${st.quantity} × ${money(unit, cur)} held for you for `,
    h('span', { class: 'countdown', dataset: { until: String(expires) } }, countdown(st.expires_in_seconds || 0)), '.'));
  const expiryTimer = () => {
    if (!ctx.alive() || !wrap.isConnected) return;
    if (Date.now() >= expires) { ctx.checkingOut = false; refresh(ctx); return; }
    setTimeout(expiryTimer, 1000);
  };
  setTimeout(expiryTimer, 1000);
  tickCountdowns(wrap, ctx.alive);
  const body = h('div', null, h('div', { class: 'state loading' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading your addresses and cards…'));
  wrap.appendChild(body);
  Promise.all([
    api('GET', '/me/addresses').then((d) => d.addresses || []).catch(() => []),
    api('GET', '/me/payment-methods').then((d) => d.payment_methods || []).catch(() => []),
  ]).then(([addresses, methods]) => {
    if (!wrap.isConnected) return;
    const radio = (group, value, label, checked, onpick) => {
      const id = `fl-${group}-${value}`;
      return h('div', { class: 'choice' }, h('input', { type: 'radio', name: 'fl-' + group, id, value, checked, onchange: () => onpick(value) }), h('label', { for: id }, label));
    };
    const addr = { value: addresses.length ? String((addresses.find((a) => a.is_default) || addresses[0]).address_id) : 'new' };
    const addrForm = addressForm(me, addr.value !== 'new');
    const af = addrForm.fields;
    const newAddr = addrForm.el;
    const pay = { value: methods.length ? String(methods[0].payment_method_id) : 'new' };
    const card = {
      number: h('input', { name: 'cardnumber', autocomplete: 'cc-number', inputmode: 'numeric', placeholder: '4242 4242 4242 4242', maxlength: 23 }),
      exp: h('input', { name: 'exp', autocomplete: 'cc-exp', placeholder: 'MM/YY', maxlength: 7 }),
      cvc: h('input', { name: 'cvc', autocomplete: 'cc-csc', inputmode: 'numeric', placeholder: '123', maxlength: 4 }),
    };
    const newCard = h('div', { class: 'grid-form cardform', hidden: pay.value !== 'new' }, field('Card number', card.number), field('Expiry (MM/YY)', card.exp), field('CVC', card.cvc));
    const msg = h('div', { class: 'form-msg', role: 'alert', id: 'flash-msg' });
    const saleTotal = unit * Number(st.quantity || 1);
    const btn = h('button', { type: 'submit', class: 'btn primary big block', id: 'flash-buy' }, 'Buy now');
    const quoteBox = h('div', { class: 'flash-quote', id: 'flash-quote', 'aria-live': 'polite' });
    const shipBox = h('div', { class: 'flash-ship', id: 'flash-ship' });
    const note = h('p', { class: 'muted small', id: 'flash-note' });
    let inFlight = false;
    const touched = () => { ctx.checkingOut = true; };

    // The exact total (tax, shipping) for the address, from POST .../quote,
    // before the shopper pays; `quoteApi` false on a server without it.
    let quote = null;
    let quoteKey = null;
    let quoteApi = true;
    let quoteSeq = 0;
    let quoteTimer = null;
    let quoting = null;
    let chosenMethod = '';
    const addressPart = () => {
      if (addr.value !== 'new') return { shipping_address_id: addr.value };
      if (addrForm.missing()) return null;
      return { shipping_address: addrForm.value() };
    };
    const keyOf = (part) => (part ? JSON.stringify(part) : '');
    const showButton = () => {
      if (inFlight) return;
      if (!quoteApi) {
        btn.textContent = `Buy now for ${money(saleTotal, cur)}`;
        note.textContent = 'Tax and shipping are added as usual; your card is charged when you buy.';
      } else if (quote && quoteKey === keyOf(addressPart())) {
        btn.textContent = `Buy now for ${money(quote.total, quote.currency || cur)}`;
        note.textContent = 'This total includes tax and shipping; your card is charged when you buy.';
      } else {
        btn.textContent = 'Buy now';
        note.textContent = 'Enter your address to see the total with tax and shipping before you pay.';
      }
      delete btn.dataset.label;
    };
    const renderQuote = (err) => {
      if (err) { mount(shipBox); return mount(quoteBox, notice(err, 'error')); }
      if (!quote) { mount(shipBox); return mount(quoteBox); }
      const qc = quote.currency || cur;
      const options = Array.isArray(quote.shipping_options) ? quote.shipping_options : [];
      const m = quote.shipping_method;
      const mid = m ? String(typeof m === 'object' ? m.id : m) : '';
      const mname = m && typeof m === 'object' ? m.name : (options.find((o) => String(o.id) === mid) || {}).name;
      mount(shipBox, options.length > 1 ? h('fieldset', { class: 'step' }, h('legend', null, 'Shipping method'),
        shippingChoices(options, mid, qc, (id) => { chosenMethod = String(id); touched(); getQuote(); }, 'fl-ship')) : null);
      mount(quoteBox, h('div', { class: 'summary-list', id: 'flash-quote-summary' }, summaryRows(quote, qc, { shippingName: mname })));
    };
    const getQuote = async () => {
      clearTimeout(quoteTimer);
      if (!quoteApi) return;
      const part = addressPart();
      const seq = ++quoteSeq;
      if (!part) { quote = null; quoteKey = null; renderQuote(); showButton(); return; }
      const req = { quantity: Number(st.quantity || 1), ...part };
      if (chosenMethod) req.shipping_method = chosenMethod;
      const run = (async () => {
        try {
          const q = await api('POST', `/flash-sales/${ctx.id}/quote`, req);
          if (seq !== quoteSeq || !wrap.isConnected) return;
          quote = q;
          quoteKey = keyOf(part);
          renderQuote();
        } catch (err) {
          if (seq !== quoteSeq || !wrap.isConnected) return;
          quote = null;
          quoteKey = null;
          if ((err.status === 404 || err.status === 405) && !/address|shipping|sale|token/.test(err.code || '')) {
            quoteApi = false;
            renderQuote();
          } else if (err.code === 'shipping_method_unavailable' && chosenMethod) {
            chosenMethod = '';
            quoting = null;
            return getQuote();
          } else {
            renderQuote(shippingProblem(err.code) && /shipping/.test(err.code || '') ? shippingProblem(err.code) : humanError(err));
          }
        }
        showButton();
      })();
      quoting = run;
      await run;
      if (quoting === run) quoting = null;
    };
    const scheduleQuote = (ms) => { clearTimeout(quoteTimer); quoteTimer = setTimeout(getQuote, ms); };
    for (const el of Object.values(af)) {
      el.addEventListener('change', () => scheduleQuote(0));
      el.addEventListener('input', () => scheduleQuote(700));
    }
    const form = h('form', { novalidate: true, oninput: touched, onsubmit: async (e) => {
      e.preventDefault();
      if (inFlight) return;
      mount(msg);
      const req = { token: st.token };
      if (addr.value === 'new') {
        const empty = addrForm.missing();
        if (empty) { empty.focus(); mount(msg, notice('Please fill in the shipping address.', 'error')); return; }
        req.shipping_address = addrForm.value();
      } else {
        req.shipping_address_id = addr.value;
      }
      if (pay.value === 'new') {
        const number = card.number.value.replace(/[\s-]/g, '');
        if (!/^\d{12,19}$/.test(number)) { card.number.focus(); mount(msg, notice('Enter the card number (12 to 19 digits).', 'error')); return; }
        const m = card.exp.value.match(/^\s*(\d{1,2})\s*\/\s*(\d{2,4})\s*$/);
        if (!m) { card.exp.focus(); mount(msg, notice('Enter the expiry as MM/YY.', 'error')); return; }
        if (!/^\d{3,4}$/.test(card.cvc.value.trim())) { card.cvc.focus(); mount(msg, notice('Enter the 3 or 4 digit CVC.', 'error')); return; }
        const year = parseInt(m[2], 10);
        req.payment_method = { type: 'card', card_number: number, exp_month: parseInt(m[1], 10), exp_year: year < 100 ? 2000 + year : year, cvc: card.cvc.value.trim() };
      } else {
        req.payment_method_id = pay.value;
      }
      // the shopper sees the exact total before paying: price the address
      // first when it changed since the last quote
      if (quoteApi) {
        clearTimeout(quoteTimer);
        if (quoting) await quoting;
        if (quoteApi && quoteKey !== keyOf(addressPart())) {
          await getQuote();
          if (quoteApi) {
            if (quote) mount(msg, notice(`Your total is ${money(quote.total, quote.currency || cur)} with tax and shipping. Press “Buy now” again to pay it.`, 'info'));
            return;
          }
        }
        if (quoteApi && !quote) return;
        const m = quote && quote.shipping_method;
        if (m) req.shipping_method = String(typeof m === 'object' ? m.id : m);
      }
      inFlight = true;
      ctx.checkingOut = true;
      setBusy(btn, true, 'Paying…');
      try {
        const order = await api('POST', `/flash-sales/${ctx.id}/checkout`, req);
        ctx.checkingOut = false;
        if (!ctx.alive()) return;
        toast('Order placed at the sale price');
        mount(ctx.panel, confirmation(order));
        api('GET', '/flash-sales/' + ctx.id).then((s2) => { ctx.sale = s2; mount(ctx.facts, saleFacts(s2)); }).catch(() => {});
      } catch (err) {
        inFlight = false;
        setBusy(btn, false);
        showButton();
        if (err.code === 'shipping_method_unavailable' || err.code === 'no_shipping_to_address') {
          mount(msg, notice(shippingProblem(err.code), 'error'));
          chosenMethod = '';
          getQuote();
          return;
        }
        if (err.code === 'token_expired' || err.code === 'sold_out') {
          ctx.checkingOut = false;
          toast(humanError(err), 'error');
          refresh(ctx);
          return;
        }
        mount(msg, notice(humanError(err), 'error'));
      }
    } },
    h('fieldset', { class: 'step' }, h('legend', null, 'Ship to'),
      addresses.map((a) => radio('addr', String(a.address_id), addressLine(a), addr.value === String(a.address_id), (v) => { addr.value = v; newAddr.hidden = true; chosenMethod = ''; getQuote(); })),
      addresses.length ? radio('addr', 'new', 'Use a new address', false, (v) => { addr.value = v; newAddr.hidden = false; chosenMethod = ''; getQuote(); }) : null,
      newAddr),
    shipBox,
    h('fieldset', { class: 'step' }, h('legend', null, 'Pay with'),
      methods.map((m) => radio('pay', String(m.payment_method_id), `${m.brand || 'Card'} ending ${m.last_four || m.last4} (exp ${m.exp_month}/${m.exp_year})`, pay.value === String(m.payment_method_id), (v) => { pay.value = v; newCard.hidden = true; })),
      methods.length ? radio('pay', 'new', 'Use a new card', false, (v) => { pay.value = v; newCard.hidden = false; }) : null,
      newCard),
    quoteBox, msg, btn, note);
    mount(body, form);
    showButton();
    getQuote();
  });
  return wrap;
}
