// The pricing engine (src/pricing/pricing.h) checked the way a merchant
// would: small carts whose totals are worked out by hand in the comments.
// Defaults from Config: 9 % tax on (subtotal - discounts), half-up; $5.99
// shipping unless (subtotal - discounts) > $50.00 strictly; an empty cart
// costs nothing. The random-cart properties are in test_pricing_properties.cpp.
#include <algorithm>
#include <catch2/catch.hpp>

#include "config.h"
#include "pricing/pricing.h"

using namespace shopbox;

namespace {

constexpr int64_t kNow = 1'700'000'000;  // 2023-11-14

PricingLine line(int64_t product, Cents unit_price, int64_t quantity = 1, std::vector<int64_t> categories = {},
                 int64_t grams = 0, int64_t variant = 0) {
  PricingLine l;
  l.product_id = product;
  l.variant_id = variant ? variant : product * 10;
  l.categories = std::move(categories);
  l.quantity = quantity;
  l.unit_price = unit_price;
  l.weight_grams = grams;
  return l;
}

Discount percentage(int64_t id, int64_t bp) {
  Discount d;
  d.id = id;
  d.name = "pct" + std::to_string(id);
  d.type = DiscountType::percentage;
  d.percent_bp = bp;
  return d;
}

Discount fixed_amount(int64_t id, Cents amount) {
  Discount d;
  d.id = id;
  d.name = "fixed" + std::to_string(id);
  d.type = DiscountType::fixed_amount;
  d.amount = amount;
  return d;
}

Discount free_shipping(int64_t id) {
  Discount d;
  d.id = id;
  d.name = "free shipping";
  d.type = DiscountType::free_shipping;
  return d;
}

Discount buy_get(int64_t id, int64_t buy, int64_t get, int64_t bp = 10000) {
  Discount d;
  d.id = id;
  d.name = "buy " + std::to_string(buy) + " get " + std::to_string(get);
  d.type = DiscountType::buy_x_get_y;
  d.buy_quantity = buy;
  d.get_quantity = get;
  d.percent_bp = bp;
  return d;
}

Discount scoped(Discount d, DiscountScope scope, std::vector<int64_t> ids) {
  d.scope = scope;
  d.scope_ids = std::move(ids);
  return d;
}

CodeLookup code(std::string text, Discount d, DiscountUsage usage = {}) {
  d.code = text;
  return CodeLookup{text, std::move(d), usage};
}

PricingRequest cart(std::vector<PricingLine> lines, std::vector<CodeLookup> codes = {}) {
  PricingRequest r;
  r.lines = std::move(lines);
  r.codes = std::move(codes);
  r.customer = {7, false};
  r.now = kNow;
  return r;
}

Quote quote(const PricingRequest& r, const PricingRules& rules = {}) {
  return price(rules, r, Config{});
}

// One line of `amount` with an optional fixed discount code: the old
// price_order(subtotal, discount) through price() with no zones.
Quote old_price_order(Cents subtotal, Cents discount, const Config& cfg = Config{}) {
  PricingRequest r = cart({});
  if (subtotal > 0) r.lines.push_back(line(1, subtotal));
  if (discount > 0) r.codes.push_back(code("OLD", fixed_amount(1, discount)));
  return price(PricingRules{}, r, cfg);
}

const RejectedCode* rejected(const Quote& q, const std::string& c) {
  auto it = std::find_if(q.rejected.begin(), q.rejected.end(), [&](const RejectedCode& r) { return r.code == c; });
  return it == q.rejected.end() ? nullptr : &*it;
}

std::string reason(const Quote& q, const std::string& c) {
  const RejectedCode* r = rejected(q, c);
  return r ? r->reason : "(not rejected)";
}

const TaxLine* tax_line(const Quote& q, const std::string& name) {
  auto it = std::find_if(q.taxes.begin(), q.taxes.end(), [&](const TaxLine& t) { return t.name == name; });
  return it == q.taxes.end() ? nullptr : &*it;
}

bool offers(const Quote& q, const std::string& id) {
  return std::any_of(q.shipping_options.begin(), q.shipping_options.end(),
                     [&](const ShippingOption& o) { return o.id == id; });
}

// ---- zones used by the shipping and tax cases ----

ShippingMethod flat(std::string id, Cents price) {
  ShippingMethod m;
  m.id = id;
  m.name = id;
  m.type = ShippingMethodType::flat;
  m.price = price;
  m.min_days = 1;
  m.max_days = 3;
  return m;
}
ShippingMethod free_over(std::string id, Cents price, Cents over) {
  ShippingMethod m = flat(std::move(id), price);
  m.type = ShippingMethodType::free_over;
  m.free_over = over;
  return m;
}
ShippingMethod pickup(std::string id) {
  ShippingMethod m = flat(std::move(id), 0);
  m.type = ShippingMethodType::pickup;
  return m;
}
ShippingMethod by_weight(std::string id, std::vector<WeightTier> tiers) {
  ShippingMethod m = flat(std::move(id), 0);
  m.type = ShippingMethodType::weight;
  m.tiers = std::move(tiers);
  return m;
}

ShippingZone zone(int64_t id, std::string name, std::vector<ShippingRegion> regions,
                  std::vector<ShippingMethod> methods, std::vector<TaxRate> rates = {}) {
  ShippingZone z;
  z.id = id;
  z.name = std::move(name);
  z.regions = std::move(regions);
  z.methods = std::move(methods);
  z.tax_rates = std::move(rates);
  return z;
}

constexpr int64_t kBooks = 30, kNovels = 31, kMugs = 4;

// World "*" > US > US-WA > US zip 981xx (Seattle), and the EU (VAT included).
PricingRules shop_zones() {
  PricingRules rules;
  rules.zones.push_back(zone(1, "World", {{"*", "", ""}}, {flat("intl", 2500)}));
  rules.zones.push_back(zone(2, "US", {{"US", "", ""}},
                             {free_over("ground", 799, 7500), flat("express", 1999), pickup("pickup"),
                              by_weight("freight", {{1000, 500}, {5000, 900}})},
                             {{"US tax", 500, std::nullopt}}));
  ShippingZone wa = zone(3, "Washington", {{"US", "WA", ""}}, {flat("wa_ground", 499)},
                         {{"WA state", 650, std::nullopt}, {"Local", 375, std::nullopt}, {"Books", 0, kBooks}});
  wa.tax_shipping = true;
  rules.zones.push_back(wa);
  rules.zones.push_back(zone(4, "Seattle", {{"US", "", "981"}}, {flat("courier", 299)}));
  ShippingZone eu = zone(5, "EU", {{"DE", "", ""}, {"FR", "", ""}}, {flat("dhl", 490)}, {{"VAT", 1900, std::nullopt}});
  eu.prices_include_tax = true;
  eu.tax_shipping = true;
  rules.zones.push_back(eu);
  return rules;
}

PricingRequest to(PricingRequest r, std::string country, std::string state = "", std::string zip = "") {
  r.destination = {std::move(country), std::move(state), std::move(zip)};
  return r;
}

}  // namespace

