// Discount codes, shipping zones and tax through the shopper's API: what
// the cart shows is what checkout charges, a code is never used more often
// than its limit (even by 50 shoppers at once), and every failure gives the
// use back.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "support/fixtures.h"
#include "support/test_shop.h"

using namespace shopbox;
using shopbox::testing::address;
using shopbox::testing::card;
using shopbox::testing::Headers;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {

Headers pricing_key(Headers h, const std::string& key) {
  h.emplace("Idempotency-Key", key);
  return h;
}

// Washington (6.5 % tax, also on shipping; Standard $5.99 free over $50,
// Express $15) and the rest of the US (no tax, Standard only).
void add_us_zones(TestShop& shop) {
  json wa = {{"name", "Washington"},
             {"regions", {{{"country", "US"}, {"state", "WA"}}}},
             {"tax_rates", {{{"name", "WA sales tax"}, {"rate_bp", 650}}}},
             {"tax_shipping", true},
             {"methods",
              {{{"id", "wa-standard"},
                {"name", "Standard"},
                {"type", "free_over"},
                {"price", 5.99},
                {"free_over", 50},
                {"min_days", 3},
                {"max_days", 5}},
               {{"id", "wa-express"},
                {"name", "Express"},
                {"type", "flat"},
                {"price", 15},
                {"min_days", 1},
                {"max_days", 2}}}}};
  auto made = shop.post("/api/v1/admin/shipping-zones", wa, shop.admin());
  INFO(made.text);
  REQUIRE(made.status == 201);
  json us = {{"name", "US"},
             {"regions", {{{"country", "US"}}}},
             {"methods",
              {{{"id", "us-standard"},
                {"name", "Standard"},
                {"type", "flat"},
                {"price", 7},
                {"min_days", 3},
                {"max_days", 6}}}}};
  REQUIRE(shop.post("/api/v1/admin/shipping-zones", us, shop.admin()).status == 201);
}

std::string add_code(TestShop& shop, json body) {
  auto made = shop.post("/api/v1/admin/discounts", body, shop.admin());
  INFO(made.text);
  REQUIRE(made.status == 201);
  return made.body["id"];
}

json cart_of(TestShop& shop, const Headers& who) {
  auto c = shop.get("/api/v1/cart", who);
  REQUIRE(c.status == 200);
  return c.body;
}

std::string pricing_money(const json& v) {
  return v.dump();
}

}  // namespace

TEST_CASE("a code, an address and a method: the cart's total is what the order charges", "[http][pricing]") {
  TestShop shop;
  add_us_zones(shop);
  add_code(shop, {{"code", "SAVE10"}, {"name", "10 % off"}, {"type", "percentage"}, {"percent_bp", 1000}});
  std::string mug = shop.create_product({{"name", "Mug"}, {"price", 30}}, 20);
  auto alice = shop.register_user("alice@example.com");
  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", mug}, {"quantity", 2}}, alice.auth).status == 201);

  auto applied = shop.post("/api/v1/cart/discounts", {{"code", " save10 "}}, alice.auth);
  INFO(applied.text);
  REQUIRE(applied.status == 200);
  CHECK(applied.body["discount_codes"] == json::array({"SAVE10"}));
  auto summary = applied.body["summary"];
  CHECK(pricing_money(summary["subtotal"]) == "60");
  CHECK(pricing_money(summary["discount"]) == "6");
  CHECK(summary["discounts"] == json::array({{{"code", "SAVE10"}, {"name", "10 % off"}, {"amount", 6}}}));

  // To Seattle by Express: 54 + 15 shipping, 6.5 % of 69 = 4.485 -> 4.49.
  auto shipped =
      shop.put("/api/v1/cart/shipping",
               {{"country", "US"}, {"state", "WA"}, {"zip", "98101"}, {"shipping_method", "wa-express"}}, alice.auth);
  INFO(shipped.text);
  REQUIRE(shipped.status == 200);
  summary = shipped.body["summary"];
  CHECK(pricing_money(summary["shipping"]) == "15");
  CHECK(pricing_money(summary["tax"]) == "4.49");
  CHECK(pricing_money(summary["total"]) == "73.49");
  CHECK(shipped.body["shipping"]["method"]["id"] == "wa-express");
  CHECK(shipped.body["shipping"]["options"].size() == 2);

  auto order =
      shop.post("/api/v1/orders",
                {{"shipping_address", address()}, {"payment_method", card()}, {"shipping_method", "wa-express"}},
                pricing_key(alice.auth, "code-1"));
  INFO(order.text);
  REQUIRE(order.status == 201);
  auto pricing = order.body["pricing"];
  CHECK(pricing_money(pricing["total"]) == "73.49");
  CHECK(pricing_money(order.body["payment"]["amount"]) == "73.49");
  CHECK(pricing["discounts"] == summary["discounts"]);
  CHECK(pricing["taxes"] ==
        json::array({{{"name", "WA sales tax"}, {"rate_bp", 650}, {"amount", 4.49}, {"included", false}}}));
  CHECK(pricing["shipping_method"] == json({{"id", "wa-express"}, {"name", "Express"}}));

  auto discounts = shop.get("/api/v1/admin/discounts", shop.admin()).body["discounts"];
  REQUIRE(discounts.size() == 1);
  CHECK(discounts[0]["usage"]["total"] == 1);
  // The cart is empty again and forgot the code.
  CHECK(cart_of(shop, alice.auth)["discount_codes"].empty());
}

