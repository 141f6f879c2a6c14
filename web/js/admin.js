// Admin pages: dashboard, products, categories, inventory, reviews (orders
// and returns: admin-orders.js).
// Access: an admin user's session, or an admin API token kept in
// sessionStorage (this tab only) and sent as a Bearer token.
import { api, h, mount, money, dateTime, loading, errorBox, notice, humanError, toast, setBusy, field, qs, pager, adminToken } from './lib.js';
import { navigate, setTitle, loadMe, state, categoriesList } from './session.js';
import { productImage } from './shop.js';
import { variantEditor } from './admin-variants.js';
import { ordersTable } from './admin-orders.js';
import { imageManager } from './admin-images.js';

const A = { admin: true };
const aget = (path) => api('GET', path, undefined, A);
const asend = (method, path, body) => api(method, path, body, A);

// GET /admin/me of the latest gate(): the staff role's permissions, so
// shell() shows only the links this admin may use (the API refuses the
// rest anyway).
let adminMe = null;

async function isAdmin() {
  try {
    adminMe = await aget('/admin/me');
    return true;
  } catch (e) {
    return false;
  }
}

export function shell(main, current, title, ...content) {
  setTitle('Admin · ' + title);
  const NEEDS = { dash: 'reports:read', products: 'catalog:write', categories: 'catalog:write', inventory: 'inventory:read',
    orders: 'orders:read', returns: 'orders:read', customers: 'customers:read', emails: 'customers:read', reports: 'reports:read',
    reviews: 'catalog:write', flash: 'pricing:write', discounts: 'pricing:read', shipping: 'pricing:read', tax: 'pricing:read',
    staff: 'staff:manage', 'api-keys': 'keys:manage', audit: 'audit:read', settings: 'settings:read', import: 'catalog:write' };
  const allowed = (key) => !adminMe || !Array.isArray(adminMe.permissions) || !NEEDS[key] || adminMe.permissions.includes(NEEDS[key]);
  const link = (href, label, key) => (allowed(key) ? h('a', { href, class: key === current ? 'current' : '', 'aria-current': key === current ? 'page' : null }, label) : null);
  mount(main, h('div', { class: 'admin' },
    h('nav', { class: 'admin-nav', 'aria-label': 'Admin' },
      h('strong', { class: 'admin-title' }, 'Shop admin'),
      link('/admin', 'Dashboard', 'dash'), link('/admin/products', 'Products', 'products'), link('/admin/import', 'Import', 'import'), link('/admin/categories', 'Categories', 'categories'),
      link('/admin/inventory', 'Inventory', 'inventory'), link('/admin/orders', 'Orders', 'orders'), link('/admin/returns', 'Returns', 'returns'),
      link('/admin/customers', 'Customers', 'customers'), link('/admin/emails', 'Emails', 'emails'),
      link('/admin/reports', 'Reports', 'reports'),
      link('/admin/reviews', 'Reviews', 'reviews'),
      link('/admin/flash-sales', 'Flash sales', 'flash'),
      link('/admin/discounts', 'Discounts', 'discounts'),
      link('/admin/shipping', 'Shipping', 'shipping'),
      link('/admin/tax', 'Tax', 'tax'),
      link('/admin/staff', 'Staff', 'staff'), link('/admin/api-keys', 'API keys', 'api-keys'), link('/admin/audit', 'Audit log', 'audit'),
      link('/admin/settings', 'Settings', 'settings'),
      adminToken.get() ? h('button', { type: 'button', class: 'linkish', onclick: () => { adminToken.set(''); navigate('/admin'); } }, 'Forget admin token') : null),
    h('div', { class: 'admin-main' }, h('h1', null, title), ...content)));
}

export async function gate(main) {
  if (await isAdmin()) return true;
  const me = await loadMe(true);
  const tokenIn = h('input', { type: 'password', id: 'admin-token', autocomplete: 'off', required: true, placeholder: 'sbx_…' });
  const msg = h('div', { class: 'form-msg', role: 'alert' });
  const btn = h('button', { type: 'submit', class: 'btn primary' }, 'Use token');
  setTitle('Admin sign in');
  mount(main, h('div', { class: 'auth-wrap' }, h('form', { class: 'card auth-form', id: 'admin-token-form', onsubmit: async (e) => {
    e.preventDefault();
    adminToken.set(tokenIn.value.trim());
    setBusy(btn, true);
    const ok = await isAdmin();
    setBusy(btn, false);
    if (ok) {
      toast('Signed in to admin');
      navigate(location.pathname + location.search, { replace: true });
    } else {
      adminToken.set('');
      mount(msg, notice('That token is not an admin token.', 'error'));
    }
  } },
  h('h1', null, 'Shop admin'),
  me ? notice(`You are signed in as ${me.email || me.name}, who is not an admin.`, 'error') : h('p', null, 'Sign in as an admin user, or paste an admin API token.'),
  me ? null : h('a', { class: 'btn block', href: '/login?next=' + encodeURIComponent(location.pathname) }, 'Sign in as an admin user'),
  h('p', { class: 'muted small' }, 'Create a token on the server with ', h('code', null, 'shopbox token create --admin'), '. It is kept for this browser tab only.'),
  field('Admin API token', tokenIn), msg, btn)));
  return false;
}

