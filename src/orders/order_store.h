// Orders, payment transactions, refunds, shipments and returns, in SQLite
// (migration 302).
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
#include "orders/order.h"
#include "storage/sqlite.h"

namespace shopbox {

// The orders' tables (migrations 302, 304-399, src/orders/schema.cpp).
const std::vector<Migration>& order_migrations();

namespace order_store {

// ---- orders ----
void insert_order(Connection& c, const Order& o);                                     // with its items
std::optional<Order> get_order(Connection& c, const std::string& order_id);           // with items
std::vector<Order> list_orders(Connection& c, const OrderFilter& f, int64_t* total);  // without items
void set_status(Connection& c, const std::string& order_id, OrderStatus from, OrderStatus to, const std::string& actor,
                const std::string& note);
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

// Open orders (not cancelled or refunded, not flash-sale orders) not yet
// noted 'stock taken at recovery': (order id, reservation id). Checkout's
// start-up recovery checks their reservations were consumed.
std::vector<std::pair<std::string, std::string>> orders_awaiting_stock(Connection& c);

}  // namespace order_store
}  // namespace shopbox