TEST_CASE("codes that do not apply are refused with the reason, and change nothing", "[http][pricing][hostile]") {
  TestShop shop;
  add_code(
      shop,
      {{"code", "BIG50"}, {"name", "$50 off $200"}, {"type", "fixed_amount"}, {"amount", 50}, {"min_subtotal", 200}});
  add_code(shop, {{"code", "OLD"},
                  {"name", "Expired"},
                  {"type", "percentage"},
                  {"percent_bp", 500},
                  {"starts_at", "2020-01-01T00:00:00Z"},
                  {"ends_at", "2020-02-01T00:00:00Z"}});
  std::string mug = shop.create_product({{"name", "Mug"}, {"price", 30}}, 20);
  auto bob = shop.register_user("bob@example.com");
  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", mug}, {"quantity", 1}}, bob.auth).status == 201);
  json before = cart_of(shop, bob.auth);

  auto r = shop.post("/api/v1/cart/discounts", {{"code", "BIG50"}}, bob.auth);
  CHECK(r.status == 409);
  CHECK(r.body["error"]["code"] == "discount_not_applicable");
  CHECK(r.body["error"]["details"]["reason"] == "minimum_not_met");
  CHECK(r.body["error"]["details"]["minimum"].dump() == "200");
  r = shop.post("/api/v1/cart/discounts", {{"code", "OLD"}}, bob.auth);
  CHECK(r.status == 409);
  CHECK(r.body["error"]["details"]["reason"] == "expired");
  r = shop.post("/api/v1/cart/discounts", {{"code", "NOPE"}}, bob.auth);
  CHECK(r.status == 404);
  CHECK(r.body["error"]["code"] == "discount_not_found");
  for (const std::string& bad :
       std::vector<std::string>{"HAS SPACE", std::string(200, 'A'), "", "emoji\xF0\x9F\x98\x80"}) {
    r = shop.post("/api/v1/cart/discounts", {{"code", bad}}, bob.auth);
    INFO(bad << " -> " << r.text);
    CHECK(r.status == 400);
  }
  CHECK(shop.post("/api/v1/cart/discounts", {{"code", 5}}, bob.auth).status == 400);
  CHECK(shop.post("/api/v1/cart/discounts", {{"code", "BIG50"}, {"extra", 1}}, bob.auth).status == 400);
  CHECK(shop.del("/api/v1/cart/discounts/BIG50", bob.auth).status == 404);
  json after = cart_of(shop, bob.auth);
  CHECK(after["summary"] == before["summary"]);
  CHECK(after["discount_codes"].empty());

  // Checkout with a code that does not apply is a 409 too, and nothing is bought.
  auto order = shop.post("/api/v1/orders",
                         {{"shipping_address", address()}, {"payment_method", card()}, {"discount_codes", {"BIG50"}}},
                         pricing_key(bob.auth, "bad-code"));
  CHECK(order.status == 409);
  CHECK(order.body["error"]["details"]["reason"] == "minimum_not_met");
  order = shop.post("/api/v1/orders",
                    {{"shipping_address", address()}, {"payment_method", card()}, {"discount_codes", "BIG50"}},
                    pricing_key(bob.auth, "bad-codes-type"));
  CHECK(order.status == 400);
  CHECK(shop.get("/api/v1/admin/inventory/" + mug, shop.admin()).body["available"] == 20);
}