// ---- the default zone (no zones defined): the old price_order() cases ----

TEST_CASE("the seed's cart: 169.98 gives tax 15.30, free shipping, total 185.28", "[unit][pricing]") {
  auto t = old_price_order(16998, 0);
  CHECK(t.subtotal == 16998);
  CHECK(t.discount == 0);
  CHECK(t.tax == 1530);  // 16998 * 9 % = 1529.82 -> 1530
  CHECK(t.shipping == 0);
  CHECK(t.total == 18528);
  CHECK(t.destination_estimated);
  CHECK(t.destination.country == "US");
  CHECK(t.zone_name == "Everywhere");
  REQUIRE(t.shipping_method);
  CHECK(t.shipping_method->id == "standard");
  CHECK(t.shipping_problem.empty());
  REQUIRE(t.taxes.size() == 1);
  CHECK(t.taxes[0].rate_bp == 900);
  CHECK(t.taxes[0].amount == 1530);
  CHECK_FALSE(t.taxes[0].included);
  CHECK_FALSE(t.free_shipping_remaining);
}

TEST_CASE("free shipping only strictly over the threshold", "[unit][pricing]") {
  CHECK(old_price_order(5000, 0).shipping == 599);  // exactly $50.00: pays shipping
  CHECK(old_price_order(5001, 0).shipping == 0);
  CHECK(old_price_order(4999, 0).shipping == 599);
  // The threshold applies to subtotal - discount.
  CHECK(old_price_order(6000, 1000).shipping == 599);  // 50.00 left
  CHECK(old_price_order(6000, 999).shipping == 0);     // 50.01 left
  auto t = old_price_order(1000, 0);
  CHECK(t.tax == 90);
  CHECK(t.total == 1000 + 90 + 599);
  // 50.01 - 10.00 = 40.01 more makes it free.
  REQUIRE(t.free_shipping_remaining);
  CHECK(*t.free_shipping_remaining == 4001);
  CHECK(*old_price_order(5000, 0).free_shipping_remaining == 1);
  CHECK_FALSE(old_price_order(5001, 0).free_shipping_remaining);
}

TEST_CASE("tax is on subtotal minus discount, rounded half-up to the cent", "[unit][pricing]") {
  CHECK(old_price_order(50, 0).tax == 5);          // 4.5 cents -> 5
  CHECK(old_price_order(49, 0).tax == 4);          // 4.41 -> 4
  CHECK(old_price_order(16998, 998).tax == 1440);  // 9 % of 160.00
  auto t = old_price_order(10000, 2500);
  CHECK(t.discount == 2500);
  CHECK(t.tax == 675);  // 9 % of 75.00
  CHECK(t.total == 7500 + 675 + 0);
}

TEST_CASE("a discount larger than the subtotal never makes a negative total", "[unit][pricing]") {
  auto t = old_price_order(1000, 5000);
  CHECK(t.discount == 1000);
  CHECK(t.tax == 0);
  CHECK(t.total == 599);  // 0 left pays the $5.99 shipping
  REQUIRE(t.lines.size() == 1);
  CHECK(t.lines[0].discount == 1000);
  // No discount code at all: nothing off (the old negative-discount case).
  CHECK(old_price_order(1000, 0).discount == 0);
}

TEST_CASE("an empty cart costs nothing, and the rules come from config", "[unit][pricing]") {
  auto empty = old_price_order(0, 0);
  CHECK(empty.subtotal == 0);
  CHECK(empty.total == 0);
  CHECK(empty.shipping == 0);
  CHECK(empty.tax == 0);
  CHECK(empty.lines.empty());
  CHECK_FALSE(empty.free_shipping_remaining);
  Config cfg;
  cfg.tax_rate_bp = 2000;
  cfg.free_shipping_threshold = 10000;
  cfg.flat_shipping = 1000;
  auto t = old_price_order(8000, 0, cfg);
  CHECK(t.tax == 1600);
  CHECK(t.shipping == 1000);
  CHECK(t.total == 10600);
  // No tax rate configured: no tax line at all.
  cfg.tax_rate_bp = 0;
  auto untaxed = old_price_order(8000, 0, cfg);
  CHECK(untaxed.tax == 0);
  CHECK(untaxed.taxes.empty());
  CHECK(untaxed.total == 9000);
}

// ---- discount types ----

TEST_CASE("a percentage code: rounded once on the eligible total, split by largest remainders", "[unit][pricing]") {
  // A: 2 x 19.99 = 39.98, B: 25.50; subtotal 65.48. 15 % = 9.822 -> 9.82.
  // Shares: A 982*3998/6548 = 599.58, B 382.42 -> floors 599 + 382 = 981,
  // the cent left goes to A (larger remainder): A 6.00, B 3.82.
  // Left 55.66 > 50.00: free shipping. Tax 9 % of 55.66 = 5.0094 -> 5.01,
  // split over 33.98 and 21.68: 305.85 / 195.14 -> A 3.06, B 1.95.
  auto q = quote(cart({line(1, 1999, 2), line(2, 2550)}, {code("SPRING15", percentage(1, 1500))}));
  CHECK(q.subtotal == 6548);
  CHECK(q.discount == 982);
  REQUIRE(q.discounts.size() == 1);
  CHECK(q.discounts[0].code == std::optional<std::string>("SPRING15"));
  CHECK(q.discounts[0].amount == 982);
  CHECK_FALSE(q.discounts[0].on_shipping);
  REQUIRE(q.lines.size() == 2);
  CHECK(q.lines[0].subtotal == 3998);
  CHECK(q.lines[0].discount == 600);
  CHECK(q.lines[1].discount == 382);
  CHECK(q.shipping == 0);
  CHECK(q.tax == 501);
  CHECK(q.lines[0].tax == 306);
  CHECK(q.lines[1].tax == 195);
  CHECK(q.total == 6548 - 982 + 501);
  CHECK(q.rejected.empty());
}

