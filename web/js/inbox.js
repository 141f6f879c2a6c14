// Pages a shopper reaches from the shop's email, or that send one: forgot
// password, the reset link, the email-verification link, and finding a
// guest's order (the signed link in the confirmation, or order number +
// email + a mailed code).
//
// None of these pages says whether an email has an account or an order:
// the API answers the same for both, and so does the page.
import { api, h, mount, notice, humanError, setBusy, field, qs, toast } from './lib.js';
import { navigate, setTitle, loadMe, state, updateHeader } from './session.js';
import { orderView } from './account.js';
import { returnsSection } from './orders.js';

// A small centred form (the sign-in page's layout).
function inboxForm(title, intro, fields, submitLabel, onSubmit, footer) {
  const msg = h('div', { class: 'form-msg', role: 'alert', 'aria-live': 'assertive' });
  const btn = h('button', { type: 'submit', class: 'btn primary big block' }, submitLabel);
  const form = h('form', { class: 'auth-form card', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    mount(msg);
    const empty = fields.map((f) => f.querySelector('input')).find((i) => i && i.required && !i.value.trim());
    if (empty) {
      empty.focus();
      mount(msg, notice('Please fill in ' + (empty.labels[0] ? empty.labels[0].textContent : 'this field') + '.', 'error'));
      return;
    }
    setBusy(btn, true, 'Please wait…');
    try {
      await onSubmit(msg);
    } catch (err) {
      mount(msg, notice(humanError(err), 'error'));
    } finally {
      setBusy(btn, false);
    }
  } }, h('h1', null, title), intro ? h('p', { class: 'muted' }, intro) : null, fields, msg, btn, footer || null);
  return h('div', { class: 'auth-wrap' }, form);
}

export async function forgotPassword(main, _m, params) {
  setTitle('Reset your password');
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true, value: params.get('email') || '' });
  mount(main, inboxForm('Reset your password', 'Enter the email of your account. We send you a link to choose a new password.',
    [field('Email', email)], 'Send the link', async () => {
      await api('POST', '/auth/password-reset', { email: email.value.trim() });
      mount(main, h('div', { class: 'auth-wrap' }, h('div', { class: 'card auth-form', id: 'reset-sent' },
        h('h1', null, 'Check your email'),
        h('p', null, 'If an account uses ', h('strong', null, email.value.trim()), ', a link to reset its password is on its way. It works for 30 minutes.'),
        h('p', { class: 'muted small' }, 'No email after a few minutes? Check the spam folder, or ', h('a', { href: '/forgot-password' }, 'try again'), '.'))));
    }, h('p', { class: 'muted' }, h('a', { href: '/login' }, 'Back to sign in'))));
  email.focus();
}

export async function resetPassword(main, _m, params) {
  setTitle('Choose a new password');
  const token = params.get('token') || '';
  if (!token) {
    return mount(main, h('div', { class: 'state empty' }, h('h1', null, 'This link is incomplete'),
      h('p', null, 'Open the link from the email again, or ask for a new one.'), h('a', { class: 'btn', href: '/forgot-password' }, 'Reset your password')));
  }
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true, minlength: 8 });
  const again = h('input', { type: 'password', name: 'password2', autocomplete: 'new-password', required: true, minlength: 8 });
  mount(main, inboxForm('Choose a new password', null,
    [field('New password', password, 'At least 8 characters'), field('New password again', again)], 'Set the new password', async (msg) => {
      if (password.value !== again.value) {
        again.focus();
        mount(msg, notice('The two passwords are not the same.', 'error'));
        return;
      }
      try {
        await api('POST', '/auth/password-reset/confirm', { token, password: password.value });
      } catch (err) {
        if (err.code === 'invalid_token' || err.code === 'token_expired' || /token/.test(err.code || '')) {
          mount(msg, notice('This link has expired or was already used. ', 'error'), h('a', { href: '/forgot-password' }, 'Ask for a new link'));
          return;
        }
        throw err;
      }
      // every session was signed out, this tab's too
      state.me = null;
      updateHeader();
      navigate('/login?reset=1', { replace: true });
    }));
  password.focus();
}

