// Admin: staff accounts and their roles, API keys with scopes (the key is
// shown once, when created), and the audit log of admin writes. Loaded
// only on /admin/staff, /admin/api-keys and /admin/audit (app.js).
// Staff and keys are the owner's; the audit log needs audit:read.
//
// Every value from the API goes in through h() (textContent).
import { api, h, mount, dateTime, notice, humanError, toast, setBusy, qs, pager, errorBox, field } from './lib.js';
import { navigate } from './session.js';
import { gate, shell } from './admin.js';

const A = { admin: true };
const aget = (path) => api('GET', path, undefined, A);
const asend = (method, path, body) => api(method, path, body, A);

const ROLES = [['owner', 'Owner — everything'], ['staff', 'Staff — catalog, prices, orders, refunds, stock, customers'],
  ['fulfilment', 'Fulfilment — orders and stock only']];

// A refusal is not worth retrying: say what the role cannot do (humanError).
const errorPanel = (e, retry) => (e && e.status === 403 ? notice(humanError(e), 'error') : errorBox(e, retry));

// This page's styles, loaded with it (as admin-images.js does).
function pageStyles() {
  if (!document.getElementById('admin-staff-css')) {
    document.head.appendChild(h('link', { rel: 'stylesheet', href: '/css/admin-staff.css', id: 'admin-staff-css' }));
  }
}

// `short`: the role's name alone (a table cell), else with what it may do.
function roleSelect(id, value, short = false) {
  return h('select', { id }, ROLES.map(([v, label]) => h('option', { value: v, selected: v === value }, short ? label.split(' — ')[0] : label)));
}

// ======================================================================
// Staff
// ======================================================================

export async function staff(main, _m, params, alive) {
  if (!(await gate(main))) return;
  pageStyles();
  let data = null;
  let error = null;
  try {
    data = await aget('/admin/staff');
  } catch (e) {
    error = e;
  }
  if (!alive()) return;
  if (error) return shell(main, 'staff', 'Staff', errorPanel(error, () => staff(main, _m, params, alive)));
  const reload = () => staff(main, _m, params, alive);
  shell(main, 'staff', 'Staff', inviteForm(reload), staffTable(data.staff || [], reload));
}

function inviteForm(reload) {
  const email = h('input', { type: 'email', id: 'staff-email', required: true, maxlength: 254, autocomplete: 'off' });
  const role = roleSelect('staff-role', 'staff');
  const msg = h('div', { class: 'form-msg', role: 'alert' });
  const btn = h('button', { type: 'submit', class: 'btn primary', id: 'staff-invite' }, 'Invite');
  return h('form', { class: 'card stack', id: 'staff-invite-form', onsubmit: async (e) => {
    e.preventDefault();
    setBusy(btn, true);
    try {
      const m = await asend('POST', '/admin/staff', { email: email.value.trim(), role: role.value });
      toast(m.account_created ? `Invited ${m.email}: they got a mail to set a password` : `${m.email} is now ${m.role}`);
      reload();
    } catch (err) {
      mount(msg, notice(humanError(err), 'error'));
    } finally {
      setBusy(btn, false);
    }
  } },
  h('h2', null, 'Invite a staff member'),
  h('p', { class: 'muted small' }, 'An email without an account gets one, and a mail to set its password.'),
  h('div', { class: 'row gap wrap' }, field('Email', email), field('Role', role)), msg, btn);
}

function staffTable(list, reload) {
  const row = (m) => {
    const sel = roleSelect('role-' + m.user_id, m.role, true);
    sel.setAttribute('aria-label', 'Role of ' + m.email);
    sel.addEventListener('change', async () => {
      try {
        await asend('PATCH', '/admin/staff/' + m.user_id, { role: sel.value });
        toast(`${m.email} is now ${sel.value}`);
      } catch (err) {
        toast(humanError(err), 'error');
        sel.value = m.role;
      }
    });
    const revoke = h('button', { type: 'button', class: 'btn small danger', onclick: async () => {
      if (!confirm(`Take admin access away from ${m.email}? The account stays.`)) return;
      try {
        await asend('DELETE', '/admin/staff/' + m.user_id);
        toast(`${m.email} no longer has admin access`);
        reload();
      } catch (err) {
        toast(humanError(err), 'error');
      }
    } }, 'Revoke access');
    return h('tr', { 'data-email': m.email },
      h('td', null, m.email, m.name ? h('div', { class: 'muted small' }, m.name) : null), h('td', null, sel),
      h('td', null, m.last_login ? dateTime(m.last_login) : 'never'), h('td', null, revoke));
  };
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'staff-table' },
    h('thead', null, h('tr', null, h('th', null, 'Email'), h('th', null, 'Role'), h('th', null, 'Last sign-in'), h('th', null, ''))),
    h('tbody', null, list.map(row))));
}

