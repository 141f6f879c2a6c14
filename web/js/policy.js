// A policy page (/pages/returns, /shipping, /privacy, /terms) in the app:
// the same text the server renders for JavaScript-off readers
// (storefront_pages.cpp policy_parts), from GET /api/v1/pages/{slug}.
// The body is plain text: each blank-line-separated block is a paragraph,
// every line goes in through textContent (never HTML).
import { api, h, mount, errorBox, ApiError } from './lib.js';
import { setTitle } from './session.js';

function paragraphs(body) {
  return String(body || '').replace(/\r/g, '').split(/\n\s*\n/).map((block) => block.trim()).filter(Boolean)
    .map((block) => {
      const p = h('p');
      block.split('\n').forEach((line, i) => { if (i) p.append(h('br')); p.append(line); });
      return p;
    });
}

export async function policy(main, [slug], _params, alive) {
  let page;
  try {
    page = await api('GET', '/pages/' + encodeURIComponent(slug));
  } catch (e) {
    if (!alive()) return;
    if (e instanceof ApiError && e.status === 404) {
      setTitle('Page not found');
      mount(main, h('div', { class: 'state empty' }, h('h1', null, 'Page not found'), h('p', null, 'We could not find that page.'),
        h('p', null, h('a', { class: 'btn', href: '/' }, 'Go to the home page'))));
      return;
    }
    mount(main, errorBox(e, () => policy(main, [slug], _params, alive)));
    return;
  }
  if (!alive()) return;
  setTitle(page.title);
  const body = paragraphs(page.body);
  mount(main,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '/' }, 'Home'), ' › ', h('span', { 'aria-current': 'page' }, page.title)),
    h('article', { class: 'policy-page', style: 'max-width:46rem' }, h('h1', null, page.title),
      body.length ? body : h('p', null, 'This page has not been published yet.'),
      page.contact_email ? h('p', { class: 'muted' }, 'Questions? Write to ', h('a', { href: 'mailto:' + page.contact_email }, page.contact_email), '.') : null));
}
