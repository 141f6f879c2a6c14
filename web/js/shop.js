// Shopper pages: home, category browse, search results, product details.
import { api, h, mount, money, stars, loading, errorBox, notice, humanError, qs, pick, pager, toast, setBusy, field, countdown } from './lib.js';
import { navigate, setTitle, state, categoriesList, setCartCount, loadMe } from './session.js';
import { reviewsSection } from './reviews.js';
import { variantModel, optionPicker } from './variants.js';
import { applySrcset } from './image-sizes.js';

// ---- product cards ----

export function productImage(src, alt, cls = 'thumb') {
  if (!src) return h('div', { class: cls + ' noimg', role: 'img', 'aria-label': alt || 'No image' }, h('span', { 'aria-hidden': 'true' }, '▣'));
  return applySrcset(h('img', { class: cls, src, alt: alt || '', loading: 'lazy', decoding: 'async', width: 400, height: 400 }), src, '(max-width: 600px) 50vw, 300px');
}

// priceMax: a product whose variants cost different amounts shows "from $X".
export function priceBlock(price, original, currency, discountPct, priceMax) {
  const onSale = original !== undefined && original !== null && Number(original) > Number(price);
  const ranged = priceMax !== undefined && priceMax !== null && Number(priceMax) > Number(price);
  return h('div', { class: 'price' },
    ranged ? h('span', { class: 'from' }, 'from') : null,
    h('span', { class: 'now' + (onSale ? ' sale' : '') }, money(price, currency)),
    onSale ? h('s', { class: 'was', 'aria-label': 'was ' + money(original, currency) }, money(original, currency)) : null,
    onSale && discountPct ? h('span', { class: 'off' }, `−${discountPct}%`) : null);
}

function stockLabel(inStock, available) {
  if (!inStock) return h('span', { class: 'stock out' }, 'Out of stock');
  if (available !== undefined && available <= 5) return h('span', { class: 'stock low' }, `Only ${available} left`);
  return h('span', { class: 'stock in' }, 'In stock');
}

export function productCard(p) {
  const price = typeof p.price === 'object' && p.price ? p.price.final_price : p.price;
  const original = typeof p.price === 'object' && p.price ? p.price.amount : p.original_price;
  const currency = p.currency || (p.price && p.price.currency) || 'USD';
  const rating = typeof p.rating === 'object' && p.rating ? p.rating.average : p.rating;
  const count = typeof p.rating === 'object' && p.rating ? p.rating.count : p.reviews_count;
  const image = p.image || (p.images && p.images[0]);
  return h('article', { class: 'card product-card' },
    h('a', { href: '/p/' + p.product_id, class: 'card-link' },
      productImage(image, p.name),
      h('div', { class: 'card-body' },
        p.brand ? h('div', { class: 'brand' }, p.brand) : null,
        h('h3', { class: 'name' }, p.name),
        count ? stars(rating, count) : h('span', { class: 'stars-none' }, 'No reviews yet'),
        priceBlock(price, original, currency, p.discount_percentage, p.price_max),
        stockLabel(p.in_stock !== false, p.available))));
}

function productGrid(products, empty = 'No products found.') {
  if (!products || !products.length) return h('div', { class: 'state empty' }, h('p', null, empty));
  return h('div', { class: 'grid' }, products.map(productCard));
}

// ---- home ----