TEST_CASE("a fixed amount larger than the eligible lines takes only what they cost", "[unit][pricing]") {
  // $10 off product 2 only, which costs $8.00: 8.00 off, never below zero.
  // Left 30.00 (product 1): shipping 5.99, tax 9 % of 30.00 = 2.70.
  auto q = quote(cart({line(1, 3000), line(2, 800)},
                      {code("TENOFF", scoped(fixed_amount(1, 1000), DiscountScope::products, {2}))}));
  CHECK(q.discount == 800);
  REQUIRE(q.lines.size() == 2);
  CHECK(q.lines[0].discount == 0);
  CHECK(q.lines[1].discount == 800);
  CHECK(q.lines[1].tax == 0);
  CHECK(q.shipping == 599);
  CHECK(q.tax == 270);
  CHECK(q.total == 3800 - 800 + 599 + 270);
  // A whole-order $10 off a $6.00 cart: 6.00 off, shipping still paid, no tax.
  auto small = quote(cart({line(1, 600)}, {code("TENOFF", fixed_amount(1, 1000))}));
  CHECK(small.discount == 600);
  CHECK(small.tax == 0);
  CHECK(small.total == 599);
}

TEST_CASE("free_shipping takes the shipping price off as a discount", "[unit][pricing]") {
  // 20.00: shipping 5.99, all of it discounted; tax 9 % of 20.00 = 1.80.
  auto q = quote(cart({line(1, 2000)}, {code("SHIPFREE", free_shipping(1))}));
  CHECK(q.shipping == 599);
  CHECK(q.shipping_discount == 599);
  CHECK(q.discount == 599);
  REQUIRE(q.discounts.size() == 1);
  CHECK(q.discounts[0].on_shipping);
  CHECK(q.discounts[0].amount == 599);
  REQUIRE(q.lines.size() == 1);
  CHECK(q.lines[0].discount == 0);  // the merchandise keeps its price
  CHECK(q.tax == 180);
  CHECK(q.total == 2000 + 180);
  CHECK_FALSE(q.free_shipping_remaining);  // free already
  // Over the threshold shipping is free anyway: the code is worth 0.
  auto big = quote(cart({line(1, 6000)}, {code("SHIPFREE", free_shipping(1))}));
  CHECK(big.shipping == 0);
  CHECK(big.discount == 0);
  CHECK(big.total == 6000 + 540);
}

TEST_CASE("buy 2 get 1 free within a category: the cheapest unit of each complete group", "[unit][pricing]") {
  // Category 7 (and its subcategory 12): A 3 x 10.00, B 2 x 15.00, C 2 x 7.00
  // (in 12, child of 7); D 5.00 is in category 8 and not eligible.
  // Eligible units dearest first: 15 15 10 | 10 10 7 | 7 -> two complete
  // groups: one 10.00 (A) and one 7.00 (C) free; the 7th unit (C's other
  // 7.00) is an incomplete group and pays full price.
  // Subtotal 30 + 30 + 14 + 5 = 79.00, discount 17.00, left 62.00: free
  // shipping; tax 9 % of 62.00 = 5.58.
  PricingRules rules;
  rules.automatic.push_back({scoped(buy_get(1, 2, 1), DiscountScope::categories, {7}), {}});
  auto q = quote(cart({line(1, 1000, 3, {7}), line(2, 1500, 2, {7}), line(3, 700, 2, {12, 7}), line(4, 500, 1, {8})}),
                 rules);
  CHECK(q.subtotal == 7900);
  CHECK(q.discount == 1700);
  REQUIRE(q.discounts.size() == 1);
  CHECK_FALSE(q.discounts[0].code);  // automatic
  REQUIRE(q.lines.size() == 4);
  CHECK(q.lines[0].discount == 1000);
  CHECK(q.lines[1].discount == 0);
  CHECK(q.lines[2].discount == 700);
  CHECK(q.lines[3].discount == 0);
  CHECK(q.shipping == 0);
  CHECK(q.tax == 558);
  CHECK(q.total == 7900 - 1700 + 558);

  // Two eligible units: no complete group, nothing off (automatic: silent).
  auto two = quote(cart({line(1, 1000, 2, {7})}), rules);
  CHECK(two.discount == 0);
  CHECK(two.discounts.empty());
  // Six units of one price: two groups, two units free.
  auto six = quote(cart({line(1, 1000, 6, {7})}), rules);
  CHECK(six.discount == 2000);
  // As a code, too few units says so.
  auto as_code =
      quote(cart({line(1, 1000, 2, {7})}, {code("B2G1", scoped(buy_get(1, 2, 1), DiscountScope::categories, {7}))}));
  CHECK(reason(as_code, "B2G1") == "minimum_quantity_not_met");
  // Buy 1 get 2 free, 5 units of 10.00: one complete group (2 free); the
  // last 2 units are an incomplete group, so neither is free.
  auto b1g2 = quote(cart({line(1, 1000, 5)}, {code("B1G2", buy_get(1, 1, 2))}));
  CHECK(b1g2.discount == 2000);
  // Buy 1 get 1 half price: of 20.00 + 8.00 the 8.00 gets 50 % off = 4.00.
  auto half = quote(cart({line(1, 2000), line(2, 800)}, {code("BOGOHALF", buy_get(2, 1, 1, 5000))}));
  CHECK(half.discount == 400);
  CHECK(half.lines[1].discount == 400);
}