function statCard(label, value, sub, id) {
  return h('div', { class: 'card stat', id }, h('span', { class: 'stat-label' }, label), h('strong', { class: 'stat-value' }, value), sub ? h('small', { class: 'muted' }, sub) : null);
}

// ---- dashboard ----

// Every number comes from the server (GET /admin/dashboard) over the whole
// shop since the start of the merchant's day; the lists show the latest
// orders and the first low-stock items.
export async function dashboard(main) {
  if (!(await gate(main))) return;
  shell(main, 'dash', 'Dashboard', loading());
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  const [stats, recentData, low] = await Promise.all([
    aget('/admin/dashboard' + qs({ since: today.toISOString() })).catch((e) => e),
    aget('/admin/orders?size=8').catch((e) => e),
    lowStock(),
  ]);
  if (stats instanceof Error) return shell(main, 'dash', 'Dashboard', errorBox(stats, () => dashboard(main)));
  const cur = stats.currency || 'USD';
  const pay = stats.payments || {};
  const rate = pay.success_rate === null || pay.success_rate === undefined ? '—' : Math.round(pay.success_rate * 1000) / 10 + '%';
  const gatewayErrors = pay.gateway_errors ? ` · ${pay.gateway_errors} gateway ${pay.gateway_errors === 1 ? 'error' : 'errors'} (not counted)` : '';
  const paySub = (pay.success_rate === null || pay.success_rate === undefined ? 'no card payments yet today'
    : `${pay.charged} paid, ${pay.declined} declined`) + gatewayErrors;
  const recent = recentData instanceof Error ? [] : (recentData.orders || []);
  shell(main, 'dash', 'Dashboard',
    h('div', { class: 'stats' },
      statCard('Orders today', String(stats.orders), stats.awaiting_payment ? `${stats.awaiting_payment} awaiting payment` : null, 'stat-orders'),
      statCard('Revenue today', money(stats.revenue, cur), stats.orders ? `average order ${money(stats.average_order_value, cur)}` : null, 'stat-revenue'),
      statCard('Payment success rate', rate, paySub, 'stat-payments'),
      statCard('Low-stock products', String(stats.low_stock), 'at or below their alert level', 'stat-lowstock')),
    h('div', { class: 'two-col' },
      h('section', { class: 'card' }, h('h2', null, 'Recent orders'),
        recentData instanceof Error ? errorBox(recentData) : recent.length ? ordersTable(recent) : h('p', { class: 'muted' }, 'No orders yet.')),
      h('section', { class: 'card' }, h('h2', null, 'Low stock'),
        low.length ? h('ul', { class: 'plain' }, low.slice(0, 10).map((p) => h('li', null, h('a', { href: '/admin/inventory?product=' + p.product_id }, p.name), ` — ${p.available} left`)))
          : h('p', { class: 'muted' }, 'Everything is well stocked.'),
        stats.low_stock > 10 ? h('p', null, h('a', { href: '/admin/inventory?low=1' }, `All ${stats.low_stock} low-stock products`)) : null)));
}

// The first low-stock items (the dashboard's count is the server's total).
async function lowStock() {
  try {
    const d = await aget('/admin/inventory?low_stock=true&size=10');
    return (d.items || []).map((i) => ({ product_id: i.product_id, name: i.name || 'Product ' + i.product_id, available: i.available }));
  } catch (e) {
    return [];
  }
}

// ---- products ----

// The merchant's words for a product's status (catalog/product.h ProductStatus).
const STATUS_LABEL = { active: 'Active', draft: 'Draft', archived: 'Archived' };

function statusChip(status) {
  const st = status || 'active';
  return h('span', { class: 'status-badge st-product-' + st }, STATUS_LABEL[st] || st);
}