TEST_CASE("shipping zones: options per address, no zone is a 422, an unknown method a 400", "[http][pricing]") {
  TestShop shop;
  add_us_zones(shop);
  std::string kettle = shop.create_product({{"name", "Kettle"}, {"price", 40}}, 5);
  auto carol = shop.register_user("carol@example.com");
  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", kettle}, {"quantity", 1}}, carol.auth).status == 201);

  auto wa = shop.get("/api/v1/cart/shipping-options?country=US&state=WA&zip=98101", carol.auth);
  INFO(wa.text);
  REQUIRE(wa.status == 200);
  REQUIRE(wa.body["shipping_options"].size() == 2);
  CHECK(wa.body["shipping_options"][0]["id"] == "wa-standard");
  CHECK(pricing_money(wa.body["shipping_options"][0]["price"]) == "5.99");
  CHECK(wa.body["shipping_options"][0].contains("estimated_delivery"));
  auto tx = shop.get("/api/v1/cart/shipping-options?country=US&state=TX", carol.auth);
  REQUIRE(tx.status == 200);
  CHECK(tx.body["shipping_options"].size() == 1);
  CHECK(tx.body["zone"] == "US");
  auto de = shop.get("/api/v1/cart/shipping-options?country=DE", carol.auth);
  CHECK(de.status == 422);
  CHECK(de.body["error"]["code"] == "no_shipping_to_address");
  CHECK(shop.get("/api/v1/cart/shipping-options?country=Germany", carol.auth).status == 400);

  // The cart says when its destination is not served.
  auto put = shop.put("/api/v1/cart/shipping", {{"country", "DE"}}, carol.auth);
  REQUIRE(put.status == 200);
  CHECK(put.body["shipping"]["problem"] == "no_shipping_to_address");
  CHECK(shop.put("/api/v1/cart/shipping", {{"country", "US"}, {"state", "WA"}, {"shipping_method", "teleport"}},
                 carol.auth)
            .status == 400);

  json berlin = address();
  berlin["country"] = "DE";
  berlin["state"] = "";
  berlin["zip"] = "10115";
  auto order = shop.post("/api/v1/orders", {{"shipping_address", berlin}, {"payment_method", card()}},
                         pricing_key(carol.auth, "to-berlin"));
  CHECK(order.status == 422);
  CHECK(order.body["error"]["code"] == "no_shipping_to_address");
  order = shop.post("/api/v1/orders",
                    {{"shipping_address", address()}, {"payment_method", card()}, {"shipping_method", "us-standard"}},
                    pricing_key(carol.auth, "wrong-method"));
  CHECK(order.status == 400);
  CHECK(order.body["error"]["code"] == "shipping_method_unavailable");
  CHECK(shop.get("/api/v1/admin/inventory/" + kettle, shop.admin()).body["available"] == 5);

  // Texas: no tax, $7 flat.
  json austin = address();
  austin["state"] = "TX";
  order = shop.post("/api/v1/orders", {{"shipping_address", austin}, {"payment_method", card()}},
                    pricing_key(carol.auth, "to-austin"));
  INFO(order.text);
  REQUIRE(order.status == 201);
  CHECK(pricing_money(order.body["pricing"]["total"]) == "47");
  CHECK(order.body["pricing"]["taxes"].empty());
}

