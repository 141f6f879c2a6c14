// Admin: a product's pictures (docs/images.md). Upload by dropping files or
// choosing several at once, see them in order, move them (buttons, so the
// keyboard works), describe them for shoppers who cannot see them, choose
// the main one, remove one. Mounted by the product editor (admin.js
// productEdit); the editor's "Image URLs" box is kept in step, so saving
// the product keeps what was done here.
import { api, h, mount, notice, humanError, adminToken, ApiError } from './lib.js';
import { imageAtWidth } from './image-sizes.js';

const A = { admin: true };
const MAX_BYTES = 10 * 1024 * 1024;  // the shop's default per picture (ImageLimits)

// The API's refusal of one file, in the merchant's words.
function uploadError(err, name) {
  const code = err instanceof ApiError ? err.code : '';
  const file = `“${name}”`;
  switch (code) {
    case 'invalid_image': return `${file} looks damaged, or is not a picture we can read. Try saving it again from your photo app.`;
    case 'unsupported_image': return `${file} is not a JPEG, PNG or WebP picture.`;
    case 'image_too_large': return `${file} is larger than 10 MB. Save a smaller copy and try again.`;
    case 'image_too_many_pixels': return `${file} has too many pixels. Resize it (under 12,000 pixels on a side) and try again.`;
    case 'payload_too_large': return `${file} is too large to upload.`;
    default: return `${file}: ${humanError(err)}`;
  }
}

