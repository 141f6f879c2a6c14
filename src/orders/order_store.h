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
// Without items; every filter of `f` that is set must match.
std::vector<Order> list_orders(Connection& c, const OrderFilter& f, int64_t* total);
void set_status(Connection& c, const std::string& order_id, OrderStatus from, OrderStatus to, const std::string& actor,
                const std::string& note);
void set_refunded(Connection& c, const std::string& order_id, Cents refunded);
void add_item_counts(Connection& c, int64_t item_id, int64_t refunded, int64_t returned, int64_t restocked);
std::vector<nlohmann::json> order_events(Connection& c, const std::string& order_id);
// The number the next order gets: one more than the highest, at least
// `first` (config checkout.first_order_number). Inside the order's own
// write transaction, so two orders never share one (the index is unique).
int64_t next_order_number(Connection& c, int64_t first);
std::optional<Order> find_by_number(Connection& c, int64_t order_number);  // with items
// Gives the guest orders placed with `email` to the account `user_id`
// (its verified email); returns their ids.
std::vector<std::string> claim_guest_orders(Connection& c, const std::string& email, int64_t user_id);
// One-time order lookup codes (only their SHA-256 is stored).
void insert_lookup_code(Connection& c, const std::string& order_id, const std::string& code_hash, int64_t expires_at,
                        int64_t now);
// True when `code_hash` is the order's newest live code (it is then used);
// a wrong code counts a failed try against it.
bool use_lookup_code(Connection& c, const std::string& order_id, const std::string& code_hash, int64_t now,
                     int max_failed_tries);
// What sold in [since, until).
SalesTotals sales_between(Connection& c, int64_t since, int64_t until);
// Totals of each of these accounts (absent: no paid order).
std::vector<CustomerTotals> totals_by_user(Connection& c, const std::vector<int64_t>& user_ids);
// Guests (orders without an account), by email, latest order first; `q`
// matches email or name.
std::vector<CustomerTotals> guest_customers(Connection& c, const std::string& q, int64_t offset, int64_t limit,
                                            int64_t* total);
// Orders waiting for the shopper to complete a payment, placed before
// `created_before`, oldest first (at most 200).
std::vector<std::string> pending_payment_orders(Connection& c, int64_t created_before);
// The order a gateway charge (a PaymentIntent) paid for.
std::optional<std::string> order_of_provider_charge(Connection& c, const std::string& provider_id);
// Gateway webhook events handled (idempotency per event id): note_ returns
// false when the event was noted before.
bool note_gateway_event(Connection& c, const std::string& event_id, const std::string& type, int64_t now);
bool gateway_event_seen(Connection& c, const std::string& event_id);
// A named secret of the orders module (made once: INSERT OR IGNORE, then read).
std::string secret(Connection& c, const std::string& name, const std::string& if_new);
// Orders created since `since` by a user / an IP / a card fingerprint / an email.
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
// An approved return whose refund the gateway declined: 'requested' again.
void reopen_return(Connection& c, int64_t return_id);
// False (nothing changed) when the return is no longer 'requested'.
[[nodiscard]] bool decide_return(Connection& c, int64_t return_id, const std::string& status,
                                 const std::optional<std::string>& refund_id, const std::string& actor,
                                 const std::string& reason, int64_t at);

// Open orders (not cancelled or refunded, not flash-sale orders) not yet
// noted 'stock taken at recovery': (order id, reservation id). Checkout's
// start-up recovery checks their reservations were consumed.
std::vector<std::pair<std::string, std::string>> orders_awaiting_stock(Connection& c);

}  // namespace order_store
}  // namespace shopbox
