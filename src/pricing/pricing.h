// Every total the shop shows or charges is computed here: the cart summary,
// checkout, flash-sale checkout, the order and its refunds. No other file
// adds tax, shipping or a discount to a price.
//
// price() is a pure function of the rules and the request:
//
//   subtotal  = sum of line unit_price * quantity (unit_price is the
//               variant's final price: its sale price when it has one)
//   discounts = the applicable discounts (automatic ones and the codes
//               given), see "Discounts" below; each line's share is
//               allocated to the lines it covers, so no line goes below 0
//   shipping  = the chosen method's price for the destination's zone
//               (a free_shipping discount counts its price as a discount)
//   tax       = per tax rate: half-up(rate_bp * base / 10000), where base is
//               the (discounted) lines taxed at that rate plus, when the
//               zone taxes shipping, the charged shipping; rates are per
//               zone and per category. In a tax-inclusive zone the tax is
//               half-up(base * rate_bp / (10000 + rate_bp)), it is shown
//               as included and not added.
//   total     = subtotal - discount + shipping + tax   (tax: the added tax)
//
// Rounding rule (the only one): every amount is whole cents. A
// percentage is rounded half-up once per discount (on its eligible total)
// and once per tax rate (on its base), never per unit. Splitting an amount
// over lines (a discount's share, a tax's share) uses largest remainders:
// each line gets the floor of its proportional share, and the cents left go
// one each to the lines with the largest remainders (ties: the earlier
// line), so the shares always add up to the amount.
//
// Discounts: a discount applies when it is active, inside its dates, its
// customer and first-order conditions hold, its limits are not reached,
// the order's subtotal reaches min_subtotal and its eligible units reach
// min_quantity. They apply in this order, each to what the earlier ones
// left of a line: buy_x_get_y, percentage, fixed_amount, then free_shipping.
// When some applicable discounts are not combinable the shopper gets the
// larger saving of (a) every combinable one together and (b) the best
// single one; a code left out says why (rejected, reason "not_combinable").
//
// Thread rule: price() and the helpers are pure; call them from any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/money.h"
#include "base/status.h"
#include "pricing/rules.h"

namespace shopbox {

struct Config;

// ---- the request ----

struct PricingLine {
  int64_t product_id = 0;
  int64_t variant_id = 0;
  // The product's category and its ancestors (nearest first); empty when
  // it has none. Category discounts and category tax rates match any of them.
  std::vector<int64_t> categories;
  int64_t quantity = 0;
  Cents unit_price = 0;      // final price (sale price when on sale)
  int64_t weight_grams = 0;  // per unit; 0 when unknown
  // A flash-sale line is already at its sale price: no discount applies.
  bool discountable = true;
};

struct Destination {
  std::string country;  // ISO 3166-1 alpha-2, upper case
  std::string state;
  std::string zip;
  bool empty() const { return country.empty(); }
};

struct Customer {
  int64_t user_id = 0;  // 0: a guest
  bool has_ordered = false;
};

// A discount code given by the shopper, looked up: the discount, or
// nullopt when no discount has this code (the answer is discount_not_found).
struct CodeLookup {
  std::string code;  // normalized
  std::optional<Discount> discount;
  DiscountUsage usage;
};

struct PricingRequest {
  std::vector<PricingLine> lines;
  Destination destination;
  std::string shipping_method;  // empty: the cheapest the zone offers
  std::vector<CodeLookup> codes;
  Customer customer;
  int64_t now = 0;
};

// The rules price() applies: the shop's zones (when there are none, one
// zone serving everywhere from Config: shop.tax_rate_bp, shop.flat_shipping
// and shop.free_shipping_threshold) and its automatic promotions with their
// usage.
struct PricingRules {
  std::vector<ShippingZone> zones;
  struct Promotion {
    Discount discount;
    DiscountUsage usage;
  };
  std::vector<Promotion> automatic;
};
// The zone a shop without zones uses, from Config.
ShippingZone default_zone(const Config& config);

// ---- the answer ----

struct AppliedDiscount {
  int64_t discount_id = 0;
  std::optional<std::string> code;  // nullopt: automatic
  std::string name;
  Cents amount = 0;
  bool on_shipping = false;  // a free_shipping discount
};

// A code that was given but does not apply, and why: "expired",
// "not_started", "inactive", "minimum_not_met", "minimum_quantity_not_met",
// "no_eligible_items", "limit_reached", "customer_limit_reached",
// "first_order_only", "customer_not_eligible", "sign_in_required",
// "not_combinable", "not_found".
struct RejectedCode {
  std::string code;
  std::string reason;
  nlohmann::json details = nlohmann::json::object();
};

struct TaxLine {
  std::string name;
  int64_t rate_bp = 0;
  Cents amount = 0;
  bool included = false;  // in the prices (VAT), not added
};

struct ShippingOption {
  std::string id;
  std::string name;
  ShippingMethodType type = ShippingMethodType::flat;
  Cents price = 0;  // before any free_shipping discount
  int min_days = 0, max_days = 0;
};

// One line's share of the order's discounts and taxes: what a refund of
// the line gives back (orders store it per line).
struct LineShare {
  Cents subtotal = 0;
  Cents discount = 0;
  Cents tax = 0;  // added tax; 0 in a tax-inclusive zone
};

struct Quote {
  Cents subtotal = 0;
  Cents discount = 0;      // sum of discounts[].amount
  Cents shipping = 0;      // the method's price (a free-shipping discount is in discount)
  Cents tax = 0;           // added to the total
  Cents tax_included = 0;  // already in the prices (tax-inclusive zones)
  Cents total = 0;
  std::vector<AppliedDiscount> discounts;
  std::vector<RejectedCode> rejected;
  std::vector<TaxLine> taxes;
  std::vector<LineShare> lines;  // one per request line, same order
  Cents shipping_discount = 0;   // the part of discount that is on shipping
  Cents shipping_tax = 0;        // the part of tax on shipping

