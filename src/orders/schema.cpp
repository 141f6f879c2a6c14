// Orders, payments, refunds and returns (302). 302 also created checkout's
// tables, idempotency_keys and checkout_attempts: checkout/checkout_store.h
// owns them.
// Schema migrations: never edit one that has shipped, add a new one
// (src/schema.h lists every module's and the version ranges).
#include "orders/order_store.h"

namespace shopbox {

// Long because it holds the shipped schema text, which is never edited.
const std::vector<Migration>& order_migrations() {
  static const std::vector<Migration> migrations = {
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
      {304, "order lines name their variant",
       R"sql(
-- Lines written before variants existed bought their product's only
-- variant, whose id is the product's (catalog migration 103).
ALTER TABLE order_items ADD COLUMN variant_id INTEGER NOT NULL DEFAULT 0;
UPDATE order_items SET variant_id = product_id;
ALTER TABLE order_items ADD COLUMN variant_title TEXT NOT NULL DEFAULT '';
ALTER TABLE order_items ADD COLUMN selected_options TEXT NOT NULL DEFAULT '{}';
CREATE INDEX idx_order_items_variant ON order_items(variant_id);
)sql"},
      {305, "orders keep their pricing",
       R"sql(
-- What the pricing module computed (pricing/pricing.h), kept with the order
-- so a refund gives back exactly what a line cost: each line's share of the
-- order's discounts and of the added tax. tax_cents is NULL on lines written
-- before this migration (refunds then share the order's tax by subtotal, as
-- they did). The order keeps its discounts, tax lines, shipping method and
-- the tax included in tax-inclusive (VAT) prices.
ALTER TABLE order_items ADD COLUMN discount_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_items ADD COLUMN tax_cents INTEGER;
ALTER TABLE orders ADD COLUMN tax_included_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN pricing TEXT NOT NULL DEFAULT '{}';
)sql"},
      {306, "orders have numbers people read, and guests",
       R"sql(
-- order_number: short, sequential per shard (each shard has its own
-- database), assigned in the order's own transaction as MAX + 1, so the
-- unique index is both the lookup and the guard. Orders placed before this
-- migration are numbered in the order they were placed, from 1001.
ALTER TABLE orders ADD COLUMN order_number INTEGER;
UPDATE orders SET order_number = numbered.n
  FROM (SELECT order_id, 1000 + ROW_NUMBER() OVER (ORDER BY created_at, rowid) AS n FROM orders) AS numbered
 WHERE orders.order_id = numbered.order_id;
CREATE UNIQUE INDEX idx_orders_number ON orders(order_number);
-- Where the order's email goes: a guest's (user_id 0), or the account's at
-- checkout. NOCASE: guests and the account that claims their orders type
-- their email in any case.
ALTER TABLE orders ADD COLUMN email TEXT NOT NULL DEFAULT '' COLLATE NOCASE;
UPDATE orders SET email = COALESCE((SELECT email FROM users WHERE users.user_id = orders.user_id), '');
ALTER TABLE orders ADD COLUMN customer_name TEXT NOT NULL DEFAULT '';
UPDATE orders SET customer_name = COALESCE(json_extract(shipping_address, '$.name'), '')
 WHERE json_valid(shipping_address);
CREATE INDEX idx_orders_email ON orders(email, created_at);

-- One-time codes that open a guest's order (GET /api/v1/orders/lookup):
-- only the SHA-256 of the code is kept; a code dies at expires_at, when
-- used, or after 5 wrong tries.
CREATE TABLE order_lookup_codes (
  code_id      INTEGER PRIMARY KEY,
  order_id     TEXT NOT NULL REFERENCES orders(order_id),
  code_hash    TEXT NOT NULL,
  expires_at   INTEGER NOT NULL,
  failed_tries INTEGER NOT NULL DEFAULT 0,
  used_at      INTEGER,
  created_at   INTEGER NOT NULL
);
CREATE INDEX idx_order_lookup_codes_order ON order_lookup_codes(order_id, expires_at);
-- The key that signs guest order links, made with RAND_bytes on first use.
CREATE TABLE order_secrets (
  name   TEXT PRIMARY KEY,
  secret TEXT NOT NULL
);

-- Webhook events from the payment gateway already handled (Stripe's evt_
-- ids): a redelivered event is answered without being applied again.
CREATE TABLE gateway_events (
  event_id    TEXT PRIMARY KEY,
  type        TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
)sql"},
      {307, "return decisions say who decided and why",
       R"sql(
-- A rejected return tells the shopper why; the merchant sees who decided.
ALTER TABLE returns ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';
ALTER TABLE returns ADD COLUMN decision_reason TEXT NOT NULL DEFAULT '';
)sql"},
      {310, "orders are found by when they were placed",
       R"sql(
-- The admin reports (orders/order_reports.h) read every order placed in a
-- date range, whatever its status; idx_orders_status leads with status.
CREATE INDEX idx_orders_created ON orders(created_at);
)sql"},
  };
  return migrations;
}

}  // namespace shopbox
