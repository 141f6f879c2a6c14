#include "pricing/demo_pricing.h"

#include "base/clock.h"
#include "catalog/catalog.h"
#include "pricing/pricing_service.h"

namespace shopbox {

namespace {

ShippingMethod demo_method(std::string id, std::string name, ShippingMethodType type, Cents price, int min_days,
                           int max_days) {
  ShippingMethod m;
  m.id = std::move(id);
  m.name = std::move(name);
  m.type = type;
  m.price = price;
  m.min_days = min_days;
  m.max_days = max_days;
  return m;
}

ShippingZone demo_zone(std::string name, std::vector<ShippingRegion> regions, std::vector<TaxRate> rates,
                       std::vector<ShippingMethod> methods) {
  ShippingZone z;
  z.name = std::move(name);
  z.regions = std::move(regions);
  z.tax_rates = std::move(rates);
  z.methods = std::move(methods);
  return z;
}

// The US zones' methods (ids are unique across zones, so each zone has its own).
std::vector<ShippingMethod> us_methods(const std::string& prefix) {
  ShippingMethod standard = demo_method(prefix + "-standard", "Standard", ShippingMethodType::free_over, 599, 3, 5);
  standard.free_over = 5000;
  ShippingMethod ground = demo_method(prefix + "-ground", "Ground (by weight)", ShippingMethodType::weight, 0, 4, 7);
  ground.tiers = {{1000, 499}, {5000, 899}, {20000, 1899}};
  return {standard, ground, demo_method(prefix + "-express", "Express", ShippingMethodType::flat, 1499, 1, 2)};
}

std::vector<ShippingZone> demo_zones(std::optional<int64_t> books) {
  std::vector<ShippingZone> zones;
  // Most of the US: a sales tax, books at a reduced rate, pickup at the shop.
  ShippingZone us = demo_zone("United States", {{"US", "", ""}}, {{"Sales tax", 600, std::nullopt}}, us_methods("us"));
  if (books) us.tax_rates.push_back({"Sales tax (books)", 300, books});
  us.methods.push_back(demo_method("us-pickup", "Pick up at the shop", ShippingMethodType::pickup, 0, 0, 1));
  zones.push_back(us);
  zones.push_back(demo_zone("US states without sales tax",
                            {{"US", "OR", ""}, {"US", "MT", ""}, {"US", "NH", ""}, {"US", "DE", ""}, {"US", "AK", ""}},
                            {}, us_methods("us-notax")));
  ShippingZone wa =
      demo_zone("Washington", {{"US", "WA", ""}}, {{"WA sales tax", 650, std::nullopt}}, us_methods("wa"));
  wa.tax_shipping = true;  // WA taxes delivery charges
  zones.push_back(wa);
  zones.push_back(demo_zone("California", {{"US", "CA", ""}}, {{"CA sales tax", 725, std::nullopt}}, us_methods("ca")));
  // The EU: prices include VAT (one example rate; real VAT differs per country).
  std::vector<ShippingRegion> eu;
  for (const char* c : {"AT", "BE", "DE", "DK", "ES", "FI", "FR", "IE", "IT", "NL", "PL", "PT", "SE"})
    eu.push_back({c, "", ""});
  ShippingZone europe =
      demo_zone("European Union", eu, {{"VAT", 2000, std::nullopt}},
                {demo_method("eu-standard", "International standard", ShippingMethodType::flat, 1499, 5, 10)});
  if (books) europe.tax_rates.push_back({"VAT (books)", 700, books});
  europe.prices_include_tax = true;
  europe.tax_shipping = true;
  zones.push_back(europe);
  zones.push_back(demo_zone("Rest of the world", {{"*", "", ""}}, {},
                            {demo_method("intl-standard", "International", ShippingMethodType::flat, 2499, 7, 14)}));
  return zones;
}

std::vector<Discount> demo_discounts(std::optional<int64_t> clothing, std::optional<int64_t> toys) {
  int64_t now = now_seconds();
  std::vector<Discount> out;
  Discount welcome;
  welcome.code = "WELCOME10";
  welcome.name = "Welcome: 10 % off your first order";
  welcome.type = DiscountType::percentage;
  welcome.percent_bp = 1000;
  welcome.first_order_only = true;
  welcome.per_customer_limit = 1;
  out.push_back(welcome);
  Discount spring;
  spring.code = "SPRING5";
  spring.name = "$5 off orders over $40";
  spring.type = DiscountType::fixed_amount;
  spring.amount = 500;
  spring.min_subtotal = 4000;
  spring.usage_limit = 500;
  out.push_back(spring);
  Discount ship;
  ship.code = "FREESHIP";
  ship.name = "Free shipping";
  ship.type = DiscountType::free_shipping;
  out.push_back(ship);
  if (clothing) {
    Discount week;
    week.name = "10 % off Clothing this week";
    week.type = DiscountType::percentage;
    week.percent_bp = 1000;
    week.scope = DiscountScope::categories;
    week.scope_ids = {*clothing};
    week.starts_at = now - 86400;
    week.ends_at = now + 7 * 86400;
    out.push_back(week);
  }
  if (toys) {
    Discount b2g1;
    b2g1.name = "Toys: buy 2, get 1 free";
    b2g1.type = DiscountType::buy_x_get_y;
    b2g1.percent_bp = 10000;
    b2g1.buy_quantity = 2;
    b2g1.get_quantity = 1;
    b2g1.scope = DiscountScope::categories;
    b2g1.scope_ids = {*toys};
    out.push_back(b2g1);
  }
  return out;
}

std::optional<int64_t> demo_category_id(Catalog& catalog, const std::string& slug) {
  auto c = catalog.category_by_slug(slug);
  return c ? std::optional<int64_t>(c->id) : std::nullopt;
}

}  // namespace

Status load_demo_pricing(Pricing& pricing, Catalog& catalog) {
  auto zones = pricing.zones();
  if (!zones.ok()) return zones.status();
  auto discounts = pricing.list_discounts();
  if (!discounts.ok()) return discounts.status();
  if (!zones->empty() || !discounts->empty()) return Status::Ok();
  for (const auto& z : demo_zones(demo_category_id(catalog, "books")))
    if (auto made = pricing.create_zone(z); !made.ok()) return made.status();
  for (const auto& d : demo_discounts(demo_category_id(catalog, "clothing"), demo_category_id(catalog, "toys-games")))
    if (auto made = pricing.create_discount(d); !made.ok()) return made.status();
  return Status::Ok();
}

}  // namespace shopbox
