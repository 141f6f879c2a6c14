// The cart: quantities, save for later, discount codes and the order summary
// (each discount, sale savings, shipping, tax by name). Checkout is checkout.js.
import { api, h, mount, money, notice, humanError, toast, setBusy, pick, optionsText, variantHref } from './lib.js';
import { setTitle, setCartCount } from './session.js';
import { productImage } from './shop.js';
import { summaryRows, discountForm } from './pricing.js';

export function lineName(l) {
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
export function lineImage(l) {
  return l.image || (l.product && l.product.image) || null;
}
function lineUnavailable(l) {
  return l.available === false || l.in_stock === false || l.unavailable === true || l.status === 'unavailable' || l.status === 'out_of_stock';
}
function cartCurrency(cart) {
  return cart.currency || pick(cart, 'summary.currency') || ((cart.items || [])[0] || {}).currency || 'USD';
}
export function cartCurrencyOf(cart) {
  return cartCurrency(cart);
}
export function savedLines(cart) {
  return cart.saved_for_later || cart.saved_items || cart.saved || [];
}

// The order summary box: the lines (each discount, shipping, tax by name),
// then `extra` (the discount-code form, the checkout button).
export function summaryBox(s, currency, extra, cart) {
  s = s || {};
  const ship = cart && cart.shipping;
  // the shop's own region prices the cart until the shopper gives an address
  const estimated = !!cart && !(ship && ship.destination && !ship.destination.estimated);
  return h('section', { class: 'summary card', 'aria-label': 'Order summary', id: 'order-summary' },
    h('h2', null, 'Order summary'),
    summaryRows(s, currency, {
      itemsLabel: `Items (${s.items_count ?? s.item_count ?? ''})`.replace(' ()', ''),
      shippingName: ship && ship.method ? ship.method.name : '',
      noShipping: !!(ship && ship.problem === 'no_shipping_to_address') && (estimated ? 'later' : true),
      estimated,
      ids: true,
    }),
    s.free_shipping_remaining !== null && s.free_shipping_remaining !== undefined && Number(s.free_shipping_remaining) > 0
      ? h('p', { class: 'free-ship-hint', id: 'free-shipping-remaining' }, `Add ${money(s.free_shipping_remaining, currency)} more for free shipping.`) : null,
    estimated && cart && cart.shipping !== undefined ? h('p', { class: 'muted small' }, 'Shipping and tax are estimates until you enter your address at checkout.') : null,
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
        data.discount_codes === undefined ? null : discountForm(data, currency, (next, what) => {
          renderCart(main, next);
          if (what && what.applied) {
            const r = (next.rejected_codes || []).find((x) => String(x.code).toUpperCase() === what.applied);
            toast(r ? `${what.applied} is saved but does not apply yet` : `Code ${what.applied} applied`, r ? 'error' : 'ok');
          } else if (what && what.removed) toast(`Code ${what.removed} removed`);
          const box = main.querySelector('#discount-code');
          if (box) box.focus();
        }),
        hasUnavailable ? notice('Some items are unavailable. Remove them or save them for later to check out.', 'error') : null,
        h('a', { class: 'btn primary big block' + (hasUnavailable ? ' disabled' : ''), href: '/checkout', id: 'go-checkout', 'aria-disabled': hasUnavailable ? 'true' : null }, 'Proceed to checkout'),
        data.expires_at ? h('p', { class: 'muted small' }, 'Your cart is saved on this device and account.') : null], data) : null));
}