TEST_CASE("50 shoppers race for a code with 10 uses: exactly 10 orders use it", "[http][pricing][concurrency]") {
  TestShop shop([](Config& c) {
    c.threads = 32;
    c.rate_limit_enabled = 0;
  });
  std::string id = add_code(
      shop,
      {{"code", "TEN"}, {"name", "Ten lucky"}, {"type", "percentage"}, {"percent_bp", 2000}, {"usage_limit", 10}});
  std::string mug = shop.create_product({{"name", "Mug"}, {"price", 30}}, 100);
  std::vector<TestShop::Account> shoppers;
  for (int i = 0; i < 50; ++i) {
    shoppers.push_back(shop.register_user("racer" + std::to_string(i) + "@example.com"));
    REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", mug}, {"quantity", 1}}, shoppers.back().auth).status ==
            201);
  }
  std::atomic<int> used{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 50; ++t)
    threads.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", shop.port());
      c.set_read_timeout(60, 0);
      json body = {{"shipping_address", address()}, {"payment_method", card()}, {"discount_codes", {"TEN"}}};
      auto h = pricing_key(shoppers[t].auth, "race-" + std::to_string(t));
      auto r = c.Post("/api/v1/orders", h, body.dump(), "application/json");
      for (int attempt = 0; attempt < 20 && !r; ++attempt)  // transport resets only
        r = c.Post("/api/v1/orders", h, body.dump(), "application/json");
      if (r && r->status == 201)
        ++used;
      else if (r && r->status == 409 && json::parse(r->body)["error"]["details"]["reason"] == "limit_reached")
        ++refused;
      else
        ++other;
    });
  for (auto& th : threads) th.join();
  CHECK(other == 0);
  CHECK(used == 10);
  CHECK(refused == 40);
  auto d = shop.get("/api/v1/admin/discounts/" + id, shop.admin()).body;
  CHECK(d["usage"]["total"] == 10);
  CHECK(d["usage"]["held"] == 0);
  CHECK(shop.get("/api/v1/admin/inventory/" + mug, shop.admin()).body["available"] == 90);
}

TEST_CASE("a declined payment, a cancel and a full refund give the use back; a partial refund keeps it",
          "[http][pricing]") {
  TestShop shop;
  std::string id =
      add_code(shop, {{"code", "ONCE"}, {"name", "Once"}, {"type", "fixed_amount"}, {"amount", 5}, {"usage_limit", 1}});
  std::string mug = shop.create_product({{"name", "Mug"}, {"price", 30}}, 20);
  auto dave = shop.register_user("dave@example.com");
  auto usage = [&] { return shop.get("/api/v1/admin/discounts/" + id, shop.admin()).body["usage"]["total"]; };
  auto buy = [&](const std::string& key, const std::string& number) {
    REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", mug}, {"quantity", 2}}, dave.auth).status == 201);
    return shop.post("/api/v1/orders",
                     {{"shipping_address", address()}, {"payment_method", card(number)}, {"discount_codes", {"ONCE"}}},
                     pricing_key(dave.auth, key));
  };

  auto declined = buy("declined", "4000000000000002");
  CHECK(declined.status == 402);
  CHECK(usage() == 0);

  auto first = buy("first", "4242424242424242");
  REQUIRE(first.status == 201);
  CHECK(usage() == 1);
  std::string first_id = first.body["order_id"];
  CHECK(buy("second-while-used", "4242424242424242").status == 409);
  REQUIRE(shop.post("/api/v1/orders/" + first_id + "/cancel", json::object(), dave.auth).status == 200);
  CHECK(usage() == 0);

  auto again = buy("again", "4242424242424242");
  REQUIRE(again.status == 201);
  std::string again_id = again.body["order_id"];
  auto partial = shop.post("/api/v1/admin/orders/" + again_id + "/refunds",
                           {{"lines", {{{"product_id", mug}, {"quantity", 1}}}}}, shop.admin());
  INFO(partial.text);
  REQUIRE(partial.status < 300);
  CHECK(usage() == 1);  // the customer still bought with the code
  auto rest = shop.post("/api/v1/admin/orders/" + again_id + "/refunds",
                        {{"lines", {{{"product_id", mug}, {"quantity", 1}}}}}, shop.admin());
  REQUIRE(rest.status < 300);
  CHECK(usage() == 0);
  auto o = shop.get("/api/v1/orders/" + again_id, dave.auth).body;
  CHECK(o["status"] == "refunded");
  CHECK(o["pricing"]["refunded"] == o["pricing"]["total"]);
}

