#include "ops/image_prune.h"

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

#include "base/clock.h"
#include "catalog/product_image.h"

namespace shopbox::ops {
namespace {
namespace fs = std::filesystem;

// The key of every picture some row still shows (image_prune.h lists them).
std::set<std::string> keys_in_use(Connection& c) {
  std::set<std::string> keys;
  for (const char* sql : {"SELECT url FROM product_images WHERE url LIKE '/images/%'",
                          "SELECT image_url FROM variants WHERE image_url LIKE '/images/%'",
                          "SELECT DISTINCT product_image FROM order_items WHERE product_image LIKE '/images/%'",
                          "SELECT value FROM shop_settings WHERE value LIKE '/images/%'"}) {
    auto q = c.prepare(sql);
    while (q.step())
      if (auto a = parse_image_address(q.text(0))) keys.insert(a->key);
  }
  return keys;
}

std::string relative_file(const std::string& key, int width) {
  return key.substr(0, 2) + "/" + key + "-" + std::to_string(width) + ".webp";
}

struct StoredFile {
  std::string key;
  int width = 0;
  int64_t bytes = 0;
};

// The recorded files of pictures no row shows, stored before `cutoff`
// (a picture's newest file decides: put() refreshes them on a re-upload).
std::vector<StoredFile> unused_rows(Connection& c, int64_t cutoff) {
  auto in_use = keys_in_use(c);
  std::map<std::string, std::pair<int64_t, std::vector<StoredFile>>> by_key;  // key -> newest, files
  auto q = c.prepare("SELECT image_key, width, bytes, created_at FROM image_files");
  while (q.step()) {
    auto& entry = by_key[q.text(0)];
    entry.first = std::max(entry.first, q.int64(3));
    entry.second.push_back({q.text(0), static_cast<int>(q.int64(1)), q.int64(2)});
  }
  std::vector<StoredFile> out;
  for (auto& [key, entry] : by_key)
    if (!in_use.count(key) && entry.first < cutoff) out.insert(out.end(), entry.second.begin(), entry.second.end());
  return out;
}

// Files under the image dir that no image_files row lists, last written
// more than `grace_seconds` ago by the wall clock (leftovers of a crash
// between writing a file and recording it, or of an earlier prune).
std::vector<std::pair<std::string, int64_t>> stray_files(Connection& c, const std::string& dir, int64_t grace_seconds) {
  std::set<std::string> listed;
  auto q = c.prepare("SELECT image_key, width FROM image_files");
  while (q.step()) listed.insert(relative_file(q.text(0), static_cast<int>(q.int64(1))));
  std::vector<std::pair<std::string, int64_t>> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  auto cutoff = fs::file_time_type::clock::now() - std::chrono::seconds(grace_seconds);
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string rel = fs::relative(it->path(), dir, ec).string();
    if (ec || listed.count(rel) || it->last_write_time(ec) >= cutoff) continue;
    out.emplace_back(rel, static_cast<int64_t>(it->file_size(ec)));
  }
  return out;
}

UnusedImages describe(const std::vector<StoredFile>& rows, const std::vector<std::pair<std::string, int64_t>>& strays) {
  UnusedImages u;
  for (const auto& r : rows) {
    u.files.push_back(relative_file(r.key, r.width));
    u.bytes += r.bytes;
  }
  for (const auto& [rel, size] : strays) {
    u.files.push_back(rel);
    u.bytes += size;
  }
  return u;
}

}  // namespace

Result<UnusedImages> find_unused_images(Sqlite& db, const std::string& dir, int64_t grace_seconds) {
  UnusedImages found;
  Status st = db.read([&](Connection& c) {
    found = describe(unused_rows(c, now_seconds() - grace_seconds), stray_files(c, dir, grace_seconds));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return found;
}

Result<UnusedImages> prune_unused_images(Sqlite& db, const std::string& dir, int64_t grace_seconds) {
  std::vector<StoredFile> rows;
  std::vector<std::pair<std::string, int64_t>> strays;
  // The rows go first, in one transaction with the reading of the
  // references: once it commits nothing lists these files, so deleting
  // them cannot break a page (and a crash before the unlinks leaves stray
  // files the next prune removes).
  Status st = db.write([&](Connection& c) {
    rows = unused_rows(c, now_seconds() - grace_seconds);
    for (const auto& r : rows)
      c.prepare("DELETE FROM image_files WHERE image_key = ? AND width = ?").bind(1, r.key).bind(2, r.width).exec();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  auto remove = [&](const std::string& rel) {
    std::error_code ec;
    fs::remove(fs::path(dir) / rel, ec);  // already gone is fine
    return ec ? Status::Internal("cannot remove images/" + rel + ": " + ec.message()) : Status::Ok();
  };
  for (const auto& r : rows)
    if (Status removed = remove(relative_file(r.key, r.width)); !removed.ok()) return removed;
  st = db.read([&](Connection& c) {
    strays = stray_files(c, dir, grace_seconds);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  for (const auto& stray : strays)
    if (Status removed = remove(stray.first); !removed.ok()) return removed;
  UnusedImages gone = describe(rows, strays);
  return gone;
}

}  // namespace shopbox::ops
