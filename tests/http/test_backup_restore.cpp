// Backup, restore and check (src/ops/): online backups while the shop takes
// writes, verified restores that refuse damaged backups, and `check`
// finding a broken stock invariant.
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "app.h"
#include "inventory/inventory.h"
#include "inventory/inventory_store.h"
#include "ops/backup.h"
#include "ops/check.h"
#include "support/test_shop.h"

using namespace shopbox;
using shopbox::testing::TempDir;
using shopbox::testing::TestShop;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// product id -> (name, stock total) read straight from an App.
std::map<int64_t, std::pair<std::string, int64_t>> snapshot(App& app) {
  std::map<int64_t, std::pair<std::string, int64_t>> out;
  REQUIRE(app.db
              ->read([&](Connection& c) {
                auto q = c.prepare("SELECT product_id, name FROM products ORDER BY product_id");
                while (q.step()) out[q.int64(0)] = {q.text(1), 0};
                return Status::Ok();
              })
              .ok());
  for (auto& [id, v] : out) v.second = app.inventory->level(id).total;
  return out;
}

std::unique_ptr<App> open_dir(const std::string& dir) {
  Config cfg;
  cfg.data_dir = dir;
  cfg.lmdb_map_size_mb = 256;
  cfg.sqlite_synchronous = "NORMAL";
  auto app = App::open(cfg);
  REQUIRE(app.ok());
  return std::move(app.value());
}

}  // namespace

TEST_CASE("a backup taken while the shop takes writes restores to a consistent shop", "[http][ops][concurrency]") {
  TestShop shop;
  auto cat = shop.create_category("Tools");
  for (int i = 0; i < 20; ++i)
    shop.create_product({{"name", "Hammer " + std::to_string(i)}, {"category_id", cat}}, 5 + i);

  // Writers: new products and stock changes, until told to stop.
  std::atomic<bool> stop{false};
  std::atomic<int> created{0};
  std::thread writer([&] {
    for (int i = 0; !stop && i < 2000; ++i) {
      auto r = shop.post("/api/v1/admin/products",
                         {{"name", "Saw " + std::to_string(i)}, {"category_id", cat}, {"price", 3}, {"stock", i % 50}},
                         shop.admin());
      if (r.status == 201) ++created;
      shop.patch("/api/v1/admin/inventory/1", {{"delta", 1}, {"reason", "restock"}}, shop.admin());
    }
  });
  while (created < 5) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto before = snapshot(shop.app());

  TempDir backups;
  std::string dest = backups.path() + "/during-load";
  auto r = shop.post("/api/v1/admin/backup", {{"dir", dest}}, shop.admin());
  auto after_count = 0;
  stop = true;
  writer.join();
  REQUIRE(r.status == 201);
  after_count = static_cast<int>(snapshot(shop.app()).size());
  CHECK(r.body["format"] == "shopbox-backup");
  CHECK(r.body["files"].size() == 2);
  CHECK(fs::exists(dest + "/manifest.json"));
  CHECK(fs::exists(dest + "/shop.db"));
  CHECK(fs::exists(dest + "/kv/data.mdb"));

  TempDir target;
  std::string data = target.path() + "/restored";
  auto restored = ops::restore(dest, data, {});
  REQUIRE(restored.ok());
  CHECK(fs::exists(data + "/" + ops::kReindexMarker));
  auto app = open_dir(data);
  auto got = snapshot(*app);
  // Everything committed before the backup began is there, nothing that did
  // not exist by its end, and every restored product has its stock record.
  CHECK(got.size() >= before.size());
  CHECK(static_cast<int>(got.size()) <= after_count);
  for (const auto& [id, v] : before) {
    INFO("product " << id);
    REQUIRE(got.count(id) == 1);
    CHECK(got[id].first == v.first);
  }
  auto report = ops::run_checks(*app);
  INFO(json(report.problems).dump());
  CHECK(report.ok());
}