export async function home(main, _m, _p, alive) {
  setTitle('');
  const [cats, me] = await Promise.all([categoriesList(), loadMe()]);
  const [fresh, top, mine, sales] = await Promise.all([
    api('GET', '/products?sort=newest&size=8').catch((e) => e),
    api('GET', '/products?sort=rating&size=8').catch((e) => e),
    me ? api('GET', '/me/recommendations?limit=8').catch(() => null) : null,
    api('GET', '/flash-sales').then((d) => (d.flash_sales || []).filter((x) => x.status === 'active' || x.status === 'scheduled')).catch(() => []),
  ]);
  if (!alive()) return;
  const section = (title, data, more, id) => h('section', { class: 'section', id },
    h('div', { class: 'section-head' }, h('h2', null, title), more ? h('a', { href: more }, 'See all ›') : null),
    data instanceof Error ? errorBox(data) : productGrid(data.products, 'Nothing here yet.'));
  const row = (title, list, id) => (list && list.length ? h('section', { class: 'section', id },
    h('div', { class: 'section-head' }, h('h2', null, title)),
    h('div', { class: 'grid scroller' }, list.slice(0, 8).map(productCard))) : null);
  mount(main,
    sales.length ? h('div', { class: 'flash-banners' }, sales.slice(0, 3).map(flashBanner)) : null,
    h('section', { class: 'hero' },
      h('div', null,
        h('h1', null, me && me.first_name ? `Welcome back, ${me.first_name}` : 'Everything you need, delivered fast'),
        // the settings' banner lines, as the server rendered them into the footer
        document.getElementById('shop-banner') ? h('p', null, document.getElementById('shop-banner').textContent) : null,
        h('a', { class: 'btn primary', href: '/search?q=' }, 'Shop all products'))),
    mine ? row('Recommended for you', mine.recommended, 'recommended') : null,
    mine ? row('Recently viewed', mine.recently_viewed, 'recently-viewed') : null,
    cats.length ? h('section', { class: 'section' },
      h('div', { class: 'section-head' }, h('h2', null, 'Shop by category')),
      h('div', { class: 'cat-tiles' }, cats.slice(0, 8).map((c, i) => h('a', { class: 'cat-tile tone' + (i % 6), href: '/c/' + c.category_id },
        h('span', { class: 'cat-name' }, c.name),
        c.children && c.children.length ? h('span', { class: 'cat-sub' }, c.children.slice(0, 3).map((x) => x.name).join(' · ')) : null)))) : null,
    section('New arrivals', fresh, '/search?q=&sort=newest'),
    section('Top rated', top, '/search?q=&sort=rating'));
  tickCountdowns(main, alive);
}

// A flash sale on the home page: price, units left, a live countdown.
function flashBanner(s) {
  const started = s.status === 'active';
  const until = Date.parse(started ? s.ends_at : s.starts_at);
  const left = Number(s.remaining || 0) + Number(s.held || 0);
  return h('a', { class: 'flash-banner', href: '/flash/' + s.flash_sale_id },
    h('span', { class: 'flash-tag' }, '⚡ Flash sale'),
    h('span', { class: 'flash-name' }, s.product_name || 'Product ' + s.product_id),
    h('span', { class: 'flash-price' }, money(s.sale_price, s.currency),
      s.list_price !== undefined && Number(s.list_price) > Number(s.sale_price) ? h('s', null, money(s.list_price, s.currency)) : null),
    h('span', { class: 'flash-left' }, started ? `${left} of ${s.quantity} left` : `${s.quantity} units`),
    h('span', { class: 'flash-time' }, started ? 'Ends in ' : 'Starts in ', h('span', { class: 'countdown', dataset: { until: String(until) } }, countdown((until - Date.now()) / 1000))),
    h('span', { class: 'btn small primary' }, started ? 'Shop the sale' : 'See the sale'));
}

// Updates every .countdown[data-until] under root once a second while the page lives.
export function tickCountdowns(root, alive) {
  const tick = () => {
    if (!alive() || !root.isConnected) return;
    for (const el of root.querySelectorAll('.countdown[data-until]')) el.textContent = countdown((Number(el.dataset.until) - Date.now()) / 1000);
    setTimeout(tick, 1000);
  };
  setTimeout(tick, 1000);
}

// ---- listing (category and search share it) ----

const SORTS_BROWSE = [['newest', 'Newest'], ['price_asc', 'Price: low to high'], ['price_desc', 'Price: high to low'], ['rating', 'Customer rating'], ['name', 'Name']];
const SORTS_SEARCH = [['relevance', 'Best match'], ['price_asc', 'Price: low to high'], ['price_desc', 'Price: high to low'], ['rating', 'Customer rating'], ['newest', 'Newest']];

