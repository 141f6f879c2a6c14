// Payments the shopper completes after checkout (3-D Secure): settling a
// pending_payment order from what the gateway says (checkout.h).
//
// The gateway is the truth: a webhook or the storefront only says "look
// now". Whoever looks first settles the order; Orders makes the change
// conditional, so the others find it settled.
#include <algorithm>

#include "base/clock.h"
#include "checkout/checkout.h"
#include "checkout/checkout_store.h"
#include "config.h"
#include "orders/orders.h"
#include "payments/gateway.h"

namespace shopbox {
namespace {

const PaymentTransaction* charge_txn(const OrderDetails& d) {
  for (const auto& t : d.transactions)
    if (t.kind == "charge") return &t;
  return nullptr;
}

bool charge_completed(const GatewayCharge& ch) {
  return ch.status == "captured" || ch.status == "partially_refunded" || ch.status == "refunded";
}

}  // namespace

int64_t Checkout::payment_window_seconds() const {
  int64_t ttl = d_.config.reservation_ttl_seconds;
  return std::max<int64_t>(ttl / 2, ttl - 60);
}

Result<OrderStatus> Checkout::settle_payment(const std::string& order_id, bool expire) {
  auto d = d_.orders.get(order_id);
  if (!d.ok()) return d.status();
  if (d->order.status != OrderStatus::pending_payment) return d->order.status;
  const PaymentTransaction* t = charge_txn(*d);
  if (!t) return Status::Internal("order " + order_id + " has no charge to settle");
  const std::string attempt_id = t->idempotency_key;  // the attempt is the gateway's key (checkout.cpp)
  auto ch = d_.payments.charge(t->provider_id);
  if (!ch) return Status(Kind::unavailable, "payment_unavailable", "the payment gateway did not answer; retry");
  // A shopper who passed 3-D Secure on a manual-capture charge leaves it
  // authorized: checkout always captures, so capture now.
  if (ch->status == "authorized") {
    auto captured = d_.payments.capture(attempt_id + ":capture", ch->charge_id, ch->amount);
    if (!captured.ok()) return captured.status();
    ch = *captured;
  }
  // Still waiting for the shopper: leave it, unless its time is up; then
  // cancel at the gateway first (a shopper completing it meanwhile wins).
  if (ch->status == "requires_action" && expire) {
    if (auto voided = d_.payments.void_charge(ch->charge_id); voided.ok()) {
      ch = *voided;
    } else if (auto again = d_.payments.charge(t->provider_id)) {
      ch = *again;
    } else {
      return voided.status();
    }
  }
  if (ch->status == "requires_action") return OrderStatus::pending_payment;

  std::optional<CheckoutAttempt> attempt;
  if (Status read = d_.db.read([&](Connection& c) {
        attempt = checkout_store::get_attempt(c, attempt_id);
        return Status::Ok();
      });
      !read.ok())
    return read;
  const std::string cart_owner = attempt ? attempt->cart_owner : "";
  if (charge_completed(*ch)) {
    auto changed = d_.orders.payment_succeeded(order_id);
    if (!changed.ok()) return changed.status();
    if (*changed) finish_order(attempt_id, order_id, d->order.reservation_id, cart_owner, d->order.items);
    return OrderStatus::paid;
  }
  // Declined, cancelled or expired: the order is cancelled and what it held
  // goes back.
  std::string reason = expire && ch->status == "voided" ? "payment_expired"
                       : ch->failure_code.empty()       ? "payment_failed"
                                                        : ch->failure_code;
  auto changed = d_.orders.payment_failed(order_id, reason);
  if (!changed.ok()) return changed.status();
  if (*changed) {
    give_back_stock(d->order.reservation_id, "payment not completed");
    log_if_failed(d_.db.write([&](Connection& c) {
      checkout_store::update_attempt(c, attempt_id, AttemptStep::failed, "", "", reason);
      return Status::Ok();
    }),
                  "checkout: closing an attempt whose payment failed");
  }
  return OrderStatus::cancelled;
}

int Checkout::settle_stale_payments() {
  auto ids = d_.orders.pending_payments(now_seconds() - payment_window_seconds());
  if (!ids.ok()) {
    log_if_failed(ids.status(), "checkout: listing pending payments (the next sweep retries)");
    return 0;
  }
  int settled = 0;
  for (const auto& id : *ids) {
    auto st = settle_payment(id, /*expire=*/true);
    if (!st.ok()) {
      log_if_failed(st.status(), "checkout: settling a pending payment (the next sweep retries)");
      continue;
    }
    if (*st != OrderStatus::pending_payment) ++settled;
  }
  return settled;
}

}  // namespace shopbox
