// Admin: customers (accounts and guests, with what each bought) and the
// shop's email (the send log, dead letters and retry, template previews).
// Loaded only on /admin/customers and /admin/emails (app.js), so shoppers
// never download it.
//
// Every value from the API goes in through h() (textContent); the one piece
// of HTML, a template preview, is shown in an iframe with sandbox="" (no
// scripts, no same-origin access, no navigation of this page).
import { api, h, mount, money, dateTime, dateOnly, notice, humanError, toast, setBusy, qs, pager, loading, errorBox } from './lib.js';
import { navigate } from './session.js';
import { gate, shell } from './admin.js';

const A = { admin: true };
const aget = (path) => api('GET', path, undefined, A);
const asend = (method, path, body) => api(method, path, body, A);

const PAGE_SIZE = 25;
const pageOf = (params) => Math.max(1, parseInt(params.get('page') || '1', 10) || 1);
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

// A row of links that works as a set of tabs: each is a URL (so a reload
// or a shared link keeps the choice), the chosen one marked aria-current.
function filterLinks(label, links) {
  return h('nav', { class: 'filter-links', 'aria-label': label },
    links.map(({ href, text, current, cls, id }) => h('a', {
      href, id, class: 'btn small ' + (current ? 'current' : 'ghost') + (cls ? ' ' + cls : ''), 'aria-current': current ? 'true' : null,
    }, text)));
}

// ======================================================================
// Customers
// ======================================================================

const CUSTOMER_TYPES = [['registered', 'Registered accounts'], ['guest', 'Guests (no account)']];

export async function customers(main, _m, params, alive) {
  if (!(await gate(main))) return;
  const type = params.get('type') === 'guest' ? 'guest' : 'registered';
  const q = (params.get('q') || '').trim();
  const page = pageOf(params);
  // registered is the API's default: leave it out of the URL
  const url = (over) => '/admin/customers' + qs({ type: type === 'guest' ? 'guest' : '', q, ...over });
  let data = null;
  let error = null;
  try {
    data = await aget('/admin/customers' + qs({ type, q, page, size: PAGE_SIZE }));
  } catch (e) {
    error = e;
  }
  if (!alive()) return;

  const search = h('input', { type: 'search', id: 'customer-q', value: q, placeholder: 'Name or email', maxlength: 200 });
  const tabs = filterLinks('Customer type', CUSTOMER_TYPES.map(([t, text]) => ({
    // switching tabs keeps the search: "gus" among accounts, then among guests
    href: '/admin/customers' + qs({ type: t === 'guest' ? 'guest' : '', q }), text, current: t === type, id: 'customers-' + t,
  })));
  const toolbar = h('div', { class: 'toolbar' }, tabs,
    h('form', { role: 'search', class: 'row gap', onsubmit: (e) => { e.preventDefault(); navigate(url({ q: search.value.trim() })); } },
      h('label', { for: 'customer-q', class: 'sr-only' }, 'Search customers by name or email'), search,
      h('button', { class: 'btn', type: 'submit' }, 'Search')));

  if (error) {
    shell(main, 'customers', 'Customers', toolbar, errorBox(error, () => customers(main, _m, params, alive)));
    return;
  }
  const list = data.customers || [];
  const total = data.total ?? list.length;
  const what = type === 'guest' ? ['guest', 'guests'] : ['registered account', 'registered accounts'];
  shell(main, 'customers', 'Customers', toolbar,
    h('p', { class: 'muted', id: 'customer-count', role: 'status' },
      plural(total, ...what), q ? ` matching “${q}”` : '', q ? ' · ' : '', q ? h('a', { href: url({ q: '' }) }, 'Clear search') : null),
    list.length ? customerTable(list, type) : customersEmpty(type, q),
    pager(page, data.size || PAGE_SIZE, total, (n) => navigate(url({ page: n }))));
}

function customersEmpty(type, q) {
  let text;
  if (q) text = type === 'guest' ? 'No guest matches that search.' : 'No account matches that search.';
  else if (type === 'guest') text = 'No guest orders yet. Shoppers who check out without an account are listed here by email.';
  else text = 'No customer accounts yet.';
  return h('div', { class: 'card state empty', id: 'customers-empty' }, h('p', null, text));
}