function filtersPanel(params, facets, onChange, { searchMode }) {
  const brands = facets.brands || [];
  const selected = new Set((params.get('brand') || '').split(',').filter(Boolean));
  for (const b of selected) if (!brands.some((x) => x.name === b)) brands.push({ name: b });
  const minIn = h('input', { type: 'number', min: 0, step: '0.01', inputmode: 'decimal', name: 'min_price', value: params.get('min_price') || '', placeholder: 'Min' });
  const maxIn = h('input', { type: 'number', min: 0, step: '0.01', inputmode: 'decimal', name: 'max_price', value: params.get('max_price') || '', placeholder: 'Max' });
  const update = (changes) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) (v === '' || v === null || v === undefined) ? p.delete(k) : p.set(k, v);
    p.delete('page');
    onChange(p);
  };
  const brandBoxes = brands.slice(0, 30).map((b) => {
    const id = 'brand-' + b.name.replace(/[^a-z0-9]/gi, '_');
    return h('div', { class: 'check' },
      h('input', { type: 'checkbox', id, checked: selected.has(b.name), onchange: (e) => {
        e.target.checked ? selected.add(b.name) : selected.delete(b.name);
        update({ brand: [...selected].join(',') });
      } }),
      h('label', { for: id }, b.name, b.count !== undefined ? h('span', { class: 'count' }, ` (${b.count})`) : null));
  });
  const rating = params.get('rating') || '';
  const ratingRadios = [['4', '4 ★ & up'], ['3', '3 ★ & up'], ['2', '2 ★ & up'], ['', 'Any rating']].map(([v, label]) => {
    const id = 'rating-' + (v || 'any');
    const count = (facets.ratings || []).find((r) => String(r.min_rating ?? r.rating ?? r.min ?? r.value) === v);
    return h('div', { class: 'check' },
      h('input', { type: 'radio', name: 'rating', id, value: v, checked: rating === v, onchange: () => update({ rating: v }) }),
      h('label', { for: id }, label, count && count.count !== undefined ? h('span', { class: 'count' }, ` (${count.count})`) : null));
  });
  const ranges = (facets.price_ranges || []).filter((r) => r.count !== 0).map((r) => {
    const [lo, hi] = r.min !== undefined ? [r.min, r.max ?? ''] : String(r.range).split('-');
    const label = hi ? `${money(lo)} – ${money(hi)}` : `${money(lo)} and up`;
    return h('li', null, h('button', { type: 'button', class: 'linkish', onclick: () => update({ min_price: lo, max_price: hi || '' }) }, label,
      r.count !== undefined ? h('span', { class: 'count' }, ` (${r.count})`) : null));
  });
  const cats = facets.categories || [];
  return h('details', { class: 'filters', open: window.innerWidth > 760 },
    h('summary', null, 'Filters'),
    h('form', { onsubmit: (e) => { e.preventDefault(); update({ min_price: minIn.value, max_price: maxIn.value }); } },
      searchMode && cats.length ? h('fieldset', null, h('legend', null, 'Category'),
        h('ul', { class: 'plain' }, cats.slice(0, 12).map((c) => h('li', null,
          h('button', { type: 'button', class: 'linkish' + (params.get('category') === String(c.category_id || c.id) ? ' current' : ''),
            onclick: () => update({ category: c.category_id || c.id }) }, c.name, c.count !== undefined ? h('span', { class: 'count' }, ` (${c.count})`) : null))))) : null,
      brandBoxes.length ? h('fieldset', null, h('legend', null, 'Brand'), h('div', { class: 'brand-list' }, brandBoxes)) : null,
      h('fieldset', null, h('legend', null, 'Price'),
        ranges.length ? h('ul', { class: 'plain' }, ranges) : null,
        h('div', { class: 'price-inputs' },
          h('label', { class: 'sr-only', for: 'f-min' }, 'Minimum price'), Object.assign(minIn, { id: 'f-min' }),
          h('span', { 'aria-hidden': 'true' }, '–'),
          h('label', { class: 'sr-only', for: 'f-max' }, 'Maximum price'), Object.assign(maxIn, { id: 'f-max' }),
          h('button', { class: 'btn small', type: 'submit' }, 'Go'))),
      h('fieldset', null, h('legend', null, 'Customer rating'), ratingRadios),
      searchMode ? h('fieldset', null, h('legend', null, 'Availability'),
        h('div', { class: 'check' }, h('input', { type: 'checkbox', id: 'f-instock', checked: params.get('in_stock') === 'true',
          onchange: (e) => update({ in_stock: e.target.checked ? 'true' : '' }) }), h('label', { for: 'f-instock' }, 'In stock only'))) : null,
      (params.get('brand') || params.get('min_price') || params.get('max_price') || params.get('rating') || params.get('in_stock'))
        ? h('button', { type: 'button', class: 'btn ghost small', onclick: () => update({ brand: '', min_price: '', max_price: '', rating: '', in_stock: '' }) }, 'Clear filters') : null));
}

