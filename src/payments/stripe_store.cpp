#include "payments/stripe_store.h"

namespace shopbox::stripe_store {

StripeIntentRow insert_intent(Connection& c, const StripeIntentRow& row) {
  c.prepare(
       "INSERT INTO stripe_intents (idempotency_key, payment_intent, amount, currency, capture_method, created_at) "
       "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING")
      .bind(1, row.idempotency_key)
      .bind(2, row.payment_intent)
      .bind(3, static_cast<int64_t>(row.amount))
      .bind(4, row.currency)
      .bind(5, row.capture_method)
      .bind(6, row.created_at)
      .exec();
  auto stored = intent_by_key(c, row.idempotency_key);
  return stored ? *stored : row;
}

std::optional<StripeIntentRow> intent_by_key(Connection& c, const std::string& idempotency_key) {
  auto st = c.prepare(
      "SELECT idempotency_key, payment_intent, amount, currency, capture_method, created_at FROM stripe_intents "
      "WHERE idempotency_key = ?");
  st.bind(1, idempotency_key);
  if (!st.step()) return std::nullopt;
  StripeIntentRow r;
  r.idempotency_key = st.text(0);
  r.payment_intent = st.text(1);
  r.amount = st.int64(2);
  r.currency = st.text(3);
  r.capture_method = st.text(4);
  r.created_at = st.int64(5);
  return r;
}

}  // namespace shopbox::stripe_store
