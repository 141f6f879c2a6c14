// The admin API of the pricing rules over HTTP (docs/pricing.md "Admin
// API"): discounts and shipping zones round trip, usage counts show what
// checkouts hold and orders keep, every bad input is a 400 naming its field
// that changes nothing, zones never claim a region twice nor share a
// method id, and only admins get in.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "app.h"
#include "base/clock.h"
#include "pricing/pricing_service.h"
#include "support/fixtures.h"
#include "support/test_shop.h"

using shopbox::testing::Headers;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {

const char* const kPaDiscounts = "/api/v1/admin/discounts";
const char* const kPaZones = "/api/v1/admin/shipping-zones";

json pa_percent_code(const std::string& code = "spring10") {
  return {{"code", code}, {"name", "Spring sale 10 %"}, {"type", "percentage"}, {"percent_bp", 1000}};
}

std::string pa_create(TestShop& shop, const char* path, const json& body) {
  auto r = shop.post(path, body, shop.admin());
  INFO(r.text);
  REQUIRE(r.status == 201);
  return r.body["id"].get<std::string>();
}

json pa_us_west() {
  return {
      {"name", "US West"},
      {"regions", {{{"country", "us"}, {"state", "WA"}}, {{"country", "US"}, {"state", "OR"}, {"zip_prefix", "97"}}}},
      {"methods",
       {{{"id", "us-standard"},
         {"name", "Standard"},
         {"type", "flat"},
         {"price", 5.99},
         {"min_days", 2},
         {"max_days", 5}},
        {{"name", "Heavy Freight"},
         {"type", "weight"},
         {"tiers", {{{"up_to_grams", 1000}, {"price", 4.99}}, {{"up_to_grams", 5000}, {"price", 9.99}}}}}}},
      {"tax_rates",
       {{{"name", "WA sales tax"}, {"rate_bp", 650}}, {{"name", "Books"}, {"rate_bp", 0}, {"category_id", "3"}}}},
      {"tax_shipping", true}};
}

// Runs one of the static discount-use steps in a write transaction, as
// checkout does.
template <typename Step>
shopbox::Status pa_in_write(TestShop& shop, Step step) {
  return shop.app().db->write([&](shopbox::Connection& c) { return step(c); });
}

shopbox::AppliedDiscount pa_applied(const std::string& id, const std::string& code, shopbox::Cents amount) {
  shopbox::AppliedDiscount a;
  a.discount_id = std::stoll(id);
  a.code = code;
  a.name = code;
  a.amount = amount;
  return a;
}

json pa_with(json body, const std::string& key, const json& value) {
  body[key] = value;
  return body;
}

json pa_without(json body, const std::string& key) {
  body.erase(key);
  return body;
}

}  // namespace