TEST_CASE("refunding every line, one at a time, refunds exactly what was captured", "[http][pricing][refunds]") {
  TestShop shop;
  add_code(shop, {{"code", "THIRD"}, {"name", "$10 off"}, {"type", "fixed_amount"}, {"amount", 10}});
  std::string a = shop.create_product({{"name", "Pen"}, {"price", 3.33}}, 20);
  std::string b = shop.create_product({{"name", "Notebook"}, {"price", 7.77}}, 20);
  std::string c = shop.create_product({{"name", "Lamp"}, {"price", 41.01}}, 20);
  auto erin = shop.register_user("erin@example.com");
  for (const auto& [p, q] : std::vector<std::pair<std::string, int>>{{a, 3}, {b, 1}, {c, 2}})
    REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", p}, {"quantity", q}}, erin.auth).status == 201);
  REQUIRE(shop.post("/api/v1/cart/discounts", {{"code", "THIRD"}}, erin.auth).status == 200);
  json cart = cart_of(shop, erin.auth);
  auto order = shop.post("/api/v1/orders", {{"shipping_address", address()}, {"payment_method", card()}},
                         pricing_key(erin.auth, "prorate"));
  INFO(order.text);
  REQUIRE(order.status == 201);
  CHECK(order.body["pricing"]["total"] == cart["summary"]["total"]);
  std::string oid = order.body["order_id"];
  for (const auto& [p, q] : std::vector<std::pair<std::string, int>>{{c, 1}, {a, 2}, {b, 1}, {a, 1}, {c, 1}}) {
    auto r = shop.post("/api/v1/admin/orders/" + oid + "/refunds", {{"lines", {{{"product_id", p}, {"quantity", q}}}}},
                       shop.admin());
    INFO(r.text);
    REQUIRE(r.status < 300);
  }
  auto o = shop.get("/api/v1/orders/" + oid, erin.auth).body;
  CHECK(o["status"] == "refunded");
  CHECK(o["pricing"]["refunded"] == o["pricing"]["total"]);
}

TEST_CASE("a first-order code: the first order gets it, the next cart is told why not", "[http][pricing]") {
  TestShop shop;
  add_code(shop, {{"code", "WELCOME"},
                  {"name", "Welcome"},
                  {"type", "percentage"},
                  {"percent_bp", 1000},
                  {"first_order_only", true}});
  std::string mug = shop.create_product({{"name", "Mug"}, {"price", 30}}, 20);
  auto fay = shop.register_user("fay@example.com");
  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", mug}, {"quantity", 1}}, fay.auth).status == 201);
  REQUIRE(shop.post("/api/v1/cart/discounts", {{"code", "WELCOME"}}, fay.auth).status == 200);
  auto first = shop.post("/api/v1/orders", {{"shipping_address", address()}, {"payment_method", card()}},
                         pricing_key(fay.auth, "welcome-1"));
  INFO(first.text);
  REQUIRE(first.status == 201);
  CHECK(pricing_money(first.body["pricing"]["discount"]) == "3");

  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", mug}, {"quantity", 1}}, fay.auth).status == 201);
  auto again = shop.post("/api/v1/cart/discounts", {{"code", "WELCOME"}}, fay.auth);
  CHECK(again.status == 409);
  CHECK(again.body["error"]["details"]["reason"] == "first_order_only");
  auto order = shop.post("/api/v1/orders",
                         {{"shipping_address", address()}, {"payment_method", card()}, {"discount_codes", {"WELCOME"}}},
                         pricing_key(fay.auth, "welcome-2"));
  CHECK(order.status == 409);
  CHECK(order.body["error"]["details"]["reason"] == "first_order_only");
}
