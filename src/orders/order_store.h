// Orders, payment transactions, refunds, shipments, returns, idempotency
// records and the checkout step log, in SQLite (migration 302).
//
// Free functions over a Connection: callers choose the transaction, so an
// order, its payment transaction, its outbox event and the idempotency
// record are written in ONE SQLite transaction by the checkout saga.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/money.h"
#include "storage/sqlite.h"

namespace shopbox {

// The orders' tables (migrations 302, 304-399, src/orders/schema.cpp).
const std::vector<Migration>& order_migrations();


// Flash-sale orders stand in for a reservation with "flash:<token>".
inline constexpr std::string_view kFlashOrderPrefix = "flash:";
inline std::string flash_reservation_id(const std::string& permission_token) {
  return std::string(kFlashOrderPrefix) + permission_token;
}
inline bool is_flash_order_reservation(std::string_view reservation_id) {
  return reservation_id.substr(0, kFlashOrderPrefix.size()) == kFlashOrderPrefix;
}

struct OrderItem {
  int64_t id = 0;
  int64_t product_id = 0;
  std::string name;
  std::string image;
  std::string sku;
  int64_t quantity = 0;
  Cents unit_price = 0;
  Cents subtotal = 0;
  int64_t refunded_quantity = 0;
  int64_t returned_quantity = 0;
  int64_t restocked_quantity = 0;
};

struct Order {
  std::string id;
  int64_t user_id = 0;
  std::string status;
  Cents subtotal = 0, discount = 0, tax = 0, shipping = 0, total = 0, refunded = 0;
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
};

struct IdempotencyRecord {
  int64_t user_id = 0;
  std::string key, request_hash, status;  // processing | completed
  int response_status = 0;
  std::string response_body;
  std::string attempt_id;
  int64_t created_at = 0;
};

// The step log of a checkout attempt (the saga's durable record,
// src/checkout/checkout.h). Open steps (started, reserved, charged,
// ordered) are what recovery finishes or compensates; the others are final.
enum class AttemptStep { started, reserved, charged, ordered, completed, failed, compensated };
// The stored text of a step ("reserved"), and back (nullopt: not a step).
const char* step_name(AttemptStep step);
std::optional<AttemptStep> parse_step(std::string_view text);

struct CheckoutAttempt {
  std::string id;
  int64_t user_id = 0;
  std::string idempotency_key;
  std::string order_id;
  AttemptStep step = AttemptStep::started;
  std::string reservation_id;
  std::string charge_id;
  Cents amount = 0;
  std::string cart_owner;
  std::vector<int64_t> product_ids;
  std::string error;
  int64_t created_at = 0, updated_at = 0;
};

struct OrderFilter {
  std::optional<int64_t> user_id;
  std::optional<std::string> status;
  int64_t offset = 0;
  int64_t limit = 20;
};

namespace order_store {

// ---- orders ----
void insert_order(Connection& c, const Order& o);                                     // with its items
std::optional<Order> get_order(Connection& c, const std::string& order_id);           // with items
std::vector<Order> list_orders(Connection& c, const OrderFilter& f, int64_t* total);  // without items
void set_status(Connection& c, const std::string& order_id, const std::string& from, const std::string& to,
                const std::string& actor, const std::string& note);
void set_refunded(Connection& c, const std::string& order_id, Cents refunded);
void add_item_counts(Connection& c, int64_t item_id, int64_t refunded, int64_t returned, int64_t restocked);
std::vector<nlohmann::json> order_events(Connection& c, const std::string& order_id);
// Orders created since `since` by a user / an IP / a card fingerprint.
int64_t count_orders_by(Connection& c, const char* column, const std::string& value, int64_t since);

// ---- payment transactions ----
void insert_transaction(Connection& c, const PaymentTransaction& t, const std::string& note);
void set_transaction_status(Connection& c, const std::string& txn_id, const std::string& to, Cents amount,
                            const std::string& note);
std::vector<PaymentTransaction> transactions(Connection& c, const std::string& order_id);
std::vector<nlohmann::json> payment_events(Connection& c, const std::string& txn_id);

// ---- refunds ----
void insert_refund(Connection& c, const RefundRecord& r);
void update_refund(Connection& c, const std::string& refund_id, const std::string& status,
                   const std::string& provider_refund_id);
void set_refund_restocked(Connection& c, const std::string& refund_id);
std::optional<RefundRecord> get_refund(Connection& c, const std::string& refund_id);
std::vector<RefundRecord> refunds(Connection& c, const std::string& order_id);
std::vector<RefundRecord> refunds_needing_work(Connection& c);  // pending, or succeeded and not yet restocked

// ---- shipments ----
int64_t insert_shipment(Connection& c, const std::string& order_id, const std::string& carrier,
                        const std::string& tracking_number, int64_t at);
void add_tracking_event(Connection& c, int64_t shipment_id, const TrackingEvent& e);
void mark_shipments_delivered(Connection& c, const std::string& order_id, int64_t at);
std::vector<Shipment> shipments(Connection& c, const std::string& order_id);

// ---- returns ----
int64_t insert_return(Connection& c, const ReturnRecord& r);
std::optional<ReturnRecord> get_return(Connection& c, int64_t return_id);
std::vector<ReturnRecord> returns_of(Connection& c, const std::string& order_id);
std::vector<ReturnRecord> list_returns(Connection& c, const std::optional<std::string>& status, int64_t offset,
                                       int64_t limit, int64_t* total);
void decide_return(Connection& c, int64_t return_id, const std::string& status,
                   const std::optional<std::string>& refund_id, int64_t at);

// ---- idempotency ----
std::optional<IdempotencyRecord> get_idempotency(Connection& c, int64_t user_id, const std::string& key);
void insert_idempotency(Connection& c, const IdempotencyRecord& r);
void complete_idempotency(Connection& c, int64_t user_id, const std::string& key, int status, const std::string& body,
                          const std::string& order_id);
void delete_idempotency(Connection& c, int64_t user_id, const std::string& key);
// Deletes completed records older than `before`; returns how many.
int64_t purge_idempotency(Connection& c, int64_t before);

// Open orders (not cancelled or refunded, not flash-sale orders) not yet
// noted 'stock taken at recovery': (order id, reservation id). Checkout's
// start-up recovery checks their reservations were consumed.
std::vector<std::pair<std::string, std::string>> orders_awaiting_stock(Connection& c);

// ---- checkout step log ----
void insert_attempt(Connection& c, const CheckoutAttempt& a);
void update_attempt(Connection& c, const std::string& attempt_id, AttemptStep step, const std::string& reservation_id,
                    const std::string& charge_id, const std::string& error);
std::vector<CheckoutAttempt> unfinished_attempts(Connection& c);  // started, reserved, charged, ordered

}  // namespace order_store
}  // namespace shopbox
