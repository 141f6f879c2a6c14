// The checkout saga (DESIGN.md "Checkout"): POST /api/v1/orders.
//
// A checkout is a row of steps, each next to its compensation (the undo a
// later failure or a crash runs), with a durable step log (checkout_store.h
// CheckoutAttempt) between them:
//
//   step            does                                 compensation
//   --------------  -----------------------------------  ----------------------
//   answer_on_record an Idempotency-Key seen before:     -
//                   replay its answer (same status and
//                   body), 422 for another body, wait
//                   while it is still being processed
//   (price)         the pricing module's quote for these  -
//                   lines, address, method and codes
//                   (409 discount_not_applicable, 422
//                   no_shipping_to_address, 400
//                   shipping_method_unavailable)
//   reserve         every line, one LMDB transaction     give_back_stock
//                   (409 out_of_stock)                   (release; else its TTL)
//   record_attempt  idempotency record + attempt row     forget the key, give
//                   'reserved' + one held use per         back the uses
//                   discount (409 when a code's uses      (Pricing::
//                   ran out), one SQLite transaction      release_attempt_uses)
//   charge          authorize + capture, the attempt id  undo_charge (void or
//                   is the gateway's idempotency key     refund under the key)
//                   (decline: 402)
//   write_order     order + payment transaction + events  -
//                   + the completed idempotency answer
//                   + attempt 'ordered' + the held uses
//                   kept by the order, ONE transaction
//   finish_order    consume the reservation, clear the   (idempotent: repeated)
//                   bought cart lines, attempt 'completed'
//
// recover() (start-up) and recover_stale() (the sweeper, for attempts
// untouched longer than any request takes) run the same compensations for
// every attempt a crash or a failed write left open: before the order
// exists, undo_charge + give_back_stock + forget the key (the client's retry
// starts afresh); once it exists, finish_order.
//
// Thread rule: place_order may run on any number of threads at once; the
// databases serialize the writes, the Idempotency-Key serializes retries.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "checkout/checkout_store.h"
#include "checkout/shopper_input.h"
#include "orders/order.h"
#include "pricing/pricing.h"
#include "storage/sqlite.h"

namespace shopbox {

class Addresses;
class Cart;
class Catalog;
class Inventory;
class Orders;
class PaymentGateway;
class PaymentMethods;
class Pricing;
struct Config;

// An explicit line: a variant, or a product with its selected options
// (resolved like the cart's: catalog/variants.h choose_variant).
struct CheckoutLine {
  int64_t product_id = 0;
  int64_t quantity = 0;
  int64_t variant_id = 0;  // wins when set
  nlohmann::json selected_options = nlohmann::json::object();
};

// A checkout as the HTTP layer read it from the request (http/checkout_body.h).
struct CheckoutRequest {
  int64_t user_id = 0;  // 0: a guest (guest_cart and email set)
  // A guest's cart token (cart.h valid_cart_token): the guest's cart, and
  // the scope of their Idempotency-Keys (guests share user_id 0, so a key
  // alone would let one guest replay another's answer).
  std::string guest_cart;
  // Where the order's email goes: the guest's (required for guests), or
  // the signed-in account's.
  std::string email;
  std::string idempotency_key;  // 1-255 printable ASCII (valid_idempotency_key)
  std::string client_ip;
  std::vector<CheckoutLine> items;  // explicit lines, each variant once; empty: buy the cart
  AddressChoice shipping;           // required
  AddressChoice billing;            // empty: the shipping address
  PaymentChoice payment;
  // A method id from the shipping options for this address; empty: the
  // cart's chosen method (when it serves this address), else the cheapest.
  std::string shipping_method;
  // Codes to apply; nullopt: the cart's codes when buying the cart, none
  // for explicit items.
  std::optional<std::vector<std::string>> discount_codes;

  bool guest() const { return user_id == 0; }
  // The cart bought: "u:<id>" or "g:<guest token>" (cart.h owners).
  std::string cart_owner() const;
  // The Idempotency-Key as stored: a guest's is scoped by a hash of their
  // cart token.
  std::string stored_key() const;
  // Who a card token made at this checkout belongs to (gateway.h owners).
  std::string card_owner_name() const;
};

// The answer, as given and as stored under the Idempotency-Key.
struct CheckoutResponse {
  int status = 0;
  nlohmann::json body;
  bool replayed = false;
};

bool valid_idempotency_key(const std::string& key);

class Checkout {
 public:
  // What checkout uses, and nothing else.
  struct Dependencies {
    Sqlite& db;
    Inventory& inventory;
    Catalog& catalog;
    Cart& cart;
    PaymentGateway& payments;
    Orders& orders;  // cancels an order whose reservation lapsed
    Addresses& addresses;
    PaymentMethods& payment_methods;
    Pricing& pricing;
    const Config& config;
  };
  explicit Checkout(const Dependencies& d) : d_(d) {}

  // Never throws; every outcome is a status and a JSON body.
  CheckoutResponse place_order(const CheckoutRequest& req);

  // The dashboard: how payments went in [since, until) (checkout_store.h).
  [[nodiscard]] Result<checkout_store::PaymentOutcomes> payment_outcomes(int64_t since, int64_t until);