TEST_CASE("a discount's scope: product, variant, category (ancestors match)", "[unit][pricing]") {
  // Lines: p1/v11 10.00 in {5}; p2/v21 20.00 in {9, 5} (9 is a child of 5);
  // p2/v22 30.00 in {6}. 10 % off the eligible ones.
  std::vector<PricingLine> lines = {line(1, 1000, 1, {5}, 0, 11), line(2, 2000, 1, {9, 5}, 0, 21),
                                    line(2, 3000, 1, {6}, 0, 22)};
  auto by_product = quote(cart(lines, {code("P", scoped(percentage(1, 1000), DiscountScope::products, {2}))}));
  CHECK(by_product.discount == 500);  // 10 % of 50.00
  CHECK(by_product.lines[0].discount == 0);
  CHECK(by_product.lines[1].discount == 200);
  CHECK(by_product.lines[2].discount == 300);

  auto by_variant = quote(cart(lines, {code("V", scoped(percentage(1, 1000), DiscountScope::variants, {22}))}));
  CHECK(by_variant.discount == 300);
  CHECK(by_variant.lines[2].discount == 300);
  CHECK(by_variant.lines[0].discount + by_variant.lines[1].discount == 0);

  // Category 5 covers line 1 (directly) and line 2 (through its parent).
  auto by_category = quote(cart(lines, {code("C", scoped(percentage(1, 1000), DiscountScope::categories, {5}))}));
  CHECK(by_category.discount == 300);
  CHECK(by_category.lines[0].discount == 100);
  CHECK(by_category.lines[1].discount == 200);
  CHECK(by_category.lines[2].discount == 0);

  // A scope nothing in the cart matches.
  auto none = quote(cart(lines, {code("NONE", scoped(percentage(1, 1000), DiscountScope::products, {99}))}));
  CHECK(none.discount == 0);
  CHECK(reason(none, "NONE") == "no_eligible_items");

  // A flash-sale line takes no discount even in scope.
  auto flash_lines = lines;
  flash_lines[2].discountable = false;
  auto flash = quote(cart(flash_lines, {code("ALL", percentage(1, 1000))}));
  CHECK(flash.discount == 300);  // 10 % of 10.00 + 20.00
  CHECK(flash.lines[2].discount == 0);
}

// ---- conditions: each one rejects the code with its reason ----

TEST_CASE("conditions reject a code with its reason", "[unit][pricing]") {
  // A 40.00 cart of two units; every rejected code leaves it at full price:
  // 40.00 + 5.99 shipping + 3.60 tax.
  const Cents full = 4000 + 599 + 360;
  auto with = [](CodeLookup c, Customer who = {7, false}) {
    PricingRequest r = cart({line(1, 2000, 2)}, {std::move(c)});
    r.customer = who;
    return quote(r);
  };
  auto check_rejected = [&](const Quote& q, const std::string& c, const std::string& why) {
    INFO(c);
    CHECK(reason(q, c) == why);
    CHECK(q.discount == 0);
    CHECK(q.discounts.empty());
    CHECK(q.total == full);
  };

  Discount d = percentage(1, 1000);
  d.min_subtotal = 4001;
  auto q = with(code("MIN", d));
  check_rejected(q, "MIN", "minimum_not_met");
  CHECK(rejected(q, "MIN")->details["minimum"] == cents_to_json(4001));
  CHECK(rejected(q, "MIN")->details["subtotal"] == cents_to_json(4000));
  d.min_subtotal = 4000;  // reached exactly: applies
  CHECK(with(code("MIN", d)).discount == 400);

  d = percentage(1, 1000);
  d.min_quantity = 3;
  q = with(code("QTY", d));
  check_rejected(q, "QTY", "minimum_quantity_not_met");
  CHECK(rejected(q, "QTY")->details["minimum_quantity"] == 3);
  CHECK(rejected(q, "QTY")->details["quantity"] == 2);
  d.min_quantity = 2;
  CHECK(with(code("QTY", d)).discount == 400);

  d = percentage(1, 1000);
  d.starts_at = kNow + 1;
  check_rejected(with(code("SOON", d)), "SOON", "not_started");
  d.starts_at = kNow;  // starts_at <= now
  CHECK(with(code("SOON", d)).discount == 400);

  d = percentage(1, 1000);
  d.ends_at = kNow;  // now < ends_at fails
  check_rejected(with(code("OVER", d)), "OVER", "expired");
  d.ends_at = kNow + 1;
  CHECK(with(code("OVER", d)).discount == 400);

  d = percentage(1, 1000);
  d.first_order_only = true;
  check_rejected(with(code("FIRST", d), {7, true}), "FIRST", "first_order_only");
  check_rejected(with(code("FIRST", d), {0, false}), "FIRST", "sign_in_required");
  CHECK(with(code("FIRST", d), {7, false}).discount == 400);

  d = percentage(1, 1000);
  d.customer_ids = {42};
  check_rejected(with(code("VIP", d), {7, false}), "VIP", "customer_not_eligible");
  check_rejected(with(code("VIP", d), {0, false}), "VIP", "sign_in_required");
  CHECK(with(code("VIP", d), {42, true}).discount == 400);

  d = percentage(1, 1000);
  d.usage_limit = 100;
  check_rejected(with(code("LIMIT", d, {100, 0, 0, 100})), "LIMIT", "limit_reached");
  CHECK(with(code("LIMIT", d, {99, 0, 0, 99})).discount == 400);
  CHECK(with(code("LIMIT", d, {99, 0, 0, 99}), {0, false}).discount == 400);  // a guest may use it

  d = percentage(1, 1000);
  d.per_customer_limit = 1;
  check_rejected(with(code("ONCE", d, {5, 1, 0, 5})), "ONCE", "customer_limit_reached");
  check_rejected(with(code("ONCE", d, {5, 0, 0, 5}), {0, false}), "ONCE", "sign_in_required");
  CHECK(with(code("ONCE", d, {5, 0, 0, 5})).discount == 400);

  d = percentage(1, 1000);
  d.active = false;
  check_rejected(with(code("OFF", d)), "OFF", "inactive");

  q = with(CodeLookup{"NOSUCH", std::nullopt, {}});
  check_rejected(q, "NOSUCH", "not_found");
}

TEST_CASE("an automatic promotion whose conditions fail is silently left out", "[unit][pricing]") {
  PricingRules rules;
  Discount d = percentage(1, 1000);
  d.min_subtotal = 10000;
  rules.automatic.push_back({d, {}});
  auto q = quote(cart({line(1, 2000)}), rules);
  CHECK(q.discount == 0);
  CHECK(q.rejected.empty());
  auto big = quote(cart({line(1, 10000)}), rules);
  CHECK(big.discount == 1000);
  REQUIRE(big.discounts.size() == 1);
  CHECK_FALSE(big.discounts[0].code);
}

