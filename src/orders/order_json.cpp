#include "orders/order_json.h"

#include "base/clock.h"
#include "base/money.h"
#include "orders/orders.h"

namespace shopbox {
using json = nlohmann::json;

// The totals, and what made them (Order::pricing): orders placed before
// orders kept their pricing show empty lists.
static json pricing_json(const Order& o) {
  auto kept = [&](const char* key, json fallback) {
    auto it = o.pricing.find(key);
    return it != o.pricing.end() ? *it : fallback;
  };
  return {{"subtotal", cents_to_json(o.subtotal)},
          {"discount", cents_to_json(o.discount)},
          {"discounts", kept("discounts", json::array())},
          {"tax", cents_to_json(o.tax)},
          {"taxes", kept("taxes", json::array())},
          {"tax_included", cents_to_json(o.tax_included)},
          {"shipping", cents_to_json(o.shipping)},
          {"shipping_method", kept("shipping_method", nullptr)},
          {"total", cents_to_json(o.total)},
          {"refunded", cents_to_json(o.refunded)},
          {"currency", o.currency}};
}

namespace {
// Written once at start-up (App), before any request thread exists.
bool g_show_shard_in_order_numbers = false;
}  // namespace

void show_shard_in_order_numbers(bool on) {
  g_show_shard_in_order_numbers = on;
}

std::string order_number_text(const Order& o) {
  if (o.order_number <= 0) return "";
  std::string n = std::to_string(o.order_number);
  if (!g_show_shard_in_order_numbers) return n;
  std::string shard = o.shard;
  for (char& ch : shard) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return shard + "-" + n;
}

json order_summary_json(const Order& o) {
  return {{"order_id", o.id},
          {"order_number", order_number_text(o)},
          {"email", o.email},
          {"customer_name", o.customer_name},
          {"status", status_name(o.status)},
          {"created_at", iso8601(o.created_at)},
          {"updated_at", iso8601(o.updated_at)},
          {"user_id", std::to_string(o.user_id)},
          {"pricing", pricing_json(o)},
          {"total", cents_to_json(o.total)},
          {"currency", o.currency}};
}

json order_json(const Order& o, const std::vector<PaymentTransaction>& txns) {
  json items = json::array();
  for (const auto& it : o.items) {
    json j = {{"product_id", std::to_string(it.product_id)},
              {"variant_id", std::to_string(it.variant_id)},
              {"name", it.name},
              {"variant_title", it.variant_title},
              {"selected_options", it.selected_options},
              {"sku", it.sku},
              {"quantity", it.quantity},
              {"unit_price", cents_to_json(it.unit_price)},
              {"subtotal", cents_to_json(it.subtotal)},
              {"discount", cents_to_json(it.discount)},
              {"refunded_quantity", it.refunded_quantity},
              {"returned_quantity", it.returned_quantity}};
    if (it.tax) j["tax"] = cents_to_json(*it.tax);
    if (!it.image.empty()) j["image"] = it.image;
    items.push_back(std::move(j));
  }
  json payment = json::object();
  for (const auto& t : txns) {
    if (t.kind != "charge") continue;
    payment = {{"status", t.status},     {"transaction_id", t.id}, {"amount", cents_to_json(t.amount)},
               {"currency", t.currency}, {"provider", t.provider}, {"method", o.payment_method}};
  }
  return {{"order_id", o.id},
          {"order_number", order_number_text(o)},
          {"user_id", std::to_string(o.user_id)},
          {"guest", o.user_id == 0},
          {"email", o.email},
          {"customer_name", o.customer_name},
          {"status", status_name(o.status)},
          {"created_at", iso8601(o.created_at)},
          {"updated_at", iso8601(o.updated_at)},
          {"items", items},
          {"pricing", pricing_json(o)},
          {"currency", o.currency},
          {"payment", payment},
          {"shipping_address", o.shipping_address},
          {"billing_address", o.billing_address},
          {"estimated_delivery", o.estimated_delivery ? json(iso8601(o.estimated_delivery)) : json(nullptr)}};
}

json order_details_json(const OrderDetails& d, bool admin) {
  json j = order_json(d.order, d.transactions);
  json ships = json::array();
  for (const auto& s : d.shipments) {
    json timeline = json::array();
    for (const auto& e : s.events)
      timeline.push_back({{"status", e.status},
                          {"location", e.location},
                          {"description", e.description},
                          {"occurred_at", iso8601(e.occurred_at)}});
    ships.push_back({{"shipment_id", std::to_string(s.id)},
                     {"carrier", s.carrier},
                     {"tracking_number", s.tracking_number},
                     {"status", s.status},
                     {"shipped_at", iso8601(s.shipped_at)},
                     {"delivered_at", s.delivered_at ? json(iso8601(*s.delivered_at)) : json(nullptr)},
                     {"tracking", timeline}});
  }
  j["shipments"] = ships;
  json refunds = json::array();
  for (const auto& r : d.refunds) {
    json rj = {{"refund_id", r.id},
               {"amount", cents_to_json(r.amount)},
               {"status", r.status},
               {"lines", r.lines},
               {"restock", r.restock},
               {"reason", r.reason},
               {"created_at", iso8601(r.created_at)}};
    if (admin) rj["actor"] = r.actor;
    refunds.push_back(std::move(rj));
  }
  j["refunds"] = refunds;
  json rets = json::array();
  for (const auto& r : d.returns) {
    json rj = {{"return_id", std::to_string(r.id)},
               {"status", r.status},
               {"lines", r.lines},
               {"reason", r.reason},
               {"decision_reason", r.decision_reason},
               {"decided_at", r.decided_at ? json(iso8601(*r.decided_at)) : json(nullptr)},
               {"refund_id", r.refund_id ? json(*r.refund_id) : json(nullptr)},
               {"refunded", nullptr},
               {"created_at", iso8601(r.created_at)}};
    // What the shopper got back: the approval's refund, once it succeeded.
    for (const auto& f : d.refunds)
      if (r.refund_id && f.id == *r.refund_id && f.status == "succeeded") rj["refunded"] = cents_to_json(f.amount);
    if (admin) rj["decided_by"] = r.decided_by;
    rets.push_back(std::move(rj));
  }
  j["returns"] = rets;
  // What can be done now (orders.h order_action_allowed): pages draw their
  // buttons from this, so they offer only what the API accepts.
  json actions = json::array();
  for (auto a : order_actions(d.order, d.returns)) actions.push_back(action_name(a));
  j["actions"] = actions;
  for (size_t i = 0; i < d.order.items.size() && i < j["items"].size(); ++i)
    j["items"][i]["returnable_quantity"] = returnable_quantity(d.order, d.returns, d.order.items[i]);
  j["history"] = d.history;
  if (admin) {
    json txns = json::array();
    for (const auto& t : d.transactions)
      txns.push_back({{"transaction_id", t.id},
                      {"kind", t.kind},
                      {"status", t.status},
                      {"amount", cents_to_json(t.amount)},
                      {"provider", t.provider},
                      {"provider_transaction_id", t.provider_id},
                      {"created_at", iso8601(t.created_at)}});
    j["transactions"] = txns;
    j["reservation_id"] = d.order.reservation_id;
    j["client_ip"] = d.order.client_ip;
  }
  return j;
}

json return_request_json(const ReturnRecord& r) {
  return {{"return_id", std::to_string(r.id)},
          {"order_id", r.order_id},
          {"status", r.status},
          {"lines", r.lines},
          {"reason", r.reason}};
}

}  // namespace shopbox