async function listing(main, { title, crumbs, params, basePath, load, searchMode, alive, intro }) {
  const data = await load(params);
  if (!alive()) return;
  const page = Number(params.get('page') || 1);
  const size = Number(data.size || data.page_size || 24);
  const total = data.total ?? data.total_results ?? (data.products || []).length;
  const go = (p) => navigate(basePath + '?' + p.toString());
  const sorts = searchMode ? SORTS_SEARCH : SORTS_BROWSE;
  const sortSel = h('select', { id: 'sort', onchange: (e) => { const p = new URLSearchParams(params); p.set('sort', e.target.value); p.delete('page'); go(p); } },
    sorts.map(([v, l]) => h('option', { value: v, selected: (params.get('sort') || sorts[0][0]) === v }, l)));
  mount(main,
    crumbs || null,
    h('div', { class: 'listing-head' },
      h('div', null, h('h1', null, title), h('p', { class: 'muted', id: 'result-count' }, `${total} ${total === 1 ? 'product' : 'products'}`)),
      h('div', { class: 'sort' }, h('label', { for: 'sort' }, 'Sort by'), sortSel)),
    intro || null,
    h('div', { class: 'listing' },
      filtersPanel(params, data.facets || {}, go, { searchMode }),
      h('div', { class: 'results' },
        productGrid(data.products, searchMode && params.get('q') ? `No results for “${params.get('q')}”.` : 'No products match these filters.'),
        pager(page, size, total, (n) => { const p = new URLSearchParams(params); p.set('page', n); go(p); }))));
}

async function browseFacets(categoryId) {
  // Prefer the search index's facets; without it, derive brands from a sample.
  try {
    const s = await api('GET', '/search' + qs({ q: '', category: categoryId, size: 1 }));
    if (s && s.facets) return s.facets;
  } catch (e) { /* fall through */ }
  try {
    const sample = await api('GET', '/products' + qs({ category: categoryId, size: 100 }));
    const counts = new Map();
    for (const p of sample.products || []) if (p.brand) counts.set(p.brand, (counts.get(p.brand) || 0) + 1);
    return { brands: [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([name]) => ({ name })) };
  } catch (e) {
    return {};
  }
}

export async function category(main, [id], params, alive) {
  const cat = await api('GET', '/categories/' + encodeURIComponent(id));
  setTitle(cat.name);
  const facetsP = browseFacets(cat.category_id);
  const crumbs = h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' },
    h('a', { href: '/' }, 'Home'), (cat.ancestors || []).map((a) => [' › ', h('a', { href: '/c/' + a.category_id }, a.name)]), ' › ', h('span', { 'aria-current': 'page' }, cat.name));
  const intro = cat.children && cat.children.length ? h('div', { class: 'chips' }, cat.children.map((c) => h('a', { class: 'chip', href: '/c/' + c.category_id }, c.name))) : null;
  await listing(main, {
    title: cat.name, crumbs, intro, params, basePath: '/c/' + id, alive,
    load: async (p) => {
      const [list, facets] = await Promise.all([
        api('GET', '/products' + qs({ category: cat.category_id, brand: p.get('brand'), min_price: p.get('min_price'), max_price: p.get('max_price'),
          rating: p.get('rating'), sort: p.get('sort'), page: p.get('page'), size: 24 })),
        facetsP]);
      return { ...list, facets };
    },
  });
}

