// Flash sales and their order ledger (800s).
// Schema migrations: never edit one that has shipped, add a new one
// (src/schema.h lists every module's and the version ranges).
#include "flash/flash_store.h"

namespace shopbox {

const std::vector<Migration>& flash_migrations() {
  static const std::vector<Migration> migrations = {
      {801, "flash_sales",
       R"sql(
-- Flash-sale definitions. The live counters, queue and permission tokens
-- live in LMDB (src/flash/flash_sales.h); orders made with a token here.
CREATE TABLE flash_sales (
  sale_id          INTEGER PRIMARY KEY,
  product_id       INTEGER NOT NULL REFERENCES products(product_id),
  sale_price_cents INTEGER NOT NULL CHECK (sale_price_cents >= 0),
  currency         TEXT NOT NULL,
  quantity         INTEGER NOT NULL CHECK (quantity > 0),
  per_user_limit   INTEGER NOT NULL CHECK (per_user_limit > 0),
  starts_at        INTEGER NOT NULL,
  ends_at          INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  created_by       TEXT NOT NULL DEFAULT '',
  CHECK (ends_at > starts_at)
);
CREATE INDEX idx_flash_sales_ends ON flash_sales(ends_at);

CREATE TABLE flash_orders (
  order_id          TEXT PRIMARY KEY,
  sale_id           INTEGER NOT NULL REFERENCES flash_sales(sale_id),
  user_id           INTEGER NOT NULL,
  product_id        INTEGER NOT NULL,
  product_name      TEXT NOT NULL,
  quantity          INTEGER NOT NULL CHECK (quantity > 0),
  unit_price_cents  INTEGER NOT NULL,
  subtotal_cents    INTEGER NOT NULL,
  tax_cents         INTEGER NOT NULL,
  shipping_cents    INTEGER NOT NULL,
  total_cents       INTEGER NOT NULL,
  currency          TEXT NOT NULL,
  status            TEXT NOT NULL,
  token             TEXT NOT NULL UNIQUE,        -- a permission token buys once
  charge_id         TEXT NOT NULL,
  brand             TEXT NOT NULL DEFAULT '',
  last4             TEXT NOT NULL DEFAULT '',
  shipping_address  TEXT NOT NULL,
  created_at        INTEGER NOT NULL
);
CREATE INDEX idx_flash_orders_sale_user ON flash_orders(sale_id, user_id);
)sql"},
      {802, "flash sales sell a variant",
       R"sql(
-- Sales made before variants existed sold their product's only variant,
-- whose id is the product's (catalog migration 103).
ALTER TABLE flash_sales ADD COLUMN variant_id INTEGER NOT NULL DEFAULT 0;
UPDATE flash_sales SET variant_id = product_id;
)sql"},
  };
  return migrations;
}

}  // namespace shopbox