TEST_CASE("discounts round trip: create, read, list, change, delete", "[http][pricing_admin]") {
  TestShop shop;
  auto r = shop.post(kPaDiscounts,
                     {{"code", " spring10 "},
                      {"name", "Spring sale 10 %"},
                      {"type", "percentage"},
                      {"percent_bp", 1000},
                      {"scope", "categories"},
                      {"scope_ids", {"3", 4}},
                      {"min_subtotal", 50.00},
                      {"starts_at", "2026-01-01T00:00:00Z"},
                      {"ends_at", "2026-06-01T00:00:00Z"},
                      {"customer_ids", {"5"}},
                      {"usage_limit", 10},
                      {"per_customer_limit", 1},
                      {"combinable", false}},
                     shop.admin());
  INFO(r.text);
  REQUIRE(r.status == 201);
  const std::string id = r.body["id"];
  CHECK(r.body["code"] == "SPRING10");
  CHECK(r.body["automatic"] == false);
  CHECK(r.body["type"] == "percentage");
  CHECK(r.body["percent_bp"] == 1000);
  CHECK(r.body["amount"] == 0);
  CHECK(r.body["scope"] == "categories");
  CHECK(r.body["scope_ids"] == json({"3", "4"}));
  CHECK(r.body["min_subtotal"] == 50);
  CHECK(r.body["starts_at"] == "2026-01-01T00:00:00Z");
  CHECK(r.body["ends_at"] == "2026-06-01T00:00:00Z");
  CHECK(r.body["customer_ids"] == json({"5"}));
  CHECK(r.body["usage_limit"] == 10);
  CHECK(r.body["per_customer_limit"] == 1);
  CHECK(r.body["combinable"] == false);
  CHECK(r.body["active"] == true);
  CHECK(r.body["usage"] == json({{"total", 0}, {"held", 0}, {"kept", 0}, {"remaining", 10}}));
  CHECK(shop.get(std::string(kPaDiscounts) + "/" + id, shop.admin()).body == r.body);

  auto fixed = shop.post(kPaDiscounts, {{"name", "Five off"}, {"type", "fixed_amount"}, {"amount", 5}}, shop.admin());
  REQUIRE(fixed.status == 201);
  CHECK(fixed.body["code"].is_null());
  CHECK(fixed.body["automatic"] == true);
  CHECK(fixed.body["amount"] == 5);
  CHECK(fixed.body["usage"]["remaining"].is_null());
  auto bxgy = shop.post(
      kPaDiscounts,
      {{"code", "B2G1"}, {"name", "Buy 2 get 1"}, {"type", "buy_x_get_y"}, {"buy_quantity", 2}, {"get_quantity", 1}},
      shop.admin());
  REQUIRE(bxgy.status == 201);
  CHECK(bxgy.body["percent_bp"] == 10000);  // the one you get is free unless said otherwise

  auto list = shop.get(kPaDiscounts, shop.admin());
  REQUIRE(list.status == 200);
  CHECK(list.body["total"] == 3);
  CHECK(list.body["page"] == 1);
  CHECK(list.body["size"] == 20);
  CHECK(list.body["discounts"][0]["id"] == bxgy.body["id"]);  // newest first
  CHECK(shop.get(std::string(kPaDiscounts) + "?automatic=true", shop.admin()).body["total"] == 1);
  CHECK(shop.get(std::string(kPaDiscounts) + "?automatic=false", shop.admin()).body["total"] == 2);
  auto found = shop.get(std::string(kPaDiscounts) + "?q=spring", shop.admin());
  REQUIRE(found.body["discounts"].size() == 1);
  CHECK(found.body["discounts"][0]["code"] == "SPRING10");
  CHECK(shop.get(std::string(kPaDiscounts) + "?q=FIVE", shop.admin()).body["total"] == 1);
  auto paged = shop.get(std::string(kPaDiscounts) + "?page=2&size=2", shop.admin());
  CHECK(paged.body["discounts"].size() == 1);
  CHECK(paged.body["total"] == 3);
  CHECK(shop.get(std::string(kPaDiscounts) + "?page=9", shop.admin()).body["discounts"].empty());
  CHECK(shop.get(std::string(kPaDiscounts) + "?size=101", shop.admin()).status == 400);
  CHECK(shop.get(std::string(kPaDiscounts) + "?automatic=maybe", shop.admin()).status == 400);

  // PATCH changes only what it names.
  auto patched =
      shop.patch(std::string(kPaDiscounts) + "/" + id, {{"name", "Spring 10"}, {"active", false}}, shop.admin());
  INFO(patched.text);
  REQUIRE(patched.status == 200);
  CHECK(patched.body["name"] == "Spring 10");
  CHECK(patched.body["active"] == false);
  CHECK(patched.body["code"] == "SPRING10");
  CHECK(patched.body["scope_ids"] == json({"3", "4"}));
  CHECK(patched.body["created_at"] == r.body["created_at"]);
  // Changing the type drops the fields of the old one.
  auto retyped =
      shop.patch(std::string(kPaDiscounts) + "/" + id, {{"type", "fixed_amount"}, {"amount", 7.5}}, shop.admin());
  REQUIRE(retyped.status == 200);
  CHECK(retyped.body["percent_bp"] == 0);
  CHECK(retyped.body["amount"] == 7.5);
  auto automatic = shop.patch(std::string(kPaDiscounts) + "/" + id, {{"code", nullptr}}, shop.admin());
  REQUIRE(automatic.status == 200);
  CHECK(automatic.body["automatic"] == true);
  CHECK(shop.get(std::string(kPaDiscounts) + "?automatic=true", shop.admin()).body["total"] == 2);
  auto back =
      shop.patch(std::string(kPaDiscounts) + "/" + id, {{"code", "spring-10"}, {"scope", "order"}}, shop.admin());
  REQUIRE(back.status == 200);
  CHECK(back.body["code"] == "SPRING-10");
  CHECK(back.body["scope_ids"].empty());

  CHECK(shop.del(std::string(kPaDiscounts) + "/" + id, shop.admin()).status == 204);
  auto gone = shop.get(std::string(kPaDiscounts) + "/" + id, shop.admin());
  CHECK(gone.status == 404);
  CHECK(gone.body["error"]["code"] == "discount_not_found");
  CHECK(shop.del(std::string(kPaDiscounts) + "/" + id, shop.admin()).status == 404);
  CHECK(shop.patch(std::string(kPaDiscounts) + "/" + id, {{"name", "x"}}, shop.admin()).status == 404);
  CHECK(shop.get(std::string(kPaDiscounts) + "/abc", shop.admin()).body["error"]["code"] == "discount_not_found");
  CHECK(shop.get(kPaDiscounts, shop.admin()).body["total"] == 2);
}

