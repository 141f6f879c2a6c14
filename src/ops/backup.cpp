#include "ops/backup.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "base/clock.h"
#include "base/crypto.h"
#include "base/json_text.h"
#include "base/version.h"
#include "ops/system.h"
#include "schema.h"
#include "storage/sqlite.h"

namespace shopbox::ops {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Files every backup must hold (paths relative to the backup directory).
const char* const kRequired[] = {"shop.db", "kv/data.mdb"};

Status io_error(const std::string& what, const std::error_code& ec) {
  return Status::Internal(what + ": " + ec.message());
}

// fsync a file or directory so a rename that follows is durable.
void sync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void sync_tree(const fs::path& root) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    sync_path(it->path().string());
  sync_path(root.string());
}

bool is_empty_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec) && fs::is_empty(p, ec);
}

// A sibling of `target` on the same file system, so rename() is atomic.
fs::path temp_sibling(const fs::path& target, const char* what) {
  fs::path abs = fs::absolute(target).lexically_normal();
  if (abs.filename().empty()) abs = abs.parent_path();
  return abs.parent_path() / ("." + abs.filename().string() + "." + what + "-" + random_hex(4));
}

struct RemoveOnExit {
  fs::path path;
  bool armed = true;
  ~RemoveOnExit() {
    if (!armed) return;
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

struct SqliteHandle {
  sqlite3* db = nullptr;
  ~SqliteHandle() {
    if (db) sqlite3_close_v2(db);
  }
};

Status sqlite_status(sqlite3* db, const std::string& what) {
  return Status::Internal(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

// Copies the live database at `src` into the new file `dest` from one read
// snapshot (a WAL reader: writers are not blocked), then makes `dest` a
// self-contained rollback-journal file.
Status copy_sqlite(const std::string& src, const std::string& dest) {
  SqliteHandle in, out;
  if (sqlite3_open_v2(src.c_str(), &in.db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
    return sqlite_status(in.db, "cannot open " + src);
  sqlite3_busy_timeout(in.db, 10000);
  if (sqlite3_open_v2(dest.c_str(), &out.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
    return sqlite_status(out.db, "cannot create " + dest);
  sqlite3_backup* b = sqlite3_backup_init(out.db, "main", in.db, "main");
  if (!b) return sqlite_status(out.db, "SQLite backup");
  int rc;
  // One step copies every page inside a single read transaction: a
  // consistent snapshot even while another process writes.
  do {
    rc = sqlite3_backup_step(b, -1);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(50);
  } while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_OK);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return Status::Internal(std::string("SQLite backup failed: ") + sqlite3_errstr(rc));
  char* err = nullptr;
  if (sqlite3_exec(out.db, "PRAGMA journal_mode=DELETE", nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    return Status::Internal("SQLite backup: " + msg);
  }
  return Status::Ok();
}

// Opens a database file that nothing else writes (a backup) read-only.
Status open_immutable(const std::string& path, SqliteHandle& h) {
  std::string uri = "file:" + path + "?immutable=1";
  if (sqlite3_open_v2(uri.c_str(), &h.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) != SQLITE_OK)
    return sqlite_status(h.db, "cannot open " + path);
  return Status::Ok();
}

Result<int64_t> schema_version(const std::string& path) {
  SqliteHandle h;
  if (auto st = open_immutable(path, h); !st.ok()) return st;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h.db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", -1, &st, nullptr) !=
      SQLITE_OK)
    return sqlite_status(h.db, path + " is not a shopbox database");
  int64_t v = 0;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

Status quick_check(const std::string& path) {
  SqliteHandle h;
  if (auto st = open_immutable(path, h); !st.ok()) return st;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h.db, "PRAGMA quick_check", -1, &st, nullptr) != SQLITE_OK)
    return sqlite_status(h.db, path + " is damaged");
  std::string result;
  if (sqlite3_step(st) == SQLITE_ROW) result = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  if (result != "ok") return Status::Invalid(path + " failed SQLite's quick_check: " + result);
  return Status::Ok();
}

int64_t max_known_schema() {
  int64_t v = 0;
  for (const auto& m : all_migrations()) v = std::max<int64_t>(v, m.version);
  return v;
}

Status copy_into(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  if (ec) return io_error("cannot create " + to.parent_path().string(), ec);
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return io_error("cannot copy " + from.string(), ec);
  return Status::Ok();
}

// Uploaded product pictures (<data>/images/ab/<key>-<width>.webp, catalog/
// product_image.h): copied after SQLite, so every file the copied rows
// name is there (a file is written before its row and never changes).
// Temp files of an upload in progress are left out. Returns the copied
// files' paths relative to `to_root`.
Result<std::vector<std::string>> copy_image_files(const fs::path& data_dir, const fs::path& to_root) {
  std::vector<std::string> copied;
  std::error_code ec;
  fs::path images = data_dir / "images";
  if (!fs::is_directory(images, ec)) return copied;
  for (auto it = fs::recursive_directory_iterator(images, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->path().extension() != ".webp") continue;
    std::string rel = fs::relative(it->path(), data_dir, ec).string();
    if (ec) return io_error("cannot read " + it->path().string(), ec);
    if (auto st = copy_into(it->path(), to_root / rel); !st.ok()) return st;
    copied.push_back(rel);
  }
  if (ec) return io_error("cannot list " + images.string(), ec);
  std::sort(copied.begin(), copied.end());
  return copied;
}

}  // namespace

Result<std::string> sha256_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid("cannot read " + path);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return Status::Internal("read error on " + path);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &n);
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < n; ++i) {
    hex += digits[md[i] >> 4];
    hex += digits[md[i] & 15];
  }
  return hex;
}

std::string timestamped_backup_dir(const std::string& parent) {
  std::string stamp = iso8601(now_seconds());
  for (auto& c : stamp)
    if (c == ':') c = '-';
  std::error_code ec;
  fs::create_directories(parent, ec);
  return (fs::path(parent) / stamp).string();
}

Result<json> backup(const std::string& sqlite_path, Lmdb& kv, const std::string& dest_text) {
  if (dest_text.empty()) return Status::Invalid("backup directory missing");
  fs::path dest = fs::absolute(dest_text).lexically_normal();
  if (dest.filename().empty()) dest = dest.parent_path();
  std::error_code ec;
  if (fs::exists(dest, ec) && !is_empty_dir(dest))
    return Status::Invalid("backup directory " + dest.string() + " exists and is not empty");
  fs::create_directories(dest.parent_path(), ec);
  if (ec) return io_error("cannot create " + dest.parent_path().string(), ec);

  fs::path tmp = temp_sibling(dest, "partial");
  RemoveOnExit cleanup{tmp};
  fs::create_directories(tmp / "kv", ec);
  if (ec) return io_error("cannot create " + tmp.string(), ec);
  ::chmod(tmp.c_str(), 0750);

  int64_t started = now_seconds();
  // LMDB first, then SQLite (see backup.h on why this order).
  if (auto st = kv.copy_to((tmp / "kv").string()); !st.ok()) return st;
  if (auto st = copy_sqlite(sqlite_path, (tmp / "shop.db").string()); !st.ok()) return st;
  auto images = copy_image_files(fs::absolute(sqlite_path).parent_path(), tmp);
  if (!images.ok()) return images.status();

  auto schema = schema_version((tmp / "shop.db").string());
  if (!schema.ok()) return schema.status();

  json files = json::array();
  for (const char* rel : kRequired) {
    fs::path p = tmp / rel;
    auto sum = sha256_file(p.string());
    if (!sum.ok()) return sum.status();
    files.push_back({{"path", rel}, {"size", fs::file_size(p, ec)}, {"sha256", *sum}});
  }
  // Pictures are listed like the stores, so verify and restore treat them alike.
  for (const auto& rel : *images) {
    fs::path p = tmp / rel;
    auto sum = sha256_file(p.string());
    if (!sum.ok()) return sum.status();
    files.push_back({{"path", rel}, {"size", fs::file_size(p, ec)}, {"sha256", *sum}});
  }
  json manifest = {
      {"format", "shopbox-backup"},
      {"format_version", kBackupFormatVersion},
      {"shopbox_version", kVersion},
      {"created_at", iso8601(started)},
      {"source", fs::absolute(sqlite_path).parent_path().string()},
      {"schema_version", *schema},
      {"search_index", "rebuild"},
      {"files", files},
  };
  {
    std::ofstream out(tmp / kManifestName);
    out << manifest.dump(2) << "\n";
    if (!out.good()) return Status::Internal("cannot write manifest in " + tmp.string());
  }
  sync_tree(tmp);
  if (fs::exists(dest, ec)) fs::remove(dest, ec);  // an empty directory
  fs::rename(tmp, dest, ec);
  if (ec) return io_error("cannot move the backup into " + dest.string(), ec);
  cleanup.armed = false;
  sync_path(dest.parent_path().string());
  manifest["dir"] = dest.string();
  return manifest;
}

Result<json> verify_backup(const std::string& dir_text) {
  fs::path dir = fs::absolute(dir_text).lexically_normal();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::Invalid("backup directory " + dir.string() + " does not exist");
  fs::path mpath = dir / kManifestName;
  std::ifstream in(mpath);
  if (!in)
    return Status::Invalid("incomplete backup: " + mpath.string() +
                           " is missing (not a shopbox backup, or it did not finish)");
  std::string manifest_text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto parsed = parse_json_text(manifest_text);
  json m = parsed.ok() ? std::move(*parsed) : json();
  if (!parsed.ok() || !m.is_object())
    return Status::Invalid("corrupt backup: " + mpath.string() + " is not valid JSON");
  if (m.value("format", "") != "shopbox-backup") return Status::Invalid("not a shopbox backup: " + mpath.string());
  if (!m["format_version"].is_number_integer() || m["format_version"].get<int>() > kBackupFormatVersion)
    return Status::Invalid("backup format " + m["format_version"].dump() + " is newer than this shopbox understands");
  if (!m["files"].is_array()) return Status::Invalid("corrupt backup: manifest lists no files");
  for (const char* rel : kRequired) {
    bool listed = false;
    for (const auto& f : m["files"])
      if (f.is_object() && f.value("path", "") == rel) listed = true;
    if (!listed) return Status::Invalid(std::string("incomplete backup: manifest does not list ") + rel);
  }
  for (const auto& f : m["files"]) {
    if (!f.is_object() || !f["path"].is_string() || !f["size"].is_number_unsigned() || !f["sha256"].is_string())
      return Status::Invalid("corrupt backup: malformed file entry " + f.dump());
    std::string rel = f["path"];
    fs::path rp(rel);
    if (rp.is_absolute() || rel.find("..") != std::string::npos)
      return Status::Invalid("corrupt backup: unsafe file path " + rel);
    fs::path p = dir / rp;
    if (!fs::is_regular_file(p, ec)) return Status::Invalid("incomplete backup: " + rel + " is missing");
    uint64_t size = fs::file_size(p, ec);
    if (size != f["size"].get<uint64_t>())
      return Status::Invalid("corrupt backup: " + rel + " is " + std::to_string(size) + " bytes, the manifest says " +
                             std::to_string(f["size"].get<uint64_t>()));
    auto sum = sha256_file(p.string());
    if (!sum.ok()) return sum.status();
    if (*sum != f["sha256"].get<std::string>())
      return Status::Invalid("corrupt backup: " + rel + " does not match its SHA-256 checksum");
  }
  int64_t schema = m.value("schema_version", int64_t{0});
  if (schema > max_known_schema())
    return Status::Invalid("backup has schema version " + std::to_string(schema) + " but this shopbox knows up to " +
                           std::to_string(max_known_schema()) + ": restore it with a newer shopbox");
  if (auto st = quick_check((dir / "shop.db").string()); !st.ok())
    return Status::Invalid("corrupt backup: " + st.message());
  return m;
}

Result<json> restore(const std::string& backup_dir, const std::string& data_dir_text, const RestoreOptions& opt) {
  auto manifest = verify_backup(backup_dir);
  if (!manifest.ok()) return manifest.status();
  if (data_dir_text.empty()) return Status::Invalid("data directory missing");
  fs::path target = fs::absolute(data_dir_text).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  fs::path src = fs::absolute(backup_dir).lexically_normal();
  std::error_code ec;
  bool exists = fs::exists(target, ec);
  if (exists && !fs::is_directory(target, ec)) return Status::Invalid(target.string() + " is not a directory");
  if (exists && serve_lock_held(target.string()))
    return Status::Conflict(
        "in_use", "a shopbox server is running on " + target.string() + ": stop it first (systemctl stop shopbox)");
  if (exists && !is_empty_dir(target) && !opt.force)
    return Status::Conflict("not_empty", "data directory " + target.string() +
                                             " is not empty: stop the service and pass --force to replace it");
  if (!fs::is_directory(target.parent_path(), ec))
    return Status::Invalid("parent directory " + target.parent_path().string() + " does not exist");
  auto [t_end, s_it] = std::mismatch(target.begin(), target.end(), src.begin(), src.end());
  if (t_end == target.end())
    return Status::Invalid("the backup " + src.string() + " lies inside the data directory " + target.string() +
                           ", which restore replaces: move the backup elsewhere first");

  // Keep the owner and mode of the directory being replaced (root restoring
  // /var/lib/shopbox for the shopbox user).
  struct stat old_st {};
  bool keep_owner = exists && ::stat(target.c_str(), &old_st) == 0;

  fs::path tmp = temp_sibling(target, "restore");
  RemoveOnExit cleanup{tmp};
  fs::create_directories(tmp, ec);
  if (ec) return io_error("cannot create " + tmp.string(), ec);
  for (const auto& f : (*manifest)["files"]) {
    std::string rel = f["path"];
    if (auto st = copy_into(src / rel, tmp / rel); !st.ok()) return st;
    auto sum = sha256_file((tmp / rel).string());
    if (!sum.ok()) return sum.status();
    if (*sum != f["sha256"].get<std::string>())
      return Status::Internal("copy of " + rel + " does not match its checksum (disk error?)");
  }
  {
    std::ofstream marker(tmp / kReindexMarker);
    marker << "restored from " << src.string() << " at " << iso8601(now_seconds())
           << "; the search index is rebuilt from the catalog\n";
  }
  if (keep_owner) {
    ::chmod(tmp.c_str(), old_st.st_mode & 07777);
    if (::geteuid() == 0) {
      for (auto it = fs::recursive_directory_iterator(tmp, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec))
        if (::lchown(it->path().c_str(), old_st.st_uid, old_st.st_gid) != 0) return Status::Internal("chown failed");
      if (::chown(tmp.c_str(), old_st.st_uid, old_st.st_gid) != 0) return Status::Internal("chown failed");
    }
  } else {
    ::chmod(tmp.c_str(), 0750);
  }
  sync_tree(tmp);

  // Swap: the old directory moves aside, the restored one takes its name.
  fs::path old;
  if (exists) {
    old = temp_sibling(target, "old");
    fs::rename(target, old, ec);
    if (ec) return io_error("cannot move " + target.string() + " aside", ec);
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ec2;
    if (!old.empty()) fs::rename(old, target, ec2);  // put the old data back
    return io_error("cannot move the restored data into " + target.string(), ec);
  }
  cleanup.armed = false;
  sync_path(target.parent_path().string());
  if (!old.empty()) fs::remove_all(old, ec);
  json out = *manifest;
  out["restored_to"] = target.string();
  return out;
}

}  // namespace shopbox::ops
