// GET /api/v1/admin/dashboard: the merchant's numbers come from the whole
// shop on the server, and the payment success rate counts card declines,
// not gateway failures.
#include <catch2/catch.hpp>

#include "support/fixtures.h"
#include "support/test_shop.h"

using shopbox::testing::Headers;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {

int pay_by_card(TestShop& shop, const TestShop::Account& who, const std::string& pid, const std::string& card,
        const std::string& key) {
  Headers h = who.auth;
  h.emplace("Idempotency-Key", key);
  return shop
      .post("/api/v1/orders",
            {{"items", {{{"product_id", pid}, {"quantity", 1}}}},
             {"shipping_address", shopbox::testing::address()},
             {"payment_method", shopbox::testing::card(card)}},
            h)
      .status;
}

}  // namespace

TEST_CASE("the dashboard counts paid orders, net revenue and card declines apart from gateway errors",
          "[admin][dashboard][http]") {
  TestShop shop([](shopbox::Config& c) { c.breaker_failure_threshold = 100; });
  auto buyer = shop.register_user("dash@example.com");
  std::string lamp = shop.create_product({{"name", "Lamp"}, {"price", 40.00}}, 50);
  shop.create_product({{"name", "Rare vase"}, {"price", 300.00}}, 2);  // low stock (threshold 10 by default)

  REQUIRE(pay_by_card(shop, buyer, lamp, "4242424242424242", "d1") == 201);
  REQUIRE(pay_by_card(shop, buyer, lamp, "4242424242424242", "d2") == 201);
  CHECK(pay_by_card(shop, buyer, lamp, "4000000000000002", "d3") == 402);   // declined
  CHECK(pay_by_card(shop, buyer, lamp, "4000000000009995", "d4") == 402);   // insufficient funds
  int err = pay_by_card(shop, buyer, lamp, "4000000000000119", "d5");       // the gateway fails
  CHECK((err == 502 || err == 503));

  auto d = shop.get("/api/v1/admin/dashboard", shop.admin());
  REQUIRE(d.status == 200);
  INFO(d.body.dump());
  CHECK(d.body["orders"] == 2);
  // 2 x (40.00 + shipping + tax): whatever the totals, revenue is their sum
  auto list = shop.get("/api/v1/admin/orders?size=10", shop.admin());
  double sum = 0;
  for (const auto& o : list.body["orders"]) sum += o["total"].get<double>();
  CHECK(d.body["revenue"].get<double>() == Approx(sum));
  CHECK(d.body["average_order_value"].get<double>() == Approx(sum / 2));
  CHECK(d.body["payments"]["charged"] == 2);
  CHECK(d.body["payments"]["declined"] == 2);
  CHECK(d.body["payments"]["gateway_errors"] == 1);
  CHECK(d.body["payments"]["success_rate"].get<double>() == Approx(0.5));
  auto low = shop.get("/api/v1/admin/inventory?low_stock=true&size=1", shop.admin());
  CHECK(d.body["low_stock"] == low.body["total"]);
  CHECK(d.body["low_stock"].get<int>() >= 1);

  // A window with nothing in it.
  auto empty = shop.get("/api/v1/admin/dashboard?since=2020-01-01T00:00:00Z&until=2020-01-02T00:00:00Z", shop.admin());
  REQUIRE(empty.status == 200);
  CHECK(empty.body["orders"] == 0);
  CHECK(empty.body["payments"]["success_rate"].is_null());

  CHECK(shop.get("/api/v1/admin/dashboard?since=yesterday", shop.admin()).status == 400);
  CHECK(shop.get("/api/v1/admin/dashboard?since=2026-02-02T00:00:00Z&until=2026-02-01T00:00:00Z", shop.admin())
            .status == 400);
  CHECK(shop.get("/api/v1/admin/dashboard", buyer.auth).status == 403);
  CHECK(shop.get("/api/v1/admin/dashboard").status == 401);
}

TEST_CASE("the admin asks who it is talking to: a token or an admin user, nobody else", "[admin][dashboard][http]") {
  TestShop shop;
  auto me = shop.get("/api/v1/admin/me", shop.admin());
  REQUIRE(me.status == 200);
  CHECK(me.body["type"] == "api_token");
  CHECK(me.body["role"] == "admin");
  auto customer = shop.register_user("who@example.com");
  CHECK(shop.get("/api/v1/admin/me", customer.auth).status == 403);
  CHECK(shop.get("/api/v1/admin/me").status == 401);
}
