// Orders after checkout: reading, the state machine, shipping and tracking,
// cancellation, refunds and returns.
//
// States: pending -> paid -> shipped -> delivered; paid -> cancelled;
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

  Result<ReturnRecord> request_return(const std::string& order_id, int64_t user_id,
                                      const std::vector<RefundLine>& lines, const std::string& reason);
  Result<ReturnRecord> decide_return(int64_t return_id, bool approve, bool restock, const std::string& actor);

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

  // Finishes refunds and restocks a crash interrupted. Returns how many.
  int recover();
  // Appends one line per broken invariant.
  void check_invariants(std::vector<std::string>& problems);

 private:
  Result<RefundRecord> refund_impl(const std::string& order_id, const RefundSpec& spec, const std::string& actor,
                                   bool cancel, std::optional<int64_t> user_id);
  Status complete_refund(const RefundRecord& r);
  void restock(const RefundRecord& r);
  Result<OrderDetails> transition(const std::string& order_id, const std::vector<OrderStatus>& from, OrderStatus to,
                                  const std::string& actor, const std::string& note,
                                  const std::function<void(Connection&, const Order&)>& extra);
  Sqlite& db_;
  Inventory& inventory_;
  PaymentGateway& payments_;
  const Config& config_;
};

// True when `from -> to` is a legal order state change.
bool order_transition_allowed(OrderStatus from, OrderStatus to);

}  // namespace shopbox
