// Discounts, their uses, and shipping zones with their tax rates (900s).
// Schema migrations: never edit one that has shipped, add a new one
// (src/schema.h lists every module's and the version ranges).
#include "pricing/pricing_store.h"

namespace shopbox {

const std::vector<Migration>& pricing_migrations() {
  static const std::vector<Migration> migrations = {
      {901, "pricing",
       R"sql(
-- The merchant's discounts: codes the shopper types, and automatic
-- promotions (code NULL) that apply whenever their conditions hold. Codes
-- are stored normalized (upper case), so UNIQUE is case-insensitive for
-- shoppers. Id lists are JSON arrays of integers: they are read whole with
-- the discount and never queried. Ids are never reused (AUTOINCREMENT):
-- redemptions outlive a deleted discount and must not name a new one.
CREATE TABLE discounts (
  discount_id        INTEGER PRIMARY KEY AUTOINCREMENT,
  code               TEXT UNIQUE,                 -- NULL: automatic
  name               TEXT NOT NULL,
  type               TEXT NOT NULL,               -- percentage, fixed_amount, free_shipping, buy_x_get_y
  percent_bp         INTEGER NOT NULL DEFAULT 0,
  amount_cents       INTEGER NOT NULL DEFAULT 0,
  buy_quantity       INTEGER NOT NULL DEFAULT 0,
  get_quantity       INTEGER NOT NULL DEFAULT 0,
  scope              TEXT NOT NULL DEFAULT 'order', -- order, categories, products, variants
  scope_ids          TEXT NOT NULL DEFAULT '[]',
  min_subtotal_cents INTEGER NOT NULL DEFAULT 0,
  min_quantity       INTEGER NOT NULL DEFAULT 0,
  starts_at          INTEGER,
  ends_at            INTEGER,
  first_order_only   INTEGER NOT NULL DEFAULT 0,
  customer_ids       TEXT NOT NULL DEFAULT '[]',  -- empty: every customer
  usage_limit        INTEGER,                     -- NULL: unlimited
  per_customer_limit INTEGER,
  combinable         INTEGER NOT NULL DEFAULT 1,
  active             INTEGER NOT NULL DEFAULT 1,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
CREATE INDEX idx_discounts_automatic ON discounts(active) WHERE code IS NULL;

-- Uses of a discount, kept like stock: a checkout attempt holds one use
-- per discount before it charges (so a limited code is never over-redeemed
-- by concurrent checkouts), its order keeps it, and a failed payment, a
-- cancelled or fully refunded order releases it. Released rows stay as
-- history; only held and kept rows count towards the limits.
CREATE TABLE discount_redemptions (
  redemption_id INTEGER PRIMARY KEY,
  discount_id   INTEGER NOT NULL,
  attempt_id    TEXT NOT NULL,
  order_id      TEXT,                             -- NULL while held
  user_id       INTEGER NOT NULL,                 -- 0: a guest
  amount_cents  INTEGER NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('held', 'kept', 'released')),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  UNIQUE (attempt_id, discount_id)              -- also finds an attempt's uses
);
-- Few indexes: every checkout with a discount writes here inside the
-- shop's one writer. A customer's uses (per_customer_limit) and an order's
-- (cancel, refund); the totals are counters (migration 902).
CREATE INDEX idx_discount_redemptions_user ON discount_redemptions(discount_id, user_id);
CREATE INDEX idx_discount_redemptions_order ON discount_redemptions(order_id) WHERE order_id IS NOT NULL;

-- Shipping zones: where the shop ships, by which methods at what price,
-- and the tax rates there. A zone is read and written whole (every cart
-- view prices with all of them, from a cache), so its parts are one JSON
-- definition: {regions, methods, tax_rates, tax_shipping,
-- prices_include_tax}, money in integer cents. No zones: the shop uses the
-- default zone from its config.
CREATE TABLE shipping_zones (
  zone_id    INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT NOT NULL,
  definition TEXT NOT NULL,
  position   INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
)sql"},
      {902, "discount use counters",
       R"sql(
-- A discount's held and kept uses, counted as they change: the limit is
-- checked inside the checkout's write transaction, and counting the
-- redemption rows there grew with every order (a code with 100,000 uses
-- read 100,000 index entries per checkout, with the writer waiting).
-- The triggers keep the counters in step with every insert and state
-- change of discount_redemptions, so no code path can forget them.
ALTER TABLE discounts ADD COLUMN uses_held INTEGER NOT NULL DEFAULT 0;
ALTER TABLE discounts ADD COLUMN uses_kept INTEGER NOT NULL DEFAULT 0;
UPDATE discounts SET
  uses_held = (SELECT count(*) FROM discount_redemptions r WHERE r.discount_id = discounts.discount_id AND r.state = 'held'),
  uses_kept = (SELECT count(*) FROM discount_redemptions r WHERE r.discount_id = discounts.discount_id AND r.state = 'kept');
CREATE TRIGGER discount_redemption_inserted AFTER INSERT ON discount_redemptions BEGIN
  UPDATE discounts SET uses_held = uses_held + (NEW.state = 'held'), uses_kept = uses_kept + (NEW.state = 'kept')
   WHERE discount_id = NEW.discount_id;
END;
CREATE TRIGGER discount_redemption_changed AFTER UPDATE OF state ON discount_redemptions
  WHEN OLD.state <> NEW.state BEGIN
  UPDATE discounts SET uses_held = uses_held - (OLD.state = 'held') + (NEW.state = 'held'),
                       uses_kept = uses_kept - (OLD.state = 'kept') + (NEW.state = 'kept')
   WHERE discount_id = NEW.discount_id;
END;
)sql"},
  };
  return migrations;
}

}  // namespace shopbox
