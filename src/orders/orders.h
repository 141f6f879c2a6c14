// Orders after checkout: reading, the state machine, shipping and tracking,
// cancellation, refunds and returns.
//
// States: pending -> paid -> shipped -> delivered; paid -> cancelled;
// pending_payment (the shopper is completing 3-D Secure) -> paid or
// cancelled;
// refunds move paid/shipped/delivered/partially_refunded to
// partially_refunded or refunded. Anything else is 409 invalid_transition.
//
// Refunds are crash-safe: the refund row is written 'pending' first (its id
// is the gateway idempotency key), then the gateway is called, then the
// order totals, a 'refund' payment transaction and the refund.created event
// are written in one transaction. recover() finishes pending refunds and
// restocks that were interrupted.
#pragma once

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "orders/order_json.h"
#include "orders/order_store.h"
#include "storage/sqlite.h"

namespace shopbox {

class Inventory;
class PaymentGateway;
struct Config;

// A line of a refund or return names an order line: by variant, or by
// product when the order holds one line of that product.
struct RefundLine {
  int64_t product_id = 0;
  int64_t quantity = 0;
  int64_t variant_id = 0;  // 0: by product_id
};

struct RefundSpec {
  std::optional<Cents> amount;    // by amount, or
  std::vector<RefundLine> lines;  // by lines (amount: their share of the total incl. tax)
  bool restock = false;
  std::string reason;
};

enum class OrderAction;

class Orders {
 public:
  Orders(Sqlite& db, Inventory& inventory, PaymentGateway& payments, const Config& config)
      : db_(db), inventory_(inventory), payments_(payments), config_(config) {}

  // 404 when missing or (user_id set) not the user's.
  Result<OrderDetails> get(const std::string& order_id, std::optional<int64_t> user_id = std::nullopt);
  Result<std::vector<Order>> list(const OrderFilter& f, int64_t* total);

  // Customer or admin cancel before shipping: refund what was captured and
  // (restock) put the items back. 409 after shipping.
  Result<OrderDetails> cancel(const std::string& order_id, const std::string& actor, const std::string& reason,
                              bool restock, std::optional<int64_t> user_id = std::nullopt);
  Result<RefundRecord> refund(const std::string& order_id, const RefundSpec& spec, const std::string& actor);
  Result<OrderDetails> ship(const std::string& order_id, const std::string& carrier, const std::string& tracking,
                            const std::string& actor);
  Result<OrderDetails> add_tracking_event(const std::string& order_id, const TrackingEvent& e,
                                          const std::string& actor);
  Result<OrderDetails> deliver(const std::string& order_id, const std::string& actor);

  // A shopper's (user_id; 0 with a guest's signed link) return of delivered
  // lines: each at most its returnable_quantity, each line once.
  Result<ReturnRecord> request_return(const std::string& order_id, int64_t user_id,
                                      const std::vector<RefundLine>& lines, const std::string& reason);
  // Approving refunds exactly the returned lines; the approval and that
  // refund are written in one transaction, so a return is refunded once
  // however many admins approve it. A rejection needs a reason (the
  // shopper reads it).
  Result<ReturnRecord> decide_return(int64_t return_id, bool approve, bool restock, const std::string& actor,
                                     const std::string& reason = "");
  // A guest's return, authorised by the order's signed link token.
  Result<ReturnRecord> request_guest_return(const std::string& order_id, const std::string& token,
                                            const std::vector<RefundLine>& lines, const std::string& reason);

  // For checkout (the saga and its recovery):
  //   orders placed since `since` by one buyer: `by` is "user_id",
  //   "client_ip" or "card_fingerprint" (the velocity rules);
  [[nodiscard]] Result<int64_t> count_placed_since(const char* by, const std::string& value, int64_t since);
  //   the order with its lines, nullopt when there is none;
  [[nodiscard]] Result<std::optional<Order>> find(const std::string& order_id);
  //   open orders (not cancelled or refunded, not flash-sale orders, with
  //   their lines) not yet noted as having their stock taken at recovery;
  [[nodiscard]] Result<std::vector<Order>> awaiting_stock();
  //   notes in the order's history that recovery took its stock.
  [[nodiscard]] Status note_stock_taken(const std::string& order_id);

