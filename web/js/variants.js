// Product options and variants on the storefront: which variant a choice
// of option values names, which values are still possible, and the option
// picker (buttons with aria-pressed; colour swatches for a colour option).
//
// A product without options has exactly one variant with options {}; the
// picker is then empty and that variant is always the chosen one.
import { h } from './lib.js';

const lower = (s) => String(s ?? '').trim().toLowerCase();

// ---- colours ----

const COLOR_OPTION = /^(colou?rs?|farbe|couleur|colore|kleur|shade)$/i;
export function isColorOption(name) {
  return COLOR_OPTION.test(String(name || '').trim());
}

const NOT_COLOURS = new Set(['inherit', 'initial', 'unset', 'revert', 'currentcolor', 'transparent']);
function namedColour(word) {
  const w = lower(word).replace(/[^a-z]/g, '');
  if (!w || NOT_COLOURS.has(w)) return null;
  return typeof CSS !== 'undefined' && CSS.supports && CSS.supports('color', w) ? w : null;
}

// A CSS background for a colour value: "Blue" -> "blue", "Navy Blue" ->
// "blue" (unless "navyblue" is one), "Black/White" -> a half-and-half
// gradient, "#1e40af" as it is; null when the value names no colour.
export function swatchBackground(value) {
  const v = String(value || '').trim();
  if (/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(v)) return v;
  const parts = v.split(/\s*(?:\/|&|\+|,| and )\s*/i).filter(Boolean);
  if (parts.length === 2) {
    const a = swatchBackground(parts[0]);
    const b = swatchBackground(parts[1]);
    if (a && b) return `linear-gradient(135deg, ${a} 50%, ${b} 50%)`;
  }
  const whole = namedColour(v);
  if (whole) return whole;
  const words = v.split(/[\s-]+/).reverse();
  for (const w of words) {
    const c = namedColour(w);
    if (c) return c;
  }
  return null;
}

// ---- the model ----

export function variantModel(p) {
  const options = (p.options || []).filter((o) => o && o.name && Array.isArray(o.values) && o.values.length);
  const variants = Array.isArray(p.variants) ? p.variants : [];
  const valuesOf = (v) => options.map((o) => {
    const opts = (v && v.options) || {};
    const k = Object.keys(opts).find((key) => lower(key) === lower(o.name));
    return k === undefined ? null : String(opts[k]);
  });
  const rows = variants.map((v) => ({ v, values: valuesOf(v) }));
  const inStock = (v) => !!(v && v.inventory ? v.inventory.in_stock : v && v.in_stock);
  const same = (a, b) => a !== null && a !== undefined && lower(a) === lower(b);

  // The variant whose every option value is the chosen one (null if none).
  const find = (sel) => {
    if (!options.length) return variants[0] || null;
    if (sel.some((x) => x === null || x === undefined)) return null;
    const row = rows.find((r) => r.values.every((x, i) => same(x, sel[i])));
    return row ? row.v : null;
  };

  // Option i's value `value` given the choices of the options before it:
  // 'ok' (some variant in stock), 'soldout' (variants, none in stock) or
  // 'none' (no such variant).
  const state = (sel, i, value) => {
    const matches = rows.filter((r) => same(r.values[i], value) && r.values.slice(0, i).every((x, k) => sel[k] === null || same(x, sel[k])));
    if (!matches.length) return 'none';
    return matches.some((r) => inStock(r.v)) ? 'ok' : 'soldout';
  };

  // Choosing `value` for option i: kept as the shopper said it; the later
  // options (then the earlier ones) move to the nearest existing variant,
  // in stock first, when the combination does not exist.
  const choose = (sel, i, value) => {
    const next = sel.slice();
    next[i] = value;
    if (find(next)) return next;
    const score = (r, fixed) => {
      if (!fixed.every((k) => same(r.values[k], next[k]))) return -1;
      let s = 0;
      r.values.forEach((x, k) => { if (same(x, next[k])) s += 2; });
      return s + (inStock(r.v) ? 1 : 0);
    };
    for (const fixed of [[...Array(i + 1).keys()], [i]]) {
      let best = null;
      let bestScore = -1;
      for (const r of rows) {
        const s = score(r, fixed);
        if (s > bestScore) { best = r; bestScore = s; }
      }
      if (best) return best.values.slice();
    }
    return next;
  };

  // The first choice: ?variant=<id> if it is this product's, else the only
  // variant, else the first one in stock, else the first one.
  const initial = (variantId) => {
    const wanted = variantId && variants.find((v) => String(v.variant_id) === String(variantId));
    const v = wanted || (variants.length === 1 ? variants[0] : variants.find(inStock) || variants[0]);
    return v ? valuesOf(v) : options.map(() => null);
  };

  return { options, variants, find, state, choose, initial, inStock, valuesOf };
}

// ---- the picker ----

// One fieldset per option, a button per value. onPick(i, value) is called
// on a click (Enter and Space press a focused button). update(sel) sets
// the pressed and struck-through states without rebuilding, so focus stays.
export function optionPicker(model, onPick) {
  const groups = model.options.map((o, i) => {
    const colour = isColorOption(o.name);
    const chosen = h('span', { class: 'opt-chosen' });
    const buttons = o.values.map((value) => {
      const bg = colour ? swatchBackground(value) : null;
      const dot = bg ? h('span', { class: 'swatch-dot', 'aria-hidden': 'true' }) : null;
      if (dot) dot.style.background = bg;
      const btn = h('button', {
        type: 'button', class: 'opt-btn' + (dot ? ' swatch' : ''), 'aria-pressed': 'false', dataset: { value },
        onclick: () => onPick(i, value),
      }, dot, h('span', { class: 'opt-label' }, value));
      return btn;
    });
    const el = h('fieldset', { class: 'opt-group', dataset: { option: o.name } },
      h('legend', null, o.name, ': ', chosen),
      h('div', { class: 'opt-values' + (colour ? ' swatches' : '') }, buttons));
    return { el, chosen, buttons };
  });
  const el = model.options.length ? h('div', { class: 'variant-picker', id: 'variant-picker' }, groups.map((g) => g.el)) : null;
  const update = (sel) => {
    groups.forEach((g, i) => {
      g.chosen.textContent = sel[i] === null || sel[i] === undefined ? 'choose one' : sel[i];
      g.chosen.classList.toggle('unset', sel[i] === null || sel[i] === undefined);
      for (const btn of g.buttons) {
        const value = btn.dataset.value;
        const pressed = sel[i] !== null && lower(sel[i]) === lower(value);
        const st = model.state(sel, i, value);
        btn.setAttribute('aria-pressed', pressed ? 'true' : 'false');
        btn.classList.toggle('soldout', st === 'soldout');
        btn.classList.toggle('none', st === 'none');
        btn.disabled = st === 'none' && !pressed;
        // the name says it too: "L, sold out" (the visible label first)
        if (st === 'ok') btn.removeAttribute('aria-label');
        else btn.setAttribute('aria-label', `${value}, ${st === 'soldout' ? 'sold out' : 'unavailable'}`);
        btn.title = st === 'soldout' ? `${value}: sold out` : st === 'none' ? `${value}: not available` : '';
      }
    });
  };
  return { el, update };
}
