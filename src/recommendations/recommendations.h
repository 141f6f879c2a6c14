// Recommendations, computed from live data (no nightly batch):
//
//  * "also bought": product_pairs counts, for every two products, how many
//    orders held both. record_order() adds an order's pairs once
//    (recs_counted_orders makes it idempotent); it is called as orders are
//    placed, and sync_orders() catches up with any paid order not yet
//    counted (orders placed before this feature, or on a path that did not
//    call record_order), every few seconds from the background thread.
//  * "recently viewed": product views of signed-in users, buffered in memory
//    and written in one transaction per flush (a product page view never
//    waits for a disk sync).
//  * "similar": same category (then same brand), best rated first.
//  * personal: also-bought of the user's purchases, then the best of the
//    categories the user bought from or looked at, then best rated overall.
// Every list leaves out the product itself, out-of-stock products and,
// for a signed-in user, products the user already bought.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "catalog/product.h"
#include "config.h"
#include "inventory/stock.h"
#include "storage/sqlite.h"

namespace shopbox {

// The recommendations' tables (migration 403, src/recommendations/schema.cpp).
const std::vector<Migration>& recommendation_migrations();

class Catalog;

struct RecommendedProduct {
  Product product;
  ProductStock stock;
};

class Recommendations {
 public:
  // Stock is read through Catalog::stock (any variant in stock).
  Recommendations(Sqlite& db, Catalog& catalog);
  ~Recommendations();

  // Counts the pairs of an order's distinct products (once per order id).
  Status record_order(const std::string& order_id, const std::vector<int64_t>& product_ids);
  // Counts paid orders in the orders table not counted yet; returns how many.
  int sync_orders();

  // Buffers a product view of a signed-in user.
  void record_view(int64_t user_id, int64_t product_id);
  // Writes buffered views (the background thread does this every second).
  void flush_views();

  Result<std::vector<RecommendedProduct>> also_bought(int64_t product_id, int64_t viewer_user_id, int limit);
  Result<std::vector<RecommendedProduct>> similar(int64_t product_id, int64_t viewer_user_id, int limit);
  std::vector<RecommendedProduct> recently_viewed(int64_t user_id, int limit);
  std::vector<RecommendedProduct> personal(int64_t user_id, int limit);

  // Products the user has in paid (or later) orders.
  std::set<int64_t> purchased(int64_t user_id);

  void start();
  void stop();

 private:
  // Loads products by id (keeping order), dropping unknown, excluded and sold-out ones.
  std::vector<RecommendedProduct> usable(const std::vector<int64_t>& ids, const std::set<int64_t>& exclude, int limit);

  Sqlite& db_;
  Catalog& catalog_;

  std::mutex views_mu_;
  std::vector<std::pair<int64_t, int64_t>> views_;  // (user, product), oldest first
  int64_t last_view_stamp_ = 0;                     // guarded by the SQLite writer lock

  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

}  // namespace shopbox
