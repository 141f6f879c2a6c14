#include "payments/circuit_breaker.h"

#include "base/clock.h"

namespace shopbox {

bool CircuitBreaker::allow() {
  std::lock_guard lock(mu_);
  switch (s_) {
    case S::closed:
      return true;
    case S::open:
      if (now_millis() < open_until_ms_) return false;
      s_ = S::half_open;
      probe_in_flight_ = true;
      return true;
    case S::half_open:
      if (probe_in_flight_) return false;
      probe_in_flight_ = true;
      return true;
  }
  return true;
}

void CircuitBreaker::record_success() {
  std::lock_guard lock(mu_);
  failures_ = 0;
  s_ = S::closed;
  probe_in_flight_ = false;
}

void CircuitBreaker::record_failure() {
  std::lock_guard lock(mu_);
  ++failures_;
  if (s_ == S::half_open || failures_ >= threshold_) {
    if (s_ != S::open) ++opened_count_;
    s_ = S::open;
    open_until_ms_ = now_millis() + cooldown_ms_;
    probe_in_flight_ = false;
  }
}

std::string CircuitBreaker::state() {
  std::lock_guard lock(mu_);
  if (s_ == S::open && now_millis() >= open_until_ms_) return "half_open";
  return s_ == S::closed ? "closed" : s_ == S::open ? "open" : "half_open";
}

template <typename T, typename F>
Result<T> BreakerGateway::guarded(F&& call) {
  if (!breaker_.allow())
    return Status(Kind::unavailable, "payment_unavailable",
                  "payments are temporarily unavailable; please retry shortly", {{"retryable", true}});
  Result<T> r = call();
  if (!r.ok() && r.status().kind() == Kind::unavailable)
    breaker_.record_failure();
  else
    breaker_.record_success();
  return r;
}

Result<GatewayCharge> BreakerGateway::authorize(const std::string& key, const PaymentSource& source, Cents amount,
                                                const std::string& currency, bool capture) {
  return guarded<GatewayCharge>([&] { return inner_->authorize(key, source, amount, currency, capture); });
}
Result<GatewayCharge> BreakerGateway::capture(const std::string& key, const std::string& charge_id, Cents amount) {
  return guarded<GatewayCharge>([&] { return inner_->capture(key, charge_id, amount); });
}
Result<GatewayCharge> BreakerGateway::void_charge(const std::string& charge_id) {
  return guarded<GatewayCharge>([&] { return inner_->void_charge(charge_id); });
}
Result<GatewayRefund> BreakerGateway::refund(const std::string& key, const std::string& charge_id, Cents amount) {
  return guarded<GatewayRefund>([&] { return inner_->refund(key, charge_id, amount); });
}

}  // namespace shopbox