function customerTable(list, type) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'admin-customers' },
    h('caption', { class: 'sr-only' }, type === 'guest' ? 'Guests: orders placed without an account' : 'Registered accounts'),
    h('thead', null, h('tr', null, ['Name', 'Email', 'Orders', 'Total spent', 'Last order'].map((c) =>
      h('th', { scope: 'col', class: c === 'Orders' || c === 'Total spent' ? 'num' : null }, c)))),
    h('tbody', null, list.map((c) => customerRow(c)))));
}

function customerRow(c) {
  const registered = c.type === 'registered' && c.user_id;
  // An account's orders open filtered by user (GET /admin/orders?user=);
  // the orders list has no email filter, so a guest's count is plain text.
  const orders = registered && c.orders > 0
    ? h('a', { href: '/admin/orders' + qs({ user: c.user_id }), 'aria-label': `${plural(c.orders, 'order', 'orders')} of ${c.name || c.email}` }, String(c.orders))
    : String(c.orders ?? 0);
  return h('tr', { dataset: { email: c.email } },
    h('th', { scope: 'row', class: 'customer-name' }, c.name || h('span', { class: 'muted' }, 'No name'),
      registered ? h('div', { class: 'muted small' }, `Account #${c.user_id}`, c.created_at ? ` · joined ${dateOnly(c.created_at)}` : '') : null),
    h('td', { class: 'customer-email' }, c.email,
      registered && c.email_verified === false ? h('div', { class: 'muted small' }, 'Email not confirmed') : null),
    h('td', { class: 'num' }, orders),
    h('td', { class: 'num' }, money(c.total_spent ?? 0, c.currency)),
    h('td', null, c.last_order_at ? dateTime(c.last_order_at) : h('span', { class: 'muted' }, 'No orders yet')));
}

// ======================================================================
// Emails: the log, dead letters, retry, templates
// ======================================================================

const EMAIL_STATUS = { queued: 'Queued', sending: 'Sending', sent: 'Sent', skipped: 'Skipped', dead: 'Dead letter' };

// "order_confirmation" -> "Order confirmation"
function templateTitle(name) {
  const t = String(name || '').replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

function emailBadge(status) {
  return h('span', { class: 'status-badge st-mail-' + String(status || '').replace(/[^a-z_]/g, '') }, EMAIL_STATUS[status] || status || 'Unknown');
}

// Retry is offered where the API takes it (Emails::retry): a dead email, or
// one waiting for its next attempt after a failure.
function canRetry(e) {
  return e.status === 'dead' || (e.status === 'queued' && e.attempts > 0);
}

export async function emails(main, _m, params, alive) {
  if (!(await gate(main))) return;
  const status = Object.hasOwn(EMAIL_STATUS, params.get('status') || '') ? params.get('status') : '';
  const page = pageOf(params);
  const [log, deadCount, templates] = await Promise.all([
    aget('/admin/emails' + qs({ status, page, size: PAGE_SIZE })).catch((e) => e),
    // the dead letters' count for their filter link (the log's total when it is the filter)
    status === 'dead' ? Promise.resolve(null) : aget('/admin/emails?status=dead&size=1').then((d) => d.total).catch(() => null),
    aget('/admin/email-templates').catch((e) => e),
  ]);
  if (!alive()) return;
  const reload = () => emails(main, _m, params, alive);
  const dead = { count: status === 'dead' && !(log instanceof Error) ? log.total : deadCount };
  const deadLink = h('span', { class: 'dead-count' });
  const showDead = () => mount(deadLink, dead.count === null || dead.count === undefined ? 'Dead letters' : `Dead letters (${dead.count})`);
  showDead();

  const filters = filterLinks('Filter emails by status', [
    { href: '/admin/emails', text: 'All', current: !status },
    ...['queued', 'sending', 'sent', 'skipped'].map((s) => ({ href: '/admin/emails?status=' + s, text: EMAIL_STATUS[s], current: status === s })),
    { href: '/admin/emails?status=dead', text: deadLink, current: status === 'dead', cls: 'dead-filter' + (dead.count > 0 ? ' has-dead' : ''), id: 'dead-letters' },
  ]);
  const onRetried = () => {
    if (dead.count > 0) dead.count -= 1;
    showDead();
    filters.querySelector('#dead-letters').classList.toggle('has-dead', dead.count > 0);
  };
  shell(main, 'emails', 'Emails',
    h('div', { class: 'toolbar' }, filters,
      h('button', { type: 'button', class: 'btn small ghost', onclick: reload }, 'Refresh')),
    log instanceof Error ? errorBox(log, reload) : emailLog(log, status, onRetried),
    log instanceof Error ? null : pager(page, log.size || PAGE_SIZE, log.total || 0, (n) => navigate('/admin/emails' + qs({ status, page: n }))),
    templatesSection(templates, reload));
}

// ---- the log ----

function emailLog(data, status, onRetried) {
  const list = data.emails || [];
  let total = data.total ?? list.length;
  const count = h('p', { class: 'muted', id: 'email-count' });
  const showCount = () => mount(count,
    status === 'dead' ? plural(total, 'dead letter', 'dead letters') : plural(total, 'email', 'emails') + (status ? ` ${EMAIL_STATUS[status].toLowerCase()}` : ''),
    status === 'dead' && total ? ': the mail server refused them, or every attempt failed. Fix the cause, then retry.' : '');
  showCount();
  if (!list.length) return h('div', null, count, emailsEmpty(status));
  const tbody = h('tbody');
  const put = (e, old) => {
    const tr = emailRow(e, retry);
    if (old) old.replaceWith(tr); else tbody.append(tr);
    return tr;
  };
  // POST .../retry answers the row as it is now (queued): it replaces the old one.
  async function retry(e, btn) {
    setBusy(btn, true, 'Retrying…');
    try {
      const row = await asend('POST', `/admin/emails/${encodeURIComponent(e.email_id)}/retry`);
      const tr = put(row, btn.closest('tr'));
      if (e.status === 'dead') onRetried();
      // a retried row stays in view (it shows queued) but is no longer one of the filter's
      if (status && status !== row.status && total > 0) {
        total -= 1;
        showCount();
      }
      toast(`Email to ${row.recipient} queued again`);
      // keep keyboard focus in the table: the button that had it is gone
      tr.querySelector('.email-status').focus();
    } catch (err) {
      setBusy(btn, false);
      toast(humanError(err), 'error');
    }
  }
  for (const e of list) put(e);
  return h('div', null, count,
    h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'email-log' },
      h('caption', { class: 'sr-only' }, 'Email log, newest first'),
      h('thead', null, h('tr', null, ['When', 'Template', 'Recipient', 'Status', 'Attempts', 'Last error'].map((c) =>
        h('th', { scope: 'col', class: c === 'Attempts' ? 'num' : null }, c)))),
      tbody)));
}