TEST_CASE("a code given twice counts once", "[unit][pricing]") {
  auto q = quote(cart({line(1, 10000)}, {code("TEN", percentage(1, 1000)), code("TEN", percentage(1, 1000))}));
  CHECK(q.discount == 1000);
  CHECK(q.discounts.size() == 1);
  CHECK(q.rejected.empty());
}

TEST_CASE("discounts stack in the documented order, whatever order the codes come in", "[unit][pricing]") {
  // 3 x 10.00. Buy 2 get 1 first: 10.00 off (20.00 left); then 10 %: 2.00
  // (18.00 left); then $5 off: 5.00 (13.00 left). Discount 17.00; 13.00 <=
  // 50.00 pays 5.99; tax 9 % of 13.00 = 1.17; total 30 - 17 + 5.99 + 1.17.
  // (The other way round, $5 then 10 % would be 2.50 + 5.00 = 7.50 off.)
  std::vector<CodeLookup> codes = {code("FIVE", fixed_amount(1, 500)), code("TEN", percentage(2, 1000)),
                                   code("B2G1", buy_get(3, 2, 1))};
  auto q = quote(cart({line(1, 1000, 3)}, codes));
  CHECK(q.discount == 1700);
  REQUIRE(q.discounts.size() == 3);
  CHECK(q.discounts[0].code == std::optional<std::string>("B2G1"));
  CHECK(q.discounts[0].amount == 1000);
  CHECK(q.discounts[1].amount == 200);
  CHECK(q.discounts[2].amount == 500);
  CHECK(q.shipping == 599);
  CHECK(q.tax == 117);
  CHECK(q.total == 3000 - 1700 + 599 + 117);
  std::reverse(codes.begin(), codes.end());
  auto r = quote(cart({line(1, 1000, 3)}, codes));
  CHECK(r.discount == 1700);
  CHECK(r.total == q.total);
  CHECK(r.discounts[0].code == std::optional<std::string>("B2G1"));
}

TEST_CASE("discounts of one type apply by id, so rounding never depends on the codes' order", "[unit][pricing]") {
  // 10.05: 10 % (id 1) first: 1.005 -> 1.01, then 15 % (id 2) of 9.04 =
  // 1.356 -> 1.36; 2.37 off. (15 % first would be 1.51 + 0.85 = 2.36.)
  for (bool reversed : {false, true}) {
    INFO("reversed " << reversed);
    std::vector<CodeLookup> codes = {code("TEN", percentage(1, 1000)), code("FIFTEEN", percentage(2, 1500))};
    if (reversed) std::reverse(codes.begin(), codes.end());
    auto q = quote(cart({line(1, 1005)}, codes));
    REQUIRE(q.discounts.size() == 2);
    CHECK(q.discounts[0].discount_id == 1);
    CHECK(q.discounts[0].amount == 101);
    CHECK(q.discounts[1].amount == 136);
    CHECK(q.discount == 237);
  }
}

// ---- combinable and not ----

TEST_CASE("a non-combinable code against combinable ones: the larger saving wins", "[unit][pricing]") {
  // 100.00 cart. Combinable: 10 % (10.00) then $5 off (5.00) = 15.00.
  Discount exclusive25 = percentage(3, 2500);
  exclusive25.combinable = false;
  auto q = quote(cart({line(1, 10000)}, {code("TEN", percentage(1, 1000)), code("FIVE", fixed_amount(2, 500)),
                                         code("BIG25", exclusive25)}));
  // 25 % = 25.00 > 15.00: BIG25 alone; the others lose.
  CHECK(q.discount == 2500);
  REQUIRE(q.discounts.size() == 1);
  CHECK(q.discounts[0].code == std::optional<std::string>("BIG25"));
  CHECK(reason(q, "TEN") == "not_combinable");
  CHECK(reason(q, "FIVE") == "not_combinable");
  CHECK_FALSE(rejected(q, "BIG25"));
  CHECK(q.tax == 675);  // 9 % of 75.00
  CHECK(q.total == 7500 + 675);

  // 12 % = 12.00 < 15.00: the combinable pair wins, the exclusive one loses.
  Discount exclusive12 = percentage(3, 1200);
  exclusive12.combinable = false;
  auto q2 = quote(cart({line(1, 10000)}, {code("TEN", percentage(1, 1000)), code("FIVE", fixed_amount(2, 500)),
                                          code("SMALL12", exclusive12)}));
  CHECK(q2.discount == 1500);
  CHECK(q2.discounts.size() == 2);
  CHECK(reason(q2, "SMALL12") == "not_combinable");
  CHECK_FALSE(rejected(q2, "TEN"));
  CHECK_FALSE(rejected(q2, "FIVE"));

  // Two exclusive codes: the better one alone.
  Discount exclusive30 = percentage(4, 3000);
  exclusive30.combinable = false;
  auto q3 = quote(cart({line(1, 10000)}, {code("BIG25", exclusive25), code("BIG30", exclusive30)}));
  CHECK(q3.discount == 3000);
  CHECK(reason(q3, "BIG25") == "not_combinable");

  // An exclusive automatic promotion that wins pushes a code out.
  PricingRules rules;
  rules.automatic.push_back({exclusive25, {}});
  auto q4 = quote(cart({line(1, 10000)}, {code("TEN", percentage(1, 1000))}), rules);
  CHECK(q4.discount == 2500);
  CHECK(reason(q4, "TEN") == "not_combinable");
}

// ---- shipping zones ----

TEST_CASE("the most specific region wins: zip prefix > state > country > *", "[unit][pricing]") {
  PricingRules rules = shop_zones();
  auto zone_of = [&](std::string country, std::string state, std::string zip) {
    const ShippingZone* z = zone_for(rules.zones, {country, state, zip});
    return z ? z->name : std::string("(none)");
  };
  CHECK(zone_of("US", "WA", "98101") == "Seattle");     // zip prefix 981
  CHECK(zone_of("US", "WA", "98-101") == "Seattle");    // separators ignored
  CHECK(zone_of("US", "WA", "99201") == "Washington");  // state
  CHECK(zone_of("US", "OR", "97201") == "US");          // country
  CHECK(zone_of("US", "", "") == "US");
  CHECK(zone_of("DE", "", "10115") == "EU");
  CHECK(zone_of("FR", "", "") == "EU");
  CHECK(zone_of("JP", "", "") == "World");  // "*"

  auto q = quote(to(cart({line(1, 2000)}), "US", "WA", "98101"), rules);
  CHECK(q.zone_id == std::optional<int64_t>(4));
  CHECK(q.zone_name == "Seattle");
  REQUIRE(q.shipping_method);
  CHECK(q.shipping_method->id == "courier");
  CHECK(q.shipping == 299);
  CHECK(q.tax == 0);  // Seattle has no tax rate
  CHECK_FALSE(q.destination_estimated);

  // No destination: the shop's own (Config shop.country "US").
  auto est = quote(cart({line(1, 2000)}), rules);
  CHECK(est.destination_estimated);
  CHECK(est.zone_name == "US");
}

