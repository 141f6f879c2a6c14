#include "orders/paid_order.h"

#include "base/money.h"
#include "config.h"
#include "events/outbox.h"
#include "orders/order_json.h"

namespace shopbox {

int64_t estimated_delivery(int64_t now, int delivery_days) {
  constexpr int64_t kDay = 86400;
  return (now / kDay + delivery_days) * kDay + kDay - 1;
}

Order paid_order(const OrderDraft& d, const Config& config, int64_t now) {
  Order o;
  o.id = d.order_id;
  o.user_id = d.user_id;
  o.status = OrderStatus::paid;
  o.subtotal = d.totals.subtotal;
  o.discount = d.totals.discount;
  o.tax = d.totals.tax;
  o.shipping = d.totals.shipping;
  o.total = d.totals.total;
  o.currency = d.currency;
  o.shipping_address = d.shipping_address;
  o.billing_address = d.billing_address;
  o.payment_method = d.payment_method;
  o.reservation_id = d.reservation_id;
  o.idempotency_key = d.idempotency_key;
  o.shard = config.shard_id;
  o.client_ip = d.client_ip;
  o.card_fingerprint = d.card_fingerprint;
  o.estimated_delivery = estimated_delivery(now, config.delivery_days);
  o.created_at = o.updated_at = now;
  o.paid_at = now;
  o.items = d.items;
  return o;
}

nlohmann::json record_paid_order(Connection& c, const Order& o, const PaymentTransaction& t, const std::string& note) {
  nlohmann::json response = order_json(o, {t});
  order_store::insert_order(c, o);
  order_store::insert_transaction(c, t, note);
  outbox::append(c, "order.created", response);
  outbox::append(
      c, "order.paid",
      {{"order_id", o.id}, {"transaction_id", t.id}, {"amount", cents_to_json(t.amount)}, {"currency", t.currency}});
  return response;
}

}  // namespace shopbox
