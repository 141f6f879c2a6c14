// The merchant's pricing rules as plain data: discounts (codes and
// automatic promotions), shipping zones with their methods, and the tax
// rates of each zone. They are stored by pricing/pricing_store.h, checked
// and turned into JSON by pricing/rules_json.h, and applied to a cart by
// pricing/pricing.h (the one place money is computed).
//
// Money is in cents; rates and percentages are in basis points (1000 = 10 %).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/money.h"

namespace shopbox {

// ---- discounts ----

enum class DiscountType {
  percentage,     // percent_bp off the eligible lines
  fixed_amount,   // amount off the eligible lines, once per order (never below zero)
  free_shipping,  // the shipping method's price off (pickup is free anyway)
  buy_x_get_y,    // of every buy_quantity + get_quantity eligible units, the
                  // get_quantity cheapest get percent_bp off (10000: free)
};
enum class DiscountScope { order, categories, products, variants };

const char* discount_type_name(DiscountType t);
std::optional<DiscountType> parse_discount_type(const std::string& text);
const char* discount_scope_name(DiscountScope s);
std::optional<DiscountScope> parse_discount_scope(const std::string& text);

struct Discount {
  int64_t id = 0;
  // Upper-case [A-Z0-9_-], 1..kMaxCodeLength; nullopt: an automatic
  // promotion (applies without a code whenever its conditions hold).
  std::optional<std::string> code;
  std::string name;  // what the shopper sees on the cart ("Spring sale 10 %")
  DiscountType type = DiscountType::percentage;
  int64_t percent_bp = 0;                      // percentage and buy_x_get_y: 1..10000
  Cents amount = 0;                            // fixed_amount: > 0
  int64_t buy_quantity = 0, get_quantity = 0;  // buy_x_get_y: both >= 1

  // Which lines it applies to: every line (order), or the lines whose
  // product is in one of the categories (or their subcategories), is one of
  // the products, or is one of the variants.
  DiscountScope scope = DiscountScope::order;
  std::vector<int64_t> scope_ids;

  // Conditions (all must hold).
  Cents min_subtotal = 0;                     // the order's subtotal (sale prices, before discounts) at least this
  int64_t min_quantity = 0;                   // eligible units at least this
  std::optional<int64_t> starts_at, ends_at;  // unix seconds; starts_at <= now < ends_at
  bool first_order_only = false;              // the customer has no earlier order
  std::vector<int64_t> customer_ids;          // empty: every customer

  // Limits, counted by redemptions (pricing_store.h): a use is held by a
  // checkout before it charges and kept by its order; a failed payment, a
  // crash before the order exists, a cancelled order and a full refund give
  // it back.
  std::optional<int64_t> usage_limit;         // uses in total
  std::optional<int64_t> per_customer_limit;  // uses per customer

  // Whether it may apply together with other discounts. When some of the
  // applicable discounts are not combinable, the shopper gets whichever is
  // worth more: all the combinable ones together, or the best single one
  // (docs/pricing.md).
  bool combinable = true;
  bool active = true;
  int64_t created_at = 0, updated_at = 0;
};

inline constexpr size_t kMaxCodeLength = 50;
// "spring10 " -> "SPRING10"; nullopt when not a valid code (empty, too long,
// characters other than letters, digits, '-' and '_' after trimming).
std::optional<std::string> normalize_code(const std::string& text);

// How often a discount has been used (held or kept by an order).
struct DiscountUsage {
  int64_t total = 0;
  int64_t by_customer = 0;     // by the customer being priced
  int64_t held = 0, kept = 0;  // total split by state (the admin's view): held + kept == total
};

// ---- shipping and tax ----

// One place a zone serves. `country` is an ISO 3166-1 alpha-2 code or "*"
// (anywhere no other zone serves); `state` (ISO 3166-2 subdivision without
// the country, "WA") and `zip_prefix` narrow it. An address belongs to the
// zone with the most specific matching region (zip prefix, longest first,
// then state, then country, then "*"); two zones never claim the same region.
struct ShippingRegion {
  std::string country;
  std::string state;
  std::string zip_prefix;
};

struct WeightTier {
  int64_t up_to_grams = 0;  // the cart's weight at most this
  Cents price = 0;
};

enum class ShippingMethodType {
  flat,       // price
  weight,     // the first tier the cart's weight fits; heavier than every tier: unavailable
  free_over,  // price, free when (subtotal - discounts) is over free_over
  pickup,     // free, collected from the shop
};
const char* shipping_method_type_name(ShippingMethodType t);
std::optional<ShippingMethodType> parse_shipping_method_type(const std::string& text);

struct ShippingMethod {
  std::string id;  // [a-z0-9_-]{1,40}, unique across the shop's zones
  std::string name;
  ShippingMethodType type = ShippingMethodType::flat;
  Cents price = 0;
  Cents free_over = 0;
  std::vector<WeightTier> tiers;   // weight: ascending up_to_grams
  int min_days = 0, max_days = 0;  // the delivery estimate, in days after the order
};

struct TaxRate {
  std::string name;     // "WA sales tax", "VAT"
  int64_t rate_bp = 0;  // 0..10000
  // Set: the rate of products in this category (and its subcategories),
  // replacing the zone's general rates for them ("Books" at 0 %).
  std::optional<int64_t> category_id;
};

struct ShippingZone {
  int64_t id = 0;
  std::string name;
  std::vector<ShippingRegion> regions;
  std::vector<ShippingMethod> methods;
  std::vector<TaxRate> tax_rates;  // the general ones have no category_id
  bool tax_shipping = false;       // shipping is taxed at the general rates
  // VAT pricing: catalog prices already include the tax; the order shows
  // the tax included instead of adding it.
  bool prices_include_tax = false;
  int position = 0;
  int64_t created_at = 0, updated_at = 0;
};

}  // namespace shopbox
