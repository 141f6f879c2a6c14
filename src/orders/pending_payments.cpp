// Orders whose payment the shopper completes after checkout (3-D Secure):
// the state change out of pending_payment, exactly once (orders.h).
//
// Each change reads the order inside its own write transaction and acts
// only while it is still pending_payment. SQLite runs one writer at a time,
// so of a webhook, the shopper's confirmation and the sweeper arriving
// together, the first changes the order and the others see it done.
#include "base/clock.h"
#include "base/money.h"
#include "events/outbox.h"
#include "orders/order_json.h"
#include "orders/orders.h"
#include "pricing/pricing_service.h"

namespace shopbox {
namespace {

// The order's charge transaction (one per order).
std::optional<PaymentTransaction> charge_of(Connection& c, const std::string& order_id) {
  for (auto& t : order_store::transactions(c, order_id))
    if (t.kind == "charge") return t;
  return std::nullopt;
}

}  // namespace

Result<bool> Orders::payment_succeeded(const std::string& order_id) {
  bool changed = false;
  Status st = db_.write([&](Connection& c) {
    auto o = order_store::get_order(c, order_id);
    if (!o) return Status::NotFound("order not found");
    if (o->status != OrderStatus::pending_payment) return Status::Ok();
    auto t = charge_of(c, order_id);
    order_store::set_status(c, order_id, OrderStatus::pending_payment, OrderStatus::paid, "gateway",
                            "payment completed by the shopper");
    if (t) order_store::set_transaction_status(c, t->id, "completed", t->amount, "payment completed");
    auto paid = order_store::get_order(c, order_id);
    std::vector<PaymentTransaction> txns = order_store::transactions(c, order_id);
    // The same two events an order paid at once gets (paid_order.h).
    outbox::append(c, "order.created", order_json(*paid, txns));
    outbox::append(c, "order.paid",
                   {{"order_id", order_id},
                    {"transaction_id", t ? t->id : ""},
                    {"amount", cents_to_json(paid->total)},
                    {"currency", paid->currency}});
    changed = true;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return changed;
}

Result<bool> Orders::payment_failed(const std::string& order_id, const std::string& reason) {
  bool changed = false;
  Status st = db_.write([&](Connection& c) {
    auto o = order_store::get_order(c, order_id);
    if (!o) return Status::NotFound("order not found");
    if (o->status != OrderStatus::pending_payment) return Status::Ok();
    int64_t now = now_seconds();
    order_store::set_status(c, order_id, OrderStatus::pending_payment, OrderStatus::cancelled, "gateway",
                            "payment not completed: " + reason);
    if (auto t = charge_of(c, order_id)) order_store::set_transaction_status(c, t->id, "failed", 0, reason);
    Pricing::release_order_uses(c, order_id, now);
    outbox::append(c, "order.payment_failed",
                   {{"order_id", order_id}, {"user_id", std::to_string(o->user_id)}, {"reason", reason}});
    changed = true;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return changed;
}

Result<std::vector<std::string>> Orders::pending_payments(int64_t created_before) {
  std::vector<std::string> ids;
  Status st = db_.read([&](Connection& c) {
    ids = order_store::pending_payment_orders(c, created_before);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return ids;
}

Result<std::optional<std::string>> Orders::order_of_charge(const std::string& charge_id) {
  std::optional<std::string> id;
  Status st = db_.read([&](Connection& c) {
    id = order_store::order_of_provider_charge(c, charge_id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return id;
}

Result<bool> Orders::gateway_event_seen(const std::string& event_id) {
  bool seen = false;
  Status st = db_.read([&](Connection& c) {
    seen = order_store::gateway_event_seen(c, event_id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return seen;
}

Status Orders::note_gateway_event(const std::string& event_id, const std::string& type) {
  return db_.write([&](Connection& c) {
    (void)order_store::note_gateway_event(c, event_id, type, now_seconds());
    return Status::Ok();
  });
}

}  // namespace shopbox
