#include "ops/check.h"

#include <sqlite3.h>

#include "app.h"
#include "catalog/catalog.h"
#include "flash/flash_sales.h"
#include "inventory/inventory.h"
#include "orders/orders.h"
#include "reviews/reviews.h"

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

CheckReport run_checks(App& app) {
  CheckReport report;
  check_sqlite(app, report.problems, report.stats);
  report.stats["stock_records"] = app.inventory->check_stored_levels(report.problems);
  // Services' own invariants (DESIGN.md): add a line per service that has
  // check_invariants(problems).
  app.inventory->check_invariants(report.problems, /*check_bounds=*/false);  // bounds: check_stored_levels
  app.orders->check_invariants(report.problems);
  app.reviews->check_invariants(report.problems);
  app.flash_sales->check_invariants(report.problems);
  return report;
}

}  // namespace shopbox::ops
