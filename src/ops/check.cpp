#include "ops/check.h"

#include <sqlite3.h>

#include "app.h"
#include "catalog/catalog.h"
#include "flash/flash_sales.h"
#include "inventory/inventory.h"
#include "orders/orders.h"
#include "reviews/reviews.h"
#include "storage/inventory_store.h"

namespace shopbox::ops {
namespace {

// SQLite's own consistency checks: page structure and foreign keys.
void check_sqlite(App& app, std::vector<std::string>& problems, nlohmann::json& stats) {
  Status st = app.db->read([&](Connection& c) {
    {
      auto q = c.prepare("PRAGMA quick_check");
      while (q.step()) {
        std::string line = q.text(0);
        if (line != "ok") problems.push_back("sqlite: " + line);
      }
    }
    {
      auto q = c.prepare("PRAGMA foreign_key_check");
      while (q.step())
        problems.push_back("sqlite: row " + std::to_string(q.int64(1)) + " of table " + q.text(0) +
                           " references a missing row of " + q.text(2));
    }
    {
      auto q = c.prepare("SELECT COUNT(*) FROM products");
      if (q.step()) stats["products"] = q.int64(0);
    }
    return Status::Ok();
  });
  if (!st.ok()) problems.push_back("sqlite: " + st.message());
}

}  // namespace

int64_t check_stock(App& app, std::vector<std::string>& problems) {
  int64_t n = 0;
  try {
    ReadTxn txn(*app.kv);
    txn.scan(app.kv->db("stock"), "", [&](std::string_view key, std::string_view value) {
      ++n;
      if (key.size() != 8 || value.size() < 16) {
        problems.push_back("stock: malformed record (key " + std::to_string(key.size()) + " bytes, value " +
                           std::to_string(value.size()) + " bytes)");
        return true;
      }
      int64_t product = static_cast<int64_t>(decode_u64_key(key));
      auto level = inventory_store::get(txn, *app.kv, product);
      if (!level) return true;
      std::string who = "stock: product " + std::to_string(product) + ": ";
      if (level->total < 0) problems.push_back(who + "total " + std::to_string(level->total) + " is negative");
      if (level->reserved < 0) problems.push_back(who + "reserved " + std::to_string(level->reserved) + " is negative");
      if (level->reserved > level->total)
        problems.push_back(who + "reserved " + std::to_string(level->reserved) + " exceeds total " +
                           std::to_string(level->total) + " (available " + std::to_string(level->available()) +
                           " < 0)");
      return true;
    });
  } catch (const std::exception& e) {
    problems.push_back(std::string("lmdb: ") + e.what());
  }
  return n;
}

CheckReport run_checks(App& app) {
  CheckReport report;
  check_sqlite(app, report.problems, report.stats);
  report.stats["stock_records"] = check_stock(app, report.problems);
  // Services' own invariants (DESIGN.md): add a line per service that has
  // check_invariants(problems).
  app.inventory->check_invariants(report.problems, /*check_bounds=*/false);  // bounds: check_stock
  app.orders->check_invariants(report.problems);
  app.reviews->check_invariants(report.problems);
  app.flash_sales->check_invariants(report.problems);
  return report;
}

}  // namespace shopbox::ops