TEST_CASE("a backup of a quiet shop restores to equal data", "[http][ops]") {
  TestShop shop;
  auto cat = shop.create_category("Garden");
  for (int i = 0; i < 30; ++i) shop.create_product({{"name", "Rake " + std::to_string(i)}, {"category_id", cat}}, i);
  auto want = snapshot(shop.app());

  TempDir backups;
  auto m = ops::backup(shop.app().db->path(), *shop.app().kv, backups.path() + "/b1");
  REQUIRE(m.ok());
  CHECK((*m)["schema_version"].get<int64_t>() > 0);
  TempDir target;
  auto restored = ops::restore(backups.path() + "/b1", target.path(), {});  // existing empty dir is fine
  REQUIRE(restored.ok());
  auto app = open_dir(target.path());
  CHECK(snapshot(*app) == want);
}

TEST_CASE("restore refuses damaged, incomplete and foreign backups and changes nothing", "[http][ops]") {
  TestShop shop;
  auto cat = shop.create_category("Kitchen");
  shop.create_product({{"name", "Pan"}, {"category_id", cat}}, 3);
  TempDir backups;
  std::string good = backups.path() + "/good";
  REQUIRE(ops::backup(shop.app().db->path(), *shop.app().kv, good).ok());

  auto copy_of_good = [&](const std::string& name) {
    std::string p = backups.path() + "/" + name;
    fs::copy(good, p, fs::copy_options::recursive);
    return p;
  };
  TempDir target;
  std::string data = target.path() + "/data";

  SECTION("a flipped byte in the LMDB copy") {
    auto b = copy_of_good("flipped");
    {
      std::fstream f(b + "/kv/data.mdb", std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(5000);
      f.put('\x5a');
    }
    auto r = ops::restore(b, data, {});
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Catch::Contains("corrupt backup") && Catch::Contains("kv/data.mdb"));
  }
  SECTION("a truncated SQLite copy") {
    auto b = copy_of_good("truncated");
    fs::resize_file(b + "/shop.db", fs::file_size(b + "/shop.db") / 2);
    auto r = ops::restore(b, data, {});
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Catch::Contains("shop.db") && Catch::Contains("bytes"));
  }
  SECTION("no manifest (an interrupted backup)") {
    auto b = copy_of_good("nomanifest");
    fs::remove(b + "/manifest.json");
    auto r = ops::restore(b, data, {});
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Catch::Contains("incomplete backup"));
  }
  SECTION("a file missing") {
    auto b = copy_of_good("missing");
    fs::remove(b + "/kv/data.mdb");
    auto r = ops::restore(b, data, {});
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Catch::Contains("kv/data.mdb is missing"));
  }
  SECTION("a manifest that is not JSON") {
    auto b = copy_of_good("badjson");
    std::ofstream(b + "/manifest.json") << "{ not json";
    auto r = ops::restore(b, data, {});
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Catch::Contains("not valid JSON"));
  }
  SECTION("a directory that is no backup") {
    auto r = ops::restore(target.path(), data, {});
    REQUIRE_FALSE(r.ok());
  }
  CHECK_FALSE(fs::exists(data));  // nothing was created
  // No temporary directories left beside the target.
  for (auto& e : fs::directory_iterator(target.path())) FAIL("left behind: " << e.path());
}

TEST_CASE("restore refuses a non-empty data directory unless forced, then replaces it whole", "[http][ops]") {
  TestShop shop;
  auto cat = shop.create_category("Books");
  shop.create_product({{"name", "Novel"}, {"category_id", cat}}, 7);
  TempDir backups;
  std::string b = backups.path() + "/b";
  REQUIRE(ops::backup(shop.app().db->path(), *shop.app().kv, b).ok());

  TempDir target;
  std::string data = target.path() + "/data";
  {
    auto other = open_dir(data);  // a different shop lives there
    auto st = other->inventory->set_total(99, 1, "test", "other shop");
    REQUIRE(st.ok());
  }
  std::ofstream(data + "/stray-file") << "x";
  auto refused = ops::restore(b, data, {});
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.status().message(), Catch::Contains("not empty") && Catch::Contains("--force"));
  CHECK(fs::exists(data + "/stray-file"));

  auto forced = ops::restore(b, data, {true});
  REQUIRE(forced.ok());
  CHECK_FALSE(fs::exists(data + "/stray-file"));
  auto app = open_dir(data);
  auto got = snapshot(*app);
  REQUIRE(got.size() == 1);
  CHECK(got.begin()->second == std::make_pair(std::string("Novel"), int64_t{7}));
  CHECK(app->inventory->level(99).total == 0);  // the other shop's stock is gone
}