// Every product whatever its status (GET /admin/products), with a tab per
// status and its count; the search finds a name, brand or SKU.
export async function products(main, _m, params, alive) {
  if (!(await gate(main))) return;
  const q = params.get('q') || '';
  const status = params.get('status') || '';
  const page = Number(params.get('page') || 1);
  const data = await aget('/admin/products' + qs({ q, status, page, size: 25 }));
  if (!alive()) return;
  const list = data.products || [];
  const total = data.total ?? list.length;
  const counts = data.counts || {};
  const all = (counts.active || 0) + (counts.draft || 0) + (counts.archived || 0);
  const search = h('input', { type: 'search', id: 'admin-product-q', value: q, placeholder: 'Search by name, brand or SKU…' });
  const del = (p) => async (e) => {
    if (!confirm(`Delete “${p.name}”? This cannot be undone. To take it off sale but keep it, archive it instead.`)) return;
    setBusy(e.currentTarget, true);
    try {
      await asend('DELETE', '/admin/products/' + p.product_id);
      toast('Product deleted');
      products(main, _m, params, alive);
    } catch (err) {
      setBusy(e.currentTarget, false);
      toast(humanError(err), 'error');
    }
  };
  const tab = (value, label, n) => h('a', {
    href: '/admin/products' + qs({ q, status: value }), class: 'tab' + (status === value ? ' current' : ''),
    'aria-current': status === value ? 'page' : null,
  }, label, h('span', { class: 'count' }, String(n ?? 0)));
  shell(main, 'products', 'Products',
    h('div', { class: 'toolbar' },
      h('form', { role: 'search', class: 'row gap', onsubmit: (e) => { e.preventDefault(); navigate('/admin/products' + qs({ q: search.value.trim(), status })); } },
        h('label', { for: 'admin-product-q', class: 'sr-only' }, 'Search products'), search, h('button', { class: 'btn', type: 'submit' }, 'Search')),
      h('a', { class: 'btn primary', href: '/admin/products/new' }, '+ New product')),
    h('nav', { class: 'status-tabs', 'aria-label': 'Product status' },
      tab('', 'All', all), tab('active', 'Active', counts.active), tab('draft', 'Drafts', counts.draft), tab('archived', 'Archived', counts.archived)),
    h('p', { class: 'muted', id: 'admin-products-total' }, `${total} ${total === 1 ? 'product' : 'products'}${q ? ` matching “${q}”` : ''}`),
    list.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'admin-products' },
      h('thead', null, h('tr', null, ['', 'Name', 'Status', 'SKU', 'Price', 'Stock', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, list.map((p) => h('tr', { 'data-status': p.status },
        h('td', null, productImage(p.image, '', 'mini')),
        h('td', null, h('a', { href: '/admin/products/' + p.product_id }, p.name), h('div', { class: 'muted small' }, p.brand || '')),
        h('td', null, statusChip(p.status)),
        h('td', null, p.sku || '', Number(p.variants_count) > 1 ? h('div', { class: 'muted small' }, `${p.variants_count} variants`) : null),
        h('td', null, money(p.price, p.currency), p.price_max !== null && p.price_max !== undefined && Number(p.price_max) > Number(p.price) ? ' – ' + money(p.price_max, p.currency) : null,
          p.discount_percentage ? h('span', { class: 'off small' }, ` −${p.discount_percentage}%`) : null),
        h('td', { class: p.available <= 10 ? 'warn' : '' }, String(p.available ?? '')),
        h('td', { class: 'actions' }, h('a', { class: 'btn small', href: '/admin/products/' + p.product_id }, 'Edit'),
          h('button', { type: 'button', class: 'btn small ghost danger', onclick: del(p) }, 'Delete')))))))
      : h('p', { class: 'empty', id: 'admin-products-empty' }, q ? 'No product matches this search.' : status ? `No ${STATUS_LABEL[status].toLowerCase()} products.` : 'No products yet.'),
    pager(page, 25, total, (n) => navigate('/admin/products' + qs({ q, status, page: n }))));
}

function flattenCats(tree, depth = 0, out = []) {
  for (const c of tree) {
    out.push({ ...c, depth });
    if (c.children) flattenCats(c.children, depth + 1, out);
  }
  return out;
}

