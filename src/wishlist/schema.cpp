// Wishlists and their notifications (402).
// Schema migrations: never edit one that has shipped, add a new one
// (src/schema.h lists every module's and the version ranges).
#include "wishlist/wishlist.h"

namespace shopbox {

const std::vector<Migration>& wishlist_migrations() {
  static const std::vector<Migration> migrations = {
      {402, "wishlist",
       R"sql(
-- Wishlists: the price and stock seen when the item was added (or last
-- notified) let price drops and restocks be detected.
CREATE TABLE wishlist_items (
  user_id           INTEGER NOT NULL,
  product_id        INTEGER NOT NULL REFERENCES products(product_id) ON DELETE CASCADE,
  added_at          INTEGER NOT NULL,
  seen_price_cents  INTEGER NOT NULL,
  seen_in_stock     INTEGER NOT NULL,
  PRIMARY KEY (user_id, product_id)
);
CREATE INDEX idx_wishlist_product ON wishlist_items(product_id);

-- Notifications for a user (wishlist back-in-stock / price-drop events).
CREATE TABLE notifications (
  notification_id INTEGER PRIMARY KEY,
  user_id         INTEGER NOT NULL,
  kind            TEXT NOT NULL,
  product_id      INTEGER,
  payload         TEXT NOT NULL DEFAULT '{}',
  created_at      INTEGER NOT NULL,
  read_at         INTEGER
);
CREATE INDEX idx_notifications_user ON notifications(user_id, notification_id);
)sql"},
  };
  return migrations;
}

}  // namespace shopbox
