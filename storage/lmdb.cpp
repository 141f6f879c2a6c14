#include "storage/lmdb.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

namespace shopbox {

static void check(int rc, const char* what) {
  if (rc != MDB_SUCCESS) throw LmdbError(rc, what);
}

static MDB_val val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}
static std::string_view view(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

Txn::Txn(Lmdb& env, bool write, MDB_txn* parent) {
  check(mdb_txn_begin(env.raw(), parent, write ? 0 : MDB_RDONLY, &txn_), "mdb_txn_begin");
}

Txn::~Txn() {
  if (!done_ && txn_) mdb_txn_abort(txn_);
}

std::optional<std::string> Txn::get(MDB_dbi db, std::string_view key) const {
  MDB_val k = val(key), v;
  int rc = mdb_get(txn_, db, &k, &v);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  check(rc, "mdb_get");
  return std::string(view(v));
}

void Txn::put(MDB_dbi db, std::string_view key, std::string_view value) {
  MDB_val k = val(key), v = val(value);
  check(mdb_put(txn_, db, &k, &v, 0), "mdb_put");
}

bool Txn::del(MDB_dbi db, std::string_view key) {
  MDB_val k = val(key);
  int rc = mdb_del(txn_, db, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  check(rc, "mdb_del");
  return true;
}

void Txn::scan(MDB_dbi db, std::string_view from,
               const std::function<bool(std::string_view, std::string_view)>& fn) const {
  MDB_cursor* cur = nullptr;
  check(mdb_cursor_open(txn_, db, &cur), "mdb_cursor_open");
  struct Close {
    MDB_cursor* c;
    ~Close() { mdb_cursor_close(c); }
  } closer{cur};
  MDB_val k = val(from), v;
  int rc = from.empty() ? mdb_cursor_get(cur, &k, &v, MDB_FIRST) : mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
  while (rc == MDB_SUCCESS) {
    if (!fn(view(k), view(v))) return;
    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
  }
  if (rc != MDB_NOTFOUND) check(rc, "mdb_cursor_get");
}

// A failed LMDB write as the API reports it: the disk (ENOSPC) or the map
// (MDB_MAP_FULL, storage.lmdb_map_size_mb) full is 507 storage_full (see
// http::send_error), a read-only data dir 503 storage_read_only, anything
// else 503 storage_unavailable. Nothing of the transaction was written.
// LMDB reports a write cut short by a full disk as EIO (a short pwrite),
// not ENOSPC: true when the data dir's filesystem has (almost) no room.
static bool disk_nearly_full(MDB_env* env) {
  const char* path = nullptr;
  struct statvfs fs;
  if (!env || mdb_env_get_path(env, &path) != MDB_SUCCESS || !path || statvfs(path, &fs) != 0) return false;
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize < (1u << 20);
}

// `what` is the failed step with mdb_strerror(rc).
static Status lmdb_failure(int rc, const std::string& what, MDB_env* env) {
  if (rc == ENOSPC || rc == MDB_MAP_FULL || rc == EDQUOT || (rc == EIO && disk_nearly_full(env)))
    return Status(Kind::unavailable, "storage_full",
                  "the shop's storage is full; nothing was written (" + what +
                      (rc == MDB_MAP_FULL ? "; raise storage.lmdb_map_size_mb)" : ")"));
  if (rc == EROFS || rc == EACCES)
    return Status(Kind::unavailable, "storage_read_only",
                  "the shop's data directory is read-only; nothing was written (" + what + ")");
  return Status(Kind::unavailable, "storage_unavailable", what);
}

Status WriteTxn::commit() {
  MDB_env* env = mdb_txn_env(txn_);
  int rc = mdb_txn_commit(txn_);
  done_ = true;
  if (rc != MDB_SUCCESS) return lmdb_failure(rc, std::string("LMDB commit failed: ") + mdb_strerror(rc), env);
  return Status::Ok();
}

Result<std::unique_ptr<Lmdb>> Lmdb::open(const std::string& dir, size_t map_size, const std::vector<std::string>& dbs) {
  std::unique_ptr<Lmdb> env(new Lmdb());
  try {
    std::filesystem::create_directories(dir);
    check(mdb_env_create(&env->env_), "mdb_env_create");
    check(mdb_env_set_maxdbs(env->env_, 32), "mdb_env_set_maxdbs");
    check(mdb_env_set_mapsize(env->env_, map_size), "mdb_env_set_mapsize");
    check(mdb_env_set_maxreaders(env->env_, 512), "mdb_env_set_maxreaders");
    check(mdb_env_open(env->env_, dir.c_str(), MDB_NOTLS, 0640), "mdb_env_open");
    // Clear reader slots left by a process that was killed.
    int dead = 0;
    mdb_reader_check(env->env_, &dead);
    MDB_txn* txn;
    check(mdb_txn_begin(env->env_, nullptr, 0, &txn), "mdb_txn_begin");
    for (const auto& name : dbs) {
      MDB_dbi dbi;
      int rc = mdb_dbi_open(txn, name.c_str(), MDB_CREATE, &dbi);
      if (rc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        check(rc, "mdb_dbi_open");
      }
      env->dbs_[name] = dbi;
    }
    check(mdb_txn_commit(txn), "mdb_txn_commit");
  } catch (const std::exception& e) {
    return Status(Kind::internal, "storage_error", std::string("LMDB: ") + e.what());
  }
  return env;
}

Lmdb::~Lmdb() {
  if (env_) mdb_env_close(env_);
}

MDB_dbi Lmdb::db(const std::string& name) const {
  auto it = dbs_.find(name);
  if (it == dbs_.end()) throw std::logic_error("LMDB database not opened: " + name);
  return it->second;
}

Status Lmdb::copy_to(const std::string& dest) {
  std::filesystem::create_directories(dest);
  int rc = mdb_env_copy2(env_, dest.c_str(), MDB_CP_COMPACT);
  if (rc != MDB_SUCCESS) return Status::Internal(std::string("LMDB copy failed: ") + mdb_strerror(rc));
  return Status::Ok();
}

Status Lmdb::write(const std::function<Status(WriteTxn&)>& fn) {
  return group_.run(fn, [this](GroupCommit<WriteTxn>::Batch& batch) { commit_batch(batch); });
}

void Lmdb::commit_batch(GroupCommit<WriteTxn>::Batch& batch) {
  std::unique_ptr<WriteTxn> parent;
  try {
    parent = std::make_unique<WriteTxn>(*this);
  } catch (const LmdbError& e) {
    for (auto* p : batch) p->status = lmdb_failure(e.rc(), e.what(), env_);
    return;
  }
  std::vector<GroupCommit<WriteTxn>::Pending*> kept;
  for (auto* p : batch) {
    try {
      WriteTxn child(*this, *parent);
      p->status = (*p->fn)(child);
      if (p->status.ok()) {
        p->status = child.commit();  // into the parent
        if (p->status.ok()) kept.push_back(p);
      }
      // not ok: the child's destructor aborts its changes
    } catch (const LmdbError& e) {
      p->status = lmdb_failure(e.rc(), e.what(), env_);
    } catch (...) {
      p->error = std::current_exception();
      p->status = Status::Internal("write failed");
    }
  }
  if (kept.empty()) return;  // the parent aborts: nothing to write
  Status st = parent->commit();
  if (!st.ok())
    for (auto* p : kept) p->status = st;
}

Lmdb::WriteStats Lmdb::write_stats() {
  auto [t, w] = group_.counts();
  return {t, w};
}

std::string encode_u64_key(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i) {
    s[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return s;
}

uint64_t decode_u64_key(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

}  // namespace shopbox
