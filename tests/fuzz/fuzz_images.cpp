// Fuzz target: uploaded picture bytes through the path an upload takes
// (catalog/product_image.h): sniff_image_format, read_image_header (the
// limits are read from the header, before any pixel is decoded), then the
// libvips decode and the WebP outputs; and strip_webp_metadata on the raw
// input, as a RIFF parser of its own.
//
// Findings: crashes, sanitizer reports, exceptions, and broken promises: an
// accepted file that was not sniffed as JPEG/PNG/WebP, a picture over the
// pixel limit that was decoded, outputs that are not WebP, still carry EXIF
// or XMP chunks, or are wider than the picture; a strip that grows a file.
#include <algorithm>
#include <string>

#include "catalog/product_image.h"
#include "fuzz/fuzz_common.h"

using namespace shopbox;

namespace {

// Small limits keep one input fast (a fuzzer finds the limits' edges anyway).
ImageLimits fuzz_image_limits() {
  ImageLimits l;
  l.max_bytes = 1 << 20;
  l.max_pixels = 1'000'000;
  l.max_side = 2000;
  return l;
}

void check_strip(const std::string& in) {
  std::string out = strip_webp_metadata(in);
  if (out.size() > in.size()) fuzz_fail("strip_webp_metadata grew the file");
  if (sniff_image_format(in) == ImageFormat::webp && sniff_image_format(out) != ImageFormat::webp)
    fuzz_fail("strip_webp_metadata broke the RIFF header");
  if (strip_webp_metadata(out) != out) fuzz_fail("strip_webp_metadata is not idempotent");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  check_strip(bytes);
  ImageLimits limits = fuzz_image_limits();
  auto header = read_image_header(bytes, limits);
  if (!header.ok()) return 0;
  if (!sniff_image_format(bytes)) fuzz_fail("a header was read from bytes that are not JPEG, PNG or WebP");
  if (static_cast<int64_t>(header->width) * header->height > limits.max_pixels)
    fuzz_fail("a picture over the pixel limit passed the header check");
  auto encoded = encode_product_image(bytes, limits);
  if (!encoded.ok()) {
    if (encoded.status().kind() != Kind::invalid) fuzz_fail("decode failed with " + encoded.status().code());
    return 0;
  }
  int side = std::max(header->width, header->height);
  int previous = 1 << 30;
  for (const auto& e : *encoded) {
    if (sniff_image_format(e.webp) != ImageFormat::webp) fuzz_fail("an output is not WebP");
    if (strip_webp_metadata(e.webp) != e.webp) fuzz_fail("an output still carries EXIF or XMP");
    if (e.width <= 0 || e.width > side || e.width >= previous) fuzz_fail("output widths are wrong");
    previous = e.width;
  }
  return 0;
}
