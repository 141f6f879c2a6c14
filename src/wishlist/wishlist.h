// Wishlists and the notifications they produce.
//
// Each wished item remembers the price and stock state the user last saw
// (when added, or when last notified). check_product() compares them with
// the product now and, in one SQLite transaction, records a
// `wishlist.price_drop` (final price below the seen price) or
// `wishlist.back_in_stock` (available again after being sold out)
// notification for every user wishing for it, and moves the seen state on,
// so each event is recorded once. The same transaction appends the
// notification as an outbox event of the same name (with user_id), which
// the email module mails.
//
// Price changes are seen at once through the catalog's change listener;
// stock changes (restocks, released reservations) by a watcher thread that
// checks every wished product every wishlist.watch_seconds. Notifications
// are listed at GET /api/v1/me/notifications.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "catalog/product.h"
#include "config.h"
#include "inventory/stock.h"
#include "storage/sqlite.h"

namespace shopbox {

// The wishlists' tables (migration 402, src/wishlist/schema.cpp).
const std::vector<Migration>& wishlist_migrations();

class Catalog;

struct WishlistItem {
  Product product;
  ProductStock stock;
  int64_t added_at = 0;
  Cents seen_price = 0;
};

struct Notification {
  int64_t id = 0;
  std::string kind;  // wishlist.price_drop, wishlist.back_in_stock
  std::optional<int64_t> product_id;
  nlohmann::json data = nlohmann::json::object();
  int64_t created_at = 0;
  std::optional<int64_t> read_at;
};

class Wishlist {
 public:
  // Stock is read through Catalog::stock (any variant in stock).
  Wishlist(Sqlite& db, Catalog& catalog, const Config& config);
  ~Wishlist();

  // Newest first.
  Result<std::vector<WishlistItem>> list(int64_t user_id, int page, int size, int64_t* total);
  // Adds a product (true) or finds it already there (false). 404 for an unknown product.
  Result<bool> add(int64_t user_id, int64_t product_id);
  // 404 when the product is not on the user's wishlist.
  Status remove(int64_t user_id, int64_t product_id);
  bool contains(int64_t user_id, int64_t product_id);

  // Compares one product with what its wishers saw; records events. Returns
  // how many notifications were written.
  int check_product(int64_t product_id);
  // check_product() for every wished product (the watcher's pass).
  int scan();

  std::vector<Notification> notifications(int64_t user_id, int page, int size, int64_t* total, int64_t* unread);
  // Marks the user's notifications read (all, or those up to `up_to_id`).
  int mark_read(int64_t user_id, std::optional<int64_t> up_to_id);

  void start_watcher();
  void stop_watcher();

 private:
  Sqlite& db_;
  Catalog& catalog_;
  const Config& config_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

}  // namespace shopbox
