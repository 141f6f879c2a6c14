// Checkout's own rows, in SQLite: the Idempotency-Key records (what a
// retry of POST /api/v1/orders is answered with) and the step log of every
// checkout attempt (the saga's durable record, checkout.h). Both tables came
// with the orders' migration 302; checkout owns them.
//
// Free functions over a Connection: the saga writes its step log in the
// same SQLite transaction as the order (orders/paid_order.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/money.h"
#include "storage/sqlite.h"

namespace shopbox {

struct IdempotencyRecord {
  int64_t user_id = 0;
  std::string key, request_hash, status;  // processing | completed
  int response_status = 0;
  std::string response_body;
  std::string attempt_id;
  int64_t created_at = 0;
};

// The step log of a checkout attempt (the saga's durable record,
// src/checkout/checkout.h). Open steps (started, reserved, charged,
// ordered) are what recovery finishes or compensates; the others are final.
// awaiting_payment: the order is written pending_payment (3-D Secure); the
// attempt is settled by Checkout::settle_payment, not by recovery.
enum class AttemptStep { started, reserved, charged, ordered, completed, failed, compensated, awaiting_payment };
// The stored text of a step ("reserved"), and back (nullopt: not a step).
const char* step_name(AttemptStep step);
std::optional<AttemptStep> parse_step(std::string_view text);

struct CheckoutAttempt {
  std::string id;
  int64_t user_id = 0;
  std::string idempotency_key;
  std::string order_id;
  AttemptStep step = AttemptStep::started;
  std::string reservation_id;
  std::string charge_id;
  Cents amount = 0;
  std::string cart_owner;
  std::vector<int64_t> variant_ids;  // the cart lines it bought (column product_ids: the ids are one sequence)
  std::string error;
  int64_t created_at = 0, updated_at = 0;
};

namespace checkout_store {

// ---- idempotency ----
std::optional<IdempotencyRecord> get_idempotency(Connection& c, int64_t user_id, const std::string& key);
void insert_idempotency(Connection& c, const IdempotencyRecord& r);
void complete_idempotency(Connection& c, int64_t user_id, const std::string& key, int status, const std::string& body,
                          const std::string& order_id);
void delete_idempotency(Connection& c, int64_t user_id, const std::string& key);
// Deletes completed records older than `before`; returns how many.
int64_t purge_idempotency(Connection& c, int64_t before);

// ---- checkout step log ----
// How the checkouts that reached the gateway in [since, until) ended:
// charged (an order, paid or waiting for 3-D Secure), declined by the
// card's bank, or failed at the gateway (error, timeout, breaker open; no
// charge). The dashboard's success rate is charged / (charged + declined):
// a gateway outage is the shop's problem, not the shoppers' cards.
struct PaymentOutcomes {
  int64_t charged = 0;
  int64_t declined = 0;
  int64_t gateway_errors = 0;
};
PaymentOutcomes payment_outcomes(Connection& c, int64_t since, int64_t until);

void insert_attempt(Connection& c, const CheckoutAttempt& a);
void update_attempt(Connection& c, const std::string& attempt_id, AttemptStep step, const std::string& reservation_id,
                    const std::string& charge_id, const std::string& error);
std::optional<CheckoutAttempt> get_attempt(Connection& c, const std::string& attempt_id);
std::vector<CheckoutAttempt> unfinished_attempts(Connection& c);  // started, reserved, charged, ordered

}  // namespace checkout_store
}  // namespace shopbox
