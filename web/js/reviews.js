// Reviews on the product page: the rating summary with its histogram, the
// list (sort, filter by stars, more), helpful votes, and writing, editing
// and deleting one's own review (signed-in shoppers).
import { api, h, mount, stars, notice, humanError, toast, setBusy, field, dateOnly } from './lib.js';
import { loadMe } from './session.js';

const SORTS = [['newest', 'Newest'], ['helpful', 'Most helpful'], ['rating', 'Highest rating'], ['rating_asc', 'Lowest rating']];
const PAGE = 5;

// onRating(rating) is told the product's new {average, count} after a change.
export async function reviewsSection(p, onRating) {
  const me = await loadMe();
  const root = h('section', { class: 'section reviews', id: 'reviews' });
  const st = { sort: 'newest', only: '', page: 1, list: [], total: 0, rating: null, mine: null, editing: false, writing: false, voted: new Set() };

  const load = async (append = false) => {
    const q = new URLSearchParams({ sort: st.sort, page: String(st.page), size: String(PAGE) });
    if (st.only) q.set('rating', st.only);
    const data = await api('GET', `/products/${p.product_id}/reviews?${q}`);
    st.list = append ? st.list.concat(data.reviews || []) : data.reviews || [];
    st.total = data.total || 0;
    st.rating = data.rating || st.rating;
  };
  // The shopper's own review, wherever it is in the list.
  const findMine = async () => {
    st.mine = null;
    if (!me) return;
    for (let page = 1; page <= 10; page++) {
      const data = await api('GET', `/products/${p.product_id}/reviews?sort=newest&size=100&page=${page}`);
      const found = (data.reviews || []).find((r) => String(r.user_id) === String(me.user_id));
      if (found) { st.mine = found; return; }
      if ((data.reviews || []).length < 100) return;
    }
  };
  const refresh = async () => {
    st.page = 1;
    await Promise.all([load(), findMine()]);
    if (onRating && st.rating) onRating(st.rating);
    render();
  };

  const histogram = () => {
    const r = st.rating || { average: 0, count: 0, histogram: {} };
    const count = r.count || 0;
    return h('div', { class: 'histogram', 'aria-label': 'Ratings by stars' }, [5, 4, 3, 2, 1].map((n) => {
      const c = Number((r.histogram || {})[String(n)] || 0);
      const pct = count ? Math.round((c / count) * 100) : 0;
      const current = st.only === String(n);
      return h('button', { type: 'button', class: 'hist-row' + (current ? ' current' : ''), disabled: !c && !current, 'aria-pressed': current ? 'true' : 'false',
        'aria-label': `${n} stars: ${c} reviews${current ? ' (showing only these; click to show all)' : ''}`,
        onclick: async () => { st.only = current ? '' : String(n); st.page = 1; await load(); render(); } },
      h('span', { class: 'hist-label' }, `${n} ★`),
      h('span', { class: 'hist-bar', 'aria-hidden': 'true' }, h('span', { class: 'hist-fill', style: `width:${pct}%` })),
      h('span', { class: 'hist-count' }, String(c)));
    }));
  };

  const starPicker = (initial, name) => {
    const wrap = h('fieldset', { class: 'star-picker' }, h('legend', null, 'Your rating'));
    const row = h('div', { class: 'star-row' });
    for (let n = 1; n <= 5; n++) {
      const id = `${name}-${n}`;
      row.appendChild(h('input', { type: 'radio', name, id, value: String(n), checked: initial === n, class: 'sr-only star-input' }));
      row.appendChild(h('label', { for: id, class: 'star-label', title: `${n} star${n > 1 ? 's' : ''}` }, h('span', { 'aria-hidden': 'true' }, '★'), h('span', { class: 'sr-only' }, `${n} star${n > 1 ? 's' : ''}`)));
    }
    const paint = () => {
      const v = wrap.value();
      row.querySelectorAll('.star-label').forEach((l, i) => l.classList.toggle('on', i < v));
    };
    row.addEventListener('change', paint);
    wrap.appendChild(row);
    wrap.value = () => {
      const c = row.querySelector('input:checked');
      return c ? Number(c.value) : 0;
    };
    paint();
    return wrap;
  };

  const reviewForm = (existing) => {
    const picker = starPicker(existing ? existing.rating : 0, existing ? 'edit-rating' : 'new-rating');
    const title = h('input', { name: 'title', maxlength: 200, value: existing ? existing.title : '', autocomplete: 'off' });
    const body = h('textarea', { name: 'body', rows: 4, maxlength: 10000 });
    body.value = existing ? existing.body : '';
    const msg = h('div', { class: 'form-msg', role: 'alert' });
    const btn = h('button', { type: 'submit', class: 'btn primary' }, existing ? 'Save changes' : 'Submit review');
    return h('form', { class: 'card review-form', id: existing ? 'edit-review' : 'write-review', novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const rating = picker.value();
      if (!rating) { mount(msg, notice('Choose a rating from 1 to 5 stars.', 'error')); return; }
      setBusy(btn, true, 'Saving…');
      try {
        const payload = { rating, title: title.value.trim(), body: body.value.trim() };
        if (existing) await api('PATCH', '/reviews/' + existing.review_id, payload);
        else await api('POST', `/products/${p.product_id}/reviews`, payload);
        toast(existing ? 'Your review was updated' : 'Thanks! Your review is posted');
        st.editing = false;
        st.writing = false;
        st.sort = 'newest';
        st.only = '';
        await refresh();
      } catch (err) {
        setBusy(btn, false);
        mount(msg, notice(err.code === 'already_reviewed' ? 'You have already reviewed this product; edit your review instead.' : humanError(err), 'error'));
      }
    } },
    h('h3', null, existing ? 'Edit your review' : 'Write a review'),
    picker, field('Title', title), field('Your review', body), msg,
    h('div', { class: 'row gap' }, btn, h('button', { type: 'button', class: 'btn ghost', onclick: () => { st.editing = false; st.writing = false; render(); } }, 'Cancel')));
  };

  const yourReview = () => {
    if (!me) return h('p', { class: 'muted' }, h('a', { href: '/login?next=' + encodeURIComponent('/p/' + p.product_id + '#reviews') }, 'Sign in'), ' to write a review.');
    if (!st.mine) {
      return st.writing ? null : h('button', { type: 'button', class: 'btn', id: 'write-review-btn', onclick: () => {
        st.writing = true;
        render();
        const t = root.querySelector('#write-review');
        if (t) { t.scrollIntoView({ block: 'nearest' }); t.querySelector('input')?.focus(); }
      } }, 'Write a review');
    }
    if (st.editing) return null;
    const del = h('button', { type: 'button', class: 'linkish danger', onclick: async () => {
      if (!confirm('Delete your review?')) return;
      setBusy(del, true);
      try {
        await api('DELETE', '/reviews/' + st.mine.review_id);
        toast('Your review was deleted');
        await refresh();
      } catch (err) {
        setBusy(del, false);
        toast(humanError(err), 'error');
      }
    } }, 'Delete');
    return h('div', { class: 'card your-review', id: 'your-review' },
      h('div', { class: 'row gap' }, h('strong', null, 'Your review'), stars(st.mine.rating),
        st.mine.status === 'hidden' ? h('span', { class: 'tag' }, 'Hidden by a moderator') : null),
      st.mine.title ? h('p', { class: 'review-title' }, st.mine.title) : null,
      h('div', { class: 'row gap' },
        h('button', { type: 'button', class: 'linkish', onclick: () => { st.editing = true; render(); } }, 'Edit'), del));
  };

  const reviewItem = (r) => {
    const own = me && String(r.user_id) === String(me.user_id);
    const voted = st.voted.has(String(r.review_id)) ? h('span', { class: 'voted' }, '✓ You found this helpful') : null;
    const vote = me && !own && !voted ? h('button', { type: 'button', class: 'btn small ghost helpful-btn', onclick: async (e) => {
      const btn = e.currentTarget;
      setBusy(btn, true);
      try {
        const updated = await api('POST', `/reviews/${r.review_id}/helpful`);
        r.helpful_count = updated.helpful_count;
        st.voted.add(String(r.review_id));
        btn.replaceWith(h('span', { class: 'voted' }, '✓ Thanks for your vote'));
        count.textContent = helpfulText(r);
      } catch (err) {
        setBusy(btn, false);
        if (err.code === 'already_voted') {
          st.voted.add(String(r.review_id));
          btn.replaceWith(h('span', { class: 'voted' }, '✓ You found this helpful'));
        }
        else toast(humanError(err), 'error');
      }
    } }, 'Helpful') : null;
    const count = h('span', { class: 'muted small helpful-count' }, helpfulText(r));
    return h('li', { class: 'review', dataset: { reviewId: r.review_id } },
      h('div', { class: 'review-head' }, stars(r.rating), r.title ? h('strong', { class: 'review-title' }, r.title) : null),
      h('small', { class: 'muted' }, r.author || 'A customer', ' · ', dateOnly(r.created_at),
        r.verified_purchase ? h('span', { class: 'verified' }, ' · ✓ Verified purchase') : null, own ? ' · your review' : null),
      r.body ? r.body.split(/\n+/).map((para) => h('p', null, para)) : null,
      count.textContent || vote || voted ? h('div', { class: 'row gap review-foot' }, count, vote, voted) : count);
  };

  const render = () => {
    const r = st.rating || { average: 0, count: 0 };
    const sortSel = h('select', { id: 'review-sort', onchange: async (e) => { st.sort = e.target.value; st.page = 1; await load(); render(); } },
      SORTS.map(([v, l]) => h('option', { value: v, selected: st.sort === v }, l)));
    const more = st.list.length < st.total ? h('button', { type: 'button', class: 'btn ghost', onclick: async (e) => {
      setBusy(e.currentTarget, true);
      st.page += 1;
      try { await load(true); } catch (err) { toast(humanError(err), 'error'); }
      render();
    } }, `Show more reviews (${st.total - st.list.length} more)`) : null;
    mount(root,
      h('h2', null, 'Customer reviews'),
      h('div', { class: 'reviews-layout' },
        h('div', { class: 'reviews-side' },
          h('div', { class: 'review-summary', id: 'review-summary' },
            h('span', { class: 'big-rating' }, (r.average || 0).toFixed(1)), stars(r.average),
            h('span', { class: 'muted' }, ` ${r.count || 0} ${r.count === 1 ? 'rating' : 'ratings'}`)),
          r.count ? histogram() : null,
          yourReview()),
        h('div', { class: 'reviews-main' },
          me && st.writing && !st.mine ? reviewForm(null) : null,
          me && st.editing && st.mine ? reviewForm(st.mine) : null,
          st.total || st.only ? h('div', { class: 'review-tools' },
            h('span', { class: 'muted' }, st.only ? `${st.total} with ${st.only} ★ · ` : `${st.total} ${st.total === 1 ? 'review' : 'reviews'}`,
              st.only ? h('button', { type: 'button', class: 'linkish', onclick: async () => { st.only = ''; await load(); render(); } }, 'show all') : null),
            h('span', { class: 'sort' }, h('label', { for: 'review-sort' }, 'Sort by'), sortSel)) : null,
          st.list.length ? h('ul', { class: 'plain review-list', id: 'review-list' }, st.list.map(reviewItem))
            : h('p', { class: 'muted' }, st.only ? 'No reviews with that rating.' : 'No reviews yet. Be the first to share what you think.'),
          more)));
  };

  try {
    await Promise.all([load(), findMine()]);
  } catch (e) {
    return mount(root, h('h2', null, 'Customer reviews'), notice(humanError(e), 'error'));
  }
  render();
  return root;
}

function helpfulText(r) {
  const n = Number(r.helpful_count || 0);
  return n ? `${n} ${n === 1 ? 'person' : 'people'} found this helpful` : '';
}
