// The pricing service: the merchant's rules (discounts, shipping zones and
// their tax rates) and the discount uses, in SQLite (pricing_store.h), and
// the quote every total comes from (pricing.h price()).
//
// Invariant, like stock's: a discount's uses (redemptions held by a
// checkout in flight or kept by an order) never exceed its usage_limit, nor
// a customer's its per_customer_limit. hold_uses() checks and writes inside
// the caller's SQLite write transaction, and SQLite serializes writers, so
// 50 concurrent checkouts with a code that has 10 uses left get exactly 10
// holds. A hold is kept (keep_uses) in the transaction that writes the
// order, and given back (release_uses) when the payment fails, when
// recovery compensates an attempt that never became an order, when the
// order is cancelled and when it is refunded in full. A partial refund keeps
// the use: the customer still bought with the code.
//
// Rules are read on every cart view and checkout: they are cached in memory
// and reloaded after any change made through this service.
//
// Thread rule: every method may be called from any thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "pricing/pricing.h"
#include "pricing/rules.h"
#include "storage/sqlite.h"

namespace shopbox {

struct Config;

class Pricing {
 public:
  // Whether a customer has ordered before (first-order discounts); the
  // composition root answers it from the orders. Asked only while a
  // first-order discount is in play, so a cart view costs no order query.
  using HasOrdered = std::function<bool(int64_t user_id)>;

  Pricing(Sqlite& db, const Config& config, HasOrdered has_ordered = {})
      : db_(db), config_(config), has_ordered_(std::move(has_ordered)) {}

  // Prices `req` with the current rules; looks up `codes` (as the shopper
  // typed them) and their usage for req.customer, and whether the customer
  // has ordered before when a first-order discount asks.
  [[nodiscard]] Result<Quote> quote(PricingRequest req, const std::vector<std::string>& codes);

  // One code, for POST /cart/discounts: 400 when malformed, 404
  // discount_not_found when no discount has it.
  [[nodiscard]] Result<Discount> find_code(const std::string& code);

  // ---- the merchant's rules (admin routes; pricing_admin.cpp) ----
  // Each validates (400 with details.field, nothing changed) and reloads
  // the cache. Zones are checked together: no region claimed twice, method
  // ids unique across zones.
  [[nodiscard]] Result<std::vector<Discount>> list_discounts(bool automatic_only = false);
  [[nodiscard]] Result<Discount> discount(int64_t id);
  [[nodiscard]] Result<Discount> create_discount(const Discount& d);
  [[nodiscard]] Result<Discount> update_discount(const Discount& d);
  [[nodiscard]] Status delete_discount(int64_t id);  // 409 discount_in_use while a checkout holds a use
  [[nodiscard]] Result<DiscountUsage> usage(int64_t discount_id, int64_t user_id = 0);

  [[nodiscard]] Result<std::vector<ShippingZone>> zones();  // the stored ones (none: default_zone applies)
  [[nodiscard]] Result<ShippingZone> zone(int64_t id);
  [[nodiscard]] Result<ShippingZone> create_zone(const ShippingZone& z);
  [[nodiscard]] Result<ShippingZone> update_zone(const ShippingZone& z);
  [[nodiscard]] Status delete_zone(int64_t id);

  // ---- discount uses (checkout, orders) ----
  // Holds one use of each discount for a checkout attempt, inside the
  // caller's write transaction: 409 discount_not_applicable (reason
  // limit_reached or customer_limit_reached, details.code) when one is used
  // up, and then nothing is held (the caller's transaction rolls back).
  [[nodiscard]] static Status hold_uses(Connection& c, const std::string& attempt_id, int64_t user_id,
                                        const std::vector<AppliedDiscount>& discounts, int64_t now);
  // The attempt's holds become the order's uses.
  static void keep_uses(Connection& c, const std::string& attempt_id, const std::string& order_id, int64_t now);
  // Gives back the uses held by an attempt (no order) or kept by an order.
  static void release_attempt_uses(Connection& c, const std::string& attempt_id, int64_t now);
  static void release_order_uses(Connection& c, const std::string& order_id, int64_t now);

  // Appends one line per broken invariant (shopbox check).
  void check_invariants(std::vector<std::string>& problems);

 private:
  struct Cache {
    std::vector<ShippingZone> zones;
    std::vector<Discount> automatic;
  };
  [[nodiscard]] Result<std::shared_ptr<const Cache>> cache();
  void drop_cache();

  Sqlite& db_;
  const Config& config_;
  HasOrdered has_ordered_;
  std::mutex mu_;
  std::shared_ptr<const Cache> cache_;
};

}  // namespace shopbox
