#include <catch2/catch.hpp>

#include "base/clock.h"
#include "inventory/inventory.h"
#include "support/test_shop.h"

using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {
json reserve_body(const std::string& id, int q) {
  return {{"lines", {{{"product_id", id}, {"quantity", q}}}}};
}
}  // namespace

TEST_CASE("admin reservations: reserve, read, release, consume over HTTP", "[http][inventory]") {
  TestShop shop;
  auto a = shop.create_product({{"name", "A"}}, 10);
  auto b = shop.create_product({{"name", "B"}}, 2);
  auto r = shop.post(
      "/api/v1/admin/inventory/reservations",
      {{"lines", {{{"product_id", a}, {"quantity", 3}}, {{"product_id", b}, {"quantity", 2}}}}, {"owner", "g:test"}},
      shop.admin());
  INFO(r.text);
  REQUIRE(r.status == 201);
  std::string rid = r.body["reservation_id"];
  CHECK(shopbox::valid_reservation_id(rid));
  CHECK(r.body["status"] == "active");
  CHECK(r.body["owner"] == "g:test");
  CHECK(r.body["lines"].size() == 2);
  auto exp = *shopbox::parse_iso8601(r.body["expires_at"].get<std::string>());
  CHECK(std::llabs(exp - shopbox::now_seconds() - 600) <= 5);
  auto level = shop.get("/api/v1/admin/inventory/" + a, shop.admin());
  CHECK(level.body["total"] == 10);
  CHECK(level.body["reserved"] == 3);
  CHECK(level.body["available"] == 7);
  CHECK(level.body["location"] == "US-EAST-1");
  // The storefront's product page shows what is left.
  CHECK(shop.get("/api/v1/products/" + a).body["inventory"]["available"] == 7);

  // All-or-nothing: B has nothing left, so A is not reserved either.
  auto short_r = shop.post("/api/v1/admin/inventory/reservations",
                           {{"lines", {{{"product_id", a}, {"quantity", 1}}, {{"product_id", b}, {"quantity", 1}}}}},
                           shop.admin());
  REQUIRE(short_r.status == 409);
  CHECK(short_r.body["error"]["code"] == "out_of_stock");
  REQUIRE(short_r.body["error"]["details"]["items"].size() == 1);
  CHECK(short_r.body["error"]["details"]["items"][0] == json({{"variant_id", b}, {"requested", 1}, {"available", 0}}));
  CHECK(shop.get("/api/v1/admin/inventory/" + a, shop.admin()).body["reserved"] == 3);

  CHECK(shop.get("/api/v1/admin/inventory/reservations/" + rid, shop.admin()).body["status"] == "active");
  auto rel = shop.post("/api/v1/admin/inventory/reservations/" + rid + "/release", {{"reason", "test"}}, shop.admin());
  REQUIRE(rel.status == 200);
  CHECK(rel.body["status"] == "released");
  CHECK(rel.body["reason"] == "test");
  CHECK(shop.post("/api/v1/admin/inventory/reservations/" + rid + "/release", json::object(), shop.admin()).status ==
        200);
  CHECK(shop.get("/api/v1/admin/inventory/" + b, shop.admin()).body["available"] == 2);
  auto cons =
      shop.post("/api/v1/admin/inventory/reservations/" + rid + "/consume", {{"order_id", "ord_1"}}, shop.admin());
  CHECK(cons.status == 409);
  CHECK(cons.body["error"]["code"] == "reservation_not_active");

  auto r2 = shop.post("/api/v1/admin/inventory/reservations", reserve_body(b, 2), shop.admin());
  REQUIRE(r2.status == 201);
  std::string rid2 = r2.body["reservation_id"];
  auto c1 =
      shop.post("/api/v1/admin/inventory/reservations/" + rid2 + "/consume", {{"order_id", "ord_2"}}, shop.admin());
  REQUIRE(c1.status == 200);
  CHECK(c1.body["status"] == "consumed");
  CHECK(c1.body["order_id"] == "ord_2");
  CHECK(shop.post("/api/v1/admin/inventory/reservations/" + rid2 + "/consume", {{"order_id", "ord_2"}}, shop.admin())
            .status == 200);
  auto lb = shop.get("/api/v1/admin/inventory/" + b, shop.admin());
  CHECK(lb.body["total"] == 0);
  CHECK(lb.body["reserved"] == 0);
  auto rel2 = shop.post("/api/v1/admin/inventory/reservations/" + rid2 + "/release", json::object(), shop.admin());
  CHECK(rel2.status == 409);
  CHECK(rel2.body["error"]["code"] == "reservation_consumed");

  // Audit: every change, newest first, filterable by action.
  auto audit = shop.get("/api/v1/admin/inventory/" + b + "/audit", shop.admin());
  REQUIRE(audit.status == 200);
  std::vector<std::string> actions;
  for (auto& it : audit.body["items"]) actions.push_back(it["action"]);
  CHECK(actions == std::vector<std::string>{"consume", "reserve", "release", "reserve", "set"});
  CHECK(audit.body["items"][0]["reservation_id"] == rid2);
  CHECK(audit.body["items"][0]["before_total"] == 2);
  CHECK(audit.body["items"][0]["after_total"] == 0);
  auto only = shop.get("/api/v1/admin/inventory/" + b + "/audit?action=reserve&size=1", shop.admin());
  CHECK(only.body["total"] == 2);
  CHECK(only.body["items"].size() == 1);
  CHECK(shop.get("/api/v1/admin/inventory/" + b + "/audit?action=steal", shop.admin()).status == 400);

  auto check = shop.get("/api/v1/admin/inventory/check", shop.admin());
  CHECK(check.body["ok"] == true);
  // The whole-shop check goes further: this reservation was consumed by an
  // order id made up above, which no order in SQLite carries.
  auto full = shop.get("/api/v1/admin/check", shop.admin());
  CHECK(full.body["ok"] == false);
  CHECK(full.text.find("consumed reservation " + rid2) != std::string::npos);
}

