#include "storage/sqlite.h"

#include <algorithm>
#include <exception>
#include <stdexcept>

namespace shopbox {

// ---- Statement ----

Statement::Statement(sqlite3_stmt* stmt, Connection* conn) : stmt_(stmt), conn_(conn) {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Statement::~Statement() {
  if (stmt_) sqlite3_reset(stmt_);
}

Statement::Statement(Statement&& o) noexcept : stmt_(o.stmt_), conn_(o.conn_) {
  o.stmt_ = nullptr;
}

static void check_bind(int rc, sqlite3_stmt* st) {
  if (rc != SQLITE_OK) throw SqliteError(rc, std::string("bind failed: ") + sqlite3_errmsg(sqlite3_db_handle(st)));
}

Statement& Statement::bind(int i, int64_t v) {
  check_bind(sqlite3_bind_int64(stmt_, i, v), stmt_);
  return *this;
}
Statement& Statement::bind(int i, double v) {
  check_bind(sqlite3_bind_double(stmt_, i, v), stmt_);
  return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
  check_bind(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT), stmt_);
  return *this;
}
Statement& Statement::bind_null(int i) {
  check_bind(sqlite3_bind_null(stmt_, i), stmt_);
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = sqlite3_errmsg(sqlite3_db_handle(stmt_));
  int ext = sqlite3_extended_errcode(sqlite3_db_handle(stmt_));
  sqlite3_reset(stmt_);
  throw SqliteError(ext, msg);
}

int Statement::column_count() const {
  return sqlite3_column_count(stmt_);
}

bool Statement::is_null(int c) const {
  return sqlite3_column_type(stmt_, c) == SQLITE_NULL;
}
int64_t Statement::int64(int c) const {
  return sqlite3_column_int64(stmt_, c);
}
double Statement::real(int c) const {
  return sqlite3_column_double(stmt_, c);
}
std::string Statement::text(int c) const {
  auto p = sqlite3_column_text(stmt_, c);
  int n = sqlite3_column_bytes(stmt_, c);
  return p ? std::string(reinterpret_cast<const char*>(p), n) : std::string();
}
std::optional<std::string> Statement::opt_text(int c) const {
  if (is_null(c)) return std::nullopt;
  return text(c);
}
std::optional<int64_t> Statement::opt_int64(int c) const {
  if (is_null(c)) return std::nullopt;
  return int64(c);
}

// ---- Connection ----

Connection::Connection(const std::string& path) {
  // Memory statistics make every SQLite allocation take one process-wide
  // mutex, which serialises all reader threads; nothing here reads them.
  // Must run before SQLite initialises (the first open); later calls are
  // harmless no-ops.
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
  int rc =
      sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(rc, "cannot open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  sqlite3_extended_result_codes(db_, 1);
}

Connection::~Connection() {
  for (auto& [sql, st] : cache_) sqlite3_finalize(st);
  sqlite3_close_v2(db_);
}

Status Sqlite::ping() {
  return read([](Connection& c) {
    c.prepare("SELECT 1").step();
    return Status::Ok();
  });
}

std::vector<std::string> Connection::integrity_problems() {
  std::vector<std::string> problems;
  auto q = prepare("PRAGMA quick_check");
  while (q.step())
    if (std::string line = q.text(0); line != "ok") problems.push_back(line);
  auto fk = prepare("PRAGMA foreign_key_check");
  while (fk.step())
    problems.push_back("row " + std::to_string(fk.int64(1)) + " of table " + fk.text(0) +
                       " references a missing row of " + fk.text(2));
  return problems;
}

Statement Connection::prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr);
    if (rc != SQLITE_OK) throw SqliteError(rc, std::string("prepare failed: ") + sqlite3_errmsg(db_) + " in: " + sql);
    it = cache_.emplace(sql, st).first;
  }
  return Statement(it->second, this);
}

void Connection::exec_script(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw SqliteError(rc, msg);
  }
}

// ---- Sqlite ----

// A failed write as the API reports it: a full disk is 507 storage_full
// (http::send_error maps the code), a read-only data dir or an I/O error
// 503; both retryable once the operator acts. `what` says which step.
static Status write_failure(const SqliteError& e, const std::string& what) {
  int primary = e.code() & 0xff;
  if (primary == SQLITE_FULL)
    return Status(Kind::unavailable, "storage_full",
                  "the disk holding the shop's data is full; nothing was written (" + what + ": " + e.what() + ")");
  if (primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN)
    return Status(Kind::unavailable, "storage_read_only",
                  "the shop's data directory is read-only; nothing was written (" + what + ": " + e.what() + ")");
  return Status(Kind::unavailable, "storage_unavailable", what + ": " + e.what());
}

