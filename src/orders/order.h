// Orders as plain data: an order and its lines, its payment transactions,
// refunds, shipments and returns (the state machine is in orders.h; the rows
// in order_store.h). Other modules read these through Orders.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/money.h"

namespace shopbox {

// Flash-sale orders stand in for a reservation with "flash:<token>".
inline constexpr std::string_view kFlashOrderPrefix = "flash:";
inline std::string flash_reservation_id(const std::string& permission_token) {
  return std::string(kFlashOrderPrefix) + permission_token;
}
inline bool is_flash_order_reservation(std::string_view reservation_id) {
  return reservation_id.substr(0, kFlashOrderPrefix.size()) == kFlashOrderPrefix;
}

// An order's life: pending -> paid -> shipped -> delivered; paid ->
// cancelled; refunds move paid, shipped, delivered and partially_refunded
// orders to partially_refunded or refunded (the table is
// order_transition_allowed, orders.cpp).
// pending_payment: placed, the shopper still has to complete the payment
// (3-D Secure); its stock stays reserved until the reservation TTL, then
// the order is cancelled (payment_expired) or paid when the gateway says so.
enum class OrderStatus { pending, paid, shipped, delivered, partially_refunded, refunded, cancelled, pending_payment };
// The stored and API text of a status ("paid"), and back (nullopt: not one).
const char* status_name(OrderStatus status);
std::optional<OrderStatus> parse_order_status(std::string_view text);
// No silent JSON number for a status: write status_name() instead.
void to_json(nlohmann::json& j, OrderStatus status) = delete;

// One line of an order: a snapshot of the variant sold (its product's and
// its own name, options, SKU, picture and price at the time), so the order
// reads the same after the catalog changes or the product is deleted.
struct OrderItem {
  int64_t id = 0;
  int64_t product_id = 0;
  int64_t variant_id = 0;  // the stock the line took; a product's only variant has the product's id
  std::string name;
  std::string image;
  std::string sku;
  std::string variant_title;                                   // "Blue / M"; "" for a default variant
  nlohmann::json selected_options = nlohmann::json::object();  // {"Color": "Blue", "Size": "M"}
  int64_t quantity = 0;
  Cents unit_price = 0;
  Cents subtotal = 0;
  // The line's share of the order's discounts and added tax (pricing.h
  // LineShare): a refund of the whole line gives back subtotal - discount +
  // tax. tax is nullopt on lines stored before orders kept their pricing.
  Cents discount = 0;
  std::optional<Cents> tax;
  int64_t refunded_quantity = 0;
  int64_t returned_quantity = 0;
  int64_t restocked_quantity = 0;
};

struct Order {
  std::string id;
  // The short number people read and say ("1001"; shown "#1001", or
  // "#S1-1001" in a cluster: display_order_number), sequential per shard.
  int64_t order_number = 0;
  int64_t user_id = 0;  // 0: a guest's order (email says whose)
  // Where the order's email goes: the guest's, or the account's at checkout.
  std::string email;
  std::string customer_name;  // the shipping address's name at checkout
  OrderStatus status = OrderStatus::pending;
  Cents subtotal = 0, discount = 0, tax = 0, shipping = 0, total = 0, refunded = 0;
  Cents tax_included = 0;  // inside the prices (tax-inclusive zones), not in `tax`
  // {"discounts": [...], "taxes": [...], "shipping_method": {id, name}|null,
  // "zone": name}: what order_json shows as "pricing" (pricing.h shapes).
  nlohmann::json pricing = nlohmann::json::object();
  std::string currency = "USD";
  nlohmann::json shipping_address = nlohmann::json::object();
  nlohmann::json billing_address = nlohmann::json::object();
  nlohmann::json payment_method = nlohmann::json::object();
  // The inventory reservation the order consumed; a flash-sale order has
  // none (its units left stock when the sale was created) and holds
  // flash_reservation_id(permission token) here instead (the column is
  // unique and required: one order per token).
  std::string reservation_id;
  std::string idempotency_key;
  std::string shard;
  std::string client_ip;
  std::string card_fingerprint;
  int64_t estimated_delivery = 0;
  int64_t created_at = 0, updated_at = 0;
  std::optional<int64_t> paid_at, shipped_at, delivered_at, cancelled_at;
  std::vector<OrderItem> items;
};

struct PaymentTransaction {
  std::string id;
  std::string order_id;
  std::string kind;  // charge | refund
  std::string method;
  std::string provider;
  std::string provider_id;
  Cents amount = 0;
  std::string currency;
  std::string status;
  std::string idempotency_key;
  int64_t created_at = 0, updated_at = 0;

  // The completed charge that paid for `o` (authorized and captured in one
  // step by the gateway), as checkout and flash-sale checkout record it.
  static PaymentTransaction captured_charge(const Order& o, std::string method, std::string provider,
                                            std::string charge_id, std::string idempotency_key, int64_t now);
};

struct RefundRecord {
  std::string id;
  std::string order_id;
  Cents amount = 0;
  nlohmann::json lines = nlohmann::json::array();
  bool restock = false;
  bool restocked = false;
  std::string reason;
  std::string status;
  std::string provider_refund_id;
  std::string actor;
  int64_t created_at = 0, updated_at = 0;
};

struct TrackingEvent {
  int64_t id = 0;
  std::string status, location, description;
  int64_t occurred_at = 0;
};

struct Shipment {
  int64_t id = 0;
  std::string order_id, carrier, tracking_number, status;
  int64_t shipped_at = 0;
  std::optional<int64_t> delivered_at;
  std::vector<TrackingEvent> events;
};

struct ReturnRecord {
  int64_t id = 0;
  std::string order_id;
  int64_t user_id = 0;
  nlohmann::json lines = nlohmann::json::array();
  std::string reason, status;
  std::optional<std::string> refund_id;
  int64_t created_at = 0;
  std::optional<int64_t> decided_at;
  // Who decided (the admin's actor) and, for a rejection, why: the shopper
  // reads it on their order (migration 307).
  std::string decided_by, decision_reason;
};

// What a customer has bought (the admin's customers page): orders that
// were paid (not cancelled, not awaiting payment), net of refunds.
// What the shop sold over a time window (the dashboard): paid orders and
// their revenue net of refunds; cancelled and unpaid orders do not count.
struct SalesTotals {
  int64_t orders = 0;
  Cents revenue = 0;  // totals less refunds
  Cents refunded = 0;
  int64_t awaiting_payment = 0;  // orders still pending_payment (3-D Secure)
};

struct CustomerTotals {
  int64_t user_id = 0;  // 0: a guest, known by email
  std::string email;
  std::string name;  // a guest's: the name on their latest order
  int64_t orders = 0;
  Cents spent = 0;
  int64_t last_order_at = 0;
};

struct OrderFilter {
  std::optional<int64_t> user_id;
  std::optional<OrderStatus> status;
  // The admin's search: an order number ("1001", "#1001") or part of an
  // email (q), or one exact email.
  std::optional<int64_t> order_number;
  std::string email_contains;
  std::string email;
  int64_t offset = 0;
  int64_t limit = 20;
};

}  // namespace shopbox
