// The test gateway's own ledger: tokens, charges, refunds (301, 303).
// Schema migrations: never edit one that has shipped, add a new one
// (src/schema.h lists every module's and the version ranges).
#include "payments/test_gateway.h"

namespace shopbox {

const std::vector<Migration>& test_gateway_migrations() {
  static const std::vector<Migration> migrations = {
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