TEST_CASE("usage shows held and kept uses; limits hold; a held use blocks delete", "[http][pricing_admin]") {
  TestShop shop;
  const std::string id = pa_create(shop, kPaDiscounts, pa_with(pa_percent_code("TEN"), "usage_limit", 3));
  const std::string path = std::string(kPaDiscounts) + "/" + id;
  const auto ten = pa_applied(id, "TEN", 250);
  const int64_t now = shopbox::now_seconds();
  using shopbox::Connection;
  using shopbox::Pricing;

  REQUIRE(pa_in_write(shop, [&](Connection& c) { return Pricing::hold_uses(c, "att-1", 7, {ten}, now); }).ok());
  REQUIRE(pa_in_write(shop, [&](Connection& c) {
            Pricing::keep_uses(c, "att-1", "ord_test_1", now);
            return shopbox::Status::Ok();
          }).ok());
  REQUIRE(pa_in_write(shop, [&](Connection& c) { return Pricing::hold_uses(c, "att-2", 8, {ten}, now); }).ok());
  // The same attempt holding again (a retried step) counts once.
  REQUIRE(pa_in_write(shop, [&](Connection& c) { return Pricing::hold_uses(c, "att-2", 8, {ten}, now); }).ok());
  auto r = shop.get(path, shop.admin());
  CHECK(r.body["usage"] == json({{"total", 2}, {"held", 1}, {"kept", 1}, {"remaining", 1}}));
  CHECK(shop.get(kPaDiscounts, shop.admin()).body["discounts"][0]["usage"]["total"] == 2);
  auto by_seven = shop.app().pricing->usage(std::stoll(id), 7);
  REQUIRE(by_seven.ok());
  CHECK(by_seven->by_customer == 1);

  auto in_use = shop.del(path, shop.admin());
  CHECK(in_use.status == 409);
  CHECK(in_use.body["error"]["code"] == "discount_in_use");

  REQUIRE(pa_in_write(shop, [&](Connection& c) { return Pricing::hold_uses(c, "att-3", 9, {ten}, now); }).ok());
  auto full = pa_in_write(shop, [&](Connection& c) { return Pricing::hold_uses(c, "att-4", 10, {ten}, now); });
  CHECK(full.code() == "discount_not_applicable");
  CHECK(full.details()["reason"] == "limit_reached");
  CHECK(full.details()["code"] == "TEN");
  CHECK(shop.get(path, shop.admin()).body["usage"]["remaining"] == 0);

  // Given back: a failed payment releases the attempt's hold, a cancelled
  // order its kept use.
  REQUIRE(pa_in_write(shop, [&](Connection& c) {
            Pricing::release_attempt_uses(c, "att-2", now);
            Pricing::release_attempt_uses(c, "att-3", now);
            Pricing::release_order_uses(c, "ord_test_1", now);
            return shopbox::Status::Ok();
          }).ok());
  CHECK(shop.get(path, shop.admin()).body["usage"] == json({{"total", 0}, {"held", 0}, {"kept", 0}, {"remaining", 3}}));
  std::vector<std::string> problems;
  shop.app().pricing->check_invariants(problems);
  CHECK(problems.empty());

  // Per customer.
  const std::string once = pa_create(shop, kPaDiscounts, pa_with(pa_percent_code("ONCE"), "per_customer_limit", 1));
  const auto once_applied = pa_applied(once, "ONCE", 100);
  REQUIRE(
      pa_in_write(shop, [&](Connection& c) { return Pricing::hold_uses(c, "att-5", 7, {once_applied}, now); }).ok());
  auto again = pa_in_write(shop, [&](Connection& c) { return Pricing::hold_uses(c, "att-6", 7, {once_applied}, now); });
  CHECK(again.details()["reason"] == "customer_limit_reached");
  CHECK(pa_in_write(shop, [&](Connection& c) { return Pricing::hold_uses(c, "att-7", 8, {once_applied}, now); }).ok());

  CHECK(shop.del(path, shop.admin()).status == 204);  // nothing held any more
}

