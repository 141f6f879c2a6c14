// The Stripe gateway's own rows (601): which PaymentIntent each checkout
// attempt's key made, and the webhook events already handled.
// Schema migrations: never edit one that has shipped, add a new one
// (src/schema.h lists every module's and the version ranges).
#include "payments/stripe_gateway.h"

namespace shopbox {

const std::vector<Migration>& stripe_migrations() {
  static const std::vector<Migration> migrations = {
      {601, "stripe_gateway",
       R"sql(
-- key -> PaymentIntent, written after Stripe created the PaymentIntent and
-- before it is confirmed: recovery's lookup(key) reads "no row" as "never
-- confirmed, so never charged" (src/payments/stripe_gateway.h).
CREATE TABLE stripe_intents (
  idempotency_key TEXT PRIMARY KEY,
  payment_intent  TEXT NOT NULL UNIQUE,
  amount          INTEGER NOT NULL CHECK (amount > 0),
  currency        TEXT NOT NULL,
  capture_method  TEXT NOT NULL,      -- automatic | manual
  created_at      INTEGER NOT NULL
);
)sql"},
  };
  return migrations;
}

}  // namespace shopbox