export async function productEdit(main, [id], _p, alive) {
  if (!(await gate(main))) return;
  const isNew = id === 'new';
  const [p, catsData] = await Promise.all([
    // A new product starts as a draft: it reaches the shop when the merchant makes it active.
    isNew ? Promise.resolve({ specifications: {}, images: [], price: {}, status: 'draft' }) : aget('/products/' + id),
    api('GET', '/categories'),
  ]);
  if (!alive()) return;
  const cats = flattenCats(catsData.categories || []);
  const f = {
    name: h('input', { name: 'name', required: true, value: p.name || '', maxlength: 500 }),
    brand: h('input', { name: 'brand', value: p.brand || '' }),
    sku: h('input', { name: 'sku', value: p.sku || '', placeholder: 'made from the name when empty' }),
    category_id: h('select', { name: 'category_id' }, h('option', { value: '' }, '— none —'),
      cats.map((c) => h('option', { value: c.category_id, selected: String(p.category_id) === c.category_id }, '  '.repeat(c.depth) + (c.depth ? '└ ' : '') + c.name))),
    price: h('input', { name: 'price', type: 'number', step: '0.01', min: 0, required: true, value: p.price.amount ?? '' }),
    sale_price: h('input', { name: 'sale_price', type: 'number', step: '0.01', min: 0, value: p.price.discount ? p.price.discount.final_price : '' }),
    description: h('textarea', { name: 'description', rows: 5 }, p.description || ''),
    weight_grams: h('input', { name: 'weight_grams', type: 'number', min: 0, step: 1, value: p.weight_grams ?? '' }),
    featured: h('input', { name: 'featured', type: 'checkbox', checked: !!p.featured }),
    status: h('select', { name: 'status' }, Object.entries(STATUS_LABEL).map(([v, label]) => h('option', { value: v, selected: (p.status || 'active') === v }, label))),
    images: h('textarea', { name: 'images', rows: 3, placeholder: 'One image URL per line; the first is the main image' }, (p.images || []).join('\n')),
    stock: isNew ? h('input', { name: 'stock', type: 'number', min: 0, step: 1, value: '0' }) : null,
  };
  const specRows = h('div', { class: 'spec-rows' });
  const addSpec = (k = '', v = '') => {
    const row = h('div', { class: 'spec-row' },
      h('input', { 'aria-label': 'Specification name', placeholder: 'Name (e.g. Color)', value: k, class: 'spec-k' }),
      h('input', { 'aria-label': 'Specification value', placeholder: 'Value', value: String(v), class: 'spec-v' }),
      h('button', { type: 'button', class: 'btn small ghost', 'aria-label': 'Remove specification', onclick: () => row.remove() }, '✕'));
    specRows.appendChild(row);
  };
  for (const [k, v] of Object.entries(p.specifications || {})) addSpec(k, v);
  if (!specRows.children.length) addSpec();
  const preview = h('div', { class: 'img-preview' });
  const showPreview = () => mount(preview, f.images.value.split('\n').map((s) => s.trim()).filter(Boolean).slice(0, 8).map((u) => h('img', { src: u, alt: '', loading: 'lazy' })));
  f.images.addEventListener('input', showPreview);
  showPreview();
  const msg = h('div', { class: 'form-msg', role: 'alert' });
  const btn = h('button', { type: 'submit', class: 'btn primary', id: 'save-product' }, isNew ? 'Create product' : 'Save changes');
  // With options, price, sale price and stock are per variant (in the editor's table).
  const perProduct = [field('Price', f.price), field('Sale price', f.sale_price, 'Leave empty for no discount'), isNew ? field('Initial stock', f.stock) : null].filter(Boolean);
  const perVariantNote = h('p', { class: 'notice', hidden: true, id: 'per-variant-note' }, 'This product has options: set each variant’s price, sale price and stock in the table below.');
  const variants = variantEditor(p, {
    priceInput: f.price, skuInput: f.sku, nameInput: f.name,
    onMode: (on) => { for (const el of perProduct) el.hidden = on; perVariantNote.hidden = !on; f.price.required = !on; },
  });
  const form = h('form', { class: 'card admin-form', onsubmit: async (e) => {
    e.preventDefault();
    mount(msg);
    const body = {
      name: f.name.value.trim(),
      brand: f.brand.value.trim(),
      description: f.description.value,
      category_id: f.category_id.value || null,
      price: f.price.value === '' ? undefined : f.price.value,
      sale_price: f.sale_price.value === '' ? null : f.sale_price.value,
      featured: f.featured.checked,
      status: f.status.value,
      weight_grams: f.weight_grams.value === '' ? null : parseInt(f.weight_grams.value, 10),
      images: f.images.value.split('\n').map((s) => s.trim()).filter(Boolean),
      specifications: {},
    };
    if (f.sku.value.trim()) body.sku = f.sku.value.trim();
    for (const row of specRows.querySelectorAll('.spec-row')) {
      const k = row.querySelector('.spec-k').value.trim();
      if (k) body.specifications[k] = row.querySelector('.spec-v').value;
    }
    if (isNew) body.stock = parseInt(f.stock.value || '0', 10);
    try {
      const v = variants.body();
      if (v.variants && variants.hasOptions()) {
        // prices and stock come with each variant
        delete body.price;
        delete body.sale_price;
        delete body.stock;
      } else if (v.variants) {
        // options removed: the one variant left takes the product's price
        Object.assign(v.variants[0], { price: body.price, sale_price: body.sale_price });
        if (body.sku) v.variants[0].sku = body.sku;
      }
      Object.assign(body, v);
    } catch (err) {
      mount(msg, notice(err.message, 'error'));
      return;
    }
    setBusy(btn, true, 'Saving…');
    try {
      const saved = isNew ? await asend('POST', '/admin/products', body) : await asend('PATCH', '/admin/products/' + id, body);
      toast(isNew ? 'Product created' : 'Changes saved');
      navigate('/admin/products/' + saved.product_id, { replace: true });
    } catch (err) {
      const fieldName = err.details && err.details.field;
      mount(msg, notice(humanError(err), 'error'));
      if (fieldName && f[fieldName]) f[fieldName].focus();
    } finally {
      setBusy(btn, false);
    }
  } },
  h('div', { class: 'grid-form' },
    field('Name', f.name), field('Status', f.status, 'Drafts and archived products are hidden from the shop'),
    field('Brand', f.brand), field('Category', f.category_id), field('SKU', f.sku),
    ...perProduct, field('Weight (grams)', f.weight_grams)),
  perVariantNote,
  field('Description', f.description),
  h('div', { class: 'check' }, f.featured, h('label', { for: (f.featured.id = 'f-featured') }, 'Featured on the home page')),
  h('fieldset', null, h('legend', null, 'Images'), isNew ? null : imageManager(id, p, f.images), field('Image URLs', f.images), preview),
  h('fieldset', null, h('legend', null, 'Specifications'), specRows, h('button', { type: 'button', class: 'btn small', onclick: () => addSpec() }, '+ Add specification')),
  variants.el,
  msg, h('div', { class: 'row gap' }, btn, !isNew && p.status === 'active' ? h('a', { class: 'btn ghost', href: '/p/' + id }, 'View in shop') : null,
    !isNew ? h('a', { class: 'btn ghost', href: '/admin/inventory?product=' + id }, 'Stock') : null));
  shell(main, 'products', isNew ? 'New product' : 'Edit product', h('nav', { class: 'crumbs' }, h('a', { href: '/admin/products' }, 'Products'), ' › ', isNew ? 'New' : p.name, isNew ? null : statusChip(p.status)), form);
}