// POST one file with upload progress (fetch has none): resolves with the
// API's JSON, rejects with an ApiError.
function sendFile(productId, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/admin/products/${encodeURIComponent(productId)}/images`);
    xhr.setRequestHeader('Accept', 'application/json');
    if (adminToken.get()) xhr.setRequestHeader('Authorization', 'Bearer ' + adminToken.get());
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'We could not reach the shop. Check your connection and try again.'));
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(data);
      const err = (data && data.error) || {};
      reject(new ApiError(xhr.status, err.code || 'http_' + xhr.status, err.message || 'Upload failed', err.details));
    };
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

// The picture manager for product `productId`, starting from its product
// JSON `p`; `urlsBox` is the editor's textarea of image addresses.
export function imageManager(productId, p, urlsBox) {
  if (!document.getElementById('admin-images-css')) {
    document.head.appendChild(h('link', { rel: 'stylesheet', href: '/css/admin-images.css', id: 'admin-images-css' }));
  }
  let images = (p.image_details || []).map((d, i) => ({ ...d, position: i }));
  const list = h('ol', { class: 'img-list', 'aria-label': 'Pictures, in the order shoppers see them' });
  const status = h('div', { class: 'img-status', role: 'status', 'aria-live': 'polite' });
  const errors = h('div', { class: 'img-errors', role: 'alert' });
  const input = h('input', { type: 'file', id: 'img-file-input', multiple: true, accept: 'image/jpeg,image/png,image/webp', class: 'sr-only' });
  const drop = h('label', { class: 'img-drop', for: 'img-file-input', tabindex: 0, id: 'img-drop' },
    h('strong', null, 'Add pictures'), h('span', null, 'Drop JPEG, PNG or WebP files here, or click to choose (up to 10 MB each). The first picture is the main one.'));
  drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.click(); } });

  const syncUrls = () => {
    if (!urlsBox) return;
    urlsBox.value = images.map((im) => im.url).join('\n');
    urlsBox.dispatchEvent(new Event('input'));
  };
  const adopt = (data) => {
    images = (data.images || []).map((d, i) => ({ ...d, position: i }));
    syncUrls();
    render();
  };
  // Sends the list's order, descriptions and main picture in one PATCH.
  const save = async (next, primaryId, focusSelector) => {
    mount(errors);
    try {
      const body = { images: next.map((im) => ({ image_id: im.image_id, alt: im.alt || '' })) };
      if (primaryId) body.primary = primaryId;
      adopt(await api('PATCH', `/admin/products/${encodeURIComponent(productId)}/images`, body, A));
      if (focusSelector) { const el = list.querySelector(focusSelector); if (el) el.focus(); }
      return true;
    } catch (e) {
      mount(errors, notice(humanError(e), 'error'));
      return false;
    }
  };
  const move = (i, by) => {
    const next = images.slice();
    const [one] = next.splice(i, 1);
    next.splice(i + by, 0, one);
    save(next, null, `[data-pos="${i + by}"] .${by < 0 ? 'img-up' : 'img-down'}`);
  };
  const remove = async (im, btn) => {
    if (!confirm('Remove this picture from the product?')) return;
    btn.disabled = true;
    mount(errors);
    try {
      adopt(await api('DELETE', `/admin/products/${encodeURIComponent(productId)}/images/${encodeURIComponent(im.image_id)}`, undefined, A));
      mount(status, 'Picture removed.');
    } catch (e) {
      btn.disabled = false;
      mount(errors, notice(humanError(e), 'error'));
    }
  };

  const item = (im, i) => {
    const alt = h('input', { class: 'img-alt', value: im.alt || '', maxlength: 500, placeholder: 'What the picture shows',
      'aria-label': `Description of picture ${i + 1}` });
    const saveAlt = async () => {
      if (alt.value === (im.alt || '')) return;
      const next = images.map((x) => (x === im ? { ...x, alt: alt.value } : x));
      if (await save(next, null, null)) mount(status, 'Description saved.');
    };
    alt.addEventListener('change', saveAlt);
    alt.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); saveAlt(); } });
    const n = images.length;
    return h('li', { class: 'img-item' + (im.primary ? ' primary' : ''), 'data-pos': i, 'data-url': im.url },
      h('img', { src: imageAtWidth(im.url, 160), alt: '', width: 96, height: 96, loading: 'lazy' }),
      h('div', { class: 'img-fields' },
        h('div', { class: 'img-label' }, `${i + 1}.`, im.primary ? h('span', { class: 'badge' }, 'Main picture') : null),
        alt),
      h('div', { class: 'img-actions' },
        h('button', { type: 'button', class: 'btn small ghost img-up', disabled: i === 0, 'aria-label': `Move picture ${i + 1} earlier`, onclick: () => move(i, -1) }, '↑'),
        h('button', { type: 'button', class: 'btn small ghost img-down', disabled: i === n - 1, 'aria-label': `Move picture ${i + 1} later`, onclick: () => move(i, 1) }, '↓'),
        h('button', { type: 'button', class: 'btn small img-primary', disabled: !!im.primary, onclick: () => save(images, im.image_id, null).then((ok) => ok && mount(status, 'Main picture set.')) }, 'Make main'),
        h('button', { type: 'button', class: 'btn small danger img-remove', 'aria-label': `Remove picture ${i + 1}`, onclick: (e) => remove(im, e.currentTarget) }, 'Remove')));
  };
  const render = () => mount(list, images.length ? images.map(item) : h('li', { class: 'muted img-empty' }, 'No pictures yet.'));

  // One request per file: a damaged file does not hold back the others.
  const uploadAll = async (files) => {
    const chosen = Array.from(files || []);
    if (!chosen.length) return;
    mount(errors);
    const problems = [];
    let done = 0;
    const bar = h('progress', { max: 100, value: 0, 'aria-label': 'Upload progress' });
    for (const [i, file] of chosen.entries()) {
      if (file.size > MAX_BYTES) { problems.push(`“${file.name}” is larger than 10 MB. Save a smaller copy and try again.`); continue; }
      const label = h('span', null, `Uploading ${i + 1} of ${chosen.length}: ${file.name}`);
      mount(status, label, ' ', bar);
      try {
        adopt(await sendFile(productId, file, (f) => { bar.value = Math.round(f * 100); }));
        done += 1;
      } catch (e) {
        problems.push(uploadError(e, file.name));
      }
    }
    mount(status, done ? `${done} ${done === 1 ? 'picture' : 'pictures'} added.` : '');
    if (problems.length) mount(errors, notice(problems.join(' '), 'error'));
    input.value = '';
  };
  input.addEventListener('change', () => uploadAll(input.files));
  for (const ev of ['dragenter', 'dragover']) drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add('over'); });
  for (const ev of ['dragleave', 'drop']) drop.addEventListener(ev, () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); uploadAll(e.dataTransfer && e.dataTransfer.files); });

  render();
  return h('div', { class: 'img-manager', id: 'img-manager' }, drop, input, status, errors, list);
}
