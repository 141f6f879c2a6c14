// Admin: reports over a date range (GET /admin/reports) and the CSV
// exports. Loaded only on /admin/reports (app.js).
//
// Every figure comes from the server; the page only picks the range and
// draws. The merchant's day is this browser's day (as on the dashboard):
// the page sends its UTC offset with the dates.
//
// The two charts are hand-made inline SVG sized to the page (one SVG unit
// is one CSS pixel, so labels stay readable on a phone), each followed by a
// collapsible table of the same numbers for screen readers and for reading
// exact values.
import { api, h, money, qs, loading, errorBox, toast, adminToken } from './lib.js';
import { navigate } from './session.js';
import { gate, shell } from './admin.js';

const aget = (path) => api('GET', path, undefined, { admin: true });
const SVG = 'http://www.w3.org/2000/svg';

// ---- dates (local, as YYYY-MM-DD) ----

const pad = (n) => String(n).padStart(2, '0');
const ymd = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const daysAgo = (n) => { const d = new Date(); d.setHours(12, 0, 0, 0); d.setDate(d.getDate() - n); return d; };
const validDate = (s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s);

const PRESETS = [
  { id: '7', text: 'Last 7 days', range: () => [ymd(daysAgo(6)), ymd(daysAgo(0))] },
  { id: '30', text: 'Last 30 days', range: () => [ymd(daysAgo(29)), ymd(daysAgo(0))] },
  { id: '90', text: 'Last 90 days', range: () => [ymd(daysAgo(89)), ymd(daysAgo(0))] },
  { id: 'month', text: 'This month', range: () => { const d = daysAgo(0); d.setDate(1); return [ymd(d), ymd(daysAgo(0))]; } },
];

// The range the URL names: a preset, or from/to, else the last 30 days.
function chosenRange(params) {
  const preset = PRESETS.find((p) => p.id === params.get('preset'));
  if (preset) return { preset: preset.id, ...rangeObj(preset.range()) };
  const from = params.get('from');
  const to = params.get('to');
  if (validDate(from) && validDate(to)) return { preset: '', from, to };
  return { preset: '30', ...rangeObj(PRESETS[1].range()) };
}
const rangeObj = ([from, to]) => ({ from, to });

// "Dec 3" for a YYYY-MM-DD (read as a calendar date, not a UTC instant).
function shortDate(s, withYear) {
  const [y, m, d] = s.split('-').map(Number);
  return new Date(y, m - 1, d).toLocaleDateString(navigator.language || 'en-US',
    withYear ? { month: 'short', day: 'numeric', year: 'numeric' } : { month: 'short', day: 'numeric' });
}

// ---- stat tiles ----

// The change against the previous period, as text and a direction.
function change(now, before) {
  const a = Number(now);
  const b = Number(before);
  if (!b) return a ? { text: 'new vs previous period (none before)', dir: 'up' } : { text: 'same as previous period', dir: 'flat' };
  const pct = Math.round(((a - b) / b) * 1000) / 10;
  if (pct === 0) return { text: 'same as previous period', dir: 'flat' };
  return { text: `${pct > 0 ? '+' : ''}${pct}% vs previous period`, dir: pct > 0 ? 'up' : 'down' };
}

function tile(id, label, value, sub, ch) {
  const arrow = ch ? { up: '▲ ', down: '▼ ', flat: '' }[ch.dir] : '';
  return h('div', { class: 'card stat', id },
    h('span', { class: 'stat-label' }, label),
    h('strong', { class: 'stat-value' }, value),
    ch ? h('small', { class: 'muted report-change', dataset: { dir: ch.dir } }, arrow + ch.text) : null,
    sub ? h('small', { class: 'muted' }, sub) : null);
}

function tiles(data) {
  const cur = data.currency || 'USD';
  const t = data.totals;
  const p = data.previous;
  const conv = data.conversion;
  const rate = conv.rate === null ? '—' : Math.round(conv.rate * 1000) / 10 + '%';
  return h('div', { class: 'stats', id: 'report-tiles' },
    tile('stat-revenue', 'Revenue', money(t.revenue, cur), `previous: ${money(p.revenue, cur)}`, change(t.revenue, p.revenue)),
    tile('stat-orders', 'Orders', String(t.orders), `previous: ${p.orders}`, change(t.orders, p.orders)),
    tile('stat-aov', 'Average order value', money(t.average_order_value, cur), `previous: ${money(p.average_order_value, cur)}`,
      change(t.average_order_value, p.average_order_value)),
    tile('stat-units', 'Units sold', String(t.units), `previous: ${p.units}`, change(t.units, p.units)),
    tile('stat-refunds', 'Refunded', money(t.refunded, cur), `${t.refunds} ${t.refunds === 1 ? 'refund' : 'refunds'}; previous: ${money(p.refunded, cur)}`,
      change(t.refunded, p.refunded)),
    tile('stat-customers', 'New / returning customers', `${data.customers.new} / ${data.customers.returning}`,
      'new: first order ever in this range'),
    tile('stat-conversion', 'Cart-to-order conversion', rate,
      `${conv.carts_ordered} of ${conv.carts_with_items_added} carts with an item added became an order`));
}

