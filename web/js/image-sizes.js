// The widths an uploaded picture is stored at (docs/images.md): its address
// /images/<key>-<width>.webp names its own width, thumbnails exist at 320,
// 640 and 1280 px below it. Kept in step with catalog/product_image.cpp.
const UPLOADED = /^\/images\/([0-9a-f]{64})-([1-9][0-9]{0,4})\.webp$/;
const WIDTHS = [320, 640, 1280];

// "… 320w, … 640w, …" for an uploaded picture, '' for any other address.
export function imageSrcset(url) {
  const m = UPLOADED.exec(url || '');
  if (!m) return '';
  const [, key, w] = m;
  const width = Number(w);
  const parts = WIDTHS.filter((x) => x < width).map((x) => `/images/${key}-${x}.webp ${x}w`);
  parts.push(`${url} ${width}w`);
  return parts.join(', ');
}

// The smallest stored width at least `px` wide (admin thumbnails).
export function imageAtWidth(url, px) {
  const m = UPLOADED.exec(url || '');
  if (!m) return url;
  const w = WIDTHS.find((x) => x >= px && x < Number(m[2]));
  return w ? `/images/${m[1]}-${w}.webp` : url;
}

// Sets srcset/sizes on an <img> for `url` (or removes them).
export function applySrcset(img, url, sizes) {
  const srcset = imageSrcset(url);
  if (srcset) {
    img.setAttribute('srcset', srcset);
    img.setAttribute('sizes', sizes);
  } else {
    img.removeAttribute('srcset');
    img.removeAttribute('sizes');
  }
  return img;
}