TEST_CASE("bad discount input is a 400 naming the field and changes nothing", "[http][pricing_admin]") {
  TestShop shop;
  const std::string id = pa_create(shop, kPaDiscounts, pa_percent_code("KEEP"));
  const json good = pa_percent_code("NEW10");
  const json fixed = {{"code", "FIVE"}, {"name", "Five off"}, {"type", "fixed_amount"}, {"amount", 5}};
  const json bxgy = {
      {"code", "B2G1"}, {"name", "B2G1"}, {"type", "buy_x_get_y"}, {"buy_quantity", 2}, {"get_quantity", 1}};
  struct Bad {
    json body;
    std::string field;
  };
  const std::vector<Bad> cases = {
      {pa_with(good, "colour", "red"), "colour"},
      {pa_with(good, "usage", json::object()), "usage"},
      {pa_without(good, "name"), "name"},
      {pa_without(good, "type"), "type"},
      {pa_with(good, "name", ""), "name"},
      {pa_with(good, "name", "   "), "name"},
      {pa_with(good, "name", std::string(201, 'n')), "name"},
      {pa_with(good, "name", 12), "name"},
      {pa_with(good, "type", "half_price"), "type"},
      {pa_with(good, "percent_bp", 0), "percent_bp"},
      {pa_with(good, "percent_bp", 10001), "percent_bp"},
      {pa_with(good, "percent_bp", -5), "percent_bp"},
      {pa_with(good, "percent_bp", "1000"), "percent_bp"},
      {pa_with(good, "percent_bp", 10.5), "percent_bp"},
      {pa_with(good, "amount", 5), "amount"},  // not a fixed_amount
      {pa_with(fixed, "amount", 0), "amount"},
      {pa_with(fixed, "amount", -1), "amount"},
      {pa_with(fixed, "amount", 1000000000.01), "amount"},
      {pa_with(fixed, "amount", 1.234), "amount"},
      {pa_without(fixed, "amount"), "amount"},
      {pa_with(bxgy, "buy_quantity", 0), "buy_quantity"},
      {pa_with(bxgy, "get_quantity", 0), "get_quantity"},
      {pa_with(bxgy, "percent_bp", 20000), "percent_bp"},
      {pa_with(good, "code", "SPRING 10"), "code"},
      {pa_with(good, "code", ""), "code"},
      {pa_with(good, "code", std::string(200, 'A')), "code"},
      {pa_with(good, "code", "ÉTÉ"), "code"},
      {pa_with(good, "code", 10), "code"},
      {pa_with(good, "scope", "products"), "scope_ids"},
      {pa_with(pa_with(good, "scope", "products"), "scope_ids", json::array()), "scope_ids"},
      {pa_with(pa_with(good, "scope", "products"), "scope_ids", {"0"}), "scope_ids"},
      {pa_with(pa_with(good, "scope", "products"), "scope_ids", {"-3"}), "scope_ids"},
      {pa_with(pa_with(good, "scope", "products"), "scope_ids", {"abc"}), "scope_ids"},
      {pa_with(pa_with(good, "scope", "products"), "scope_ids", "3"), "scope_ids"},
      {pa_with(good, "scope_ids", {"3"}), "scope_ids"},  // scope order takes none
      {pa_with(good, "scope", "shelf"), "scope"},
      {pa_with(good, "min_subtotal", -1), "min_subtotal"},
      {pa_with(good, "min_quantity", -1), "min_quantity"},
      {pa_with(good, "starts_at", "tomorrow"), "starts_at"},
      {pa_with(pa_with(good, "starts_at", "2026-02-01T00:00:00Z"), "ends_at", "2026-02-01T00:00:00Z"), "ends_at"},
      {pa_with(pa_with(good, "starts_at", "2026-02-01T00:00:00Z"), "ends_at", "2026-01-01T00:00:00Z"), "ends_at"},
      {pa_with(good, "usage_limit", 0), "usage_limit"},
      {pa_with(good, "per_customer_limit", 0), "per_customer_limit"},
      {pa_with(good, "usage_limit", "ten"), "usage_limit"},
      {pa_with(good, "customer_ids", {"x"}), "customer_ids"},
      {pa_with(good, "first_order_only", "yes"), "first_order_only"},
      {pa_with(good, "active", nullptr), "active"},
  };
  json many = json::array();
  for (int i = 1; i <= 1001; ++i) many.push_back(std::to_string(i));
  std::vector<Bad> all = cases;
  all.push_back({pa_with(pa_with(good, "scope", "products"), "scope_ids", many), "scope_ids"});
  all.push_back({pa_with(good, "customer_ids", many), "customer_ids"});

  const auto before = shop.get(std::string(kPaDiscounts) + "?size=100", shop.admin()).body;
  for (const auto& bad : all) {
    INFO(bad.body.dump().substr(0, 300));
    auto r = shop.post(kPaDiscounts, bad.body, shop.admin());
    CHECK(r.status == 400);
    CHECK(r.body["error"]["details"]["field"] == bad.field);
    // The same body as a PATCH of the stored discount (a PATCH may leave
    // out name and type, so those two cases are POST-only).
    if (bad.body.contains("name") && bad.body.contains("type")) {
      auto p = shop.patch(std::string(kPaDiscounts) + "/" + id, bad.body, shop.admin());
      CHECK(p.status == 400);
      CHECK(p.body["error"]["details"]["field"] == bad.field);
    }
  }
  CHECK(shop.get(std::string(kPaDiscounts) + "?size=100", shop.admin()).body == before);

  // A taken code, in any case, is a 409.
  auto taken = shop.post(kPaDiscounts, pa_percent_code("keep"), shop.admin());
  CHECK(taken.status == 409);
  CHECK(taken.body["error"]["code"] == "discount_code_taken");
  const std::string other = pa_create(shop, kPaDiscounts, good);
  auto clash = shop.patch(std::string(kPaDiscounts) + "/" + other, {{"code", "Keep"}}, shop.admin());
  CHECK(clash.status == 409);
  CHECK(clash.body["error"]["code"] == "discount_code_taken");
  CHECK(shop.get(std::string(kPaDiscounts) + "/" + other, shop.admin()).body["code"] == "NEW10");
  // Malformed bodies.
  CHECK(shop.post_raw(kPaDiscounts, "{", shop.admin()).status == 400);
  CHECK(shop.post_raw(kPaDiscounts, "[1]", shop.admin()).status == 400);
}

