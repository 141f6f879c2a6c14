// The catalog's side of catalog replication (src/cluster/): a catalog row as
// the snapshot the primary publishes, and a replica applying one. The
// cluster module moves the snapshots between shards and keeps the versions;
// what a product or category row looks like stays here. Every function runs
// inside the caller's SQLite transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"
#include "catalog/product.h"
#include "storage/sqlite.h"

namespace shopbox {

// Feed payloads: the JSON snapshot of a product or category.
nlohmann::json product_snapshot(const Product& p);
nlohmann::json category_snapshot(const Category& c);

struct CatalogRowSnapshot {
  std::string entity;  // "product" | "category"
  int64_t id = 0;
  std::optional<std::string> payload;  // the row's snapshot; nullopt: the row is gone (a delete)
};

// The row a change touched, as it is now.
CatalogRowSnapshot catalog_snapshot(Connection& c, const CatalogChange& change);
// Every category (parents before children), then every product.
void for_each_catalog_snapshot(Connection& c, const std::function<void(const CatalogRowSnapshot&)>& fn);

// One change from the feed ({entity, op, id, data}) applied to this shard's
// rows. Replaying a snapshot gives the same rows, so it is idempotent; a
// product keeps this shard's own ratings (they come from its reviews).
// Appends what changed to `notes` (the search index and caches follow).
[[nodiscard]] Status apply_catalog_change(Connection& c, const nlohmann::json& change,
                                          std::vector<CatalogChange>& notes);

}  // namespace shopbox
