#include "ops/check.h"

#include <sqlite3.h>

#include "app.h"
#include "catalog/catalog.h"
#include "catalog/product_image.h"
#include "flash/flash_sales.h"
#include "inventory/inventory.h"
#include "ops/image_prune.h"
#include "orders/orders.h"
#include "pricing/pricing_service.h"
#include "reviews/reviews.h"

namespace shopbox::ops {
namespace {

// SQLite's own consistency checks: page structure and foreign keys.
void check_sqlite(App& app, std::vector<std::string>& problems, nlohmann::json& stats) {
  Status st = app.db->read([&](Connection& c) {
    for (auto& p : c.integrity_problems()) problems.push_back("sqlite: " + p);
    return Status::Ok();
  });
  if (!st.ok()) problems.push_back("sqlite: " + st.message());
  auto products = app.catalog->product_count();
  if (products.ok())
    stats["products"] = *products;
  else
    problems.push_back("catalog: cannot count products: " + products.status().message());
}

// Every stored file of an uploaded picture is present with the SHA-256
// recorded when it was written (catalog/product_image.h).
void check_uploaded_images(App& app, std::vector<std::string>& problems, nlohmann::json& stats) {
  auto found = shopbox::check_image_files(*app.db, app.config.data_dir + "/images");
  if (!found.ok()) {
    problems.push_back("images: cannot read the image files table: " + found.status().message());
    return;
  }
  for (const auto& p : *found) problems.push_back("images: " + p.file + " is " + p.problem);
  stats["image_file_problems"] = found->size();
  // Not a problem: pictures nothing shows any more (`shopbox images prune`).
  auto unused = find_unused_images(*app.db, app.config.data_dir + "/images", 0);
  if (unused.ok()) stats["unused_image_files"] = unused->files.size();
}

}  // namespace

CheckReport run_checks(App& app) {
  CheckReport report;
  check_sqlite(app, report.problems, report.stats);
  check_uploaded_images(app, report.problems, report.stats);
  report.stats["stock_records"] = app.inventory->check_stored_levels(report.problems);
  // Services' own invariants (DESIGN.md): add a line per service that has
  // check_invariants(problems).
  app.inventory->check_invariants(report.problems, /*check_bounds=*/false);  // bounds: check_stored_levels
  app.orders->check_invariants(report.problems);
  app.reviews->check_invariants(report.problems);
  app.flash_sales->check_invariants(report.problems);
  app.pricing->check_invariants(report.problems);  // discount uses within their limits
  return report;
}

}  // namespace shopbox::ops