// ---- categories ----

export async function categories(main, _m, _p, alive) {
  if (!(await gate(main))) return;
  const data = await api('GET', '/categories');
  if (!alive()) return;
  const flat = flattenCats(data.categories || []);
  const reload = () => { state.categories = null; categories(main, _m, _p, alive); };
  const msg = h('div', { class: 'form-msg', role: 'alert' });
  const act = async (btn, fn, done) => {
    setBusy(btn, true);
    try {
      await fn();
      toast(done);
      reload();
    } catch (e) {
      setBusy(btn, false);
      mount(msg, notice(humanError(e), 'error'));
    }
  };
  const name = h('input', { id: 'new-cat-name', required: true });
  const parent = h('select', { id: 'new-cat-parent' }, h('option', { value: '' }, '— top level —'), flat.map((c) => h('option', { value: c.category_id }, '  '.repeat(c.depth) + c.name)));
  const addBtn = h('button', { type: 'submit', class: 'btn primary' }, 'Add category');
  shell(main, 'categories', 'Categories', msg,
    h('form', { class: 'card row gap wrap-row', onsubmit: (e) => { e.preventDefault(); act(addBtn, () => asend('POST', '/admin/categories', { name: name.value.trim(), ...(parent.value ? { parent_id: parent.value } : {}) }), 'Category added'); } },
      field('Name', name), field('Parent', parent), addBtn),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
      h('thead', null, h('tr', null, h('th', null, 'Category'), h('th', null, 'Slug'), h('th', null, ''))),
      h('tbody', null, flat.map((c) => {
        const input = h('input', { value: c.name, 'aria-label': 'Name of ' + c.name, class: 'inline-input' });
        return h('tr', null,
          h('td', { style: `padding-left:${0.75 + c.depth * 1.5}rem` }, c.depth ? '└ ' : '', input),
          h('td', { class: 'muted' }, c.slug),
          h('td', { class: 'actions' },
            h('button', { type: 'button', class: 'btn small', onclick: (e) => act(e.currentTarget, () => asend('PATCH', '/admin/categories/' + c.category_id, { name: input.value.trim() }), 'Category renamed') }, 'Rename'),
            h('a', { class: 'btn small ghost', href: '/c/' + c.category_id }, 'View'),
            h('button', { type: 'button', class: 'btn small ghost danger', onclick: (e) => confirm(`Delete “${c.name}”?`) && act(e.currentTarget, () => asend('DELETE', '/admin/categories/' + c.category_id), 'Category deleted') }, 'Delete')));
      })))));
}

