#include "app.h"

#include <filesystem>

#include "catalog/catalog.h"
#include "inventory/inventory.h"
#include "storage/inventory_store.h"

namespace shopbox {

Result<std::unique_ptr<App>> App::open(const Config& config) {
  std::unique_ptr<App> app(new App());
  app->config = config;
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Status::Invalid("cannot create data dir " + config.data_dir + ": " + ec.message());

  auto db = Sqlite::open(config.data_dir + "/shop.db", all_migrations(), config.sqlite_synchronous);
  if (!db.ok()) return db.status();
  app->db = std::move(db.value());

  std::vector<std::string> kv_dbs = kInventoryDbs;
  auto kv = Lmdb::open(config.data_dir + "/kv", config.lmdb_map_size_mb * 1024 * 1024, kv_dbs);
  if (!kv.ok()) return kv.status();
  app->kv = std::move(kv.value());

  app->inventory = std::make_unique<Inventory>(*app->kv, app->config);
  app->catalog = std::make_unique<Catalog>(*app->db, *app->inventory, app->config);
  return app;
}

Status App::recover() { return Status::Ok(); }

App::~App() = default;

}  // namespace shopbox
