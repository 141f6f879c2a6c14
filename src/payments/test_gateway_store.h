// The test gateway's own ledger, in SQLite: card tokens (gw_tokens), charges
// keyed by idempotency key (gw_charges) and refunds (gw_refunds), migrations
// 301 and 303 (src/payments/test_gateway_schema.cpp). Plain rows in and out;
// what a card does and which changes a charge allows live in
// test_gateway.cpp. Every function runs inside the caller's db.read /
// db.write transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "payments/gateway.h"
#include "storage/sqlite.h"

namespace shopbox {

// What the gateway knows of a card token when it is charged.
struct TokenedCard {
  std::string behaviour;  // approve, card_declined, insufficient_funds, gateway_error
  std::string brand;
  std::string last4;
  int exp_month = 0;
  int exp_year = 0;
};

namespace test_gateway_store {

// Stores a new token with what the card will do when charged.
void insert_token(Connection& c, const CardToken& tok, const std::string& behaviour, int64_t now);
std::optional<CardToken> token(Connection& c, const std::string& token);
std::optional<TokenedCard> card_of_token(Connection& c, const std::string& token);

// Records a new charge (nothing refunded yet) made against `source`.
void insert_charge(Connection& c, const GatewayCharge& ch, const PaymentSource& source);
std::optional<GatewayCharge> charge_by_key(Connection& c, const std::string& idempotency_key);
std::optional<GatewayCharge> charge_by_id(Connection& c, const std::string& charge_id);
// The key the charge was captured with; "" when not captured (or unknown).
std::string capture_key(Connection& c, const std::string& charge_id);
void mark_captured(Connection& c, const std::string& charge_id, Cents amount, const std::string& key, int64_t now);
void mark_voided(Connection& c, const std::string& charge_id, int64_t now);
// Sets the charge's refunded total and its status.
void set_refunded(Connection& c, const std::string& charge_id, Cents refunded, const std::string& status, int64_t now);

void insert_refund(Connection& c, const GatewayRefund& r, const std::string& idempotency_key);
std::optional<GatewayRefund> refund_by_key(Connection& c, const std::string& idempotency_key);
// A charge's refunds, oldest first.
std::vector<GatewayRefund> refunds_of(Connection& c, const std::string& charge_id);

}  // namespace test_gateway_store
}  // namespace shopbox