// ---- inventory ----

// Stock per variant (GET /admin/inventory): a search, All / Low stock /
// Sold out, and counts typed in the table saved together in one
// all-or-nothing bulk write (POST /admin/inventory/bulk).
export async function inventory(main, _m, params, alive) {
  if (!(await gate(main))) return;
  const page = Number(params.get('page') || 1);
  const filter = params.get('filter') || (params.get('low') === '1' ? 'low' : 'all');
  const q = params.get('q') || '';
  const selected = params.get('product');
  const data = await aget('/admin/inventory' + qs({ q, filter: filter === 'all' ? undefined : filter, page, size: 25 }));
  if (!alive()) return;
  const list = data.items || [];
  const here = (extra) => '/admin/inventory' + qs({ q, filter: filter === 'all' ? undefined : filter, ...extra });
  const search = h('input', { type: 'search', id: 'inventory-q', value: q, placeholder: 'Product name, brand or SKU…' });
  const tab = (value, label) => h('a', { href: '/admin/inventory' + qs({ q, filter: value === 'all' ? undefined : value }),
    class: 'tab' + (filter === value ? ' current' : ''), 'aria-current': filter === value ? 'page' : null }, label);
  const changed = new Map();  // variant_id -> new total
  const saveBtn = h('button', { type: 'button', class: 'btn primary', id: 'save-stock', disabled: true }, 'Save counts');
  const msg = h('div', { class: 'form-msg', role: 'alert' });
  const showChanges = () => {
    saveBtn.disabled = changed.size === 0;
    saveBtn.textContent = changed.size ? `Save ${changed.size} ${changed.size === 1 ? 'count' : 'counts'}` : 'Save counts';
  };
  saveBtn.onclick = async () => {
    mount(msg);
    setBusy(saveBtn, true, 'Saving…');
    try {
      const items = [...changed].map(([variant_id, total]) => ({ variant_id, total }));
      await asend('POST', '/admin/inventory/bulk', { items, reason: 'stock count' });
      toast(`Stock updated for ${items.length} ${items.length === 1 ? 'variant' : 'variants'}`);
      inventory(main, _m, params, alive);
    } catch (e) {
      setBusy(saveBtn, false);
      const bad = e.details && list.find((it) => it.variant_id === e.details.variant_id);
      const which = bad ? `${bad.name}${bad.title ? ' – ' + bad.title : ''}: ` : '';
      const why = e.code === 'stock_reserved' ? `the count is below the ${e.details.reserved} units reserved in carts and checkouts.` : humanError(e);
      mount(msg, notice(`${which}${why} Nothing was saved.`, 'error'));
    }
  };
  const countInput = (it) => {
    const input = h('input', { type: 'number', min: 0, step: 1, value: it.total, class: 'inline-input count-input',
      'aria-label': `On hand: ${it.name}${it.title ? ' – ' + it.title : ''}`, 'data-variant': it.variant_id });
    input.addEventListener('input', () => {
      const n = input.value === '' ? NaN : Number(input.value);
      const row = input.closest('tr');
      if (Number.isInteger(n) && n >= 0 && n !== it.total) changed.set(it.variant_id, n);
      else changed.delete(it.variant_id);
      row.classList.toggle('changed', changed.has(it.variant_id));
      showChanges();
    });
    return input;
  };
  const panel = h('div', { id: 'inventory-panel' });
  shell(main, 'inventory', 'Inventory',
    h('div', { class: 'toolbar' },
      h('form', { role: 'search', class: 'row gap', onsubmit: (e) => { e.preventDefault(); navigate('/admin/inventory' + qs({ q: search.value.trim(), filter: filter === 'all' ? undefined : filter })); } },
        h('label', { for: 'inventory-q', class: 'sr-only' }, 'Search stock'), search, h('button', { class: 'btn', type: 'submit' }, 'Search'))),
    h('nav', { class: 'status-tabs', 'aria-label': 'Stock filter' }, tab('all', 'All'), tab('low', 'Low stock'), tab('sold_out', 'Sold out')),
    h('div', { class: selected ? 'two-col wide-left' : '' },
      h('div', null,
        h('p', { class: 'muted', id: 'inventory-total' }, `${data.total} ${data.total === 1 ? 'variant' : 'variants'}`),
        list.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'inventory-table' },
          h('thead', null, h('tr', null, ['Product', 'On hand', 'Reserved', 'Available', ''].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', null, list.map((it) => h('tr', { class: String(it.product_id) === selected ? 'selected' : '', 'data-variant': it.variant_id },
            h('td', null, it.name || '(deleted product)', it.title ? h('div', { class: 'small' }, it.title) : null,
              h('div', { class: 'muted small' }, it.sku || '', it.status && it.status !== 'active' ? ' · ' + it.status : '')),
            h('td', null, countInput(it)),
            h('td', null, String(it.reserved)),
            h('td', { class: it.available <= 0 ? 'warn strong' : it.low_stock ? 'warn' : '' }, it.available <= 0 ? 'Sold out' : String(it.available)),
            h('td', null, it.product_id ? h('a', { class: 'btn small', href: here({ product: it.product_id, variant: it.variant_id, page }) }, 'Manage') : null))))))
          : h('p', { class: 'empty', id: 'inventory-empty' }, q ? 'No stock matches this search.' : filter === 'sold_out' ? 'Nothing is sold out.' : filter === 'low' ? 'Nothing is low on stock.' : 'No stock yet.'),
        list.length ? h('div', { class: 'row gap bulk-bar' }, saveBtn, h('span', { class: 'muted small' }, 'Type the counted units on hand, then save them together.')) : null,
        msg,
        pager(page, 25, data.total, (n) => navigate(here({ page: n })))),
      panel));
  if (selected) stockPanel(panel, selected, params.get('variant'));
}