export async function search(main, _m, params, alive) {
  const q = (params.get('q') || '').trim();
  document.getElementById('search-input').value = q;
  setTitle(q ? `Search: ${q}` : 'All products');
  const req = { q, category: params.get('category'), brand: params.get('brand'), min_price: params.get('min_price'), max_price: params.get('max_price'),
    rating: params.get('rating'), in_stock: params.get('in_stock'), sort: params.get('sort'), page: params.get('page'), size: 24 };
  const data = await api('GET', '/search' + qs(req));
  const products = data.products || data.results || [];
  const dym = pick(data, 'did_you_mean', 'suggestion', 'spelling_suggestion', 'corrected_query', 'spelling.suggestion');
  const corrected = pick(data, 'corrected', 'spelling.corrected');
  let intro = null;
  if (dym && dym !== q) {
    const link = h('a', { href: '/search?q=' + encodeURIComponent(dym), class: 'dym-link' }, dym);
    intro = h('p', { class: 'did-you-mean', role: 'status' },
      corrected || (!products.length) ? 'No exact matches. ' : '', 'Did you mean ', link, '?');
  }
  await listing(main, {
    title: q ? `Results for “${q}”` : 'All products', params, basePath: '/search', searchMode: true, alive, intro,
    load: async () => ({ ...data, products, total: data.total ?? data.total_results }),
  });
}

// ---- product page ----

// The product's images; show(url, alt) puts a variant's picture in front
// (show(null) goes back to the product's first image).
function gallery(p) {
  const imgs = (p.image_details && p.image_details.length ? p.image_details.map((i) => ({ url: i.url, alt: i.alt })) : (p.images || []).map((u) => ({ url: u })));
  const el = h('div', { class: 'gallery' });
  let main = null;
  const placeholder = productImage(null, p.name, 'main-img');
  const mark = (url) => el.querySelectorAll('.thumb-btn').forEach((b) => b.classList.toggle('current', b.dataset.url === url));
  const setMain = (url, alt) => {
    if (!url) {
      if (main) main.replaceWith(placeholder);
      main = null;
      return;
    }
    if (!main) {
      main = h('img', { class: 'main-img', width: 600, height: 600 });
      if (placeholder.parentNode) placeholder.replaceWith(main);
    }
    if (main.getAttribute('src') !== url) {
      applySrcset(main, url, '(max-width: 800px) 100vw, 600px');
      main.src = url;
    }
    main.alt = alt || p.name;
    mark(url);
  };
  const thumbs = imgs.length > 1 ? h('div', { class: 'thumbs', role: 'list' }, imgs.map((im, i) => h('button', {
    type: 'button', class: 'thumb-btn' + (i === 0 ? ' current' : ''), 'aria-label': `Show image ${i + 1} of ${imgs.length}`, role: 'listitem',
    dataset: { url: im.url }, onclick: () => setMain(im.url, im.alt),
  }, applySrcset(h('img', { src: im.url, alt: '', loading: 'lazy', width: 72, height: 72 }), im.url, '72px')))) : null;
  el.appendChild(placeholder);
  if (imgs.length) setMain(imgs[0].url, imgs[0].alt);
  if (thumbs) el.appendChild(thumbs);
  el.show = (url, alt) => (url ? setMain(url, alt) : imgs.length ? setMain(imgs[0].url, imgs[0].alt) : setMain(null));
  return el;
}

// Adds `quantity` of a variant ({variant_id}, or {product_id} for a server
// without variants) on top of what the cart already holds of it.
export async function addToCart(target, quantity, btn) {
  const t = typeof target === 'object' && target ? target : { product_id: target };
  const vid = t.variant_id !== undefined && t.variant_id !== null ? String(t.variant_id) : null;
  setBusy(btn, true, 'Adding…');
  try {
    let existing = 0;
    try {
      const cart = await api('GET', '/cart');
      const line = (cart.items || []).find((i) => (vid && i.variant_id !== undefined && i.variant_id !== null
        ? String(i.variant_id) === vid : String(i.product_id) === String(t.product_id)));
      if (line) existing = line.quantity;
    } catch (e) { /* empty cart */ }
    const body = vid ? { variant_id: vid } : { product_id: String(t.product_id) };
    body.quantity = existing + quantity;
    const cart = await api('POST', '/cart/items', body);
    setCartCount(cart);
    toast('Added to your cart');
    return cart;
  } catch (e) {
    toast(humanError(e), 'error');
    throw e;
  } finally {
    setBusy(btn, false);
  }
}