// ---- charts ----

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

// 1, 2, 2.5 or 5 times a power of ten: round axis steps (whole ones for
// counts: there is no half an order).
function niceStep(max, ticks, whole) {
  const raw = max / ticks;
  if (whole && raw <= 1) return 1;
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of whole && pow < 10 ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

// A bar chart of days[key]: y axis with labels (fmt), x axis with dates
// thinned so they never overlap, a <title> and a description for screen
// readers (the table below holds the numbers).
function barChart(id, title, days, key, fmt, width, whole = false) {
  const W = Math.max(280, Math.floor(width));
  const H = 220;
  const m = { top: 12, right: 10, bottom: 34, left: 64 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const values = days.map((d) => Number(d[key]) || 0);
  const maxV = Math.max(...values, 0);
  const step = maxV > 0 ? niceStep(maxV, 4, whole) : 1;
  const top = maxV > 0 ? Math.ceil(maxV / step) * step : 4 * step;
  const y = (v) => m.top + ph - (v / top) * ph;
  const slot = pw / days.length;
  const barW = Math.max(1, Math.min(40, slot * 0.7));
  const g = svg('g', {});
  for (let v = 0; v <= top + 1e-9; v += step) {
    g.appendChild(svg('line', { x1: m.left, x2: W - m.right, y1: y(v), y2: y(v), stroke: '#e5e7eb' }));
    g.appendChild(svg('text', { x: m.left - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 12, fill: '#6b7280' }, fmt(v)));
  }
  const every = Math.max(1, Math.ceil(days.length / Math.max(1, Math.floor(pw / 56))));
  days.forEach((d, i) => {
    const x = m.left + i * slot + (slot - barW) / 2;
    const v = values[i];
    g.appendChild(svg('rect', { x, y: y(v), width: barW, height: Math.max(0, m.top + ph - y(v)), fill: '#0f766e', rx: Math.min(3, barW / 3) },
      svg('title', {}, `${shortDate(d.date, true)}: ${fmt(v)}`)));
    if (i % every === 0) {
      g.appendChild(svg('text', { x: m.left + i * slot + slot / 2, y: H - m.bottom + 16, 'text-anchor': 'middle', 'font-size': 12, fill: '#6b7280' },
        shortDate(d.date)));
    }
  });
  g.appendChild(svg('line', { x1: m.left, x2: W - m.right, y1: m.top + ph, y2: m.top + ph, stroke: '#6b7280' }));
  const desc = `${title}: ${days.length} days from ${shortDate(days[0].date, true)} to ${shortDate(days[days.length - 1].date, true)}, highest ${fmt(maxV)}. The table below lists every day.`;
  return svg('svg', { id, width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': desc, class: 'report-chart' },
    svg('title', {}, title), g);
}

// The chart's text alternative: every day's numbers, collapsed by default.
function dayTable(id, days, cols) {
  return h('details', { class: 'report-table', id },
    h('summary', null, 'Show the numbers as a table'),
    h('div', { class: 'table-wrap' }, h('table', null,
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Day'), cols.map((c) => h('th', { scope: 'col' }, c.label)))),
      h('tbody', null, days.map((d) => h('tr', null, h('th', { scope: 'row' }, shortDate(d.date, true)),
        cols.map((c) => h('td', null, c.fmt(d[c.key])))))))));
}

function chartCard(title, chart, table) {
  return h('section', { class: 'card report-chart-card' }, h('h2', null, title), h('div', { style: 'overflow-x:auto' }, chart), table);
}

// ---- tables ----

function topTable(id, caption, rows, nameOf, cur) {
  if (!rows.length) return h('section', { class: 'card', id }, h('h2', null, caption), h('p', { class: 'muted' }, 'Nothing sold in this range.'));
  return h('section', { class: 'card', id }, h('h2', null, caption),
    h('div', { class: 'table-wrap' }, h('table', null,
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, 'Name'),
        h('th', { scope: 'col' }, 'Units'), h('th', { scope: 'col' }, 'Revenue'))),
      h('tbody', null, rows.map((r, i) => h('tr', null, h('td', null, String(i + 1)), h('td', null, nameOf(r)),
        h('td', null, String(r.units)), h('td', null, money(r.revenue, cur))))))));
}

// ---- downloads ----