  // Shipping: the destination's zone, its methods for this cart, the one
  // chosen. `shipping_problem` is "" or "no_shipping_to_address" (no zone
  // serves the destination, or none of its methods fits the cart) or
  // "shipping_method_unavailable" (the method asked for is not among them).
  Destination destination;             // the one priced
  bool destination_estimated = false;  // none given: the shop's own (Config shop.country, shop.state)
  std::optional<int64_t> zone_id;
  std::string zone_name;
  bool prices_include_tax = false;
  std::vector<ShippingOption> shipping_options;
  std::optional<ShippingOption> shipping_method;
  std::string shipping_problem;
  // How much more merchandise makes a free_over method of the zone free
  // (the cheapest such); nullopt when there is none or it is free already.
  std::optional<Cents> free_shipping_remaining;
};

// Prices the request. Never fails: what cannot apply is reported in the
// quote (rejected codes, shipping_problem); the caller decides whether that
// is an error (checkout: 409 discount_not_applicable, 422
// no_shipping_to_address, 400 shipping_method_unavailable).
Quote price(const PricingRules& rules, const PricingRequest& request, const Config& config);

// What stops a quote from being bought as asked, as the API answers it (Ok
// when nothing does): a code given that does not apply is 404
// discount_not_found or 409 discount_not_applicable (details.code,
// details.reason and the reason's own details); no zone or method for the
// destination is 422 no_shipping_to_address; a method asked for that the
// destination does not offer is 400 shipping_method_unavailable. Cart,
// checkout and flash checkout answer with these, so the same refusal reads
// the same everywhere.
Status code_refusal(const RejectedCode& rejected);
Status shipping_refusal(const Quote& quote, const std::string& asked_method);

// The destination of an address snapshot ({country, state, zip, ...}).
Destination destination_of(const nlohmann::json& address);

// The zone serving a destination (most specific region wins), or nullptr.
const ShippingZone* zone_for(const std::vector<ShippingZone>& zones, const Destination& d);

// ---- helpers every path shares ----

// Splits `amount` over `weights` by largest remainders (see the rounding
// rule): the result has one share per weight and adds up to `amount`
// exactly (all zero when every weight is zero).
std::vector<Cents> allocate(Cents amount, const std::vector<Cents>& weights);

// What refunding `quantity` more units of an order line gives back, when
// `already` of its `line_quantity` units were refunded before: the units'
// share of the line's net (subtotal - discount + tax), so refunding every
// unit gives back exactly the line's net.
Cents line_refund(Cents line_net, int64_t line_quantity, int64_t already, int64_t quantity);

// An estimated delivery day: the end (UTC) of the day `days` after `now`.
int64_t delivery_day_end(int64_t now, int days);

// The API shapes: {"code","name","amount"} per discount, {"name","rate_bp",
// "amount","included"} per tax line, {"id","name","price",
// "estimated_delivery","delivery_days"} per shipping option.
nlohmann::json discounts_json(const std::vector<AppliedDiscount>& discounts);
nlohmann::json taxes_json(const std::vector<TaxLine>& taxes);
nlohmann::json shipping_option_json(const ShippingOption& o, int64_t now);
// A product page's "shipping" ({estimated_delivery, free_shipping,
// free_shipping_threshold, flat_rate, method, destination}) from the quote of
// one unit to the shop's own destination: what the cart would charge for it.
nlohmann::json product_shipping_json(const Quote& one_unit);

}  // namespace shopbox