async function similarSection(p) {
  let list = [];
  try {
    const data = await api('GET', `/products/${p.product_id}/similar?size=8`);
    list = data.products || data.results || data.similar || [];
  } catch (e) {
    if (p.category_id) {
      try {
        const data = await api('GET', '/products' + qs({ category: p.category_id, size: 9, sort: 'rating' }));
        list = (data.products || []).filter((x) => x.product_id !== p.product_id).slice(0, 8);
      } catch (e2) { /* none */ }
    }
  }
  if (!list.length) return null;
  return h('section', { class: 'section', id: 'similar' }, h('div', { class: 'section-head' }, h('h2', null, 'Similar products')),
    h('div', { class: 'grid scroller' }, list.slice(0, 8).map(productCard)));
}

// "Customers who bought this also bought" (order co-occurrence).
async function alsoBoughtSection(p) {
  let list = [];
  try {
    const data = await api('GET', `/products/${p.product_id}/recommendations?limit=8`);
    list = data.also_bought || [];
  } catch (e) { /* recommendations are an extra: the page works without them */ }
  if (!list.length) return null;
  return h('section', { class: 'section', id: 'also-bought' }, h('div', { class: 'section-head' }, h('h2', null, 'Customers who bought this also bought')),
    h('div', { class: 'grid scroller' }, list.slice(0, 8).map(productCard)));
}

// Is the product on the signed-in shopper's wishlist? (pages through it)
async function isWished(productId) {
  for (let page = 1; page <= 10; page++) {
    const data = await api('GET', `/me/wishlist?size=100&page=${page}`);
    const items = data.items || [];
    if (items.some((i) => String(i.product_id) === String(productId))) return true;
    if (items.length < 100) return false;
  }
  return false;
}

// "Add to wishlist" for a signed-in shopper; "In your wishlist" once it is.
async function wishlistControl(p) {
  const me = await loadMe();
  const slot = h('div', { class: 'wish', id: 'wish-control' });
  if (!me) {
    return mount(slot, h('a', { class: 'muted-link', href: '/login?next=' + encodeURIComponent('/p/' + p.product_id) }, '♡ Sign in to save this to your wishlist'));
  }
  let wished = false;
  try {
    wished = await isWished(p.product_id);
  } catch (e) {
    return null;
  }
  const render = () => {
    if (wished) {
      const remove = h('button', { type: 'button', class: 'linkish', onclick: async () => {
        setBusy(remove, true);
        try {
          await api('DELETE', '/me/wishlist/' + encodeURIComponent(p.product_id));
          wished = false;
          toast('Removed from your wishlist');
          render();
        } catch (e) {
          setBusy(remove, false);
          toast(humanError(e), 'error');
        }
      } }, 'Remove');
      mount(slot, h('span', { class: 'wished', role: 'status' }, h('span', { 'aria-hidden': 'true' }, '♥ '), 'In your wishlist'),
        h('a', { href: '/wishlist' }, 'View wishlist'), remove);
    } else {
      const add = h('button', { type: 'button', class: 'btn ghost', id: 'add-to-wishlist', onclick: async () => {
        setBusy(add, true, 'Saving…');
        try {
          await api('POST', '/me/wishlist', { product_id: String(p.product_id) });
          wished = true;
          toast('Saved to your wishlist');
          render();
        } catch (e) {
          setBusy(add, false);
          toast(humanError(e), 'error');
        }
      } }, h('span', { 'aria-hidden': 'true' }, '♡ '), 'Add to wishlist');
      mount(slot, add);
    }
  };
  render();
  return slot;
}

// The big price on the product page for a price object {amount,
// final_price, currency, discount}.
function bigPrice(price, currency) {
  const disc = price.discount;
  return [
    h('span', { class: 'now' + (disc ? ' sale' : '') }, money(price.final_price ?? price.amount, currency)),
    disc ? h('s', { class: 'was' }, money(price.amount, currency)) : null,
    disc ? h('span', { class: 'off' }, `Save ${money(disc.amount_off, currency)} (${disc.percentage}%)`) : null];
}

