#include "checkout/checkout_store.h"

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "storage/rows.h"

namespace shopbox::checkout_store {
using json = nlohmann::json;

namespace {

CheckoutAttempt read_attempt(Statement& st) {
  Columns row(st);
  CheckoutAttempt a;
  a.id = row.text();
  a.user_id = row.int64();
  a.idempotency_key = row.text();
  a.order_id = row.text();
  // A step this version does not know is kept open: recovery looks at it
  // rather than taking it for finished.
  a.step = parse_step(row.text()).value_or(AttemptStep::started);
  a.reservation_id = row.text();
  a.charge_id = row.text();
  a.amount = row.int64();
  a.cart_owner = row.text();
  for (auto& v : stored_json(row.text(), json::array()))
    if (v.is_number_integer()) a.variant_ids.push_back(v.get<int64_t>());
  a.error = row.text();
  a.created_at = row.int64();
  a.updated_at = row.int64();
  row.done();
  return a;
}
#define ATTEMPT_COLS                                                                                                   \
  "SELECT attempt_id, user_id, idempotency_key, order_id, step, reservation_id, charge_id, amount_cents, cart_owner, " \
  "product_ids, error, created_at, updated_at FROM checkout_attempts "

}  // namespace

// ---- idempotency ----

std::optional<IdempotencyRecord> get_idempotency(Connection& c, int64_t user_id, const std::string& key) {
  auto st = c.prepare(
      "SELECT request_hash, status, response_status, response_body, attempt_id, created_at "
      "FROM idempotency_keys WHERE user_id = ? AND key = ?");
  st.bind(1, user_id).bind(2, key);
  if (!st.step()) return std::nullopt;
  IdempotencyRecord r;
  r.user_id = user_id;
  r.key = key;
  r.request_hash = st.text(0);
  r.status = st.text(1);
  r.response_status = static_cast<int>(st.opt_int64(2).value_or(0));
  r.response_body = st.opt_text(3).value_or("");
  r.attempt_id = st.text(4);
  r.created_at = st.int64(5);
  return r;
}

void insert_idempotency(Connection& c, const IdempotencyRecord& r) {
  c.prepare(
       "INSERT INTO idempotency_keys(user_id, key, request_hash, status, attempt_id, created_at, updated_at) "
       "VALUES (?,?,?,?,?,?,?)")
      .bind(1, r.user_id)
      .bind(2, r.key)
      .bind(3, r.request_hash)
      .bind(4, r.status)
      .bind(5, r.attempt_id)
      .bind(6, r.created_at)
      .bind(7, r.created_at)
      .exec();
}

void complete_idempotency(Connection& c, int64_t user_id, const std::string& key, int status, const std::string& body,
                          const std::string& order_id) {
  std::optional<std::string> oid;
  if (!order_id.empty()) oid = order_id;
  c.prepare(
       "UPDATE idempotency_keys SET status = 'completed', response_status = ?, response_body = ?, order_id = ?, "
       "updated_at = ? WHERE user_id = ? AND key = ?")
      .bind(1, status)
      .bind(2, body)
      .bind(3, oid)
      .bind(4, now_seconds())
      .bind(5, user_id)
      .bind(6, key)
      .exec();
}

void delete_idempotency(Connection& c, int64_t user_id, const std::string& key) {
  c.prepare("DELETE FROM idempotency_keys WHERE user_id = ? AND key = ?").bind(1, user_id).bind(2, key).exec();
}

int64_t purge_idempotency(Connection& c, int64_t before) {
  c.prepare("DELETE FROM idempotency_keys WHERE status = 'completed' AND created_at < ?").bind(1, before).exec();
  return c.changes();
}

// ---- checkout step log ----

PaymentOutcomes payment_outcomes(Connection& c, int64_t since, int64_t until) {
  // charge() records a decline as failed/payment_failed, and a gateway
  // failure as compensated (or charged, refund pending) with the gateway's
  // code; an attempt that was charged went on to ordered and beyond.
  auto st = c.prepare(
      "SELECT "
      "COALESCE(SUM(step IN ('ordered', 'completed', 'awaiting_payment')), 0), "
      "COALESCE(SUM(step = 'failed' AND error = 'payment_failed'), 0), "
      "COALESCE(SUM(step IN ('compensated', 'charged') AND (error IN ('gateway_error', 'gateway_timeout', "
      "'payment_unavailable') OR error LIKE 'refund pending: gateway_%')), 0) "
      "FROM checkout_attempts WHERE created_at >= ? AND created_at < ?");
  st.bind(1, since).bind(2, until);
  PaymentOutcomes out;
  if (st.step()) {
    out.charged = st.int64(0);
    out.declined = st.int64(1);
    out.gateway_errors = st.int64(2);
  }
  return out;
}

void insert_attempt(Connection& c, const CheckoutAttempt& a) {
  json ids = a.variant_ids;
  c.prepare(
       "INSERT INTO checkout_attempts(attempt_id, user_id, idempotency_key, order_id, step, reservation_id, "
       "charge_id, amount_cents, cart_owner, product_ids, error, created_at, updated_at) VALUES "
       "(?,?,?,?,?,?,?,?,?,?,?,?,?)")
      .bind(1, a.id)
      .bind(2, a.user_id)
      .bind(3, a.idempotency_key)
      .bind(4, a.order_id)
      .bind(5, step_name(a.step))
      .bind(6, a.reservation_id)
      .bind(7, a.charge_id)
      .bind(8, a.amount)
      .bind(9, a.cart_owner)
      .bind(10, ids.dump())
      .bind(11, a.error)
      .bind(12, a.created_at)
      .bind(13, a.updated_at)
      .exec();
}

void update_attempt(Connection& c, const std::string& attempt_id, AttemptStep step, const std::string& reservation_id,
                    const std::string& charge_id, const std::string& error) {
  c.prepare(
       "UPDATE checkout_attempts SET step = ?1, reservation_id = CASE WHEN ?2 = '' THEN reservation_id ELSE ?2 END, "
       "charge_id = CASE WHEN ?3 = '' THEN charge_id ELSE ?3 END, error = ?4, updated_at = ?5 WHERE attempt_id = ?6")
      .bind(1, step_name(step))
      .bind(2, reservation_id)
      .bind(3, charge_id)
      .bind(4, error)
      .bind(5, now_seconds())
      .bind(6, attempt_id)
      .exec();
}

std::optional<CheckoutAttempt> get_attempt(Connection& c, const std::string& attempt_id) {
  auto st = c.prepare(ATTEMPT_COLS "WHERE attempt_id = ?");
  st.bind(1, attempt_id);
  return first_row(st, read_attempt);
}

std::vector<CheckoutAttempt> unfinished_attempts(Connection& c) {
  auto st = c.prepare(ATTEMPT_COLS "WHERE step IN ('started', 'reserved', 'charged', 'ordered') ORDER BY created_at");
  return all_rows(st, read_attempt);
}

}  // namespace shopbox::checkout_store

namespace shopbox {

const char* step_name(AttemptStep step) {
  switch (step) {
    case AttemptStep::started:
      return "started";
    case AttemptStep::reserved:
      return "reserved";
    case AttemptStep::charged:
      return "charged";
    case AttemptStep::ordered:
      return "ordered";
    case AttemptStep::awaiting_payment:
      return "awaiting_payment";
    case AttemptStep::completed:
      return "completed";
    case AttemptStep::failed:
      return "failed";
    case AttemptStep::compensated:
      return "compensated";
  }
  return "started";
}

std::optional<AttemptStep> parse_step(std::string_view text) {
  for (auto step :
       {AttemptStep::started, AttemptStep::reserved, AttemptStep::charged, AttemptStep::ordered, AttemptStep::completed,
        AttemptStep::failed, AttemptStep::compensated, AttemptStep::awaiting_payment})
    if (text == step_name(step)) return step;
  return std::nullopt;
}

}  // namespace shopbox
