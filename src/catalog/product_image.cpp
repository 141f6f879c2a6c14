#include "catalog/product_image.h"

#include <fcntl.h>
#include <unistd.h>
#include <vips/vips.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/clock.h"
#include "base/crypto.h"
#include "base/text.h"

namespace shopbox {

std::string product_svg(const Product& p, int n) {
  // A stable hue per product, shifted per image so a gallery differs.
  uint64_t h = static_cast<uint64_t>(p.id) * 2654435761u + static_cast<uint64_t>(n) * 40503u;
  int hue = static_cast<int>(h % 360);
  std::string initials;
  bool take = true;
  for (char c : p.name) {
    if (take && std::isalnum(static_cast<unsigned char>(c)) && initials.size() < 2)
      initials += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    take = c == ' ';
  }
  std::string label = p.brand.empty() ? p.name : p.brand;
  if (label.size() > 28) label = label.substr(0, 27) + "...";
  char buf[2048];
  std::snprintf(
      buf, sizeof buf,
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"600\" viewBox=\"0 0 600 600\">"
      "<defs><linearGradient id=\"g\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"1\">"
      "<stop offset=\"0\" stop-color=\"hsl(%d,65%%,62%%)\"/><stop offset=\"1\" stop-color=\"hsl(%d,60%%,38%%)\"/>"
      "</linearGradient></defs><rect width=\"600\" height=\"600\" fill=\"url(#g)\"/>"
      "<circle cx=\"300\" cy=\"270\" r=\"%d\" fill=\"rgba(255,255,255,0.18)\"/>"
      "<text x=\"300\" y=\"310\" font-family=\"sans-serif\" font-size=\"140\" font-weight=\"700\" "
      "fill=\"#fff\" text-anchor=\"middle\">%s</text>"
      "<text x=\"300\" y=\"520\" font-family=\"sans-serif\" font-size=\"30\" fill=\"rgba(255,255,255,0.9)\" "
      "text-anchor=\"middle\">%s</text></svg>",
      hue, (hue + 40) % 360, 150 + (n % 3) * 20, markup_escape(initials).c_str(), markup_escape(label).c_str());
  return buf;
}

const char* image_format_name(ImageFormat f) {
  switch (f) {
    case ImageFormat::jpeg:
      return "jpeg";
    case ImageFormat::png:
      return "png";
    case ImageFormat::webp:
      return "webp";
  }
  return "jpeg";
}

std::optional<ImageFormat> sniff_image_format(std::string_view b) {
  if (b.size() >= 3 && b.substr(0, 3) == std::string_view("\xFF\xD8\xFF", 3)) return ImageFormat::jpeg;
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1A\n", 8)) return ImageFormat::png;
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return ImageFormat::webp;
  return std::nullopt;
}

namespace {

// VIPS_INIT once per process; libvips' operation cache is turned off, as
// every upload is new and a cache would only hold its pixels in memory.
bool shopbox_vips_ready() {
  static const bool ready = [] {
    if (VIPS_INIT("shopbox") != 0) return false;
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    return true;
  }();
  return ready;
}

// libvips reports through a per-thread error buffer; it goes to the log,
// never to the merchant (it names internal loaders).
std::string take_vips_error() {
  std::string text = vips_error_buffer();
  vips_error_clear();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

Status invalid_image(const std::string& why) {
  return Status(Kind::invalid, "invalid_image", "This file is damaged or is not a picture we can read.",
                {{"reason", why.substr(0, 300)}});
}

struct VipsImageRef {
  VipsImage* image = nullptr;
  ~VipsImageRef() {
    if (image) g_object_unref(image);
  }
};

// One output: the picture `target_width` wide (or its own width when
// smaller: VIPS_SIZE_DOWN), as metadata-free WebP.
Result<EncodedImage> encode_one_width(std::string_view bytes, int target_width) {
  VipsImageRef thumb;
  // fail=true: a truncated or damaged file is an error, not a grey picture.
  if (vips_thumbnail_buffer(const_cast<char*>(bytes.data()), bytes.size(), &thumb.image, target_width, "height",
                            VIPS_MAX_COORD, "size", VIPS_SIZE_DOWN, "option_string", "fail=true", nullptr) != 0)
    return invalid_image(take_vips_error());
  // Decode now: a damaged file fails here (fail=true) instead of inside the
  // WebP writer, whose error path in libvips 8.14 leaks its output buffer
  // (found by fuzz_images under LeakSanitizer).
  VipsImage* decoded = vips_image_copy_memory(thumb.image);
  if (!decoded) return invalid_image(take_vips_error());
  g_object_unref(thumb.image);
  thumb.image = decoded;
  void* out = nullptr;
  size_t out_len = 0;
  if (vips_webpsave_buffer(thumb.image, &out, &out_len, "strip", TRUE, "Q", 82, nullptr) != 0)
    return invalid_image(take_vips_error());
  EncodedImage e;
  e.width = vips_image_get_width(thumb.image);
  e.height = vips_image_get_height(thumb.image);
  // libvips 8.14 can keep EXIF in WebP even with strip: remove it ourselves.
  e.webp = strip_webp_metadata(std::string(static_cast<const char*>(out), out_len));
  g_free(out);
  return e;
}

uint32_t read_le32(std::string_view s, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3])) << 24;
}