// Page cache per connection, in KiB. The writer gets a large one (bulk
// loads, index builds). Readers get a small one: there are several, each
// keeps its own private cache, and the OS page cache already holds the
// file for all of them. At 32 MiB each the eight readers of a 100k-product
// shop grew the process by ~230 MB under load for no measurable speed.
constexpr int kWriterCacheKiB = 32000;
constexpr int kReaderCacheKiB = 4000;

static void apply_pragmas(Connection& c, const std::string& synchronous, int cache_kib) {
  c.exec_script("PRAGMA foreign_keys=ON; PRAGMA synchronous=" + synchronous +
                "; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-" + std::to_string(cache_kib) + ";");
}

Result<std::unique_ptr<Sqlite>> Sqlite::open(const std::string& path, const std::vector<Migration>& migrations,
                                             const std::string& synchronous, int read_connections) {
  if (synchronous != "FULL" && synchronous != "NORMAL" && synchronous != "EXTRA")
    return Status::Invalid("synchronous must be FULL, NORMAL or EXTRA");
  std::unique_ptr<Sqlite> db(new Sqlite());
  db->path_ = path;
  db->synchronous_ = synchronous;
  try {
    db->writer_ = std::make_unique<Connection>(path);
    db->writer_->exec_script("PRAGMA journal_mode=WAL;");
    apply_pragmas(*db->writer_, synchronous, kWriterCacheKiB);
    Connection& w = *db->writer_;
    w.exec_script(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at INTEGER NOT NULL DEFAULT (strftime('%s','now')))");
    for (const Migration& m : migrations) {
      auto q = w.prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
      q.bind(1, m.version);
      if (q.step()) continue;
      w.exec_script("BEGIN IMMEDIATE");
      try {
        w.exec_script(m.sql);
        w.prepare("INSERT INTO schema_migrations(version, name) VALUES (?, ?)")
            .bind(1, m.version)
            .bind(2, m.name)
            .exec();
        w.exec_script("COMMIT");
      } catch (...) {
        w.exec_script("ROLLBACK");
        throw;
      }
    }
    for (int i = 0; i < read_connections; ++i) {
      auto c = std::make_unique<Connection>(path);
      apply_pragmas(*c, synchronous, kReaderCacheKiB);
      db->free_readers_.push_back(c.get());
      db->readers_.push_back(std::move(c));
    }
  } catch (const SqliteError& e) {
    return Status(Kind::internal, "storage_error", std::string("SQLite: ") + e.what());
  }
  return db;
}

// ---- group commit ----

namespace {

Status status_of(const SqliteError& e) {
  if (e.is_constraint()) return Status::Conflict("conflict", std::string("constraint violated: ") + e.what());
  int primary = e.code() & 0xff;
  if (primary == SQLITE_FULL || primary == SQLITE_READONLY || primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN)
    return write_failure(e, "storage error");
  if (primary == SQLITE_BUSY)
    return Status(Kind::unavailable, "storage_unavailable", std::string("storage error: ") + e.what());
  return Status(Kind::internal, "storage_error", e.what());
}

}  // namespace

Status Sqlite::write(const std::function<Status(Connection&)>& fn) {
  return group_.run(fn, [this](GroupCommit<Connection>::Batch& batch) { commit_batch(batch); });
}

Status Sqlite::write_deferred(const std::function<Status(Connection&)>& fn) {
  return group_.run(
      fn, [this](GroupCommit<Connection>::Batch& batch) { commit_batch(batch); }, false);
}

