// Reviews (401).
// Schema migrations: never edit one that has shipped, add a new one
// (src/schema.h lists every module's and the version ranges).
#include "reviews/review_store.h"

namespace shopbox {

const std::vector<Migration>& review_migrations() {
  static const std::vector<Migration> migrations = {
      {401, "reviews",
       R"sql(
-- Product reviews: one per user and product. Hidden (moderated) reviews stay
-- stored but do not count in products.rating_sum/rating_count.
CREATE TABLE reviews (
  review_id         INTEGER PRIMARY KEY,
  product_id        INTEGER NOT NULL REFERENCES products(product_id) ON DELETE CASCADE,
  user_id           INTEGER NOT NULL,
  rating            INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
  title             TEXT NOT NULL DEFAULT '',
  body              TEXT NOT NULL DEFAULT '',
  verified_purchase INTEGER NOT NULL DEFAULT 0,
  helpful_count     INTEGER NOT NULL DEFAULT 0,
  hidden            INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  UNIQUE (product_id, user_id)
);
CREATE INDEX idx_reviews_product_created ON reviews(product_id, hidden, created_at);
CREATE INDEX idx_reviews_user ON reviews(user_id);

CREATE TABLE review_votes (
  review_id  INTEGER NOT NULL REFERENCES reviews(review_id) ON DELETE CASCADE,
  user_id    INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (review_id, user_id)
);
)sql"},
  };
  return migrations;
}

}  // namespace shopbox