TEST_CASE("shipping zones round trip; the default zone shows while none is stored", "[http][pricing_admin]") {
  TestShop shop;
  auto empty = shop.get(kPaZones, shop.admin());
  REQUIRE(empty.status == 200);
  CHECK(empty.body["zones"].empty());
  REQUIRE(empty.body["default_zone"].is_object());
  CHECK(empty.body["default_zone"]["regions"][0]["country"] == "*");
  CHECK_FALSE(empty.body["default_zone"].contains("id"));

  auto r = shop.post(kPaZones, pa_us_west(), shop.admin());
  INFO(r.text);
  REQUIRE(r.status == 201);
  const std::string id = r.body["id"];
  CHECK(r.body["name"] == "US West");
  CHECK(r.body["position"] == 0);
  CHECK(r.body["regions"][0] == json({{"country", "US"}, {"state", "WA"}, {"zip_prefix", nullptr}}));
  CHECK(r.body["regions"][1] == json({{"country", "US"}, {"state", "OR"}, {"zip_prefix", "97"}}));
  const auto& m = r.body["methods"];
  REQUIRE(m.size() == 2);
  CHECK(m[0] == json({{"id", "us-standard"},
                      {"name", "Standard"},
                      {"type", "flat"},
                      {"price", 5.99},
                      {"free_over", nullptr},
                      {"tiers", json::array()},
                      {"min_days", 2},
                      {"max_days", 5}}));
  CHECK(m[1]["id"] == "heavy-freight");  // derived from the name
  CHECK(m[1]["tiers"][1] == json({{"up_to_grams", 5000}, {"price", 9.99}}));
  CHECK(r.body["tax_rates"][0] == json({{"name", "WA sales tax"}, {"rate_bp", 650}, {"category_id", nullptr}}));
  CHECK(r.body["tax_rates"][1]["category_id"] == "3");
  CHECK(r.body["tax_shipping"] == true);
  CHECK(r.body["prices_include_tax"] == false);
  CHECK(shop.get(std::string(kPaZones) + "/" + id, shop.admin()).body == r.body);
  auto listed = shop.get(kPaZones, shop.admin());
  REQUIRE(listed.body["zones"].size() == 1);
  CHECK(listed.body["zones"][0] == r.body);
  CHECK(listed.body["default_zone"].is_null());

  // PATCH: only the named fields; a list given replaces the zone's list.
  auto p = shop.patch(std::string(kPaZones) + "/" + id,
                      {{"name", "Pacific NW"},
                       {"position", 2},
                       {"methods",
                        {{{"name", "Pickup"}, {"type", "pickup"}},
                         {{"name", "Free over 50"}, {"type", "free_over"}, {"price", 4.99}, {"free_over", 50}}}}},
                      shop.admin());
  INFO(p.text);
  REQUIRE(p.status == 200);
  CHECK(p.body["name"] == "Pacific NW");
  CHECK(p.body["position"] == 2);
  CHECK(p.body["regions"] == r.body["regions"]);
  CHECK(p.body["tax_rates"] == r.body["tax_rates"]);
  CHECK(p.body["methods"].size() == 2);
  CHECK(p.body["methods"][0]["id"] == "pickup");
  CHECK(p.body["methods"][1]["id"] == "free-over-50");
  CHECK(p.body["methods"][1]["free_over"] == 50);
  CHECK(p.body["created_at"] == r.body["created_at"]);

  CHECK(shop.del(std::string(kPaZones) + "/" + id, shop.admin()).status == 204);
  auto gone = shop.get(std::string(kPaZones) + "/" + id, shop.admin());
  CHECK(gone.status == 404);
  CHECK(gone.body["error"]["code"] == "shipping_zone_not_found");
  CHECK(shop.del(std::string(kPaZones) + "/" + id, shop.admin()).status == 404);
  CHECK(shop.patch(std::string(kPaZones) + "/" + id, {{"name", "x"}}, shop.admin()).status == 404);
  CHECK(shop.get(std::string(kPaZones) + "/0", shop.admin()).status == 404);
  CHECK(shop.get(kPaZones, shop.admin()).body["default_zone"].is_object());
}

