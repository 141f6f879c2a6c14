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
      {201, "users",
       R"sql(
-- Accounts. email is unique case-insensitively (COLLATE NOCASE on the
-- column makes both the index and every lookup fold ASCII case).
CREATE TABLE users (
  user_id        INTEGER PRIMARY KEY,
  email          TEXT NOT NULL COLLATE NOCASE UNIQUE,
  password_hash  TEXT NOT NULL,                   -- "scrypt$ln=..$r=..$p=..$<salt>$<hash>"
  first_name     TEXT NOT NULL DEFAULT '',
  last_name      TEXT NOT NULL DEFAULT '',
  phone          TEXT,
  preferences    TEXT NOT NULL DEFAULT '{}',      -- JSON object
  role           TEXT NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'admin')),
  email_verified INTEGER NOT NULL DEFAULT 0,
  account_status TEXT NOT NULL DEFAULT 'active' CHECK (account_status IN ('active', 'disabled')),
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  last_login     INTEGER
);

-- Sessions: only the SHA-256 of the 256-bit token is stored.
CREATE TABLE sessions (
  session_id  INTEGER PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  token_hash  TEXT NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  revoked_at  INTEGER,
  ip          TEXT NOT NULL DEFAULT '',
  user_agent  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_sessions_user ON sessions(user_id);
CREATE INDEX idx_sessions_expires ON sessions(expires_at);

CREATE TABLE user_addresses (
  address_id          INTEGER PRIMARY KEY,
  user_id             INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  name                TEXT NOT NULL,
  street              TEXT NOT NULL,
  city                TEXT NOT NULL,
  state               TEXT NOT NULL DEFAULT '',
  zip                 TEXT NOT NULL DEFAULT '',
  country             TEXT NOT NULL CHECK (length(country) = 2),
  phone               TEXT,
  address_type        TEXT NOT NULL DEFAULT 'both' CHECK (address_type IN ('shipping', 'billing', 'both')),
  is_default_shipping INTEGER NOT NULL DEFAULT 0,
  is_default_billing  INTEGER NOT NULL DEFAULT 0,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL
);
CREATE INDEX idx_user_addresses_user ON user_addresses(user_id);
CREATE UNIQUE INDEX idx_user_addresses_default_shipping ON user_addresses(user_id) WHERE is_default_shipping = 1;
CREATE UNIQUE INDEX idx_user_addresses_default_billing ON user_addresses(user_id) WHERE is_default_billing = 1;

-- Tokenized payment methods: never a card number, only the gateway's token
-- and what a shopper needs to recognise the card.
CREATE TABLE payment_methods (
  payment_method_id INTEGER PRIMARY KEY,
  user_id           INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
  method_type       TEXT NOT NULL DEFAULT 'card',
  payment_token     TEXT NOT NULL,
  last_four         TEXT NOT NULL CHECK (length(last_four) = 4),
  brand             TEXT NOT NULL,
  expiry_month      INTEGER NOT NULL CHECK (expiry_month BETWEEN 1 AND 12),
  expiry_year       INTEGER NOT NULL,
  is_default        INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL
);
CREATE INDEX idx_payment_methods_user ON payment_methods(user_id);
CREATE UNIQUE INDEX idx_payment_methods_default ON payment_methods(user_id) WHERE is_default = 1;
)sql"},
      {301, "test_gateway",
       R"sql(
-- The built-in test payment gateway's own records (what a processor keeps on
-- its side). Never a card number: token, brand, last four, expiry only.
CREATE TABLE gw_tokens (
  token       TEXT PRIMARY KEY,
  brand       TEXT NOT NULL,
  last4       TEXT NOT NULL,
  exp_month   INTEGER NOT NULL,
  exp_year    INTEGER NOT NULL,
  behaviour   TEXT NOT NULL,          -- approve, card_declined, insufficient_funds, gateway_error
  created_at  INTEGER NOT NULL
);
CREATE TABLE gw_charges (
  charge_id       TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  source_type     TEXT NOT NULL,      -- card | wallet
  token           TEXT NOT NULL DEFAULT '',
  wallet          TEXT NOT NULL DEFAULT '',
  amount          INTEGER NOT NULL,
  captured        INTEGER NOT NULL DEFAULT 0,
  refunded        INTEGER NOT NULL DEFAULT 0,
  currency        TEXT NOT NULL,
  status          TEXT NOT NULL,      -- authorized, captured, partially_refunded, refunded, voided, failed
  failure_code    TEXT NOT NULL DEFAULT '',
  method_type     TEXT NOT NULL,
  brand           TEXT NOT NULL DEFAULT '',
  last4           TEXT NOT NULL DEFAULT '',
  capture_key     TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  CHECK (refunded <= captured AND captured <= amount)
);
CREATE TABLE gw_refunds (
  refund_id       TEXT PRIMARY KEY,
  charge_id       TEXT NOT NULL REFERENCES gw_charges(charge_id),
  idempotency_key TEXT NOT NULL UNIQUE,
  amount          INTEGER NOT NULL CHECK (amount > 0),
  status          TEXT NOT NULL,
  created_at      INTEGER NOT NULL
);
CREATE INDEX idx_gw_refunds_charge ON gw_refunds(charge_id);
)sql"},
      {302, "orders",
       R"sql(
-- Orders: money in integer cents; addresses and the payment method summary
-- (type, brand, last4: never a card number) denormalised as JSON so an order
-- never changes when the user edits their address book.
CREATE TABLE orders (
  order_id           TEXT PRIMARY KEY,            -- "ord_<shard>_<hex>"
  user_id            INTEGER NOT NULL,
  status             TEXT NOT NULL,               -- pending, paid, shipped, delivered, cancelled, refunded, partially_refunded
  subtotal_cents     INTEGER NOT NULL,
  discount_cents     INTEGER NOT NULL DEFAULT 0,
  tax_cents          INTEGER NOT NULL,
  shipping_cents     INTEGER NOT NULL,
  total_cents        INTEGER NOT NULL,
  refunded_cents     INTEGER NOT NULL DEFAULT 0,
  currency           TEXT NOT NULL,
  shipping_address   TEXT NOT NULL,
  billing_address    TEXT NOT NULL,
  payment_method     TEXT NOT NULL,               -- {"type","brand","last4","wallet"}
  reservation_id     TEXT NOT NULL UNIQUE,
  idempotency_key    TEXT NOT NULL UNIQUE,        -- "<user_id>:<Idempotency-Key>"
  shard              TEXT NOT NULL,
  client_ip          TEXT NOT NULL DEFAULT '',
  card_fingerprint   TEXT NOT NULL DEFAULT '',    -- brand:last4:exp (velocity checks)
  estimated_delivery INTEGER,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  paid_at            INTEGER,
  shipped_at         INTEGER,
  delivered_at       INTEGER,
  cancelled_at       INTEGER,
  CHECK (refunded_cents >= 0 AND refunded_cents <= total_cents)
);
CREATE INDEX idx_orders_user ON orders(user_id, created_at DESC);
CREATE INDEX idx_orders_status ON orders(status, created_at DESC);
CREATE INDEX idx_orders_ip ON orders(client_ip, created_at);
CREATE INDEX idx_orders_card ON orders(card_fingerprint, created_at);

CREATE TABLE order_items (
  order_item_id     INTEGER PRIMARY KEY,
  order_id          TEXT NOT NULL REFERENCES orders(order_id),
  product_id        INTEGER NOT NULL,
  product_name      TEXT NOT NULL,
  product_image     TEXT NOT NULL DEFAULT '',
  sku               TEXT NOT NULL DEFAULT '',
  quantity          INTEGER NOT NULL CHECK (quantity > 0),
  unit_price_cents  INTEGER NOT NULL,
  subtotal_cents    INTEGER NOT NULL,
  refunded_quantity INTEGER NOT NULL DEFAULT 0,
  returned_quantity INTEGER NOT NULL DEFAULT 0,   -- requested or approved returns
  restocked_quantity INTEGER NOT NULL DEFAULT 0,
  CHECK (refunded_quantity <= quantity AND returned_quantity <= quantity AND restocked_quantity <= quantity)
);
CREATE INDEX idx_order_items_order ON order_items(order_id);
CREATE INDEX idx_order_items_product ON order_items(product_id);

-- Every order status change (the order's history).
CREATE TABLE order_events (
  event_id    INTEGER PRIMARY KEY,
  order_id    TEXT NOT NULL,
  from_status TEXT NOT NULL,
  to_status   TEXT NOT NULL,
  actor       TEXT NOT NULL,
  note        TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL
);
CREATE INDEX idx_order_events_order ON order_events(order_id, event_id);

-- Money movements: one 'charge' per order, one 'refund' per refund.
CREATE TABLE payment_transactions (
  transaction_id          TEXT PRIMARY KEY,      -- "txn_<hex>"
  order_id                TEXT NOT NULL,
  kind                    TEXT NOT NULL,         -- charge | refund
  payment_method          TEXT NOT NULL,         -- card | wallet
  payment_provider        TEXT NOT NULL,         -- gateway name
  provider_transaction_id TEXT NOT NULL,         -- gateway charge or refund id
  amount_cents            INTEGER NOT NULL,
  currency                TEXT NOT NULL,
  status                  TEXT NOT NULL,         -- pending, completed, failed, partially_refunded, refunded
  idempotency_key         TEXT NOT NULL UNIQUE,
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL
);
CREATE INDEX idx_payment_transactions_order ON payment_transactions(order_id);
CREATE INDEX idx_payment_transactions_provider ON payment_transactions(provider_transaction_id);
-- Every payment transaction state change.
CREATE TABLE payment_events (
  event_id       INTEGER PRIMARY KEY,
  transaction_id TEXT NOT NULL,
  from_status    TEXT NOT NULL,
  to_status      TEXT NOT NULL,
  amount_cents   INTEGER NOT NULL,
  note           TEXT NOT NULL DEFAULT '',
  created_at     INTEGER NOT NULL
);
CREATE INDEX idx_payment_events_txn ON payment_events(transaction_id);

CREATE TABLE refunds (
  refund_id          TEXT PRIMARY KEY,           -- "rf_<hex>", also the gateway idempotency key
  order_id           TEXT NOT NULL,
  amount_cents       INTEGER NOT NULL CHECK (amount_cents > 0),
  lines              TEXT NOT NULL DEFAULT '[]', -- [{product_id, quantity}]
  restock            INTEGER NOT NULL DEFAULT 0,
  restocked          INTEGER NOT NULL DEFAULT 0,
  reason             TEXT NOT NULL DEFAULT '',
  status             TEXT NOT NULL,              -- pending, succeeded, failed
  provider_refund_id TEXT NOT NULL DEFAULT '',
  actor              TEXT NOT NULL,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
CREATE INDEX idx_refunds_order ON refunds(order_id);
CREATE INDEX idx_refunds_status ON refunds(status);

CREATE TABLE shipments (
  shipment_id     INTEGER PRIMARY KEY,
  order_id        TEXT NOT NULL,
  carrier         TEXT NOT NULL,
  tracking_number TEXT NOT NULL,
  status          TEXT NOT NULL,                  -- shipped, delivered
  shipped_at      INTEGER NOT NULL,
  delivered_at    INTEGER
);
CREATE INDEX idx_shipments_order ON shipments(order_id);
CREATE TABLE tracking_events (
  event_id    INTEGER PRIMARY KEY,
  shipment_id INTEGER NOT NULL REFERENCES shipments(shipment_id),
  status      TEXT NOT NULL,
  location    TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  occurred_at INTEGER NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX idx_tracking_events_shipment ON tracking_events(shipment_id, occurred_at);

CREATE TABLE returns (
  return_id  INTEGER PRIMARY KEY,
  order_id   TEXT NOT NULL,
  user_id    INTEGER NOT NULL,
  lines      TEXT NOT NULL,                       -- [{product_id, quantity}]
  reason     TEXT NOT NULL DEFAULT '',
  status     TEXT NOT NULL,                       -- requested, approved, rejected
  refund_id  TEXT,
  created_at INTEGER NOT NULL,
  decided_at INTEGER
);
CREATE INDEX idx_returns_order ON returns(order_id);
CREATE INDEX idx_returns_status ON returns(status, created_at);

-- Idempotency-Key records (kept >= 24 h): the first response is replayed.
CREATE TABLE idempotency_keys (
  user_id         INTEGER NOT NULL,
  key             TEXT NOT NULL,
  request_hash    TEXT NOT NULL,
  status          TEXT NOT NULL,                  -- processing, completed
  response_status INTEGER,
  response_body   TEXT,
  attempt_id      TEXT NOT NULL,
  order_id        TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idx_idempotency_created ON idempotency_keys(created_at);

-- The checkout saga's durable step log: started -> reserved -> charged ->
-- ordered -> completed, or -> failed / compensated. Recovery reads it.
CREATE TABLE checkout_attempts (
  attempt_id      TEXT PRIMARY KEY,               -- "chk_<hex>"; also the gateway idempotency key
  user_id         INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL,
  order_id        TEXT NOT NULL,                  -- pre-assigned
  step            TEXT NOT NULL,
  reservation_id  TEXT NOT NULL DEFAULT '',
  charge_id       TEXT NOT NULL DEFAULT '',
  amount_cents    INTEGER NOT NULL DEFAULT 0,
  cart_owner      TEXT NOT NULL DEFAULT '',
  product_ids     TEXT NOT NULL DEFAULT '[]',
  error           TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
);
CREATE INDEX idx_checkout_attempts_step ON checkout_attempts(step);
)sql"},
      {501, "outbox",
       R"sql(
-- Outbox: events written in the same transaction as the change they
-- describe; a delivery thread posts them to the configured webhook URLs.
CREATE TABLE outbox_events (
  event_id   INTEGER PRIMARY KEY,
  type       TEXT NOT NULL,
  payload    TEXT NOT NULL,
  dispatched INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX idx_outbox_undispatched ON outbox_events(dispatched, event_id);
CREATE TABLE webhook_deliveries (
  delivery_id     INTEGER PRIMARY KEY,
  event_id        INTEGER NOT NULL REFERENCES outbox_events(event_id),
  url             TEXT NOT NULL,
  status          TEXT NOT NULL,                  -- pending, delivered, failed
  attempts        INTEGER NOT NULL DEFAULT 0,
  response_status INTEGER,
  last_error      TEXT NOT NULL DEFAULT '',
  next_attempt_at INTEGER NOT NULL,               -- unix millis
  created_at      INTEGER NOT NULL,
  delivered_at    INTEGER
);
CREATE INDEX idx_webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
)sql"},
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
      {701, "cluster catalog change feed",
       R"sql(
-- Catalog changes in commit order, written in the same transaction as the
-- catalog row (src/cluster/). payload is the entity's JSON snapshot after
-- the change (NULL for a delete). Replicas apply versions > their own.
CREATE TABLE catalog_changes (
  version    INTEGER PRIMARY KEY AUTOINCREMENT,
  entity     TEXT NOT NULL CHECK (entity IN ('product', 'category')),
  entity_id  INTEGER NOT NULL,
  op         TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
  payload    TEXT,
  created_at INTEGER NOT NULL
);
-- Small key/value state: feed_id (this database's feed identity),
-- baseline_done (primary), primary_feed_id and applied_version (replica).
CREATE TABLE cluster_state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO cluster_state(key, value) VALUES ('feed_id', lower(hex(randomblob(8))));
)sql"},
      {303, "test_gateway card token owners",
       R"sql(
-- Who a card token was made for ("user:12"): checkout charges a token only
-- for its owner (src/payments/gateway.h). Tokens made before this carry ''
-- and can be charged only through the saved card that holds them.
ALTER TABLE gw_tokens ADD COLUMN owner TEXT NOT NULL DEFAULT '';
)sql"},
  };
  return migrations;
}

}  // namespace shopbox
