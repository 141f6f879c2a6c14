// Product images: the demo's generated SVGs, and uploaded photos.
//
// Uploads (docs/images.md): the bytes are sniffed (JPEG, PNG or WebP by
// their magic numbers, never by a file name or Content-Type), their pixel
// size is read from the header before any pixel is decoded (so a
// decompression bomb is refused while it is still a few bytes), then libvips
// decodes them, failing on any corrupt data, and writes WebP files with the
// metadata stripped (EXIF with GPS positions never reaches a shopper): the
// whole picture re-encoded plus thumbnails 320, 640 and 1280 px wide, never
// upscaled.
//
// Storage is content-addressed: an upload is keyed by the SHA-256 of its
// bytes, its files are <dir>/<2 hex>/<key>-<width>.webp, written to a temp
// file and renamed into place, and one row per file in image_files
// (migration 104) keeps its size and its own SHA-256 so `shopbox check` can
// find a missing or damaged file. Uploading the same bytes twice stores
// them once. A product's image list points at the full-size file
// (/images/<key>-<width>.webp); the address alone gives every width, so
// listings and pages build srcset without a query.
//
// Thread rule: ImageStore is safe to share; libvips is initialised once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "catalog/catalog_store.h"

namespace shopbox {
std::string product_svg(const Product& p, int image_number);

enum class ImageFormat { jpeg, png, webp };
const char* image_format_name(ImageFormat f);  // "jpeg", "png", "webp"

struct ImageLimits {
  size_t max_bytes = 10 * 1024 * 1024;  // one upload
  int64_t max_pixels = 40'000'000;      // width x height, read from the header
  int max_side = 12'000;                // either side
};

// The widths thumbnails are made at (smaller than the picture only).
inline constexpr int kImageWidths[] = {320, 640, 1280};

// Magic numbers only; nullopt for anything else.
std::optional<ImageFormat> sniff_image_format(std::string_view bytes);

struct ImageHeader {
  ImageFormat format = ImageFormat::jpeg;
  int width = 0, height = 0;
};
// Sniffs and reads the header; 400 invalid_image / unsupported_image, 413
// image_too_large (bytes or pixels over the limits). No pixel is decoded.
Result<ImageHeader> read_image_header(std::string_view bytes, const ImageLimits& limits);

struct EncodedImage {
  int width = 0, height = 0;
  std::string webp;
};
// read_image_header, then the full-size WebP and the thumbnails, largest
// first (the first one is the whole picture). A file that does not decode
// is 400 invalid_image.
Result<std::vector<EncodedImage>> encode_product_image(std::string_view bytes, const ImageLimits& limits);

// Removes EXIF and XMP chunks from a WebP (RIFF) file and clears their
// VP8X flags; returns the input unchanged when it is not a WebP file.
std::string strip_webp_metadata(std::string webp);

// "/images/<key>-<width>.webp" for an uploaded image; parse_image_address
// reads one back (nullopt for any other address, such as an https:// URL).
struct ImageAddress {
  std::string key;  // 64 lowercase hex
  int width = 0;
};
std::string image_address(const std::string& key, int width);
std::optional<ImageAddress> parse_image_address(std::string_view url);
// "/images/k-320.webp 320w, /images/k-640.webp 640w, ..." for an uploaded
// image's address (every stored width up to its own), "" for other ones.
std::string image_srcset(std::string_view url);
// A picture's id in the API: the first 16 hex of the SHA-256 of its
// address. The catalog rewrites image rows on every product change, so
// row ids do not last; the address does (a stale id never names another
// picture).
std::string product_image_id(std::string_view url);

struct StoredImage {
  std::string key;
  std::string url;  // the full-size file
  int width = 0, height = 0;
  ImageFormat source_format = ImageFormat::jpeg;
  bool already_stored = false;  // the same bytes were uploaded before
};

struct ImageProblem {
  std::string file;     // relative to the image dir
  std::string problem;  // "missing", "damaged"
};

class ImageStore {
 public:
  ImageStore(Sqlite& db, std::string dir, ImageLimits limits);
  const ImageLimits& limits() const { return limits_; }
  const std::string& dir() const { return dir_; }

  // Checks, encodes and stores one upload (or finds it stored already).
  Result<StoredImage> put(std::string_view bytes);
  // The stored file of an address's key and width; nullopt when unknown.
  std::optional<std::string> read(const std::string& key, int width) const;
  // Every file image_files lists, compared with the disk.
  Result<std::vector<ImageProblem>> check() const;

 private:
  std::string file_path(const std::string& key, int width) const;
  Sqlite& db_;
  std::string dir_;
  ImageLimits limits_;
};

// Every file image_files lists under `dir` against its recorded SHA-256
// (shopbox check, without a running shop).
Result<std::vector<ImageProblem>> check_image_files(Sqlite& db, const std::string& dir);
}  // namespace shopbox