// ======================================================================
// API keys
// ======================================================================

export async function apiKeys(main, _m, params, alive) {
  if (!(await gate(main))) return;
  pageStyles();
  let data = null;
  let error = null;
  try {
    data = await aget('/admin/api-keys');
  } catch (e) {
    error = e;
  }
  if (!alive()) return;
  if (error) return shell(main, 'api-keys', 'API keys', errorPanel(error, () => apiKeys(main, _m, params, alive)));
  const reveal = h('div', { id: 'new-key' });
  const reload = () => apiKeys(main, _m, params, alive);
  shell(main, 'api-keys', 'API keys', keyForm(data.scopes_available || [], reveal, reload), reveal,
    keyTable(data.api_keys || [], reload));
}

function keyForm(scopes, reveal, reload) {
  const label = h('input', { type: 'text', id: 'key-label', required: true, maxlength: 100, placeholder: 'Warehouse scanner' });
  const boxes = scopes.map((s) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'scope', value: s.name }), h('span', null, h('code', null, s.name), ' — ', s.action)));
  const msg = h('div', { class: 'form-msg', role: 'alert' });
  const btn = h('button', { type: 'submit', class: 'btn primary', id: 'key-create' }, 'Create key');
  return h('form', { class: 'card stack', id: 'key-form', onsubmit: async (e) => {
    e.preventDefault();
    const chosen = boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
    if (!chosen.length) return mount(msg, notice('Choose at least one scope.', 'error'));
    setBusy(btn, true);
    try {
      const k = await asend('POST', '/admin/api-keys', { label: label.value.trim(), scopes: chosen });
      await reload();
      showKeyOnce(document.getElementById('new-key') || reveal, k);
    } catch (err) {
      mount(msg, notice(humanError(err), 'error'));
    } finally {
      setBusy(btn, false);
    }
  } },
  h('h2', null, 'Create an API key'), field('Label', label),
  h('fieldset', { class: 'scopes' }, h('legend', null, 'Scopes (what the key may do)'), ...boxes), msg, btn);
}

// The plain key exists only in this answer: the shop keeps its hash.
function showKeyOnce(box, k) {
  const code = h('code', { id: 'new-key-value', class: 'secret' }, k.key);
  const copy = h('button', { type: 'button', class: 'btn small', id: 'new-key-copy', onclick: async () => {
    try {
      await navigator.clipboard.writeText(k.key);
      toast('Key copied');
    } catch (e) {
      toast('Copy failed: select the key and copy it by hand', 'error');
    }
  } }, 'Copy');
  mount(box, h('div', { class: 'notice ok', role: 'status' },
    h('p', null, h('strong', null, `Key “${k.label}” created. `), 'Copy it now: it will not be shown again.'),
    h('div', { class: 'row gap wrap' }, code, copy)));
}

function keyTable(keys, reload) {
  const row = (k) => h('tr', { 'data-label': k.label },
    h('td', null, k.label || '—', k.owner ? h('div', { class: 'muted small' }, 'owner key (every permission)') : null),
    h('td', null, k.owner ? 'all' : k.scopes.join(', ')),
    h('td', null, dateTime(k.created_at)), h('td', null, k.last_used_at ? dateTime(k.last_used_at) : 'never'),
    h('td', null, h('button', { type: 'button', class: 'btn small danger', onclick: async () => {
      if (!confirm(`Revoke the key “${k.label}”? Anything using it stops working at once.`)) return;
      try {
        await asend('DELETE', '/admin/api-keys/' + k.key_id);
        toast(`Key “${k.label}” revoked`);
        reload();
      } catch (err) {
        toast(humanError(err), 'error');
      }
    } }, 'Revoke')));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'key-table' },
    h('thead', null, h('tr', null, h('th', null, 'Label'), h('th', null, 'Scopes'), h('th', null, 'Created'), h('th', null, 'Last used'), h('th', null, ''))),
    h('tbody', null, keys.map(row))));
}