void write_le32(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + static_cast<size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

bool is_hex_key(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Writes `data` to `path` so a reader sees the whole file or none: a temp
// file beside it, fsync, rename.
Status write_file_atomically(const std::string& path, std::string_view data) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) return Status(Kind::unavailable, "storage_error", "cannot create the image folder: " + ec.message());
  std::string tmp = path + ".tmp" + std::to_string(::getpid()) + "-" + std::to_string(now_millis());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status(Kind::unavailable, "storage_error", "cannot write an image file");
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) {
      bool full = errno == ENOSPC;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status(Kind::unavailable, full ? "storage_full" : "storage_error", "cannot write an image file");
    }
    done += static_cast<size_t>(n);
  }
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status(Kind::unavailable, "storage_error", "cannot store an image file");
  }
  return Status::Ok();
}

std::optional<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string image_file_path(const std::string& dir, const std::string& key, int width) {
  return dir + "/" + key.substr(0, 2) + "/" + key + "-" + std::to_string(width) + ".webp";
}

uint32_t read_be16(std::string_view s, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[at])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1]));
}

// The pixel size a file declares in its first bytes, read by hand before
// libvips sees the file: a decompression bomb is refused from its header
// whatever the decoder would do with the rest. nullopt when the header is
// not where the format puts it (libvips then judges the file).
std::optional<std::pair<uint32_t, uint32_t>> declared_size(std::string_view b, ImageFormat f) {
  if (f == ImageFormat::png) {
    if (b.size() < 24 || b.substr(12, 4) != "IHDR") return std::nullopt;
    return std::pair{read_be16(b, 16) << 16 | read_be16(b, 18), read_be16(b, 20) << 16 | read_be16(b, 22)};
  }
  if (f == ImageFormat::webp) {
    if (b.size() < 31) return std::nullopt;
    std::string_view chunk = b.substr(12, 4);
    auto u24 = [&](size_t at) { return read_le32(b, at) & 0xFFFFFFu; };
    if (chunk == "VP8X") return std::pair{u24(24) + 1, u24(27) + 1};
    if (chunk == "VP8 ") return std::pair{read_le32(b, 26) & 0x3FFF, (read_le32(b, 26) >> 16) & 0x3FFF};
    if (chunk == "VP8L" && b.size() >= 25) {
      uint32_t bits = read_le32(b, 21);
      return std::pair{(bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1};
    }
    return std::nullopt;
  }
  // JPEG: the first start-of-frame marker (SOF0..SOF15 except DHT, JPG, DAC).
  size_t at = 2;
  while (at + 9 < b.size()) {
    if (static_cast<unsigned char>(b[at]) != 0xFF) return std::nullopt;
    unsigned marker = static_cast<unsigned char>(b[at + 1]);
    if (marker == 0xFF) {
      ++at;  // fill byte
      continue;
    }
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC)
      return std::pair{read_be16(b, at + 7), read_be16(b, at + 5)};
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      at += 2;
      continue;
    }
    at += 2 + read_be16(b, at + 2);
  }
  return std::nullopt;
}

Status too_many_pixels(int64_t width, int64_t height, const ImageLimits& limits) {
  // 400, not 413: the upload is small, what it claims to hold is not (a
  // decompression bomb, or a photo that needs scaling down first).
  return Status(Kind::invalid, "image_too_many_pixels",
                "This picture has too many pixels (" + std::to_string(width) + " x " + std::to_string(height) +
                    "); the largest accepted is " + std::to_string(limits.max_side) + " px on a side and " +
                    std::to_string(limits.max_pixels / 1'000'000) + " megapixels.",
                {{"width", width}, {"height", height}, {"max_pixels", limits.max_pixels}});
}

bool over_limits(int64_t width, int64_t height, const ImageLimits& limits) {
  return width > limits.max_side || height > limits.max_side || width * height > limits.max_pixels;
}

}  // namespace

