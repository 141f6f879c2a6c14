// SQLite access: connections, prepared statements and transactions.
//
// Contract:
//  * Every query is a prepared statement with bound parameters; SQL is never
//    built from strings. Statements are cached per connection by SQL text.
//  * The database runs in WAL mode: readers never block the writer.
//  * Writes go through Sqlite::write(), which serialises writers inside the
//    process (so SQLITE_BUSY never surfaces) and returns the callback's
//    Status only once its changes are committed (durable with
//    synchronous=FULL). A non-ok Status or an exception from the callback
//    rolls back that callback's changes alone.
//  * Group commit: concurrent write() calls queue their callbacks; one
//    caller (the committer) runs a batch of them in one BEGIN IMMEDIATE ..
//    COMMIT, each inside its own SAVEPOINT, so one COMMIT (one WAL sync)
//    covers the batch; then every caller wakes with its own Status. The
//    callbacks run one at a time in queue order, possibly on another
//    caller's thread: a callback must not depend on which thread runs it.
//  * Reads go through Sqlite::read(), which lends a pooled connection.
//  * Migrations are numbered and applied once, in order, at open().
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "storage/group_commit.h"

namespace shopbox {

class Connection;

// One prepared statement, reset on construction. Bind parameters are
// 1-based like SQLite's. Usage:
//   auto st = conn.prepare("SELECT name FROM products WHERE product_id = ?");
//   st.bind(1, id);
//   while (st.step()) name = st.text(0);
class Statement {
 public:
  Statement(sqlite3_stmt* stmt, Connection* conn);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind_null(int index);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Advances to the next row: true if a row is available, false when done.
  // Throws SqliteError on failure (caught by Sqlite::write/read).
  bool step();
  // Runs a statement that returns no rows.
  void exec() {
    while (step()) {
    }
  }

  bool is_null(int col) const;
  int column_count() const;  // columns of the result (the SELECT list)
  int64_t int64(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  std::optional<std::string> opt_text(int col) const;
  std::optional<int64_t> opt_int64(int col) const;

 private:
  sqlite3_stmt* stmt_;
  Connection* conn_;
};

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }
  bool is_constraint() const { return (code_ & 0xff) == SQLITE_CONSTRAINT; }

 private:
  int code_;
};

class Connection {
 public:
  explicit Connection(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Statement prepare(const char* sql);        // cached by SQL text
  void exec_script(const std::string& sql);  // for migrations and pragmas only
  int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* raw() { return db_; }
  // SQLite's own consistency checks (quick_check: page structure;
  // foreign_key_check: rows naming a missing row), one line per problem.
  std::vector<std::string> integrity_problems();

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

class Sqlite {
 public:
  // Opens (creating if needed) the database file, enables WAL, applies
  // `migrations` not yet applied. `synchronous` is "FULL" or "NORMAL".
  static Result<std::unique_ptr<Sqlite>> open(const std::string& path, const std::vector<Migration>& migrations,
                                              const std::string& synchronous = "FULL", int read_connections = 8);

  // Runs fn inside BEGIN IMMEDIATE/COMMIT on the writer connection.
  Status write(const std::function<Status(Connection&)>& fn);
  // A reader answers a trivial query (/readyz).
  [[nodiscard]] Status ping();
  // The same, for a change that need not be durable on its own: when no
  // durable write shares its batch, the commit skips the WAL sync
  // (synchronous=NORMAL for that one commit). It becomes durable with the
  // next synced commit (WAL frames are synced in order), and a crash before
  // that may lose it but never corrupts. For steps that start-up recovery
  // redoes anyway, or that only matter once a later durable write exists.
  Status write_deferred(const std::function<Status(Connection&)>& fn);
  // Runs fn on a pooled reader connection (a consistent snapshot when fn
  // runs more than one statement inside read_txn).
  Status read(const std::function<Status(Connection&)>& fn);

  const std::string& path() const { return path_; }
  // Consistent online copy to `dest` (SQLite backup API).
  Status backup_to(const std::string& dest);

 private:
  Sqlite() = default;
  std::string path_;
  std::string synchronous_ = "FULL";
  std::unique_ptr<Connection> writer_;
  std::mutex write_mu_;  // held by the committer while it uses writer_

  GroupCommit<Connection> group_;
  std::atomic<uint64_t> unsynced_{0};
  void commit_batch(GroupCommit<Connection>::Batch& batch);

 public:
  struct WriteStats {
    uint64_t transactions = 0;  // COMMITs (each one WAL sync with synchronous=FULL)
    uint64_t writes = 0;        // write() callbacks run
    uint64_t unsynced = 0;      // commits of deferred writes only (no WAL sync)
  };
  WriteStats write_stats();

 private:
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> free_readers_;
  std::mutex read_mu_;
  std::condition_variable read_cv_;
};

}  // namespace shopbox