// Regression: region_score once gave a zip prefix 100 + its length and a
// state +10, so a region with a state and a 2-character prefix (113) beat
// one with a 3-character prefix and no state (104), though rules.h says the
// longest zip prefix wins first, then the state. Zones {"US","","981"}
// (Seattle) and {"US","WA","98"} (West), destination US/WA/98101: Seattle.
TEST_CASE("a longer zip prefix beats a state with a shorter prefix", "[unit][pricing]") {
  PricingRules rules = shop_zones();
  rules.zones.push_back(zone(6, "West", {{"US", "WA", "98"}}, {flat("west", 899)}));
  const ShippingZone* z = zone_for(rules.zones, {"US", "WA", "98101"});
  REQUIRE(z);
  CHECK(z->name == "Seattle");
  auto q = quote(to(cart({line(1, 2000)}), "US", "WA", "98101"), rules);
  CHECK(q.zone_name == "Seattle");
  CHECK(q.shipping == 299);
  // Without the longer prefix in play the state+prefix region is right:
  CHECK(zone_for(rules.zones, {"US", "WA", "98201"})->name == "West");
}

TEST_CASE("no zone serves the address, or the method asked for is not offered", "[unit][pricing]") {
  PricingRules rules = shop_zones();
  rules.zones.erase(rules.zones.begin());  // no "*" zone any more
  auto q = quote(to(cart({line(1, 2000)}, {code("TEN", percentage(1, 1000))}), "JP"), rules);
  CHECK(q.shipping_problem == "no_shipping_to_address");
  CHECK_FALSE(q.zone_id);
  CHECK(q.shipping_options.empty());
  CHECK_FALSE(q.shipping_method);
  CHECK(q.shipping == 0);
  CHECK(q.tax == 0);
  CHECK(q.discount == 200);
  CHECK(q.total == 1800);

  PricingRequest r = to(cart({line(1, 2000)}), "US", "OR");
  r.shipping_method = "teleport";
  auto bad = quote(r, rules);
  CHECK(bad.shipping_problem == "shipping_method_unavailable");
  r.shipping_method = "courier";  // the Seattle zone's, not the US zone's
  CHECK(quote(r, rules).shipping_problem == "shipping_method_unavailable");
  r.shipping_method = "express";
  auto express = quote(r, rules);
  CHECK(express.shipping_problem.empty());
  CHECK(express.shipping == 1999);
  // US: 5 % of 20.00 = 1.00, shipping untaxed.
  CHECK(express.tax == 100);
  CHECK(express.total == 2000 + 1999 + 100);
}

TEST_CASE("weight tiers: the first tier the cart fits; too heavy and the method is not offered", "[unit][pricing]") {
  PricingRules rules = shop_zones();
  PricingRequest r = to(cart({line(1, 2000, 2, {}, 400)}), "US", "OR");  // 800 g
  r.shipping_method = "freight";
  auto light = quote(r, rules);
  CHECK(light.shipping == 500);
  r.lines[0].weight_grams = 500;  // 1000 g: still the first tier (at most)
  CHECK(quote(r, rules).shipping == 500);
  r.lines[0].weight_grams = 1500;  // 3000 g
  CHECK(quote(r, rules).shipping == 900);
  r.lines[0].weight_grams = 3000;  // 6000 g: heavier than every tier
  auto heavy = quote(r, rules);
  CHECK_FALSE(offers(heavy, "freight"));
  CHECK(offers(heavy, "ground"));
  CHECK(heavy.shipping_problem == "shipping_method_unavailable");
  // A zone whose only method is by weight cannot ship a heavy cart at all.
  PricingRules only_weight;
  only_weight.zones.push_back(zone(9, "Heavy", {{"*", "", ""}}, {by_weight("freight", {{1000, 500}})}));
  r.shipping_method.clear();
  CHECK(quote(r, only_weight).shipping_problem == "no_shipping_to_address");
}

TEST_CASE("pickup is never the default unless it is the only method", "[unit][pricing]") {
  PricingRules rules = shop_zones();
  // US zone, 20.00 and 2 kg: ground 7.99, express 19.99, pickup 0, freight 9.00.
  auto q = quote(to(cart({line(1, 2000, 1, {}, 2000)}), "US", "OR"), rules);
  CHECK(q.shipping_options.size() == 4);
  REQUIRE(q.shipping_method);
  CHECK(q.shipping_method->id == "ground");  // cheapest delivered: 7.99 < 9.00
  CHECK(q.shipping == 799);
  // 800 g: freight's 5.00 tier is cheapest.
  auto light = quote(to(cart({line(1, 2000, 1, {}, 800)}), "US", "OR"), rules);
  CHECK(light.shipping_method->id == "freight");
  // Asked for: pickup costs nothing.
  PricingRequest r = to(cart({line(1, 2000, 1, {}, 800)}), "US", "OR");
  r.shipping_method = "pickup";
  auto picked = quote(r, rules);
  CHECK(picked.shipping == 0);
  CHECK(picked.total == 2000 + 100);
  CHECK_FALSE(picked.free_shipping_remaining);
  // Only pickup: it is the default.
  PricingRules only_pickup;
  only_pickup.zones.push_back(zone(9, "Shop", {{"*", "", ""}}, {pickup("counter")}));
  auto alone = quote(cart({line(1, 2000)}), only_pickup);
  REQUIRE(alone.shipping_method);
  CHECK(alone.shipping_method->id == "counter");
  CHECK(alone.shipping == 0);
}