TEST_CASE("bad zone input is a 400 naming the field and changes nothing", "[http][pricing_admin]") {
  TestShop shop;
  const std::string id = pa_create(shop, kPaZones, pa_us_west());
  json good = pa_us_west();
  good["regions"] = {{{"country", "CA"}}};
  good["methods"][0]["id"] = "ca-standard";
  good["methods"][1].erase("id");
  auto region = [&](const json& r) { return pa_with(good, "regions", json::array({r})); };
  auto method = [&](const json& patch) {
    json m = {{"id", "ca-x"}, {"name", "X"}, {"type", "flat"}, {"price", 5}};
    for (auto it = patch.begin(); it != patch.end(); ++it) {
      if (it->is_null())
        m.erase(it.key());
      else
        m[it.key()] = *it;
    }
    return pa_with(good, "methods", json::array({m}));
  };
  auto rate = [&](const json& r) { return pa_with(good, "tax_rates", r); };
  struct Bad {
    json body;
    std::string field;
  };
  const std::vector<Bad> cases = {
      {pa_with(good, "colour", "red"), "colour"},
      {pa_without(good, "name"), "name"},
      {pa_with(good, "name", ""), "name"},
      {pa_without(good, "regions"), "regions"},
      {pa_with(good, "regions", json::array()), "regions"},
      {pa_with(good, "regions", "CA"), "regions"},
      {region({{"country", "CAN"}}), "regions[0].country"},
      {region({{"country", "C1"}}), "regions[0].country"},
      {region({{"state", "BC"}}), "regions[0].country"},
      {region({{"country", "CA"}, {"state", "BCXX"}}), "regions[0].state"},
      {region({{"country", "CA"}, {"state", "B C"}}), "regions[0].state"},
      {region({{"country", "CA"}, {"zip_prefix", "V5K_"}}), "regions[0].zip_prefix"},
      {region({{"country", "CA"}, {"zip_prefix", "12345678901"}}), "regions[0].zip_prefix"},
      {region({{"country", "*"}, {"state", "BC"}}), "regions[0].country"},
      {region({{"country", "CA"}, {"city", "Vancouver"}}), "regions[0].city"},
      {pa_with(good, "regions", {{{"country", "CA"}}, {{"country", "ca"}}}), "regions[1]"},
      {method({{"id", "Bad Id"}}), "methods[0].id"},
      {method({{"id", std::string(41, 'a')}}), "methods[0].id"},
      {method({{"name", ""}}), "methods[0].name"},
      {method({{"name", nullptr}}), "methods[0].name"},
      {method({{"type", "drone"}}), "methods[0].type"},
      {method({{"price", -1}}), "methods[0].price"},
      {method({{"price", nullptr}}), "methods[0].price"},
      {method({{"type", "weight"}, {"price", nullptr}}), "methods[0].tiers"},
      {method({{"type", "weight"}, {"tiers", {{{"up_to_grams", 0}, {"price", 1}}}}}),
       "methods[0].tiers[0].up_to_grams"},
      {method({{"type", "weight"},
               {"tiers", {{{"up_to_grams", 500}, {"price", 1}}, {{"up_to_grams", 500}, {"price", 2}}}}}),
       "methods[0].tiers[1].up_to_grams"},
      {method({{"type", "weight"}, {"tiers", {{{"up_to_grams", 500}, {"price", -1}}}}}), "methods[0].tiers[0].price"},
      {method({{"tiers", {{{"up_to_grams", 500}, {"price", 1}}}}}), "methods[0].tiers"},
      {method({{"type", "free_over"}}), "methods[0].free_over"},
      {method({{"type", "free_over"}, {"free_over", -1}}), "methods[0].free_over"},
      {method({{"free_over", 50}}), "methods[0].free_over"},
      {method({{"min_days", 5}, {"max_days", 2}}), "methods[0].max_days"},
      {method({{"min_days", -1}}), "methods[0].min_days"},
      {method({{"max_days", 366}}), "methods[0].max_days"},
      {method({{"speed", "fast"}}), "methods[0].speed"},
      {pa_with(
           good, "methods",
           {{{"id", "dup"}, {"name", "A"}, {"type", "pickup"}}, {{"id", "dup"}, {"name", "B"}, {"type", "pickup"}}}),
       "methods[1].id"},
      {method({{"id", "us-standard"}}), "methods[0].id"},  // another zone's method
      {rate({{{"name", "GST"}, {"rate_bp", -1}}}), "tax_rates[0].rate_bp"},
      {rate({{{"name", "GST"}, {"rate_bp", 10001}}}), "tax_rates[0].rate_bp"},
      {rate({{{"name", ""}, {"rate_bp", 500}}}), "tax_rates[0].name"},
      {rate({{{"name", "GST"}}}), "tax_rates[0].rate_bp"},
      {rate({{{"name", "GST"}, {"rate_bp", 500}, {"category_id", "0"}}}), "tax_rates[0].category_id"},
      {rate({{{"name", "GST"}, {"rate_bp", 500}}, {{"name", "GST"}, {"rate_bp", 700}}}), "tax_rates[1].name"},
      {pa_with(good, "tax_shipping", "yes"), "tax_shipping"},
      {pa_with(good, "position", -1), "position"},
  };
  const auto before = shop.get(kPaZones, shop.admin()).body;
  for (const auto& bad : cases) {
    INFO(bad.body.dump());
    auto r = shop.post(kPaZones, bad.body, shop.admin());
    CHECK(r.status == 400);
    CHECK(r.body["error"]["details"]["field"] == bad.field);
    // The same body as a PATCH of the stored zone: a PATCH may leave out
    // name and regions, and the zone's own method ids are its own.
    if (!bad.body.contains("name") || !bad.body.contains("regions") ||
        bad.body.dump().find("us-standard") != std::string::npos)
      continue;
    auto p = shop.patch(std::string(kPaZones) + "/" + id, bad.body, shop.admin());
    CHECK(p.status == 400);
    CHECK(p.body["error"]["details"]["field"] == bad.field);
  }
  CHECK(shop.get(kPaZones, shop.admin()).body == before);
  CHECK(shop.post(kPaZones, good, shop.admin()).status == 201);  // the good one is good
}

