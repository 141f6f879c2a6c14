// The catalog: categories and products (100s).
// Schema migrations: never edit one that has shipped, add a new one
// (src/schema.h lists every module's and the version ranges).
#include "catalog/catalog_store.h"

namespace shopbox {

const std::vector<Migration>& catalog_migrations() {
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
      {102, "catalog browse indexes",
       R"sql(
-- Indexes whose order matches each browse sort (catalog_store::list_products),
-- so a page is read in index order instead of sorting the whole catalog.
CREATE INDEX idx_products_rating ON products(
  (CASE WHEN rating_count = 0 THEN 0 ELSE CAST(rating_sum AS REAL) / rating_count END) DESC,
  rating_count DESC, product_id DESC);
CREATE INDEX idx_products_name ON products(name COLLATE NOCASE, product_id);
-- Cover every browse filter and most sort keys, so counting and ordering a
-- filtered selection reads only the index; rows are read for one page.
CREATE INDEX idx_products_browse ON products(category_id, final_price_cents, rating_count, rating_sum, brand, created_at, name COLLATE NOCASE);
CREATE INDEX idx_products_brand_filters ON products(brand, category_id, final_price_cents, rating_count, rating_sum, created_at, name COLLATE NOCASE);
)sql"},
      {103, "product options and variants",
       R"sql(
-- A product's options (Size: S, M, L), at most three, in order.
CREATE TABLE product_options (
  product_id    INTEGER NOT NULL REFERENCES products(product_id) ON DELETE CASCADE,
  position      INTEGER NOT NULL,                 -- 0, 1, 2: option1..option3 of its variants
  name          TEXT NOT NULL,
  option_values TEXT NOT NULL,                    -- JSON array of strings, in the merchant's order
  PRIMARY KEY (product_id, position)
);

-- What is bought and stocked. AUTOINCREMENT: a variant id is never reused
-- (stock, reservations and order lines name it), and a new product takes
-- the next id of this sequence for itself and its first variant
-- (catalog_store::insert_product), so product and variant ids never meet
-- a stale stock record.
CREATE TABLE variants (
  variant_id       INTEGER PRIMARY KEY AUTOINCREMENT,
  product_id       INTEGER NOT NULL REFERENCES products(product_id) ON DELETE CASCADE,
  position         INTEGER NOT NULL DEFAULT 0,
  sku              TEXT NOT NULL UNIQUE,
  option1          TEXT NOT NULL DEFAULT '',      -- '' when the product has fewer options
  option2          TEXT NOT NULL DEFAULT '',
  option3          TEXT NOT NULL DEFAULT '',
  price_cents      INTEGER NOT NULL CHECK (price_cents >= 0),
  sale_price_cents INTEGER CHECK (sale_price_cents >= 0),
  barcode          TEXT NOT NULL DEFAULT '',
  weight_grams     INTEGER,
  image_url        TEXT NOT NULL DEFAULT '',
  CHECK (sale_price_cents IS NULL OR sale_price_cents <= price_cents),
  UNIQUE (product_id, option1, option2, option3)
);
CREATE INDEX idx_variants_product ON variants(product_id, position);
CREATE INDEX idx_variants_barcode ON variants(barcode) WHERE barcode <> '';

-- Every existing product becomes a one-variant product whose variant has
-- the product's id, SKU, prices and weight: stock, reservations, carts,
-- flash sales and order lines keyed by product id now name that variant.
INSERT INTO variants(variant_id, product_id, position, sku, price_cents, sale_price_cents, weight_grams)
  SELECT product_id, product_id, 0, sku, price_cents, sale_price_cents, weight_grams FROM products;

-- The highest variant final price, when above the product's (lowest) one.
ALTER TABLE products ADD COLUMN price_max_cents INTEGER;
)sql"},
      {104, "uploaded product images",
       R"sql(
-- One row per stored file of an uploaded picture (catalog/product_image.h):
-- image_key is the SHA-256 of the uploaded bytes, so the same upload is
-- stored once; file_sha256 is the stored file's own, so `shopbox check`
-- finds a damaged file. Products point at a file by its address
-- (/images/<key>-<width>.webp) in product_images.url.
CREATE TABLE image_files (
  image_key     TEXT NOT NULL,
  width         INTEGER NOT NULL CHECK (width > 0),
  height        INTEGER NOT NULL CHECK (height > 0),
  bytes         INTEGER NOT NULL,
  file_sha256   TEXT NOT NULL,
  source_format TEXT NOT NULL CHECK (source_format IN ('jpeg', 'png', 'webp')),
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (image_key, width)
) WITHOUT ROWID;
)sql"},
       {110, "product status: draft, active, archived",
        R"sql(
-- Every product stored before statuses existed was on sale: active.
ALTER TABLE products ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
  CHECK (status IN ('draft', 'active', 'archived'));
-- Shoppers' queries keep status = 'active'; the few products that are not
-- (drafts being prepared, archived ones) are found through this small
-- index, and the admin's per-status counts read it.
CREATE INDEX idx_products_not_active ON products(status, product_id) WHERE status <> 'active';
)sql"},
  };
  return migrations;
}

}  // namespace shopbox