export async function verifyEmail(main, _m, params) {
  setTitle('Confirm your email');
  const token = params.get('token') || '';
  const box = (...content) => mount(main, h('div', { class: 'auth-wrap' }, h('div', { class: 'card auth-form', id: 'verify-result' }, ...content)));
  if (!token) return box(h('h1', null, 'This link is incomplete'), h('p', null, 'Open the link from the email again.'));
  try {
    const res = await api('POST', '/auth/verify-email', { token });
    const claimed = Number(res.claimed_orders || 0);
    await loadMe(true);
    box(h('h1', null, 'Your email is confirmed'),
      h('p', null, 'Thank you. ', claimed ? `${claimed} earlier ${claimed === 1 ? 'order' : 'orders'} placed as a guest with this email ${claimed === 1 ? 'is' : 'are'} now in your account.` : ''),
      h('a', { class: 'btn primary', href: state.me ? '/orders' : '/login?next=/orders' }, 'Your orders'));
  } catch (err) {
    box(h('h1', null, 'This link does not work'),
      h('p', null, err.status === 400 || err.status === 404 ? 'It has expired or was already used. Sign in and ask for a new one from your account page.' : humanError(err)),
      h('a', { class: 'btn', href: '/account' }, 'Your account'));
  }
}

// A guest's order: from the signed link (?order=&token=), or found with
// the order number, the email and the code the shop mails.
export async function orderLookup(main, _m, params, alive) {
  setTitle('Find your order');
  const orderId = params.get('order');
  const token = params.get('token');
  if (orderId && token) {
    try {
      const res = await api('GET', '/orders/lookup' + qs({ order_id: orderId, token }));
      if (!alive()) return;
      const o = res.order || res;
      // The signed link's token also authorises a return of this order.
      const returns = returnsSection(o, (body) => api('POST', '/orders/lookup/returns', { order_id: o.order_id, token, ...body }),
        () => { toast('Return requested'); orderLookup(main, _m, params, alive); });
      return mount(main, orderView(o, { placed: !!params.get('placed'), returns }));
    } catch (err) {
      if (err.status !== 404) throw err;
      mount(main, notice('This order link does not work any more. Find the order with its number and your email below.', 'error'));
    }
  }
  lookupForm(main, alive);
}

function lookupForm(main, alive) {
  const number = h('input', { name: 'order_number', required: true, placeholder: '1001', autocomplete: 'off' });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true });
  const form = inboxForm('Find your order', 'Enter the order number from your confirmation email and the email you ordered with. We email you a code that opens the order.',
    [field('Order number', number), field('Email', email)], 'Email me a code', async () => {
      const body = { order_number: number.value.trim().replace(/^#/, ''), email: email.value.trim() };
      await api('POST', '/orders/lookup', body);
      codeForm(main, body, alive);
    }, h('p', { class: 'muted' }, 'Have an account? ', h('a', { href: '/login?next=/orders' }, 'Sign in'), ' to see all your orders.'));
  main.appendChild(form);
  number.focus();
}

function codeForm(main, { order_number, email }, alive) {
  const code = h('input', { name: 'code', required: true, inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 6 });
  mount(main, inboxForm('Enter your code', `If order ${order_number} was placed with ${email}, a 6-digit code is on its way there. It works for 15 minutes.`,
    [field('Code', code)], 'Open the order', async (msg) => {
      try {
        const res = await api('GET', '/orders/lookup' + qs({ order_number, email, code: code.value.trim() }));
        if (!alive()) return;
        mount(main, orderView(res.order || res, {}));
      } catch (err) {
        if (err.status !== 404) throw err;
        mount(msg, notice('That code does not match, or it has expired. Check the latest email, or ', 'error'), h('a', { href: '/orders/lookup' }, 'start again'), '.');
      }
    }));
  code.focus();
}