function emailsEmpty(status) {
  const text = {
    dead: 'No dead letters. Every email was sent or is still being tried.',
    queued: 'Nothing is waiting to be sent.',
    sending: 'Nothing is being sent right now.',
    sent: 'No email has been sent yet.',
    skipped: 'No email was skipped (an email is skipped when its order or account has no address).',
  }[status] || 'No email yet. Order confirmations, shipping updates and account emails are listed here as the shop sends them.';
  return h('div', { class: 'card state empty', id: 'emails-empty' }, h('p', null, text));
}

// "5:56 AM", or the date and time when `iso` is not on the day of `sameDayAs`.
function timeOf(iso, sameDayAs) {
  const d = new Date(iso);
  if (isNaN(d)) return '';
  if (sameDayAs && new Date(sameDayAs).toDateString() !== d.toDateString()) return dateTime(iso);
  return d.toLocaleTimeString(navigator.language || 'en-US', { timeStyle: 'short' });
}

function emailRow(e, retry) {
  // the date on one line, the times (queued, then sent or next try) under it
  const later = e.sent_at && e.status === 'sent' ? `, sent ${timeOf(e.sent_at, e.created_at)}`
    : e.status === 'queued' && e.next_attempt_at && e.attempts > 0 ? `, next try ${timeOf(e.next_attempt_at, e.created_at)}` : '';
  const btn = canRetry(e) ? h('button', { type: 'button', class: 'btn small', 'aria-label': `Retry the email to ${e.recipient}` }, 'Retry') : null;
  if (btn) btn.addEventListener('click', () => retry(e, btn));
  return h('tr', { dataset: { emailId: e.email_id, status: e.status } },
    h('td', { class: 'nowrap' }, h('time', { datetime: e.created_at }, dateOnly(e.created_at)),
      h('div', { class: 'muted small' }, timeOf(e.created_at), later)),
    h('td', null, templateTitle(e.template), h('div', { class: 'muted small email-subject' }, e.subject || '')),
    h('td', { class: 'email-recipient' }, e.recipient || h('span', { class: 'muted' }, 'none')),
    // Retry sits under the badge it changes; the cell takes the focus
    // after a retry, as the button is gone then
    h('td', { class: 'email-status', tabindex: '-1' }, emailBadge(e.status), btn ? h('div', { class: 'retry' }, btn) : null),
    h('td', { class: 'num' }, String(e.attempts ?? 0), e.interrupted ? h('div', { class: 'muted small' }, `${e.interrupted} interrupted`) : null),
    h('td', { class: 'email-error' }, e.last_error || h('span', { class: 'muted' }, '—')));
}

