// The Stripe gateway's rows in SQLite (migration 601,
// src/payments/stripe_schema.cpp): key -> PaymentIntent, and the webhook
// events already handled. Every function runs inside the caller's db.read /
// db.write transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/money.h"
#include "storage/sqlite.h"

namespace shopbox {

struct StripeIntentRow {
  std::string idempotency_key;
  std::string payment_intent;  // "pi_..."
  Cents amount = 0;
  std::string currency;        // as authorize() was given it
  std::string capture_method;  // automatic | manual
  int64_t created_at = 0;
};

namespace stripe_store {

// Stores the row unless the key has one already (a retry that raced);
// either way answers the key's row as stored.
StripeIntentRow insert_intent(Connection& c, const StripeIntentRow& row);
std::optional<StripeIntentRow> intent_by_key(Connection& c, const std::string& idempotency_key);

}  // namespace stripe_store
}  // namespace shopbox