  // ---- payments completed later (3-D Secure; pending_payments.cpp) ----
  // A pending_payment order whose charge the gateway now says succeeded:
  // paid, its charge completed, order.created and order.paid appended.
  // False (and nothing written) when the order is no longer pending_payment:
  // the webhook, the shopper's confirmation and the sweeper may all try, and
  // only the first changes anything.
  [[nodiscard]] Result<bool> payment_succeeded(const std::string& order_id);
  // Its payment failed or expired: cancelled, the charge failed, the
  // discount uses given back, order.payment_failed appended. False when no
  // longer pending. The caller gives the stock back.
  [[nodiscard]] Result<bool> payment_failed(const std::string& order_id, const std::string& reason);
  // pending_payment orders placed before `created_before`.
  [[nodiscard]] Result<std::vector<std::string>> pending_payments(int64_t created_before);
  // The order a gateway charge id paid for (nullopt: none of ours).
  [[nodiscard]] Result<std::optional<std::string>> order_of_charge(const std::string& charge_id);
  // Gateway webhooks: true once an event id was handled (note_gateway_event
  // is called after handling, so a failure is retried by the gateway).
  [[nodiscard]] Result<bool> gateway_event_seen(const std::string& event_id);
  [[nodiscard]] Status note_gateway_event(const std::string& event_id, const std::string& type);

  // The dashboard: what sold in [since, until).
  [[nodiscard]] Result<SalesTotals> sales_between(int64_t since, int64_t until);

  // The customers page: what each account bought, and the guests.
  Result<std::vector<CustomerTotals>> totals_by_user(const std::vector<int64_t>& user_ids);
  Result<std::vector<CustomerTotals>> guest_customers(const std::string& q, int64_t offset, int64_t limit,
                                                      int64_t* total);

  // ---- guests (guest_orders.cpp) ----
  // An order placed without an account is found by its number and email
  // plus a one-time code sent to that email, or by the signed link in its
  // confirmation email. Every failure is the same 404, so neither route
  // tells whether an order number or an email exists.
  //
  // A signed link that opens the order without an account: public_url +
  // "/orders/lookup?order=<id>&token=<HMAC of the id and email>".
  [[nodiscard]] Result<std::string> guest_order_url(const Order& o);
  // Sends a code (order.lookup_code event, 15 minutes, 5 tries) when the
  // number and email name an order; Ok either way.
  [[nodiscard]] Status send_lookup_code(const std::string& order_number, const std::string& email);
  Result<OrderDetails> lookup_by_code(const std::string& order_number, const std::string& email,
                                      const std::string& code);
  Result<OrderDetails> lookup_by_link(const std::string& order_id, const std::string& token);
  // Gives the guest orders placed with `email` to account `user_id`: call
  // only once the account has proven it owns that email (verification).
  [[nodiscard]] Result<std::vector<std::string>> claim_guest_orders(const std::string& email, int64_t user_id);
  // "1001", "#1001", "S1-1001" or "#s1-1001" -> 1001 (nullopt: not an
  // order number of this shard).
  std::optional<int64_t> parse_order_number(const std::string& text) const;
  static constexpr int64_t kLookupCodeSeconds = 15 * 60;
  static constexpr int kLookupCodeTries = 5;

  // Finishes refunds and restocks a crash interrupted. Returns how many.
  int recover();
  // Appends one line per broken invariant.
  void check_invariants(std::vector<std::string>& problems);

 private:
  // return_id: the return this refund approves (0: none).
  Result<RefundRecord> refund_impl(const std::string& order_id, const RefundSpec& spec, const std::string& actor,
                                   bool cancel, std::optional<int64_t> user_id, int64_t return_id = 0);
  Status complete_refund(const RefundRecord& r);
  void restock(const RefundRecord& r);
  Result<OrderDetails> transition(const std::string& order_id, OrderAction action, OrderStatus to,
                                  const std::string& actor, const std::string& note,
                                  const std::function<void(Connection&, const Order&)>& extra);
  // The key that signs guest order links (made once, kept in the database).
  Result<std::string> link_key();

  Sqlite& db_;
  Inventory& inventory_;
  PaymentGateway& payments_;
  const Config& config_;
  std::mutex link_key_mu_;
  std::string link_key_;
};

// True when `from -> to` is a legal order state change.
bool order_transition_allowed(OrderStatus from, OrderStatus to);

// What can be done to an order now. The one rule both the operations (which
// refuse the others with 409 invalid_transition) and the order JSON's
// "actions" (which the pages draw their buttons from) use.
enum class OrderAction { ship, add_tracking_event, deliver, cancel, refund, request_return };
const char* action_name(OrderAction a);
// `returns`: the order's return requests (units in a requested return can
// be neither returned again nor refunded by line).
bool order_action_allowed(const Order& o, const std::vector<ReturnRecord>& returns, OrderAction a);
std::vector<OrderAction> order_actions(const Order& o, const std::vector<ReturnRecord>& returns);
// Units of the line's variant in requested (undecided) returns, except
// return `except_return`.
int64_t units_in_requested_returns(const std::vector<ReturnRecord>& returns, int64_t variant_id,
                                   int64_t except_return = 0);
// Units the shopper may still return: delivered, not refunded, not in a
// requested return; 0 before delivery.
int64_t returnable_quantity(const Order& o, const std::vector<ReturnRecord>& returns, const OrderItem& it);

}  // namespace shopbox
