// Group commit (storage/group_commit.h) through Sqlite::write and
// Lmdb::write: many concurrent writers, some of them failing, each get
// their own answer, and exactly the successful writes are stored.
#include <atomic>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "storage/lmdb.h"
#include "storage/sqlite.h"
#include "support/test_shop.h"

using namespace shopbox;

namespace {

const std::vector<Migration>& test_schema() {
  static const std::vector<Migration> m = {{1, "t", "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"}};
  return m;
}

}  // namespace

TEST_CASE("SQLite group commit: each writer gets its own status; failures roll back only themselves",
          "[unit][storage]") {
  testing::TempDir dir;
  auto db = Sqlite::open(dir.path() + "/g.db", test_schema());
  REQUIRE(db.ok());
  constexpr int kThreads = 16, kEach = 40;
  std::atomic<int> ok{0}, refused{0}, conflicts{0}, thrown{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        int k = t * kEach + i;
        try {
          Status st = (*db)->write([&](Connection& c) {
            c.prepare("INSERT INTO t(k, v) VALUES (?, ?)").bind(1, k).bind(2, "x").exec();
            if (k % 7 == 0) return Status::Invalid("refused on purpose");  // written, then rolled back
            if (k % 11 == 0) c.prepare("INSERT INTO t(k, v) VALUES (?, ?)").bind(1, k).bind(2, "dup").exec();
            if (k % 13 == 0) throw std::runtime_error("callback failed");
            return Status::Ok();
          });
          if (st.ok())
            ++ok;
          else if (st.kind() == Kind::invalid)
            ++refused;
          else if (st.kind() == Kind::conflict)
            ++conflicts;
        } catch (const std::runtime_error&) {
          ++thrown;  // rethrown on the caller's own thread
        }
      }
    });
  for (auto& th : threads) th.join();

  int expect_ok = 0, expect_refused = 0, expect_conflict = 0, expect_thrown = 0;
  for (int k = 0; k < kThreads * kEach; ++k) {
    if (k % 7 == 0)
      ++expect_refused;
    else if (k % 11 == 0)
      ++expect_conflict;
    else if (k % 13 == 0)
      ++expect_thrown;
    else
      ++expect_ok;
  }
  CHECK(ok == expect_ok);
  CHECK(refused == expect_refused);
  CHECK(conflicts == expect_conflict);
  CHECK(thrown == expect_thrown);
  int64_t rows = -1, bad = -1;
  REQUIRE((*db)
              ->read([&](Connection& c) {
                auto st = c.prepare("SELECT COUNT(*), SUM(k % 7 = 0 OR k % 11 = 0 OR k % 13 = 0) FROM t");
                st.step();
                rows = st.int64(0);
                bad = st.is_null(1) ? 0 : st.int64(1);
                return Status::Ok();
              })
              .ok());
  CHECK(rows == expect_ok);
  CHECK(bad == 0);
  auto stats = (*db)->write_stats();
  CHECK(stats.writes >= static_cast<uint64_t>(kThreads * kEach));
  CHECK(stats.transactions <= stats.writes);
}

TEST_CASE("SQLite: a write issued inside another write's callback commits on its own", "[unit][storage]") {
  testing::TempDir dir;
  auto db = Sqlite::open(dir.path() + "/n.db", test_schema());
  REQUIRE(db.ok());
  auto kv = Lmdb::open(dir.path() + "/kv", 16 << 20, {"x"});
  REQUIRE(kv.ok());
  MDB_dbi x = (*kv)->db("x");
  Status st = (*db)->write([&](Connection& c) {
    c.prepare("INSERT INTO t(k, v) VALUES (1, 'a')").exec();
    return (*kv)->write([&](WriteTxn& txn) {
      txn.put(x, "k", "v");
      return Status::Ok();
    });
  });
  CHECK(st.ok());
  ReadTxn r(**kv);
  CHECK(r.get(x, "k") == std::optional<std::string>("v"));
}

TEST_CASE("LMDB group commit: nested transaction per writer; failures roll back only themselves", "[unit][storage]") {
  testing::TempDir dir;
  auto kv = Lmdb::open(dir.path() + "/kv", 64 << 20, {"c"});
  REQUIRE(kv.ok());
  MDB_dbi c = (*kv)->db("c");
  constexpr int kThreads = 16, kEach = 50;
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        int k = t * kEach + i;
        Status st = (*kv)->write([&](WriteTxn& txn) {
          // A shared counter read and bumped by every writer: lost updates
          // would show as a total below the number of successful writes.
          auto cur = txn.get(c, "counter");
          int64_t n = cur ? std::stoll(*cur) : 0;
          txn.put(c, "counter", std::to_string(n + 1));
          std::string key = std::to_string(k);
          key.insert(key.begin(), 'k');  // (not "k" + ...: a GCC 12 -Wstringop-overflow false positive)
          txn.put(c, key, "x");
          if (k % 5 == 0) return Status::Invalid("refused on purpose");
          return Status::Ok();
        });
        if (st.ok())
          ++ok;
        else
          ++refused;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(ok == kThreads * kEach * 4 / 5);
  CHECK(refused == kThreads * kEach / 5);
  ReadTxn r(**kv);
  CHECK(r.get(c, "counter") == std::optional<std::string>(std::to_string(ok.load())));
  int keys = 0;
  r.scan(c, "k", [&](std::string_view key, std::string_view) {
    if (key.substr(0, 1) != "k") return false;
    int k = std::stoi(std::string(key.substr(1)));
    CHECK(k % 5 != 0);
    ++keys;
    return true;
  });
  CHECK(keys == ok);
  auto stats = (*kv)->write_stats();
  CHECK(stats.writes == static_cast<uint64_t>(kThreads * kEach));
}
