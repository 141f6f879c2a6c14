// Wishlists and their notifications, in SQLite (tables wishlist_items and
// notifications, migration 402, src/wishlist/schema.cpp). Plain rows in and
// out; what is worth a notification lives in src/wishlist/wishlist.cpp.
// Every function runs inside the caller's db.read / db.write transaction.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/money.h"
#include "storage/sqlite.h"
#include "wishlist/wishlist.h"

namespace shopbox {

// One product on a user's wishlist, as stored.
struct WishedProduct {
  int64_t product_id = 0;
  int64_t added_at = 0;
  Cents seen_price = 0;
};

// One user wishing for a product, and what that user last saw of it.
struct Wisher {
  int64_t user_id = 0;
  Cents seen_price = 0;
  bool seen_in_stock = false;
};

struct NotificationCounts {
  int64_t total = 0;
  int64_t unread = 0;
};

namespace wishlist_store {

// How many products the user wishes for.
int64_t count_wished(Connection& c, int64_t user_id);
// One page (1-based) of the user's wishlist, newest first.
std::vector<WishedProduct> wished_page(Connection& c, int64_t user_id, int page, int size);
// Adds the product with what the user sees now; false when it was already there.
bool add(Connection& c, int64_t user_id, int64_t product_id, Cents seen_price, bool in_stock, int64_t now);
// False when the product was not on the user's wishlist.
bool remove(Connection& c, int64_t user_id, int64_t product_id);
bool contains(Connection& c, int64_t user_id, int64_t product_id);

// Whether anybody wishes for the product.
bool is_wished(Connection& c, int64_t product_id);
// Every product on somebody's wishlist.
std::vector<int64_t> wished_products(Connection& c);
std::vector<Wisher> wishers(Connection& c, int64_t product_id);
// Moves what the user has seen of the product on.
void set_seen(Connection& c, int64_t user_id, int64_t product_id, Cents seen_price, bool in_stock);

void add_notification(Connection& c, int64_t user_id, const std::string& kind, int64_t product_id,
                      const nlohmann::json& data, int64_t now);
// nullopt only if the count could not be read at all.
std::optional<NotificationCounts> count_notifications(Connection& c, int64_t user_id);
// One page (1-based) of the user's notifications, newest first.
std::vector<Notification> notifications_page(Connection& c, int64_t user_id, int page, int size);
// Marks the user's unread notifications (all, or those up to `up_to_id`)
// read at `now`; returns how many.
int mark_read(Connection& c, int64_t user_id, std::optional<int64_t> up_to_id, int64_t now);

}  // namespace wishlist_store
}  // namespace shopbox