export async function product(main, [id], params, alive) {
  const p = await api('GET', '/products/' + id);
  if (!alive()) return;
  setTitle(p.name);
  const currency = (p.price && p.price.currency) || 'USD';
  const model = variantModel(p);
  const hasOptions = model.options.length > 0;
  let sel = model.initial(params && params.get('variant'));

  const priceEl = h('div', { class: 'price big', id: 'product-price' });
  const stockEl = h('p', { class: 'stock-line', id: 'product-stock' });
  const skuEl = h('span', { id: 'product-sku' });
  const announce = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite', id: 'variant-status' });
  const qty = h('input', { type: 'number', id: 'qty', min: 1, max: 1, value: 1, inputmode: 'numeric' });
  const msg = h('div', { class: 'form-msg', role: 'status', 'aria-live': 'polite' });
  const addBtn = h('button', { type: 'submit', class: 'btn primary big', id: 'add-to-cart' }, 'Add to cart');
  const gal = gallery(p);
  let current = null; // the chosen variant (null: none chosen, or no such combination)

  const render = (userChoice) => {
    current = hasOptions ? model.find(sel) : (model.variants[0] || null);
    if (picker) picker.update(sel);
    // price, stock, SKU and picture follow the variant
    const price = (current && current.price) || p.price || {};
    const ranged = !current && p.price_max !== null && p.price_max !== undefined && Number(p.price_max) > Number(price.final_price ?? price.amount);
    mount(priceEl, ranged ? h('span', { class: 'from' }, 'from') : null, bigPrice(price, currency));
    const inv = hasOptions ? (current && current.inventory) || {} : p.inventory || (current && current.inventory) || {};
    const complete = !hasOptions || sel.every((x) => x !== null && x !== undefined);
    let stock;
    let buyable = false;
    let label = 'Add to cart';
    if (hasOptions && !complete) {
      stock = h('span', { class: 'stock muted' }, 'Choose ' + model.options.filter((o, i) => sel[i] === null || sel[i] === undefined).map((o) => o.name).join(' and '));
      label = 'Choose options';
    } else if (hasOptions && !current) {
      stock = h('span', { class: 'stock out' }, 'This combination is not available');
      label = 'Unavailable';
    } else if (!inv.in_stock) {
      stock = h('span', { class: 'stock out' }, hasOptions ? 'Sold out' : 'Out of stock');
      label = hasOptions ? 'Sold out' : 'Out of stock';
    } else {
      buyable = true;
      const low = hasOptions ? Number(inv.available) <= 5 : inv.low_stock;
      stock = low ? h('span', { class: 'stock low' }, `Only ${inv.available} left in stock — order soon`) : h('span', { class: 'stock in' }, 'In stock');
    }
    mount(stockEl, stock);
    addBtn.disabled = !buyable;
    addBtn.textContent = label;
    delete addBtn.dataset.label;
    qty.max = String(Math.max(1, Number(inv.available) || 1));
    skuEl.textContent = (current && current.sku) || p.sku || '';
    if (hasOptions) gal.show(current && current.image, current ? `${p.name}, ${current.title || sel.join(' / ')}` : p.name);
    if (userChoice) {
      // the URL remembers the choice (reload and shared links keep it)
      const u = new URL(location.href);
      if (current) u.searchParams.set('variant', current.variant_id);
      else u.searchParams.delete('variant');
      history.replaceState(history.state, '', u.pathname + u.search + u.hash);
      announce.textContent = current
        ? `${current.title || sel.join(' / ')}: ${money(price.final_price ?? price.amount, currency)}, ${stockEl.textContent}`
        : stockEl.textContent;
    }
  };
  const picker = hasOptions ? optionPicker(model, (i, value) => { sel = model.choose(sel, i, value); render(true); }) : null;

  const form = h('form', { class: 'buy', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    if (hasOptions && !current) { mount(msg, notice(addBtn.textContent === 'Unavailable' ? 'That combination is not available. Choose another one.' : 'Choose the options first.', 'error')); return; }
    const n = parseInt(qty.value, 10);
    if (!(n >= 1)) { mount(msg, notice('Enter a quantity of at least 1.', 'error')); return; }
    try {
      await addToCart(current && current.variant_id !== undefined ? { variant_id: current.variant_id, product_id: p.product_id } : { product_id: p.product_id }, n, addBtn);
      const what = hasOptions && current ? `${current.title || sel.join(' / ')} added to your cart. ` : 'Added to your cart. ';
      mount(msg, notice(what, 'ok'), h('a', { href: '/cart' }, 'View cart ›'));
    } catch (err) {
      mount(msg, notice(humanError(err), 'error'));
    } finally {
      render(false); // setBusy put back the label it saw; the variant decides it
    }
  } },
  h('div', { class: 'qty' }, h('label', { for: 'qty' }, 'Quantity'), qty), addBtn);
  const ratingLink = h('a', { href: '#reviews', class: 'rating-link', id: 'rating-link' }, stars(p.rating && p.rating.average, (p.rating && p.rating.count) || 0));
  const specs = p.specifications && typeof p.specifications === 'object' ? Object.entries(p.specifications) : [];
  const catParts = (p.category || '').split(' > ').filter(Boolean);
  render(false);
  mount(main,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '/' }, 'Home'),
      catParts.map((c, i) => [' › ', i === catParts.length - 1 && p.category_id ? h('a', { href: '/c/' + p.category_id }, c) : h('span', null, c)])),
    h('div', { class: 'product-page' },
      gal,
      h('div', { class: 'product-info' },
        p.brand ? h('div', { class: 'brand' }, p.brand) : null,
        h('h1', { class: 'product-name' }, p.name),
        ratingLink,
        priceEl,
        picker ? picker.el : null,
        stockEl,
        announce,
        p.shipping ? h('p', { class: 'ship-line muted' },
          p.shipping.free_shipping ? 'Free shipping. '
            : p.shipping.free_shipping_threshold != null ? `Free shipping over ${money(p.shipping.free_shipping_threshold, currency)}. `
            : p.shipping.flat_rate != null ? `Shipping ${money(p.shipping.flat_rate, currency)}. ` : '',
          p.shipping.estimated_delivery ? `Delivery in ${p.shipping.estimated_delivery}.` : '') : null,
        form, msg,
        h('div', { id: 'wish-slot' }),
        h('div', { id: 'flash-slot' }),
        p.description ? h('div', { class: 'description' }, h('h2', null, 'About this item'), p.description.split(/\n+/).map((para) => h('p', null, para))) : null,
        specs.length ? h('div', { class: 'specs' }, h('h2', null, 'Specifications'),
          h('table', null, h('tbody', null, specs.map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), h('td', null, String(v))))))) : null,
        h('p', { class: 'muted small' }, 'SKU ', skuEl))),
    h('div', { id: 'also-slot' }),
    h('div', { id: 'reviews-slot' }),
    h('div', { id: 'similar-slot' }));
  const [rev, also, sim, wish, sales] = await Promise.all([
    reviewsSection(p, (rating) => mount(ratingLink, stars(rating.average, rating.count || 0))),
    alsoBoughtSection(p), similarSection(p), wishlistControl(p),
    api('GET', '/flash-sales').then((d) => (d.flash_sales || []).filter((x) => String(x.product_id) === String(p.product_id) &&
      (x.status === 'active' || x.status === 'scheduled'))).catch(() => [])]);
  if (!alive()) return;
  if (sales.length) {
    mount(main.querySelector('#flash-slot'), h('div', { class: 'flash-banners' }, sales.slice(0, 1).map(flashBanner)));
    tickCountdowns(main, alive);
  }
  if (rev) mount(main.querySelector('#reviews-slot'), rev);
  if (also) mount(main.querySelector('#also-slot'), also);
  if (sim) mount(main.querySelector('#similar-slot'), sim);
  if (wish) mount(main.querySelector('#wish-slot'), wish);
}

export { productGrid, field, loading };