// ======================================================================
// Audit log
// ======================================================================

const AUDIT_SIZE = 25;

// A long body (a product with its variants) folds behind its first line,
// so one entry does not make the table pages tall.
// A snapshot or a value in one line: strings as they are, the rest as JSON.
const shown = (v) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
const clip = (text, n) => (text.length > n ? text.slice(0, n - 1) + '…' : text);

// What the write changed, field by field (the server's `changes`), then the
// request and both snapshots in full behind a disclosure.
function changeCell(e) {
  const changes = e.changes || [];
  const FIRST = 6;
  const line = (c) => h('li', null,
    c.field ? h('code', { class: 'small' }, c.field) : null, c.field ? ': ' : null,
    h('span', { class: 'was' }, clip(shown(c.before), 60)), ' → ', h('span', { class: 'now' }, clip(shown(c.after), 60)));
  const summary = !changes.length ? h('span', { class: 'muted' }, 'No field changed')
    : !changes[0].field ? h('span', null, e.before === null ? 'Created' : 'Deleted')
      : h('ul', { class: 'changes' }, changes.slice(0, FIRST).map(line),
        changes.length > FIRST ? h('li', { class: 'muted' }, `and ${changes.length - FIRST} more`) : null);
  const full = (label, v) => (v === null || v === undefined ? null
    : h('div', null, h('strong', null, label), h('pre', { class: 'small' }, JSON.stringify(v, null, 2))));
  return h('div', null, summary,
    h('details', null, h('summary', null, 'Details'),
      full('Request', e.request), full('Before', e.before), full('After', e.after)));
}

export async function audit(main, _m, params, alive) {
  if (!(await gate(main))) return;
  pageStyles();
  const actor = (params.get('actor') || '').trim();
  const path = (params.get('path') || '').trim();
  const since = (params.get('since') || '').trim();
  const page = Math.max(1, parseInt(params.get('page') || '1', 10) || 1);
  const url = (over) => '/admin/audit' + qs({ actor, path, since, ...over });
  let data = null;
  let error = null;
  try {
    // since comes from a date input (YYYY-MM-DD): the start of that day, UTC.
    data = await aget('/admin/audit' + qs({ actor, path, since: since ? since + 'T00:00:00Z' : '', page, size: AUDIT_SIZE }));
  } catch (e) {
    error = e;
  }
  if (!alive()) return;
  const actorIn = h('input', { type: 'text', id: 'audit-actor', value: actor, placeholder: 'user:12 or token:3', maxlength: 100 });
  const pathIn = h('input', { type: 'text', id: 'audit-path', value: path, placeholder: '/api/v1/admin/products', maxlength: 500 });
  const sinceIn = h('input', { type: 'date', id: 'audit-since', value: since });
  const filters = h('form', { class: 'row gap wrap', id: 'audit-filters', onsubmit: (e) => {
    e.preventDefault();
    navigate(url({ actor: actorIn.value.trim(), path: pathIn.value.trim(), since: sinceIn.value, page: '' }));
  } }, field('Who', actorIn), field('Path starts with', pathIn), field('Since', sinceIn),
  h('button', { type: 'submit', class: 'btn' }, 'Filter'));
  if (error) return shell(main, 'audit', 'Audit log', filters, errorPanel(error, () => audit(main, _m, params, alive)));
  const entries = data.entries || [];
  const row = (e) => h('tr', null, h('td', null, dateTime(e.at)), h('td', { title: e.actor }, e.actor_name || e.actor),
    h('td', null, h('code', null, e.method + ' ' + e.path)), h('td', null, String(e.status)),
    h('td', null, changeCell(e)));
  shell(main, 'audit', 'Audit log', filters,
    h('p', { class: 'muted', id: 'audit-count', role: 'status' }, `${data.total} ${data.total === 1 ? 'change' : 'changes'}`),
    entries.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'audit-table' },
        h('thead', null, h('tr', null, h('th', null, 'When'), h('th', null, 'Who'), h('th', null, 'Change'), h('th', null, 'Status'), h('th', null, 'What changed'))),
        h('tbody', null, entries.map(row))))
      : notice('No admin changes match.'),
    pager(page, data.size || AUDIT_SIZE, data.total || 0, (n) => navigate(url({ page: n }))));
}