TEST_CASE("a second backup into a used directory is refused", "[http][ops]") {
  TestShop shop;
  TempDir backups;
  REQUIRE(ops::backup(shop.app().db->path(), *shop.app().kv, backups.path() + "/b").ok());
  auto again = ops::backup(shop.app().db->path(), *shop.app().kv, backups.path() + "/b");
  REQUIRE_FALSE(again.ok());
  CHECK_THAT(again.status().message(), Catch::Contains("not empty"));
  auto r = shop.post("/api/v1/admin/backup", {{"dir", "relative/path"}}, shop.admin());
  CHECK(r.body["error"]["code"] == "invalid_request");
  CHECK(r.status == 400);
  CHECK(shop.post("/api/v1/admin/backup", json::object()).status == 401);
}

TEST_CASE("check finds a stock record that breaks 0 <= reserved <= total", "[http][ops]") {
  TestShop shop;
  auto cat = shop.create_category("Toys");
  auto id = std::stoll(shop.create_product({{"name", "Kite"}, {"category_id", cat}}, 4));
  auto clean = ops::run_checks(shop.app());
  INFO(json(clean.problems).dump());
  CHECK(clean.ok());
  CHECK(clean.stats["stock_records"] == 1);
  CHECK(shop.get("/api/v1/admin/check", shop.admin()).body["ok"] == true);

  // Inject a violation straight into LMDB: 6 reserved of 4.
  REQUIRE(shop.app()
              .kv
              ->write([&](WriteTxn& txn) {
                StockLevel bad;
                bad.total = 4;
                bad.reserved = 6;
                inventory_store::put(txn, *shop.app().kv, id, bad);
                return Status::Ok();
              })
              .ok());
  auto report = ops::run_checks(shop.app());
  REQUIRE(report.problems.size() == 1);
  CHECK_THAT(report.problems[0], Catch::Contains("variant " + std::to_string(id)) && Catch::Contains("exceeds total"));
  auto r = shop.get("/api/v1/admin/check", shop.admin());
  CHECK(r.body["ok"] == false);
  CHECK(r.body["problems"].size() == 1);
  CHECK(shop.get("/api/v1/admin/check").status == 401);
}

TEST_CASE("the admin backup route writes under storage.backup_dir when no dir is named", "[http][ops]") {
  TempDir backups;
  TestShop shop([&](Config& c) { c.backup_dir = backups.path() + "/nightly"; });
  auto cat = shop.create_category("Tea");
  shop.create_product({{"name", "Sencha"}, {"category_id", cat}}, 2);
  auto r = shop.post("/api/v1/admin/backup", json::object(), shop.admin());
  REQUIRE(r.status == 201);
  std::string dir = r.body["dir"];
  CHECK(dir.rfind(backups.path() + "/nightly/", 0) == 0);
  CHECK(dir.find(':') == std::string::npos);
  CHECK(ops::verify_backup(dir).ok());

  TestShop no_default;
  auto missing = no_default.post("/api/v1/admin/backup", json::object(), no_default.admin());
  CHECK(missing.status == 400);
  CHECK_THAT(missing.body["error"]["message"].get<std::string>(), Catch::Contains("backup_dir"));
}

TEST_CASE("restore refuses a backup kept inside the data directory it would replace", "[http][ops]") {
  TestShop shop;
  TempDir target;
  std::string data = target.path() + "/data";
  {
    auto app = open_dir(data);
    REQUIRE(ops::backup(app->db->path(), *app->kv, data + "/backups/b").ok());
  }
  auto r = ops::restore(data + "/backups/b", data, {true});
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("inside the data directory"));
  CHECK(fs::exists(data + "/backups/b/manifest.json"));
}