TEST_CASE("zones never claim a region twice; method ids are unique across zones", "[http][pricing_admin]") {
  TestShop shop;
  const std::string west = pa_create(shop, kPaZones, pa_us_west());
  json other = {{"name", "Washington"},
                {"regions", {{{"country", "CA"}}, {{"country", "US"}, {"state", "wa"}}}},
                {"methods", {{{"name", "Standard"}, {"type", "flat"}, {"price", 3}}}}};
  const auto before = shop.get(kPaZones, shop.admin()).body;
  auto r = shop.post(kPaZones, other, shop.admin());
  INFO(r.text);
  CHECK(r.status == 400);
  CHECK(r.body["error"]["code"] == "overlapping_zones");
  CHECK(r.body["error"]["details"] == json({{"field", "regions[1]"}, {"zone_id", west}}));
  CHECK(shop.get(kPaZones, shop.admin()).body == before);

  // A narrower region of the same state is another region.
  other["regions"][1]["zip_prefix"] = "981";
  auto narrower = shop.post(kPaZones, other, shop.admin());
  INFO(narrower.text);
  REQUIRE(narrower.status == 201);
  const std::string wa = narrower.body["id"];
  // "standard" was free, so the derived id is the slug alone; a second
  // "Standard" in another zone gets the zone's id in front.
  CHECK(narrower.body["methods"][0]["id"] == "standard");
  auto third = shop.post(kPaZones,
                         {{"name", "Anywhere"},
                          {"regions", {{{"country", "*"}}}},
                          {"methods", {{{"name", "Standard"}, {"type", "flat"}, {"price", 20}}}}},
                         shop.admin());
  REQUIRE(third.status == 201);
  const std::string third_id = third.body["id"];
  CHECK(third.body["methods"][0]["id"] == std::string("z").append(third_id).append("-standard"));
  auto star = shop.post(kPaZones, {{"name", "Rest"}, {"regions", {{{"country", "*"}}}}}, shop.admin());
  CHECK(star.status == 400);
  CHECK(star.body["error"]["code"] == "overlapping_zones");

  // Moving a zone onto another's region is refused too; its own regions are fine.
  auto move = shop.patch(std::string(kPaZones) + "/" + wa,
                         {{"regions", {{{"country", "US"}, {"state", "OR"}, {"zip_prefix", "97"}}}}}, shop.admin());
  CHECK(move.status == 400);
  CHECK(move.body["error"]["details"]["zone_id"] == west);
  auto same = shop.patch(std::string(kPaZones) + "/" + west, {{"name", "US West Coast"}}, shop.admin());
  CHECK(same.status == 200);
  auto steal = shop.patch(std::string(kPaZones) + "/" + wa,
                          {{"methods", {{{"id", "us-standard"}, {"name", "S"}, {"type", "pickup"}}}}}, shop.admin());
  CHECK(steal.status == 400);
  CHECK(steal.body["error"]["details"]["field"] == "methods[0].id");
  // Once the other zone is gone its regions are free.
  REQUIRE(shop.del(std::string(kPaZones) + "/" + west, shop.admin()).status == 204);
  CHECK(
      shop.patch(std::string(kPaZones) + "/" + wa, {{"regions", {{{"country", "US"}, {"state", "WA"}}}}}, shop.admin())
          .status == 200);
}

