// A new paid order: how checkout and flash-sale checkout turn a successful
// charge into an order, in one place, so both orders look the same to
// order history, shipping, refunds, returns and the events.
//
// paid_order() assembles the record (status paid, paid now, the totals,
// each line's share and the delivery estimate from the quote); record_paid_order() writes it with its
// captured-charge transaction and the order.created and order.paid events
// inside the caller's SQLite transaction (the caller adds its own step log
// to the same transaction, so the order and the log commit together).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "orders/order_store.h"
#include "pricing/pricing.h"
#include "storage/sqlite.h"

namespace shopbox {

struct Config;

struct OrderDraft {
  std::string order_id;          // new_order_id(shard)
  int64_t user_id = 0;           // 0: a guest
  std::string email;             // where the order's email goes (the guest's, or the account's)
  std::vector<OrderItem> items;  // product, name, image, sku, quantity, unit price, line subtotal
  Quote quote;                   // pricing.h price() of exactly these items (one LineShare per item)
  std::string currency;
  nlohmann::json shipping_address, billing_address;
  nlohmann::json payment_method;  // PreparedPayment::summary
  // The stock the order takes: an inventory reservation, or for a flash-sale
  // order flash_reservation_id(token) (its units left stock with the sale).
  std::string reservation_id;
  std::string idempotency_key;  // unique per order
  std::string client_ip, card_fingerprint;
};

Order paid_order(const OrderDraft& draft, const Config& config, int64_t now);

// Numbers the order (order_store::next_order_number, from
// `first_order_number`), inserts it and `charge`
// (PaymentTransaction::captured_charge) and appends order.created and
// order.paid. Returns the order's JSON, as POST /api/v1/orders answers it.
// An order still pending_payment (3-D Secure under way) gets
// order.payment_pending instead; its order.created and order.paid come
// with the payment (Orders::payment_succeeded).
// Throws what the store throws (the transaction rolls back).
nlohmann::json record_paid_order(Connection& c, Order& order, const PaymentTransaction& charge, const std::string& note,
                                 int64_t first_order_number);

}  // namespace shopbox