  struct RecoveryReport {
    int finished = 0;
    int compensated = 0;
  };
  // Start-up recovery of interrupted checkouts.
  RecoveryReport recover();
  // Runtime recovery (the sweeper): only attempts whose last step is older
  // than `min_age_seconds`, so no checkout still in flight is touched.
  RecoveryReport recover_stale(int64_t min_age_seconds);
  // An attempt untouched this long is not in flight: a checkout takes at
  // most a few gateway timeouts (seconds), never minutes.
  static constexpr int64_t kStaleAttemptSeconds = 300;
  // The most lines one order (and so one refund or return) holds.
  static constexpr size_t kMaxLines = 200;
  // The fraud velocity rules (checkout.max_orders_per_*_hour) count orders
  // over this window.
  static constexpr int64_t kVelocityWindowSeconds = 3600;
  // How long a request waits for another one under the same
  // Idempotency-Key to finish before answering 409 (a checkout takes a few
  // gateway timeouts at most).
  static constexpr int kIdempotencyWaitSeconds = 20;

  // ---- payments the shopper completes later (3-D Secure; checkout_payment.cpp) ----
  // A charge that answered requires_action leaves the order pending_payment
  // (POST /orders answers 202 with next_action.client_secret for the
  // gateway's script) and the attempt awaiting_payment, its stock still
  // reserved. settle_payment asks the gateway where the charge stands and
  // finishes the order: paid (the reservation consumed, as finish_order),
  // or failed (cancelled: stock and discount uses given back). `expire`
  // (the sweeper, near the reservation's TTL) also cancels a payment still
  // waiting for the shopper. Exactly once: Orders::payment_succeeded /
  // payment_failed change only a pending order, so the gateway's webhook,
  // the shopper's confirmation and the sweeper may race. "Cannot tell" (the
  // gateway did not answer) changes nothing.
  [[nodiscard]] Result<OrderStatus> settle_payment(const std::string& order_id, bool expire = false);
  // The sweeper: settles (with expire) the orders pending longer than the
  // payment window, before their reservations lapse. Returns how many.
  int settle_stale_payments();
  // How long a shopper has to complete a payment: the reservation TTL less
  // a minute (at least half of it), so the order is settled while its
  // stock is still held.
  int64_t payment_window_seconds() const;

  // Deletes idempotency records older than the retention.
  int64_t purge_idempotency();

 private:
  struct Saga;  // one checkout's state as it moves through the steps (checkout.cpp)

  CheckoutResponse run(const CheckoutRequest& req);
  // The steps, in order (see the table above).
  std::optional<CheckoutResponse> answer_on_record(const CheckoutRequest& req, const std::string& request_hash);
  Status check_velocity(const char* column, const std::string& value, int limit, const char* rule);
  // What is bought: the order lines, the same lines for the pricing
  // module, and (buying the cart) the cart's codes and shipping choice.
  struct Basket {
    std::vector<OrderItem> items;
    std::vector<PricingLine> pricing;
    std::vector<std::string> cart_codes;
    std::string cart_method;
  };
  Result<Basket> lines_to_buy(const CheckoutRequest& req, const std::string& cart_owner);
  // One explicit line, resolved to its variant (400 when the product or
  // variant is unknown or the options choose none).
  Status add_explicit_line(const CheckoutLine& l, const std::string& field, Basket& basket);
  // The quote for the basket, or the checkout's answer when it cannot be
  // bought as asked.
  Result<Quote> price_basket(const CheckoutRequest& req, const Basket& basket, const nlohmann::json& shipping);
  std::optional<CheckoutResponse> reserve(Saga& s);
  std::optional<CheckoutResponse> record_attempt(Saga& s);
  std::optional<CheckoutResponse> charge(Saga& s);
  std::optional<CheckoutResponse> write_order(Saga& s);
  // Step 6 (also run by recovery): consume the reservation, clear the cart
  // lines, mark the attempt completed. Safe to repeat.
  void finish_order(const std::string& attempt_id, const std::string& order_id, const std::string& reservation_id,
                    const std::string& cart_owner, const std::vector<OrderItem>& items);

  // Compensations.
  void give_back_stock(const std::string& reservation_id, const char* why);
  // Gives back what the gateway took under the attempt's key: voids an
  // authorization, refunds a capture. Ok when nothing stays charged; a
  // failure (the gateway could not tell, or refused) leaves the attempt open
  // for recovery to try again.
  Status undo_charge(const std::string& attempt_id);
  // Takes the Idempotency-Key for this attempt (its record 'processing')
  // and writes the attempt's first step log, in one transaction; `mine` is
  // false when another request holds the key.
  // With step reserved it also holds one use of each discount (Pricing::hold_uses).
  Status claim_key(Saga& s, AttemptStep step, bool& mine);
  // A definitive failure (409 out of stock, 402 declined): stored under the
  // key so a replay answers the same.
  CheckoutResponse fail_for_good(Saga& s, const Status& st, AttemptStep step);
  // A definitive refusal before anything is held (out of stock, a code that
  // does not apply): claims the key and stores the answer, or answers what
  // the request that owns the key answered.
  CheckoutResponse refuse_for_good(Saga& s, const Status& st);

  // Finishes or compensates the unfinished attempts last updated before
  // `updated_before` (seconds); `when` names the occasion in their log
  // (checkout_recovery.cpp).
  RecoveryReport recover_attempts(int64_t updated_before, const char* when);
  // Orders whose stock never left through their reservation (start-up).
  int take_stock_for_restored_orders();

  Dependencies d_;
};

}  // namespace shopbox