TEST_CASE("admin inventory routes reject bad input and strangers, changing nothing", "[http][inventory]") {
  TestShop shop;
  auto a = shop.create_product({{"name", "A"}}, 10);
  auto post = [&](const json& body) { return shop.post("/api/v1/admin/inventory/reservations", body, shop.admin()); };
  for (json body :
       {json::object(), json({{"lines", json::array()}}), json({{"lines", "x"}}), json({{"lines", {1, 2}}}),
        reserve_body(a, 0), reserve_body(a, -3), reserve_body(a, 1000), json({{"lines", {{{"product_id", a}}}}}),
        json({{"lines", {{{"quantity", 1}}}}}), json({{"lines", {{{"product_id", "x"}, {"quantity", 1}}}}}),
        json({{"lines", {{{"product_id", a}, {"quantity", 1.5}}}}}),
        json({{"lines", {{{"product_id", a}, {"quantity", 1}}}}, {"ttl_seconds", 0}}),
        json({{"lines", {{{"product_id", a}, {"quantity", 1}}}}, {"ttl_seconds", 10000000}}),
        json({{"lines", {{{"product_id", a}, {"quantity", 1}}}}, {"owner", ""}}),
        json({{"lines", {{{"product_id", a}, {"quantity", 1}}}}, {"bogus", 1}})}) {
    INFO(body.dump());
    auto r = post(body);
    CHECK(r.status == 400);
    CHECK(r.body["error"].is_object());
  }
  CHECK(shop.post_raw("/api/v1/admin/inventory/reservations", "{nope", shop.admin()).status == 400);
  CHECK(post(reserve_body("999999", 1)).status == 404);
  CHECK(shop.post("/api/v1/admin/inventory/reservations", reserve_body(a, 1)).status == 401);
  CHECK(shop.get("/api/v1/admin/inventory/reservations/rsv_0123456789abcdef", shop.admin()).status == 404);
  CHECK(shop.get("/api/v1/admin/inventory/reservations/../../x", shop.admin()).status == 404);
  CHECK(shop.post("/api/v1/admin/inventory/reservations/bad/release", json::object(), shop.admin()).status == 404);
  CHECK(shop.post("/api/v1/admin/inventory/reservations/rsv_0123456789abcdef/consume", json::object(), shop.admin())
            .status == 400);

  // Stock levels.
  CHECK(shop.put("/api/v1/admin/inventory/" + a, {{"total", -1}}, shop.admin()).status == 400);
  CHECK(shop.put("/api/v1/admin/inventory/" + a, json::object(), shop.admin()).status == 400);
  CHECK(shop.put("/api/v1/admin/inventory/" + a, {{"total", "5"}}, shop.admin()).status == 400);
  CHECK(shop.put("/api/v1/admin/inventory/999999", {{"total", 5}}, shop.admin()).status == 404);
  CHECK(shop.patch("/api/v1/admin/inventory/" + a, {{"delta", 0}}, shop.admin()).status == 400);
  CHECK(shop.patch("/api/v1/admin/inventory/" + a, {{"delta", 2000000000}}, shop.admin()).status == 400);
  CHECK(shop.patch("/api/v1/admin/inventory/" + a, {{"delta", -11}}, shop.admin()).status == 409);
  CHECK(shop.put("/api/v1/admin/inventory/" + a, {{"total", 5}}).status == 401);
  REQUIRE(post(reserve_body(a, 4)).status == 201);
  auto below = shop.put("/api/v1/admin/inventory/" + a, {{"total", 3}}, shop.admin());
  CHECK(below.status == 409);
  CHECK(below.body["error"]["code"] == "stock_reserved");
  auto level = shop.get("/api/v1/admin/inventory/" + a, shop.admin());
  CHECK(level.body["total"] == 10);
  CHECK(level.body["reserved"] == 4);
  auto restock = shop.patch("/api/v1/admin/inventory/" + a, {{"delta", 5}, {"reason", "delivery"}}, shop.admin());
  CHECK(restock.body["total"] == 15);
  CHECK(shop.get("/api/v1/admin/inventory/" + a + "/audit?action=adjust", shop.admin()).body["items"][0]["reason"] ==
        "delivery");
}

