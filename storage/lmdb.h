// LMDB access: one environment, named databases, RAII transactions.
//
// Contract:
//  * LMDB allows one write transaction at a time across the process; that
//    single writer is what makes "never oversell" true by construction:
//    every stock check-and-change happens inside one WriteTxn.
//  * Readers never block and see a consistent snapshot.
//  * The environment is opened with MDB_NOTLS so read transactions are not
//    tied to OS threads (cpp-httplib serves from a thread pool).
//  * Keys and values are byte strings; callers encode records (see
//    inventory_store.cpp for the binary and JSON encodings in use).
#pragma once

#include <lmdb.h>

#include <condition_variable>
#include <cstdint>
#include <exception>
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

class Lmdb;

class Txn {
 public:
  ~Txn();
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;

  std::optional<std::string> get(MDB_dbi db, std::string_view key) const;
  void put(MDB_dbi db, std::string_view key, std::string_view value);
  bool del(MDB_dbi db, std::string_view key);  // false if absent
  // Visits keys >= `from` in order while fn returns true. Empty `from`
  // starts at the first key.
  void scan(MDB_dbi db, std::string_view from,
            const std::function<bool(std::string_view key, std::string_view value)>& fn) const;
  MDB_txn* raw() { return txn_; }

 protected:
  Txn(Lmdb& env, bool write, MDB_txn* parent = nullptr);
  MDB_txn* txn_ = nullptr;
  bool done_ = false;
};

class ReadTxn : public Txn {
 public:
  explicit ReadTxn(Lmdb& env) : Txn(env, false) {}
};

class WriteTxn : public Txn {
 public:
  explicit WriteTxn(Lmdb& env) : Txn(env, true) {}
  // A nested transaction inside `parent`: its commit() merges into the
  // parent, its abort undoes only its own changes.
  WriteTxn(Lmdb& env, WriteTxn& parent) : Txn(env, true, parent.raw()) {}
  // Makes every change durable (fsync unless the env was opened NOSYNC).
  // Without commit() the destructor aborts.
  Status commit();
};

class LmdbError : public std::runtime_error {
 public:
  LmdbError(int rc, const std::string& what) : std::runtime_error(what + ": " + mdb_strerror(rc)), rc_(rc) {}
  int rc() const { return rc_; }

 private:
  int rc_;
};

class Lmdb {
 public:
  // Opens `dir` (created if missing) with the named databases `dbs`.
  static Result<std::unique_ptr<Lmdb>> open(const std::string& dir, size_t map_size_bytes,
                                            const std::vector<std::string>& dbs);
  ~Lmdb();

  MDB_dbi db(const std::string& name) const;  // throws if not opened
  MDB_env* raw() { return env_; }
  // Compacting, consistent copy of the environment into directory `dest`.
  Status copy_to(const std::string& dest);

  // Runs fn in a write transaction and returns its Status once the
  // changes are committed (durable: synced). A non-ok Status or an
  // exception rolls back fn's changes alone. LmdbError (e.g. MDB_MAP_FULL)
  // becomes a 503-class Status.
  //
  // Group commit: concurrent calls queue; one caller (the committer) runs a
  // batch of callbacks, each in a nested transaction of one write
  // transaction, then commits once (one sync for the batch) and wakes every
  // caller with its own Status. Callbacks run one at a time in queue
  // order, possibly on another caller's thread.
  Status write(const std::function<Status(WriteTxn&)>& fn);

  struct WriteStats {
    uint64_t transactions = 0;  // commits (each one sync)
    uint64_t writes = 0;        // write() callbacks run
  };
  WriteStats write_stats();

 private:
  Lmdb() = default;
  GroupCommit<WriteTxn> group_;
  void commit_batch(GroupCommit<WriteTxn>::Batch& batch);
  MDB_env* env_ = nullptr;
  std::unordered_map<std::string, MDB_dbi> dbs_;
};

// Big-endian encodings so byte order equals numeric order in LMDB keys.
std::string encode_u64_key(uint64_t v);
uint64_t decode_u64_key(std::string_view s);

}  // namespace shopbox