TEST_CASE("free_shipping_remaining says how much more makes a free_over method free", "[unit][pricing]") {
  PricingRules rules = shop_zones();
  auto ground = [](PricingRequest r) {
    r = to(std::move(r), "US", "OR");
    r.shipping_method = "ground";
    return r;
  };
  // US ground is free over 75.00: at 50.00 the shopper needs 25.01 more.
  auto q = quote(ground(cart({line(1, 5000)})), rules);
  CHECK(q.shipping == 799);
  REQUIRE(q.free_shipping_remaining);
  CHECK(*q.free_shipping_remaining == 2501);
  // The default for a weightless cart is freight's 5.00 tier; ground still
  // tells how far free shipping is.
  auto by_default = quote(to(cart({line(1, 5000)}), "US", "OR"), rules);
  CHECK(by_default.shipping_method->id == "freight");
  CHECK(by_default.shipping == 500);
  CHECK(by_default.free_shipping_remaining == std::optional<Cents>(2501));
  // After a 10 % discount 72.00 is left of 80.00: 3.01 more.
  auto d = quote(ground(cart({line(1, 8000)}, {code("TEN", percentage(1, 1000))})), rules);
  CHECK(d.shipping == 799);
  REQUIRE(d.free_shipping_remaining);
  CHECK(*d.free_shipping_remaining == 301);
  // Over it: free, nothing to say.
  auto free = quote(ground(cart({line(1, 7501)})), rules);
  CHECK(free.shipping == 0);
  CHECK_FALSE(free.free_shipping_remaining);
  // A zone without free_over methods: nothing to say.
  CHECK_FALSE(quote(to(cart({line(1, 5000)}), "JP"), rules).free_shipping_remaining);
}

// ---- tax ----

TEST_CASE("two general rates, a category rate for books, tax on shipping", "[unit][pricing]") {
  PricingRules rules = shop_zones();
  // Washington: WA state 6.5 % and Local 3.75 % on everything but books
  // (category 30; a novel is in 31, a child of 30) which has its own 0 %.
  // Shipping 4.99 is taxed at the general rates.
  // Mug 20.00, novel 15.00.
  //   WA state: 6.5 % of (20.00 + 4.99) = 1.62435 -> 1.62, split 2000:499 ->
  //             129.65 / 32.35 -> mug 1.30, shipping 0.32
  //   Local:    3.75 % of 24.99 = 0.937125 -> 0.94 -> 75.23 / 18.77 -> mug
  //             0.75, shipping 0.19
  //   Books:    0 % of 15.00 = 0
  // Tax 2.56; total 35.00 + 4.99 + 2.56 = 42.55.
  auto q =
      quote(to(cart({line(1, 2000, 1, {kMugs}), line(2, 1500, 1, {kNovels, kBooks})}), "US", "WA", "99201"), rules);
  CHECK(q.zone_name == "Washington");
  CHECK(q.shipping == 499);
  REQUIRE(tax_line(q, "WA state"));
  CHECK(tax_line(q, "WA state")->amount == 162);
  CHECK(tax_line(q, "WA state")->rate_bp == 650);
  REQUIRE(tax_line(q, "Local"));
  CHECK(tax_line(q, "Local")->amount == 94);
  REQUIRE(tax_line(q, "Books"));
  CHECK(tax_line(q, "Books")->amount == 0);
  CHECK(q.tax == 256);
  CHECK(q.shipping_tax == 51);
  REQUIRE(q.lines.size() == 2);
  CHECK(q.lines[0].tax == 205);
  CHECK(q.lines[1].tax == 0);
  CHECK(q.total == 3500 + 499 + 256);
  CHECK(q.tax_included == 0);

  // Free shipping: shipping's tax base is what is charged (0).
  auto free = quote(to(cart({line(1, 2000, 1, {kMugs})}, {code("SHIP", free_shipping(1))}), "US", "WA"), rules);
  CHECK(free.shipping_discount == 499);
  CHECK(free.shipping_tax == 0);
  CHECK(free.tax == 130 + 75);  // 6.5 % and 3.75 % of 20.00
}

TEST_CASE("the nearest category with its own rate decides", "[unit][pricing]") {
  // Novels (31, a child of Books 30) have 5 %, Books 2 %, the rest 10 %.
  // A novel 20.00 -> 5 % = 1.00 only (not Books' rate as well); a cookbook
  // in Books 10.00 -> 2 % = 0.20; a mug 10.00 -> 10 % = 1.00. Tax 2.20.
  PricingRules rules;
  rules.zones.push_back(zone(1, "Here", {{"*", "", ""}}, {pickup("counter")},
                             {{"General", 1000, std::nullopt}, {"Books", 200, kBooks}, {"Novels", 500, kNovels}}));
  auto q =
      quote(cart({line(1, 2000, 1, {kNovels, kBooks}), line(2, 1000, 1, {kBooks}), line(3, 1000, 1, {kMugs})}), rules);
  REQUIRE(tax_line(q, "Novels"));
  CHECK(tax_line(q, "Novels")->amount == 100);
  REQUIRE(tax_line(q, "Books"));
  CHECK(tax_line(q, "Books")->amount == 20);
  REQUIRE(tax_line(q, "General"));
  CHECK(tax_line(q, "General")->amount == 100);
  CHECK(q.lines[0].tax == 100);
  CHECK(q.lines[1].tax == 20);
  CHECK(q.lines[2].tax == 100);
  CHECK(q.tax == 220);
  // A category rate under a general rate's name and rate is the same tax
  // line (docs/pricing.md: "WA sales tax" general and for a category).
  PricingRules same;
  same.zones.push_back(zone(1, "Here", {{"*", "", ""}}, {pickup("counter")},
                            {{"Sales tax", 650, std::nullopt}, {"Sales tax", 650, kBooks}, {"Sales tax", 0, kMugs}}));
  // 6.5 % of (20.00 + 10.00) = 1.95 once (not 1.30 + 0.65 rounded apart);
  // the mug's 0 % is its own line.
  auto s = quote(cart({line(1, 2000, 1, {kNovels, kBooks}), line(2, 1000), line(3, 1000, 1, {kMugs})}), same);
  CHECK(s.taxes.size() == 2);
  CHECK(s.tax == 195);
}