TEST_CASE("pricing admin routes are for admins only", "[http][pricing_admin]") {
  TestShop shop;
  const std::string d = pa_create(shop, kPaDiscounts, pa_percent_code());
  const std::string z = pa_create(shop, kPaZones, pa_us_west());
  auto ada = shop.register_user("ada@example.com");
  const std::string dp = std::string(kPaDiscounts) + "/" + d, zp = std::string(kPaZones) + "/" + z;
  for (const Headers& who : {Headers{}, ada.auth}) {
    const int want = who.empty() ? 401 : 403;
    CHECK(shop.get(kPaDiscounts, who).status == want);
    CHECK(shop.post(kPaDiscounts, pa_percent_code("OTHER"), who).status == want);
    CHECK(shop.get(dp, who).status == want);
    CHECK(shop.patch(dp, {{"name", "mine"}}, who).status == want);
    CHECK(shop.del(dp, who).status == want);
    CHECK(shop.get(kPaZones, who).status == want);
    CHECK(shop.post(kPaZones, pa_us_west(), who).status == want);
    CHECK(shop.get(zp, who).status == want);
    CHECK(shop.patch(zp, {{"name", "mine"}}, who).status == want);
    CHECK(shop.del(zp, who).status == want);
  }
  CHECK(shop.get(dp, shop.admin()).body["name"] == "Spring sale 10 %");
  CHECK(shop.get(zp, shop.admin()).body["name"] == "US West");
  CHECK(shop.get(kPaDiscounts, shop.admin()).body["total"] == 1);
}
