// The API shape of an order (the seed's order response, plus history).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "orders/order_store.h"

namespace shopbox {

struct OrderDetails {
  Order order;
  std::vector<PaymentTransaction> transactions;
  std::vector<Shipment> shipments;
  std::vector<RefundRecord> refunds;
  std::vector<ReturnRecord> returns;
  std::vector<nlohmann::json> history;
};

// The order number as people read it, without the "#": "1001", or in a
// cluster (show_shard_in_order_numbers(true), set once at start-up)
// "S1-1001", since each shard numbers its own orders.
std::string order_number_text(const Order& o);
void show_shard_in_order_numbers(bool on);

// Summary for lists: id, status, created_at, pricing, items_count.
nlohmann::json order_summary_json(const Order& o);
// Full order: items, pricing, payment, addresses, estimated delivery; with
// `details` also shipments (tracking timeline), refunds, returns, history.
nlohmann::json order_json(const Order& o, const std::vector<PaymentTransaction>& txns);
nlohmann::json order_details_json(const OrderDetails& d, bool admin);
// The answer to a shopper's return request (signed in or by the order's link).
nlohmann::json return_request_json(const ReturnRecord& r);

}  // namespace shopbox
