// Numbered schema migrations, applied in order at start-up (Sqlite::open).
//
// Rules: never edit a migration that has shipped; add a new one. Version
// ranges per area keep parallel work from colliding:
//   100s catalog · 200s users/auth · 300s orders/payments · 400s reviews,
//   wishlist, recommendations · 500s outbox/webhooks · 600s search queue ·
//   700s cluster/replication · 800s flash sales
#include "storage/sqlite.h"

namespace shopbox {

const std::vector<Migration>& all_migrations() {
  static const std::vector<Migration> migrations = {
      {101, "catalog",
       R"sql(
CREATE TABLE categories (
  category_id INTEGER PRIMARY KEY,
  parent_id   INTEGER REFERENCES categories(category_id) ON DELETE RESTRICT,
  name        TEXT NOT NULL,
  slug        TEXT NOT NULL UNIQUE,
  level       INTEGER NOT NULL DEFAULT 0,       -- 0 for a root
  path        TEXT NOT NULL,                    -- "Electronics/Audio/Headphones"
  position    INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL
);
CREATE INDEX idx_categories_parent ON categories(parent_id);
CREATE INDEX idx_categories_path ON categories(path);

CREATE TABLE products (
  product_id        INTEGER PRIMARY KEY,
  sku               TEXT NOT NULL UNIQUE,
  name              TEXT NOT NULL,
  slug              TEXT NOT NULL UNIQUE,
  description       TEXT NOT NULL DEFAULT '',
  brand             TEXT NOT NULL DEFAULT '',
  category_id       INTEGER REFERENCES categories(category_id) ON DELETE SET NULL,
  price_cents       INTEGER NOT NULL CHECK (price_cents >= 0),          -- list price
  sale_price_cents  INTEGER CHECK (sale_price_cents >= 0),              -- NULL: no discount
  final_price_cents INTEGER GENERATED ALWAYS AS (COALESCE(sale_price_cents, price_cents)) STORED,
  currency          TEXT NOT NULL DEFAULT 'USD',
  specs             TEXT NOT NULL DEFAULT '{}',   -- JSON object
  weight_grams      INTEGER,
  rating_sum        INTEGER NOT NULL DEFAULT 0,   -- exact: average = sum / count
  rating_count      INTEGER NOT NULL DEFAULT 0,
  featured          INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  CHECK (sale_price_cents IS NULL OR sale_price_cents <= price_cents)
);
CREATE INDEX idx_products_category ON products(category_id, final_price_cents);
CREATE INDEX idx_products_brand ON products(brand);
CREATE INDEX idx_products_price ON products(final_price_cents, product_id);
CREATE INDEX idx_products_created ON products(created_at, product_id);

CREATE TABLE product_images (
  image_id      INTEGER PRIMARY KEY,
  product_id    INTEGER NOT NULL REFERENCES products(product_id) ON DELETE CASCADE,
  url           TEXT NOT NULL,
  alt_text      TEXT NOT NULL DEFAULT '',
  display_order INTEGER NOT NULL DEFAULT 0,
  is_primary    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX idx_product_images_product ON product_images(product_id, display_order);

-- Admin API tokens: only the SHA-256 of the token is stored.
CREATE TABLE api_tokens (
  token_id    INTEGER PRIMARY KEY,
  token_hash  TEXT NOT NULL UNIQUE,
  role        TEXT NOT NULL,
  label       TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  revoked_at  INTEGER
);
)sql"},
  };
  return migrations;
}

}  // namespace shopbox
