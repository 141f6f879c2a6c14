// Recently viewed and order co-occurrence (403).
// Schema migrations: never edit one that has shipped, add a new one
// (src/schema.h lists every module's and the version ranges).
#include "recommendations/recommendations.h"

namespace shopbox {

const std::vector<Migration>& recommendation_migrations() {
  static const std::vector<Migration> migrations = {
      {403, "recommendations",
       R"sql(
-- "Also bought": how many orders held both products (stored both ways).
CREATE TABLE product_pairs (
  product_id       INTEGER NOT NULL,
  other_product_id INTEGER NOT NULL,
  orders           INTEGER NOT NULL,
  PRIMARY KEY (product_id, other_product_id)
) WITHOUT ROWID;
CREATE INDEX idx_product_pairs_rank ON product_pairs(product_id, orders DESC);

-- Orders already counted into product_pairs (counting is idempotent).
CREATE TABLE recs_counted_orders (
  order_id   TEXT PRIMARY KEY,
  counted_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Recently viewed products of signed-in users.
CREATE TABLE recently_viewed (
  user_id    INTEGER NOT NULL,
  product_id INTEGER NOT NULL,
  viewed_at  INTEGER NOT NULL,                 -- Unix microseconds, strictly increasing
  PRIMARY KEY (user_id, product_id)
);
CREATE INDEX idx_recently_viewed_user ON recently_viewed(user_id, viewed_at DESC);
)sql"},
  };
  return migrations;
}

}  // namespace shopbox