Result<ImageHeader> read_image_header(std::string_view bytes, const ImageLimits& limits) {
  if (bytes.size() > limits.max_bytes)
    return Status(Kind::too_large, "image_too_large",
                  "This picture is larger than " + std::to_string(limits.max_bytes / (1024 * 1024)) + " MB.",
                  {{"max_bytes", limits.max_bytes}, {"bytes", bytes.size()}});
  auto format = sniff_image_format(bytes);
  if (!format)
    return Status(Kind::invalid, "unsupported_image", "Only JPEG, PNG and WebP pictures can be uploaded.",
                  {{"accepted", {"jpeg", "png", "webp"}}});
  if (auto declared = declared_size(bytes, *format); declared && over_limits(declared->first, declared->second, limits))
    return too_many_pixels(declared->first, declared->second, limits);
  if (!shopbox_vips_ready()) return Status::Internal("the image library did not start");
  VipsImageRef img;
  // Sequential access reads only the header here; no pixel is decoded
  // before the size is known to be within the limits.
  img.image = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", "access", VIPS_ACCESS_SEQUENTIAL, "fail", TRUE,
                                         nullptr);
  if (!img.image) return invalid_image(take_vips_error());
  ImageHeader h;
  h.format = *format;
  h.width = vips_image_get_width(img.image);
  h.height = vips_image_get_height(img.image);
  if (h.width <= 0 || h.height <= 0) return invalid_image("empty picture");
  if (over_limits(h.width, h.height, limits)) return too_many_pixels(h.width, h.height, limits);
  return h;
}

Result<std::vector<EncodedImage>> encode_product_image(std::string_view bytes, const ImageLimits& limits) {
  auto header = read_image_header(bytes, limits);
  if (!header.ok()) return header.status();
  // The whole picture first: its width (after the EXIF orientation is
  // applied) decides which thumbnails exist.
  auto full = encode_one_width(bytes, std::max(header->width, header->height));
  if (!full.ok()) return full.status();
  std::vector<EncodedImage> out;
  int full_width = full->width;
  out.push_back(std::move(*full));
  for (auto it = std::rbegin(kImageWidths); it != std::rend(kImageWidths); ++it) {
    if (*it >= full_width) continue;  // never upscaled, never a copy of the full size
    auto thumb = encode_one_width(bytes, *it);
    if (!thumb.ok()) return thumb.status();
    out.push_back(std::move(*thumb));
  }
  return out;
}

std::string strip_webp_metadata(std::string w) {
  if (w.size() < 12 || w.compare(0, 4, "RIFF") != 0 || w.compare(8, 4, "WEBP") != 0) return w;
  std::string out = w.substr(0, 12);
  size_t vp8x_at = std::string::npos;
  size_t at = 12;
  while (at + 8 <= w.size()) {
    std::string fourcc = w.substr(at, 4);
    size_t len = read_le32(w, at + 4);
    size_t whole = 8 + len + (len & 1);   // chunks are padded to even sizes
    if (at + whole > w.size()) return w;  // malformed: leave as libvips wrote it
    if (fourcc != "EXIF" && fourcc != "XMP ") {
      if (fourcc == "VP8X") vp8x_at = out.size();
      out.append(w, at, whole);
    }
    at += whole;
  }
  if (vp8x_at != std::string::npos && vp8x_at + 8 < out.size()) {
    // VP8X flags byte: bit 3 EXIF, bit 2 XMP present.
    out[vp8x_at + 8] = static_cast<char>(static_cast<unsigned char>(out[vp8x_at + 8]) & ~0x0Cu);
  }
  write_le32(out, 4, static_cast<uint32_t>(out.size() - 8));
  return out;
}

std::string image_address(const std::string& key, int width) {
  return "/images/" + key + "-" + std::to_string(width) + ".webp";
}

std::optional<ImageAddress> parse_image_address(std::string_view url) {
  constexpr std::string_view prefix = "/images/", suffix = ".webp";
  if (url.size() < prefix.size() + 64 + 2 + suffix.size() || url.substr(0, prefix.size()) != prefix ||
      url.substr(url.size() - suffix.size()) != suffix)
    return std::nullopt;
  std::string_view name = url.substr(prefix.size(), url.size() - prefix.size() - suffix.size());
  if (name.size() < 66 || name[64] != '-' || !is_hex_key(name.substr(0, 64))) return std::nullopt;
  std::string_view digits = name.substr(65);
  if (digits.empty() || digits.size() > 5 || digits.front() == '0') return std::nullopt;
  int width = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    width = width * 10 + (c - '0');
  }
  return ImageAddress{std::string(name.substr(0, 64)), width};
}