TEST_CASE("a tax-inclusive zone shows the tax included and does not add it", "[unit][pricing]") {
  PricingRules rules = shop_zones();
  // EU, VAT 19 % included, shipping 4.90 taxed. 119.00 + 4.90 = 123.90:
  // included 12390 * 1900 / 11900 = 1978.2 -> 19.78.
  auto q = quote(to(cart({line(1, 11900)}), "DE"), rules);
  CHECK(q.prices_include_tax);
  CHECK(q.tax == 0);
  CHECK(q.tax_included == 1978);
  REQUIRE(q.taxes.size() == 1);
  CHECK(q.taxes[0].included);
  CHECK(q.taxes[0].amount == 1978);
  CHECK(q.lines[0].tax == 0);
  CHECK(q.shipping_tax == 0);
  CHECK(q.total == 11900 + 490);
  // 10 % off: 107.10 + 4.90 = 112.00 -> 11200 * 1900 / 11900 = 1788.2 -> 17.88.
  auto d = quote(to(cart({line(1, 11900)}, {code("TEN", percentage(1, 1000))}), "DE"), rules);
  CHECK(d.discount == 1190);
  CHECK(d.tax_included == 1788);
  CHECK(d.total == 11900 - 1190 + 490);

  // Half-up on a tie: 20 % included in 0.09 is 0.015 -> 0.02; in 0.03, 0.005 -> 0.01.
  PricingRules uk;
  ShippingZone z = zone(1, "UK", {{"*", "", ""}}, {pickup("collect")}, {{"VAT", 2000, std::nullopt}});
  z.prices_include_tax = true;
  uk.zones.push_back(z);
  CHECK(quote(cart({line(1, 9)}), uk).tax_included == 2);
  CHECK(quote(cart({line(1, 3)}), uk).tax_included == 1);
  CHECK(quote(cart({line(1, 9)}), uk).total == 9);
}

// ---- the helpers ----

TEST_CASE("allocate splits by largest remainders, ties to the earlier line", "[unit][pricing]") {
  CHECK(allocate(100, {1, 1, 1}) == std::vector<Cents>{34, 33, 33});
  CHECK(allocate(2, {1, 1, 1}) == std::vector<Cents>{1, 1, 0});
  CHECK(allocate(982, {3998, 2550}) == std::vector<Cents>{600, 382});
  CHECK(allocate(10, {0, 0}) == std::vector<Cents>{0, 0});
  CHECK(allocate(0, {5, 7}) == std::vector<Cents>{0, 0});
  CHECK(allocate(7, {0, 3, 0}) == std::vector<Cents>{0, 7, 0});
  // 5 over 1:2:2 -> 1.0, 2.0, 2.0 exact.
  CHECK(allocate(5, {1, 2, 2}) == std::vector<Cents>{1, 2, 2});
  // 10 over 1:1:1 -> 3.33 each: the first gets the extra cent.
  CHECK(allocate(10, {1, 1, 1}) == std::vector<Cents>{4, 3, 3});
  // The largest remainder wins over the earlier line: 10 over 1:2 -> 3.33, 6.67.
  CHECK(allocate(10, {1, 2}) == std::vector<Cents>{3, 7});
}

TEST_CASE("line_refund gives back exactly the line's net over all units", "[unit][pricing]") {
  // 10.00 over 3 units: 3.33, 3.33, 3.34 (the remainder with the last unit).
  CHECK(line_refund(1000, 3, 0, 1) == 333);
  CHECK(line_refund(1000, 3, 1, 1) == 333);
  CHECK(line_refund(1000, 3, 2, 1) == 334);
  CHECK(line_refund(1000, 3, 0, 3) == 1000);
  CHECK(line_refund(1000, 3, 1, 2) == 667);
  CHECK(line_refund(1000, 3, 3, 1) == 0);  // nothing left
  CHECK(line_refund(1000, 3, 0, 0) == 0);
  CHECK(line_refund(1000, 3, 2, 5) == 334);  // more than are left: the rest
}

TEST_CASE("the API shapes of discounts, taxes and shipping options", "[unit][pricing]") {
  std::vector<AppliedDiscount> ds = {{1, std::string("SPRING15"), "Spring", 982, false},
                                     {2, std::nullopt, "Auto", 5, false}};
  auto dj = discounts_json(ds);
  REQUIRE(dj.size() == 2);
  CHECK(dj[0]["code"] == "SPRING15");
  CHECK(dj[0]["amount"] == cents_to_json(982));
  CHECK(dj[1]["code"].is_null());
  auto tj = taxes_json({{"VAT", 1900, 1978, true}});
  CHECK(tj[0]["name"] == "VAT");
  CHECK(tj[0]["rate_bp"] == 1900);
  CHECK(tj[0]["amount"] == cents_to_json(1978));
  CHECK(tj[0]["included"] == true);
  // Delivered by the end (UTC) of the 3rd day after now: 2023-11-14 + 3.
  CHECK(delivery_day_end(kNow, 3) == 1700265599);
  ShippingOption o{"ground", "Ground", ShippingMethodType::free_over, 799, 2, 3};
  auto oj = shipping_option_json(o, kNow);
  CHECK(oj["id"] == "ground");
  CHECK(oj["type"] == "free_over");
  CHECK(oj["price"] == cents_to_json(799));
  CHECK(oj["delivery_days"]["min"] == 2);
  CHECK(oj["delivery_days"]["max"] == 3);
  CHECK(oj["estimated_delivery"] == "2023-11-17T23:59:59Z");
}

TEST_CASE("a product page's shipping line is what a cart of one unit would pay", "[pricing]") {
  // The default zone: $5.99, free when the merchandise is over $50.00,
  // delivered in 2-3 days (Config delivery_days = 3).
  auto cheap = product_shipping_json(quote(cart({line(1, 3000)})));
  CHECK(cheap["free_shipping"] == false);
  CHECK(cheap["flat_rate"] == cents_to_json(599));
  CHECK(cheap["free_shipping_threshold"] == cents_to_json(5000));  // over $50.00: $50.01 ships free
  CHECK(cheap["estimated_delivery"] == "2-3 business days");
  CHECK(cheap["method"] == "Standard shipping");
  auto dear = product_shipping_json(quote(cart({line(1, 6000)})));
  CHECK(dear["free_shipping"] == true);
  CHECK(dear["free_shipping_threshold"].is_null());  // free already
  // A shop that does not ship to its own country says nothing about shipping.
  PricingRules abroad;
  abroad.zones.push_back(zone(1, "EU", {{"DE", "", ""}}, {flat("eu", 990)}));
  auto none = product_shipping_json(quote(cart({line(1, 3000)}), abroad));
  CHECK(none["method"].is_null());
  CHECK(none["free_shipping"] == false);
}