// ---- templates and their preview ----

const PART_LABEL = { subject: 'Subject', txt: 'Text', html: 'HTML' };

function templatesSection(data, reload) {
  const section = h('section', { class: 'card email-templates', id: 'email-templates', 'aria-labelledby': 'email-templates-title' },
    h('h2', { id: 'email-templates-title' }, 'Templates'));
  if (data instanceof Error) {
    section.append(errorBox(data, reload));
    return section;
  }
  // filled by showPreview(), which moves the focus to its heading
  const preview = h('div', { id: 'template-preview', class: 'template-preview', hidden: true });
  const list = data.templates || [];
  section.append(
    h('p', { class: 'muted' }, 'Each email is built in. To change one, put a file named after it in ',
      h('code', null, data.directory || 'the data directory'), ': ', h('code', null, '<name>.subject'), ', ', h('code', null, '<name>.txt'), ' or ',
      h('code', null, '<name>.html'), '. Edits show on the next email, without a restart.'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'template-list' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Template and overrides'), h('th', { scope: 'col', class: 'actions' }, 'Preview'))),
      h('tbody', null, list.map((t) => templateRow(t, preview))))),
    preview);
  return section;
}

function templateRow(t, preview) {
  // the layout wraps every email and has no preview of its own
  const isLayout = t.name === 'layout';
  const btn = isLayout ? null : h('button', { type: 'button', class: 'btn small', 'aria-controls': 'template-preview', 'aria-label': `Preview ${templateTitle(t.name)}` }, 'Preview');
  if (btn) btn.addEventListener('click', () => showPreview(preview, t.name, btn));
  const parts = t.parts || [];
  // one cell per template and its overrides: the table fits a phone
  return h('tr', { dataset: { template: t.name } },
    h('th', { scope: 'row' }, isLayout ? 'Layout' : templateTitle(t.name), isLayout ? h('span', { class: 'muted small' }, ' · wraps every email') : null,
      h('div', { class: 'small template-parts' }, h('code', null, t.name), ' ',
        parts.length ? ['overridden: ', parts.map((p) => h('span', { class: 'tag override-tag' }, PART_LABEL[p] || p))]
          : h('span', { class: 'muted' }, 'built in'))),
    h('td', { class: 'actions' }, btn));
}

// format=json gives subject, text and html in one answer, through api().
async function showPreview(preview, name, btn) {
  preview.hidden = false;
  mount(preview, loading('Rendering the preview…'));
  setBusy(btn, true);
  try {
    const r = await aget(`/admin/email-templates/${encodeURIComponent(name)}/preview?format=json`);
    const title = h('h3', { tabindex: '-1', id: 'template-preview-title' }, 'Preview: ', templateTitle(name));
    mount(preview,
      h('div', { class: 'row gap preview-head' }, title,
        h('button', { type: 'button', class: 'btn small ghost', onclick: () => { preview.hidden = true; mount(preview); btn.focus(); } }, 'Close preview')),
      h('p', { class: 'muted small' }, 'Rendered with sample data, as a customer would get it.'),
      h('dl', { class: 'preview-subject' }, h('dt', null, 'Subject'), h('dd', { id: 'preview-subject' }, r.subject || '')),
      h('h4', null, 'HTML part'),
      h('iframe', { class: 'email-frame', id: 'preview-html', sandbox: '', srcdoc: r.html || '', title: `HTML part of the ${templateTitle(name)} email` }),
      h('h4', null, 'Plain-text part'),
      h('pre', { class: 'email-text', id: 'preview-text' }, r.text || ''));
    title.focus();
  } catch (err) {
    mount(preview, notice(humanError(err), 'error'));
  } finally {
    setBusy(btn, false);
  }
}
