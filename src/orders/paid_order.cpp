#include "orders/paid_order.h"

#include "base/money.h"
#include "config.h"
#include "events/outbox.h"
#include "orders/order_json.h"

namespace shopbox {

Order paid_order(const OrderDraft& d, const Config& config, int64_t now) {
  Order o;
  o.id = d.order_id;
  o.user_id = d.user_id;
  o.email = d.email;
  if (d.shipping_address.is_object() && d.shipping_address.contains("name") && d.shipping_address["name"].is_string())
    o.customer_name = d.shipping_address["name"].get<std::string>();
  o.status = OrderStatus::paid;
  const Quote& q = d.quote;
  o.subtotal = q.subtotal;
  o.discount = q.discount;
  o.tax = q.tax;
  o.shipping = q.shipping;
  o.total = q.total;
  o.tax_included = q.tax_included;
  o.pricing = {{"discounts", discounts_json(q.discounts)},
               {"taxes", taxes_json(q.taxes)},
               {"shipping_method",
                q.shipping_method ? nlohmann::json{{"id", q.shipping_method->id}, {"name", q.shipping_method->name}}
                                  : nlohmann::json(nullptr)},
               {"zone", q.zone_name}};
  o.currency = d.currency;
  o.shipping_address = d.shipping_address;
  o.billing_address = d.billing_address;
  o.payment_method = d.payment_method;
  o.reservation_id = d.reservation_id;
  o.idempotency_key = d.idempotency_key;
  o.shard = config.shard_id;
  o.client_ip = d.client_ip;
  o.card_fingerprint = d.card_fingerprint;
  o.estimated_delivery = delivery_day_end(now, q.shipping_method ? q.shipping_method->max_days : config.delivery_days);
  o.created_at = o.updated_at = now;
  o.paid_at = now;
  o.items = d.items;
  for (size_t i = 0; i < o.items.size() && i < q.lines.size(); ++i) {
    o.items[i].discount = q.lines[i].discount;
    o.items[i].tax = q.lines[i].tax;
  }
  return o;
}

nlohmann::json record_paid_order(Connection& c, Order& o, const PaymentTransaction& t, const std::string& note,
                                 int64_t first_order_number) {
  o.order_number = order_store::next_order_number(c, first_order_number);
  nlohmann::json response = order_json(o, {t});
  order_store::insert_order(c, o);
  order_store::insert_transaction(c, t, note);
  if (o.status == OrderStatus::pending_payment) {
    // Not an order anyone ships or thanks for yet: order.created and
    // order.paid follow when the payment completes (pending_payments.cpp).
    outbox::append(c, "order.payment_pending", {{"order_id", o.id}, {"user_id", std::to_string(o.user_id)}});
    return response;
  }
  outbox::append(c, "order.created", response);
  outbox::append(
      c, "order.paid",
      {{"order_id", o.id}, {"transaction_id", t.id}, {"amount", cents_to_json(t.amount)}, {"currency", t.currency}});
  return response;
}

}  // namespace shopbox