// Stock is per variant: a product with options picks one of its variants.
async function stockPanel(panel, productId, variantId) {
  mount(panel, loading());
  try {
    const p = await aget('/products/' + productId);
    const vs = p.variants || [];
    const chosen = vs.find((v) => String(v.variant_id) === String(variantId)) || (vs.length > 1 ? vs[0] : null);
    const id = chosen ? chosen.variant_id : productId;
    const [level, audit] = await Promise.all([aget('/admin/inventory/' + id), aget(`/admin/inventory/${id}/audit?size=20`)]);
    const variantSel = vs.length > 1 ? h('div', { class: 'field' }, h('label', { for: 'inv-variant' }, 'Variant'),
      h('select', { id: 'inv-variant', onchange: (e) => {
        const u = new URL(location.href);
        u.searchParams.set('variant', e.target.value);
        history.replaceState(history.state, '', u.pathname + u.search);
        stockPanel(panel, productId, e.target.value);
      } }, vs.map((v) => h('option', { value: v.variant_id, selected: String(v.variant_id) === String(id) },
        `${v.title || Object.values(v.options || {}).join(' / ')} · ${v.sku || ''} · ${(v.inventory || {}).available ?? ''} available`)))) : null;
    const delta = h('input', { type: 'number', step: 1, id: 'inv-delta', required: true, placeholder: '+10 or -3' });
    const reason = h('input', { id: 'inv-reason', placeholder: 'Restock, damaged, count…' });
    const totalIn = h('input', { type: 'number', min: 0, step: 1, id: 'inv-total', value: level.total });
    const msg = h('div', { class: 'form-msg', role: 'alert' });
    const run = async (btn, fn) => {
      setBusy(btn, true);
      try {
        await fn();
        toast('Stock updated');
        stockPanel(panel, productId, chosen ? chosen.variant_id : null);
      } catch (e) {
        setBusy(btn, false);
        mount(msg, notice(humanError(e), 'error'));
      }
    };
    const adjBtn = h('button', { type: 'submit', class: 'btn primary' }, 'Adjust');
    const setBtn = h('button', { type: 'submit', class: 'btn' }, 'Set total');
    mount(panel, h('section', { class: 'card' },
      h('h2', null, p.name),
      variantSel,
      h('div', { class: 'stats small-stats' }, statCard('On hand', String(level.total)), statCard('Reserved', String(level.reserved)), statCard('Available', String(level.available)), statCard('Alert at', String(level.low_stock_threshold))),
      msg,
      h('form', { class: 'row gap wrap-row', onsubmit: (e) => { e.preventDefault(); run(adjBtn, () => asend('PATCH', '/admin/inventory/' + id, { delta: parseInt(delta.value, 10), reason: reason.value.trim() || undefined })); } },
        field('Change by', delta), field('Reason', reason), adjBtn),
      h('form', { class: 'row gap wrap-row', onsubmit: (e) => { e.preventDefault(); run(setBtn, () => asend('PUT', '/admin/inventory/' + id, { total: parseInt(totalIn.value, 10), reason: 'stock count' })); } },
        field('Counted on hand', totalIn), setBtn),
      h('h3', null, 'Audit log'),
      (audit.items || []).length ? h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'audit-log' },
        h('thead', null, h('tr', null, ['When', 'Action', 'Change', 'Available', 'Who', 'Why'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, audit.items.map((a) => h('tr', null, h('td', null, dateTime(a.at)), h('td', null, a.action),
          h('td', null, (a.quantity_change > 0 ? '+' : '') + a.quantity_change), h('td', null, `${a.before_available} → ${a.after_available}`), h('td', null, a.actor), h('td', null, a.reason))))))
        : h('p', { class: 'muted' }, 'No stock changes yet.')));
  } catch (e) {
    mount(panel, errorBox(e));
  }
}

