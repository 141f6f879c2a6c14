// Admin: /admin/import — a Shopify product CSV (or the API's JSON array) in,
// all or nothing, upserting by SKU (POST /api/v1/admin/import); the export
// link downloads what the import reads back.
import { h, mount, notice, setBusy, toast, adminToken, humanError, ApiError } from './lib.js';
import { gate, shell } from './admin.js';

// The file as the request body: the import route takes raw CSV or JSON,
// not JSON-wrapped text, so this is a fetch of its own.
async function sendImport(file) {
  const csv = !/\.json$/i.test(file.name);
  const headers = { Accept: 'application/json', 'Content-Type': csv ? 'text/csv' : 'application/json' };
  if (adminToken.get()) headers.Authorization = 'Bearer ' + adminToken.get();
  const res = await fetch('/api/v1/admin/import?format=' + (csv ? 'shopify' : 'json'), {
    method: 'POST', headers, body: await file.text(), credentials: 'same-origin',
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (data && data.error) || {};
    throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || 'The import failed', err.details);
  }
  return data;
}

// A link carries the session cookie but not a token kept in this tab: with
// a token the file is fetched with it and handed over as a blob.
async function downloadWithToken(e) {
  if (!adminToken.get()) return;
  e.preventDefault();
  const link = e.currentTarget;
  const res = await fetch(link.href, { headers: { Authorization: 'Bearer ' + adminToken.get() } });
  if (!res.ok) return toast('The export failed (' + res.status + ')', 'error');
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: 'products.csv' });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function importErrors(err) {
  const list = (err.details && err.details.errors) || [];
  return h('div', null, notice('Nothing was imported: fix these lines and try again.', 'error'),
    list.length ? h('ul', { class: 'import-errors', id: 'import-errors' },
      list.slice(0, 50).map((e) => h('li', null, h('strong', null, `Line ${e.line}: `), e.message))) : h('p', null, humanError(err)));
}

function importSummary(r) {
  const n = r.items ?? (r.created + r.updated);
  return h('div', { class: 'notice ok', id: 'import-summary' },
    `Imported ${n} ${n === 1 ? 'product' : 'products'}: ${r.created} new, ${r.updated} updated` +
    (r.categories_created ? `, ${r.categories_created} new categories` : '') + '.');
}

export async function adminImport(main) {
  if (!(await gate(main))) return;
  const file = h('input', { type: 'file', id: 'import-file', accept: '.csv,.json,text/csv,application/json', required: true });
  const out = h('div', { 'aria-live': 'polite' });
  const btn = h('button', { type: 'submit', class: 'btn primary' }, 'Import products');
  shell(main, 'import', 'Import and export',
    h('form', { class: 'card admin-form', id: 'import-form', onsubmit: async (e) => {
      e.preventDefault();
      if (!file.files.length) return;
      mount(out);
      setBusy(btn, true, 'Importing…');
      try {
        const r = await sendImport(file.files[0]);
        mount(out, importSummary(r));
        toast('Products imported');
      } catch (err) {
        mount(out, importErrors(err));
      } finally {
        setBusy(btn, false);
      }
    } },
    h('h2', null, 'Import products'),
    h('p', { class: 'muted small' }, 'A Shopify product CSV (or a JSON array of products). Products are matched by SKU: a second import of the same file updates them. All or nothing: one bad line imports nothing. A row’s Status (active, draft, archived) is kept; without the column a product keeps its status.'),
    h('div', { class: 'field' }, h('label', { for: 'import-file' }, 'File'), file), out, btn),
    h('section', { class: 'card' }, h('h2', null, 'Export products'),
      h('p', { class: 'muted small' }, 'Every product with its variants, stock and pictures, as a Shopify product CSV that this page imports back.'),
      h('a', { class: 'btn', id: 'export-products', href: '/api/v1/admin/export/products.csv', download: 'products.csv', onclick: downloadWithToken }, 'Download products.csv')));
}
