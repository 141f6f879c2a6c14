// Admin: the shop's settings (GET/PUT /api/v1/admin/settings): store
// details, the storefront banner lines and the four policy pages. Loaded
// only on /admin/settings (app.js).
//
// The form sends only what the merchant changed (the API's PUT is
// partial); a 400 names the field (details.field: "name",
// "policies.returns.body") and the message is shown under that input.
import { api, h, toast, setBusy, loading, errorBox, ApiError, humanError } from './lib.js';
import { gate, shell } from './admin.js';

const A = { admin: true };

const POLICY_ORDER = ['returns', 'shipping', 'privacy', 'terms'];
const LIMITS = { name: 100, logo_url: 2000, contact_email: 254, postal_address: 500, currency: 3, locale: 35,
  shipping_line: 200, returns_line: 200, title: 120, body: 20000 };

let fieldSeq = 0;

// One labelled input; data-field is the API's name for it, so an error lands here.
function field(label, path, value, { type = 'text', rows = 0, hint = '', max } = {}) {
  const id = 'set-' + path.replace(/\./g, '-');
  const attrs = { id, name: path, dataset: { field: path }, maxlength: max };
  const input = rows
    ? h('textarea', { ...attrs, rows }, value || '')
    : h('input', { ...attrs, type, value: value || '' });
  if (rows) input.value = value || '';
  const hintId = hint ? id + '-hint' : null;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input,
    hint ? h('p', { class: 'muted small', id: hintId }, hint) : null);
}

function clearFieldErrors(form) {
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

// The error under its input: details.field, or its nearest parent path.
function showFieldError(form, fieldName, text) {
  let path = String(fieldName || '');
  let el = null;
  while (path && !el) {
    el = form.querySelector(`[data-field="${CSS.escape(path)}"]`);
    if (!el) path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
  }
  if (!el) return false;
  const err = h('p', { class: 'field-error', id: el.id + '-err-' + (++fieldSeq), role: 'alert' }, text);
  el.setAttribute('aria-invalid', 'true');
  el.setAttribute('aria-errormessage', err.id);
  el.closest('.field').append(err);
  el.addEventListener('input', () => { err.remove(); el.removeAttribute('aria-invalid'); }, { once: true });
  el.focus();
  return true;
}

// What changed since the page loaded: the PUT body.
function changes(form, saved) {
  const body = {};
  for (const key of ['name', 'logo_url', 'contact_email', 'postal_address', 'locale', 'shipping_line', 'returns_line']) {
    const v = form.elements[key].value;
    if (v !== (saved[key] || '')) body[key] = v;
  }
  const policies = {};
  for (const slug of POLICY_ORDER) {
    const was = (saved.policies || {})[slug] || {};
    const title = form.elements[`policies.${slug}.title`].value;
    const text = form.elements[`policies.${slug}.body`].value;
    const p = {};
    if (title !== (was.title || '')) p.title = title;
    if (text !== (was.body || '')) p.body = text;
    if (Object.keys(p).length) policies[slug] = p;
  }
  if (Object.keys(policies).length) body.policies = policies;
  return body;
}

function policySection(slug, page) {
  return h('fieldset', { class: 'card', id: 'policy-' + slug },
    h('legend', null, h('strong', null, page.title || slug)),
    field('Title', `policies.${slug}.title`, page.title, { max: LIMITS.title }),
    field('Text', `policies.${slug}.body`, page.body, { rows: 8, max: LIMITS.body,
      hint: 'Plain text. A blank line starts a new paragraph.' }),
    h('p', null, h('a', { href: '/pages/' + slug, target: '_blank', rel: 'noopener', class: 'btn small ghost', id: 'view-' + slug }, 'View page')));
}

export async function settings(main, _m, _params, alive) {
  if (!(await gate(main))) return;
  shell(main, 'settings', 'Settings', loading());
  let saved;
  try {
    saved = await api('GET', '/admin/settings', undefined, A);
  } catch (e) {
    if (alive()) shell(main, 'settings', 'Settings', errorBox(e, () => settings(main, _m, _params, alive)));
    return;
  }
  if (!alive()) return;

  const msg = h('div', { class: 'form-msg', role: 'status', 'aria-live': 'polite' });
  const btn = h('button', { type: 'submit', class: 'btn primary', id: 'settings-save' }, 'Save settings');
  const form = h('form', { id: 'settings-form', novalidate: true },
    h('fieldset', { class: 'card' }, h('legend', null, h('strong', null, 'Store details')),
      field('Shop name', 'name', saved.name, { max: LIMITS.name, hint: 'Shown in the header, page titles, search results and emails.' }),
      field('Logo address', 'logo_url', saved.logo_url, { max: LIMITS.logo_url,
        hint: 'An https:// image address or an uploaded image (/images/…). Empty: the built-in mark.' }),
      field('Contact email', 'contact_email', saved.contact_email, { type: 'email', max: LIMITS.contact_email }),
      field('Postal address', 'postal_address', saved.postal_address, { rows: 3, max: LIMITS.postal_address }),
      field('Currency', 'currency', saved.currency, { max: 3,
        hint: 'The catalog’s prices are in this currency; it is set in the config file ([shop] currency).' }),
      field('Locale', 'locale', saved.locale, { max: LIMITS.locale, hint: 'A language tag such as en-US.' })),
    h('fieldset', { class: 'card' }, h('legend', null, h('strong', null, 'Storefront lines')),
      field('Shipping line', 'shipping_line', saved.shipping_line, { max: LIMITS.shipping_line, hint: 'Empty: not shown.' }),
      field('Returns line', 'returns_line', saved.returns_line, { max: LIMITS.returns_line, hint: 'Empty: not shown.' })),
    h('h2', null, 'Policies'),
    POLICY_ORDER.map((slug) => policySection(slug, (saved.policies || {})[slug] || {})),
    h('div', { class: 'row gap' }, btn), msg);
  form.elements.currency.readOnly = true;

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    msg.textContent = '';
    const body = changes(form, saved);
    if (!Object.keys(body).length) { msg.textContent = 'Nothing changed.'; return; }
    setBusy(btn, true, 'Saving…');
    try {
      saved = await api('PUT', '/admin/settings', body, A);
      msg.textContent = 'Saved.';
      toast('Settings saved');
    } catch (err) {
      const fieldName = err instanceof ApiError ? (err.details || {}).field : '';
      const text = err instanceof ApiError ? err.message : humanError(err);
      if (!showFieldError(form, fieldName, text)) msg.textContent = humanError(err);
      else msg.textContent = 'Not saved: fix the field marked above.';
    } finally {
      setBusy(btn, false);
    }
  });
  shell(main, 'settings', 'Settings', h('p', { class: 'muted' }, 'How the shop presents itself: on every storefront page, the policy pages and in emails.'), form);
}