// ---- reviews: moderation ----

export async function reviews(main, _m, params, alive) {
  if (!(await gate(main))) return;
  const status = params.get('status') || '';
  const page = Number(params.get('page') || 1);
  const data = await aget('/admin/reviews' + qs({ status, page, size: 25 }));
  const list = data.reviews || [];
  const names = new Map();
  await Promise.all([...new Set(list.map((r) => String(r.product_id)))].map((id) =>
    api('GET', '/products/' + id).then((p) => names.set(id, p.name)).catch(() => names.set(id, 'Product ' + id))));
  if (!alive()) return;
  const filter = h('select', { id: 'review-status', onchange: (e) => navigate('/admin/reviews' + qs({ status: e.target.value })) },
    [['', 'All'], ['published', 'Published'], ['hidden', 'Hidden']].map(([v, l]) => h('option', { value: v, selected: v === status }, l)));
  const toggle = (r) => async (e) => {
    const btn = e.currentTarget;
    setBusy(btn, true);
    try {
      await asend('POST', `/admin/reviews/${r.review_id}/${r.status === 'hidden' ? 'unhide' : 'hide'}`);
      toast(r.status === 'hidden' ? 'The review is shown again' : 'The review is hidden');
      reviews(main, _m, params, alive);
    } catch (err) {
      setBusy(btn, false);
      toast(humanError(err), 'error');
    }
  };
  shell(main, 'reviews', 'Reviews',
    h('div', { class: 'toolbar' }, h('div', { class: 'row gap' }, h('label', { for: 'review-status' }, 'Status'), filter),
      h('span', { class: 'muted' }, `${data.total || 0} ${data.total === 1 ? 'review' : 'reviews'}`)),
    list.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'admin-reviews' },
      h('thead', null, h('tr', null, ['Product', 'Rating', 'Review', 'Author', 'Status', ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, list.map((r) => h('tr', null,
        h('td', null, h('a', { href: '/p/' + r.product_id }, names.get(String(r.product_id)))),
        h('td', null, h('span', { class: 'stars', 'aria-label': `${r.rating} out of 5` }, '★'.repeat(r.rating), h('span', { class: 'stars-off' }, '★'.repeat(5 - r.rating)))),
        h('td', null, h('strong', null, r.title || ''), h('div', { class: 'muted small' }, (r.body || '').slice(0, 140))),
        h('td', null, r.author || '', h('div', { class: 'muted small' }, dateTime(r.created_at))),
        h('td', null, h('span', { class: 'status-badge st-' + (r.status === 'hidden' ? 'cancelled' : 'delivered') }, r.status === 'hidden' ? 'Hidden' : 'Published')),
        h('td', { class: 'actions' }, h('button', { type: 'button', class: 'btn small' + (r.status === 'hidden' ? '' : ' danger'), onclick: toggle(r) }, r.status === 'hidden' ? 'Unhide' : 'Hide')))))))
      : h('p', { class: 'muted' }, 'No reviews here.'),
    pager(page, 25, data.total || 0, (n) => navigate('/admin/reviews' + qs({ status, page: n }))));
}