std::string image_srcset(std::string_view url) {
  auto a = parse_image_address(url);
  if (!a) return "";
  std::string out;
  for (int w : kImageWidths)
    if (w < a->width) out += image_address(a->key, w) + " " + std::to_string(w) + "w, ";
  return out + image_address(a->key, a->width) + " " + std::to_string(a->width) + "w";
}

std::string product_image_id(std::string_view url) {
  return sha256_hex(url).substr(0, 16);
}

ImageStore::ImageStore(Sqlite& db, std::string dir, ImageLimits limits)
    : db_(db), dir_(std::move(dir)), limits_(limits) {}

std::string ImageStore::file_path(const std::string& key, int width) const {
  return image_file_path(dir_, key, width);
}

Result<StoredImage> ImageStore::put(std::string_view bytes) {
  auto header = read_image_header(bytes, limits_);
  if (!header.ok()) return header.status();
  StoredImage s;
  s.key = sha256_hex(bytes);
  s.source_format = header->format;
  // Stored already (the same bytes): answer with the stored full size,
  // provided its file is still there (else store it again).
  Status st = db_.read([&](Connection& c) {
    auto q = c.prepare("SELECT width, height FROM image_files WHERE image_key = ? ORDER BY width DESC LIMIT 1");
    q.bind(1, s.key);
    if (q.step()) {
      s.width = static_cast<int>(q.int64(0));
      s.height = static_cast<int>(q.int64(1));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (s.width > 0 && std::filesystem::exists(file_path(s.key, s.width))) {
    // A re-upload counts as stored now: the unused-picture prune
    // (ops/image_prune.h) spares pictures uploaded within its grace, and
    // this one is about to be listed by a product.
    st = db_.write([&](Connection& c) {
      c.prepare("UPDATE image_files SET created_at = ? WHERE image_key = ?")
          .bind(1, now_seconds())
          .bind(2, s.key)
          .exec();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    s.already_stored = true;
    s.url = image_address(s.key, s.width);
    return s;
  }
  auto encoded = encode_product_image(bytes, limits_);
  if (!encoded.ok()) return encoded.status();
  for (const auto& e : *encoded)
    if (Status w = write_file_atomically(file_path(s.key, e.width), e.webp); !w.ok()) return w;
  st = db_.write([&](Connection& c) {
    for (const auto& e : *encoded)
      c.prepare(
           "INSERT INTO image_files(image_key, width, height, bytes, file_sha256, source_format, created_at) "
           "VALUES (?,?,?,?,?,?,?) ON CONFLICT(image_key, width) DO UPDATE SET height=excluded.height, "
           "bytes=excluded.bytes, file_sha256=excluded.file_sha256")
          .bind(1, s.key)
          .bind(2, e.width)
          .bind(3, e.height)
          .bind(4, static_cast<int64_t>(e.webp.size()))
          .bind(5, sha256_hex(e.webp))
          .bind(6, image_format_name(header->format))
          .bind(7, now_seconds())
          .exec();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  s.width = encoded->front().width;
  s.height = encoded->front().height;
  s.url = image_address(s.key, s.width);
  return s;
}

std::optional<std::string> ImageStore::read(const std::string& key, int width) const {
  if (!is_hex_key(key) || width <= 0) return std::nullopt;
  return read_whole_file(file_path(key, width));
}

Result<std::vector<ImageProblem>> ImageStore::check() const {
  return check_image_files(db_, dir_);
}

Result<std::vector<ImageProblem>> check_image_files(Sqlite& db, const std::string& dir) {
  struct Row {
    std::string key, sha;
    int width;
  };
  std::vector<Row> rows;
  Status st = db.read([&](Connection& c) {
    auto q = c.prepare("SELECT image_key, width, file_sha256 FROM image_files ORDER BY image_key, width");
    while (q.step()) rows.push_back({q.text(0), q.text(2), static_cast<int>(q.int64(1))});
    return Status::Ok();
  });
  if (!st.ok()) return st;
  std::vector<ImageProblem> problems;
  for (const auto& r : rows) {
    std::string rel = r.key.substr(0, 2) + "/" + r.key + "-" + std::to_string(r.width) + ".webp";
    auto data = read_whole_file(dir + "/" + rel);
    if (!data)
      problems.push_back({rel, "missing"});
    else if (sha256_hex(*data) != r.sha)
      problems.push_back({rel, "damaged"});
  }
  return problems;
}

}  // namespace shopbox