TEST_CASE("low-stock list is paginated and follows the thresholds", "[http][inventory]") {
  TestShop shop;
  std::vector<std::string> ids;
  for (int i = 0; i < 25; ++i)
    ids.push_back(shop.create_product({{"name", std::to_string(100 + i)}}, i));  // stock 0..24
  auto low = shop.get("/api/v1/admin/inventory?low_stock=true&size=5", shop.admin());
  REQUIRE(low.status == 200);
  CHECK(low.body["total"] == 11);  // 0..10 are at or below 10
  CHECK(low.body["items"].size() == 5);
  CHECK(low.body["items"][0]["product_id"] == ids[0]);
  CHECK(low.body["items"][0]["name"] == "100");
  CHECK(low.body["items"][0]["low_stock"] == true);
  auto last = shop.get("/api/v1/admin/inventory?low_stock=true&size=5&page=3", shop.admin());
  CHECK(last.body["items"].size() == 1);
  CHECK(shop.get("/api/v1/admin/inventory?low_stock=true&size=5&page=9", shop.admin()).body["items"].empty());
  CHECK(shop.get("/api/v1/admin/inventory", shop.admin()).body["total"] == 25);
  REQUIRE(shop.put("/api/v1/admin/inventory/" + ids[24], {{"low_stock_threshold", 30}}, shop.admin()).status == 200);
  CHECK(shop.get("/api/v1/admin/inventory?low_stock=true", shop.admin()).body["total"] == 12);
  CHECK(shop.get("/api/v1/admin/inventory?low_stock=maybe", shop.admin()).status == 400);
  CHECK(shop.get("/api/v1/admin/inventory?size=101", shop.admin()).status == 400);
  CHECK(shop.get("/api/v1/admin/inventory?page=0", shop.admin()).status == 400);
  CHECK(shop.get("/api/v1/admin/inventory?low_stock=true").status == 401);
}

TEST_CASE("the background sweeper expires overdue reservations", "[http][inventory]") {
  TestShop shop([](shopbox::Config& c) { c.sweep_interval_seconds = 1; });
  auto a = shop.create_product({{"name", "A"}}, 5);
  auto r = shop.post("/api/v1/admin/inventory/reservations",
                     {{"lines", {{{"product_id", a}, {"quantity", 5}}}}, {"ttl_seconds", 60}}, shop.admin());
  REQUIRE(r.status == 201);
  std::string rid = r.body["reservation_id"];
  shopbox::set_clock_offset(61);
  std::string status;
  for (int i = 0; i < 50 && status != "expired"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = shop.get("/api/v1/admin/inventory/reservations/" + rid, shop.admin()).body["status"];
  }
  shopbox::set_clock_offset(0);
  CHECK(status == "expired");
  CHECK(shop.get("/api/v1/admin/inventory/" + a, shop.admin()).body["available"] == 5);
  auto audit = shop.get("/api/v1/admin/inventory/" + a + "/audit?action=expire", shop.admin());
  CHECK(audit.body["total"] == 1);
  CHECK(audit.body["items"][0]["actor"] == "system");
}