void Sqlite::commit_batch(GroupCommit<Connection>::Batch& batch) {
  std::lock_guard<std::mutex> wlock(write_mu_);
  Connection& c = *writer_;
  // Only deferred writes in this batch: commit without a sync.
  bool relaxed =
      synchronous_ != "NORMAL" && std::none_of(batch.begin(), batch.end(), [](const auto* p) { return p->durable; });
  struct Relax {
    Connection& c;
    const std::string& mode;
    bool on;
    Relax(Connection& conn, const std::string& m, bool r) : c(conn), mode(m), on(r) {
      if (on) c.exec_script("PRAGMA synchronous=NORMAL");
    }
    ~Relax() {
      if (!on) return;
      try {
        c.exec_script("PRAGMA synchronous=" + mode);
      } catch (...) {
      }
    }
  } relax(c, synchronous_, relaxed);
  if (relaxed) ++unsynced_;
  auto fail = [](auto& list, const Status& st) {
    for (auto* k : list) k->status = st;
    list.clear();
  };
  size_t next = 0;
  while (next < batch.size()) {
    try {
      c.exec_script("BEGIN IMMEDIATE");
    } catch (const SqliteError& e) {
      Status st = write_failure(e, "cannot begin write");
      for (; next < batch.size(); ++next) batch[next]->status = st;
      return;
    }
    std::vector<GroupCommit<Connection>::Pending*> kept;  // callbacks whose changes this transaction holds
    bool lost = false;                                    // the transaction is gone: the rest goes into a new one
    for (; next < batch.size() && !lost; ++next) {
      auto* p = batch[next];
      bool ok = false;
      try {
        c.prepare("SAVEPOINT group_write").exec();
        try {
          p->status = (*p->fn)(c);
          ok = p->status.ok();
        } catch (const SqliteError& e) {
          p->status = status_of(e);
        } catch (...) {
          p->error = std::current_exception();
          p->status = Status::Internal("write failed");
        }
        if (sqlite3_get_autocommit(c.raw())) {
          // An I/O error, a full disk or the like rolled the transaction
          // back: callbacks that succeeded earlier in it lost their changes.
          if (ok)
            p->status =
                Status(Kind::unavailable, "storage_unavailable", "storage error: the transaction was rolled back");
          fail(kept,
               Status(Kind::unavailable, "storage_unavailable", "storage error: the transaction was rolled back"));
          lost = true;
          continue;
        }
        if (!ok) c.prepare("ROLLBACK TO group_write").exec();
        c.prepare("RELEASE group_write").exec();
        if (ok) kept.push_back(p);
      } catch (const SqliteError& e) {
        // The savepoint itself failed: give up on this transaction.
        if (ok || p->status.ok()) p->status = status_of(e);
        try {
          if (!sqlite3_get_autocommit(c.raw())) c.exec_script("ROLLBACK");
        } catch (...) {
        }
        fail(kept, Status(Kind::unavailable, "storage_unavailable", std::string("storage error: ") + e.what()));
        lost = true;
      }
    }
    if (lost) continue;
    try {
      c.exec_script("COMMIT");
    } catch (const SqliteError& e) {
      try {
        if (!sqlite3_get_autocommit(c.raw())) c.exec_script("ROLLBACK");
      } catch (...) {
      }
      fail(kept, write_failure(e, "commit failed"));
    }
  }
}

Sqlite::WriteStats Sqlite::write_stats() {
  auto [t, w] = group_.counts();
  return {t, w, unsynced_.load()};
}

Status Sqlite::read(const std::function<Status(Connection&)>& fn) {
  Connection* c;
  {
    std::unique_lock<std::mutex> lock(read_mu_);
    read_cv_.wait(lock, [&] { return !free_readers_.empty(); });
    c = free_readers_.back();
    free_readers_.pop_back();
  }
  struct Return {
    Sqlite* db;
    Connection* c;
    ~Return() {
      std::lock_guard<std::mutex> lock(db->read_mu_);
      db->free_readers_.push_back(c);
      db->read_cv_.notify_one();
    }
  } give_back{this, c};
  try {
    return fn(*c);
  } catch (const SqliteError& e) {
    return Status(Kind::internal, "storage_error", e.what());
  }
}

Status Sqlite::backup_to(const std::string& dest) {
  sqlite3* out = nullptr;
  if (sqlite3_open(dest.c_str(), &out) != SQLITE_OK) {
    sqlite3_close(out);
    return Status::Internal("cannot create backup file " + dest);
  }
  std::lock_guard<std::mutex> lock(write_mu_);  // no writes while copying
  sqlite3_backup* b = sqlite3_backup_init(out, "main", writer_->raw(), "main");
  int rc = SQLITE_ERROR;
  if (b) {
    rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
  }
  sqlite3_close(out);
  if (rc != SQLITE_DONE) return Status::Internal("backup failed");
  return Status::Ok();
}

}  // namespace shopbox