// With a session cookie the link downloads by itself (the browser streams
// it to disk); with an admin token the request needs its header, so the
// file is fetched and handed over as a blob.
function exportLink(name, label, range) {
  const path = `/admin/exports/${name}.csv` + qs({ from: range.from, to: range.to, utc_offset: range.offset });
  const file = `${name}-${range.from}-to-${range.to}.csv`;
  return h('a', {
    class: 'btn', id: `export-${name}`, href: '/api/v1' + path, download: file,
    onclick: async (e) => {
      if (!adminToken.get()) return;
      e.preventDefault();
      try {
        const res = await fetch('/api/v1' + path, { headers: { Authorization: 'Bearer ' + adminToken.get() }, credentials: 'same-origin' });
        if (!res.ok) throw new Error(`The export failed (${res.status}).`);
        const url = URL.createObjectURL(await res.blob());
        const a = h('a', { href: url, download: file, hidden: true });
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
      } catch (err) {
        toast(err.message || 'The export failed.', 'error');
      }
    },
  }, '⬇ ', label);
}

// ---- the page ----

function rangePicker(range) {
  const from = h('input', { type: 'date', id: 'report-from', name: 'from', value: range.from, required: true });
  const to = h('input', { type: 'date', id: 'report-to', name: 'to', value: range.to, required: true });
  const presets = h('nav', { class: 'filter-links', 'aria-label': 'Date range presets' },
    PRESETS.map((p) => h('a', {
      href: '/admin/reports' + qs({ preset: p.id }), id: 'preset-' + p.id,
      class: 'btn small ' + (p.id === range.preset ? 'current' : 'ghost'), 'aria-current': p.id === range.preset ? 'true' : null,
    }, p.text)));
  // A range that makes no sense is sent as is: the server's 400 explains it.
  const form = h('form', {
    class: 'row gap', id: 'report-range',
    onsubmit: (e) => { e.preventDefault(); navigate('/admin/reports' + qs({ from: from.value, to: to.value })); },
  },
    h('label', { for: 'report-from' }, 'From'), from, h('label', { for: 'report-to' }, 'To'), to,
    h('button', { class: 'btn', type: 'submit' }, 'Show'));
  return h('div', { class: 'toolbar' }, presets, form);
}

export async function reports(main, _m, params, alive) {
  if (!(await gate(main))) return;
  const range = { ...chosenRange(params), offset: -new Date().getTimezoneOffset() };
  shell(main, 'reports', 'Reports', rangePicker(range), loading());
  let data;
  try {
    data = await aget('/admin/reports' + qs({ from: range.from, to: range.to, utc_offset: range.offset }));
  } catch (e) {
    if (!alive()) return;
    return shell(main, 'reports', 'Reports', rangePicker(range), errorBox(e, () => reports(main, _m, params, alive)));
  }
  if (!alive()) return;
  const cur = data.currency || 'USD';
  const host = main.querySelector('.admin-main');
  // the chart's own width: the content column less the card's padding
  const width = Math.min(1100, (host ? host.clientWidth : 600) - 40);
  const moneyAxis = (v) => money(v, cur).replace(/\.00$/, '');
  const countAxis = (v) => String(Math.round(v));
  const days = data.days;
  shell(main, 'reports', 'Reports',
    rangePicker(range),
    h('p', { class: 'muted', id: 'report-range-text' },
      `${shortDate(data.from, true)} – ${shortDate(data.to, true)} (${days.length} ${days.length === 1 ? 'day' : 'days'}), compared with ${shortDate(data.previous.from, true)} – ${shortDate(data.previous.to, true)}.`),
    tiles(data),
    chartCard('Revenue per day', barChart('chart-revenue', 'Revenue per day', days, 'revenue', moneyAxis, width),
      dayTable('table-revenue', days, [{ key: 'revenue', label: 'Revenue', fmt: (v) => money(v, cur) }, { key: 'refunded', label: 'Refunded', fmt: (v) => money(v, cur) }])),
    chartCard('Orders per day', barChart('chart-orders', 'Orders per day', days, 'orders', countAxis, width, true),
      dayTable('table-orders', days, [{ key: 'orders', label: 'Orders', fmt: String }, { key: 'units', label: 'Units', fmt: String }])),
    h('div', { class: 'two-col' },
      topTable('top-products', 'Top products', data.top_products, (r) => h('a', { href: '/admin/products/' + r.product_id }, r.name), cur),
      topTable('top-categories', 'Top categories', data.top_categories, (r) => r.path ? r.path.replaceAll('/', ' › ') : r.name, cur)),
    h('section', { class: 'card', id: 'report-exports' }, h('h2', null, 'Download CSV'),
      h('p', { class: 'muted' }, 'For the same range. The files open in Excel, Numbers or Google Sheets.'),
      h('div', { class: 'row gap' }, exportLink('orders', 'Orders', range), exportLink('customers', 'Customers', range),
        exportLink('products', 'Products sold', range))));
}
