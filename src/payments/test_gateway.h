// The built-in `test` gateway: behaves like a card processor's test mode.
//
// Test cards (DESIGN.md / BRIEF):
//   4242424242424242  approves
//   4000000000000002  declines: card_declined (402)
//   4000000000009995  declines: insufficient_funds (402)
//   4000000000000119  fails: gateway_error (503, retryable; nothing charged)
//   any other Luhn-valid number approves; a Luhn-invalid one is 400 invalid_card.
// Wallets: {"type": "wallet", "wallet": "test_wallet"} approves,
//          "test_wallet_declined" declines (card_declined).
//
// It keeps its own durable state in SQLite (tables gw_*, migration 301), as a
// real processor would on its side: tokens (brand, last4, expiry, never the
// number), charges keyed by idempotency key, refunds. So a repeated key never
// charges twice, and recovery can ask lookup(key) after a crash.
//
// Simulated latency: every call sleeps `latency_ms`; when that reaches
// `timeout_ms` the call gives up after timeout_ms with 503 gateway_timeout —
// and, like a real processor whose answer was lost, the charge may still
// have happened (recovery's lookup() sees it).
#pragma once

#include <atomic>

#include "payments/gateway.h"
#include "storage/sqlite.h"

namespace shopbox {

// The test gateway's tables (migrations 301 and 303, src/payments/test_gateway_schema.cpp).
const std::vector<Migration>& test_gateway_migrations();

class TestGateway : public PaymentGateway {
 public:
  TestGateway(Sqlite& db, int latency_ms, int timeout_ms) : db_(db), latency_ms_(latency_ms), timeout_ms_(timeout_ms) {}

  std::string name() const override { return "test"; }
  Result<CardToken> tokenize(const CardInput& card, const std::string& owner) override;
  std::optional<CardToken> token_info(const std::string& token) override;
  Result<GatewayCharge> authorize(const std::string& key, const PaymentSource& source, Cents amount,
                                  const std::string& currency, bool capture) override;
  Result<GatewayCharge> capture(const std::string& key, const std::string& charge_id, Cents amount) override;
  Result<GatewayCharge> void_charge(const std::string& charge_id) override;
  Result<GatewayRefund> refund(const std::string& key, const std::string& charge_id, Cents amount) override;
  Result<std::optional<GatewayCharge>> lookup(const std::string& key) override;
  std::optional<GatewayCharge> charge(const std::string& charge_id) override;
  std::vector<GatewayRefund> refunds(const std::string& charge_id) override;

  // Tests: make every call fail with gateway_error until cleared.
  void set_outage(bool down) { outage_ = down; }

 private:
  // Sleeps the simulated latency; true when the call timed out.
  bool simulate_latency();
  Sqlite& db_;
  std::atomic<int> latency_ms_;
  int timeout_ms_;
  std::atomic<bool> outage_{false};
};

}  // namespace shopbox
