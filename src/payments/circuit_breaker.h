// A circuit breaker around the payment gateway.
//
// closed: calls pass; `failure_threshold` consecutive failures (gateway
// errors, timeouts: Kind::unavailable) open it. open: calls fail at once
// with 503 `payment_unavailable` for `cooldown_ms`, so checkout answers fast
// instead of piling threads onto a dead processor. half-open: after the
// cool-down one probe call passes; success closes, failure re-opens.
// Declines are answers, not failures: they never trip the breaker.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "payments/gateway.h"

namespace shopbox {

class CircuitBreaker {
 public:
  CircuitBreaker(int failure_threshold, int cooldown_ms)
      : threshold_(failure_threshold < 1 ? 1 : failure_threshold), cooldown_ms_(cooldown_ms) {}

  // True when a call may go through (closed, or the half-open probe).
  bool allow();
  void record_success();
  void record_failure();
  std::string state();  // closed, open, half_open
  int64_t opened_count() const { return opened_count_; }

 private:
  std::mutex mu_;
  int threshold_;
  int cooldown_ms_;
  int failures_ = 0;
  enum class S { closed, open, half_open } s_ = S::closed;
  int64_t open_until_ms_ = 0;
  bool probe_in_flight_ = false;
  int64_t opened_count_ = 0;
};

// PaymentGateway decorator: every remote call goes through the breaker.
class BreakerGateway : public PaymentGateway {
 public:
  BreakerGateway(std::unique_ptr<PaymentGateway> inner, int failure_threshold, int cooldown_ms)
      : inner_(std::move(inner)), breaker_(failure_threshold, cooldown_ms) {}

  PaymentGateway& inner() { return *inner_; }
  CircuitBreaker& breaker() { return breaker_; }

  std::string name() const override { return inner_->name(); }
  bool takes_card_numbers() const override { return inner_->takes_card_numbers(); }
  Result<CardToken> tokenize(const CardInput& card, const std::string& owner) override {
    return inner_->tokenize(card, owner);
  }
  std::optional<CardToken> token_info(const std::string& token) override { return inner_->token_info(token); }
  Result<GatewayCharge> authorize(const std::string& key, const PaymentSource& source, Cents amount,
                                  const std::string& currency, bool capture) override;
  Result<GatewayCharge> capture(const std::string& key, const std::string& charge_id, Cents amount) override;
  Result<GatewayCharge> void_charge(const std::string& charge_id) override;
  Result<GatewayRefund> refund(const std::string& key, const std::string& charge_id, Cents amount) override;
  Result<std::optional<GatewayCharge>> lookup(const std::string& key) override { return inner_->lookup(key); }
  std::optional<GatewayCharge> charge(const std::string& id) override { return inner_->charge(id); }
  std::vector<GatewayRefund> refunds(const std::string& id) override { return inner_->refunds(id); }

 private:
  template <typename T, typename F>
  Result<T> guarded(F&& call);
  std::unique_ptr<PaymentGateway> inner_;
  CircuitBreaker breaker_;
};

}  // namespace shopbox
