#include "payments/test_gateway_store.h"

#include "storage/rows.h"

namespace shopbox::test_gateway_store {

namespace {

GatewayCharge read_charge(Statement& st) {
  Columns row(st);
  GatewayCharge c;
  c.charge_id = row.text();
  c.idempotency_key = row.text();
  c.amount = row.int64();
  c.captured = row.int64();
  c.refunded = row.int64();
  c.currency = row.text();
  c.status = row.text();
  c.failure_code = row.text();
  c.method_type = row.text();
  c.brand = row.text();
  c.last4 = row.text();
  c.created_at = row.int64();
  row.done();
  return c;
}

GatewayRefund read_refund(Statement& st) {
  Columns row(st);
  GatewayRefund r;
  r.refund_id = row.text();
  r.charge_id = row.text();
  r.amount = row.int64();
  r.status = row.text();
  r.created_at = row.int64();
  row.done();
  return r;
}

CardToken read_token(Statement& st) {
  Columns row(st);
  CardToken t;
  t.token = row.text();
  t.brand = row.text();
  t.last4 = row.text();
  t.exp_month = static_cast<int>(row.int64());
  t.exp_year = static_cast<int>(row.int64());
  t.owner = row.text();
  row.done();
  return t;
}

TokenedCard read_tokened_card(Statement& st) {
  Columns row(st);
  TokenedCard t;
  t.behaviour = row.text();
  t.brand = row.text();
  t.last4 = row.text();
  t.exp_month = static_cast<int>(row.int64());
  t.exp_year = static_cast<int>(row.int64());
  row.done();
  return t;
}

std::optional<GatewayCharge> charge_by(Connection& c, const char* sql, const std::string& v) {
  auto st = c.prepare(sql);
  st.bind(1, v);
  return first_row(st, read_charge);
}

const char* kByKey =
    "SELECT charge_id, idempotency_key, amount, captured, refunded, currency, status, failure_code, method_type, "
    "brand, last4, created_at FROM gw_charges WHERE idempotency_key = ?";
const char* kById =
    "SELECT charge_id, idempotency_key, amount, captured, refunded, currency, status, failure_code, method_type, "
    "brand, last4, created_at FROM gw_charges WHERE charge_id = ?";

}  // namespace

void insert_token(Connection& c, const CardToken& tok, const std::string& behaviour, int64_t now) {
  c.prepare(
       "INSERT INTO gw_tokens(token, brand, last4, exp_month, exp_year, behaviour, created_at, owner) "
       "VALUES (?,?,?,?,?,?,?,?)")
      .bind(1, tok.token)
      .bind(2, tok.brand)
      .bind(3, tok.last4)
      .bind(4, tok.exp_month)
      .bind(5, tok.exp_year)
      .bind(6, behaviour)
      .bind(7, now)
      .bind(8, tok.owner)
      .exec();
}

std::optional<CardToken> token(Connection& c, const std::string& token) {
  auto st = c.prepare("SELECT token, brand, last4, exp_month, exp_year, owner FROM gw_tokens WHERE token = ?");
  st.bind(1, token);
  return first_row(st, read_token);
}

std::optional<TokenedCard> card_of_token(Connection& c, const std::string& token) {
  auto st = c.prepare("SELECT behaviour, brand, last4, exp_month, exp_year FROM gw_tokens WHERE token = ?");
  st.bind(1, token);
  return first_row(st, read_tokened_card);
}

void insert_charge(Connection& c, const GatewayCharge& ch, const PaymentSource& source) {
  c.prepare(
       "INSERT INTO gw_charges(charge_id, idempotency_key, source_type, token, wallet, amount, captured, "
       "refunded, currency, status, failure_code, method_type, brand, last4, created_at, updated_at) "
       "VALUES (?,?,?,?,?,?,?,0,?,?,?,?,?,?,?,?)")
      .bind(1, ch.charge_id)
      .bind(2, ch.idempotency_key)
      .bind(3, source.type)
      .bind(4, source.token)
      .bind(5, source.wallet)
      .bind(6, ch.amount)
      .bind(7, ch.captured)
      .bind(8, ch.currency)
      .bind(9, ch.status)
      .bind(10, ch.failure_code)
      .bind(11, ch.method_type)
      .bind(12, ch.brand)
      .bind(13, ch.last4)
      .bind(14, ch.created_at)
      .bind(15, ch.created_at)
      .exec();
}

std::optional<GatewayCharge> charge_by_key(Connection& c, const std::string& idempotency_key) {
  return charge_by(c, kByKey, idempotency_key);
}

std::optional<GatewayCharge> charge_by_id(Connection& c, const std::string& charge_id) {
  return charge_by(c, kById, charge_id);
}

std::string capture_key(Connection& c, const std::string& charge_id) {
  auto prev = c.prepare("SELECT capture_key FROM gw_charges WHERE charge_id = ?");
  prev.bind(1, charge_id);
  return prev.step() ? prev.text(0) : "";
}

void mark_captured(Connection& c, const std::string& charge_id, Cents amount, const std::string& key, int64_t now) {
  c.prepare(
       "UPDATE gw_charges SET status = 'captured', captured = ?, capture_key = ?, updated_at = ? WHERE charge_id = ?")
      .bind(1, amount)
      .bind(2, key)
      .bind(3, now)
      .bind(4, charge_id)
      .exec();
}

void mark_voided(Connection& c, const std::string& charge_id, int64_t now) {
  c.prepare("UPDATE gw_charges SET status = 'voided', updated_at = ? WHERE charge_id = ?")
      .bind(1, now)
      .bind(2, charge_id)
      .exec();
}

void set_refunded(Connection& c, const std::string& charge_id, Cents refunded, const std::string& status, int64_t now) {
  c.prepare("UPDATE gw_charges SET refunded = ?, status = ?, updated_at = ? WHERE charge_id = ?")
      .bind(1, refunded)
      .bind(2, status)
      .bind(3, now)
      .bind(4, charge_id)
      .exec();
}

void insert_refund(Connection& c, const GatewayRefund& r, const std::string& idempotency_key) {
  c.prepare(
       "INSERT INTO gw_refunds(refund_id, charge_id, idempotency_key, amount, status, created_at) VALUES "
       "(?,?,?,?,?,?)")
      .bind(1, r.refund_id)
      .bind(2, r.charge_id)
      .bind(3, idempotency_key)
      .bind(4, r.amount)
      .bind(5, r.status)
      .bind(6, r.created_at)
      .exec();
}

std::optional<GatewayRefund> refund_by_key(Connection& c, const std::string& idempotency_key) {
  auto prev =
      c.prepare("SELECT refund_id, charge_id, amount, status, created_at FROM gw_refunds WHERE idempotency_key = ?");
  prev.bind(1, idempotency_key);
  return first_row(prev, read_refund);
}

std::vector<GatewayRefund> refunds_of(Connection& c, const std::string& charge_id) {
  auto st = c.prepare(
      "SELECT refund_id, charge_id, amount, status, created_at FROM gw_refunds WHERE charge_id = ? ORDER BY "
      "created_at, refund_id");
  st.bind(1, charge_id);
  return all_rows(st, read_refund);
}

}  // namespace shopbox::test_gateway_store
