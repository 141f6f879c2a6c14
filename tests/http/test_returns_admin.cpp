// Returns and line refunds as the merchant and the shopper work them: the
// order's `actions` (one rule with the operations), returnable quantities,
// the returns queue (approve refunds exactly once, reject needs a reason)
// and a guest's return through the signed order link.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "inventory/inventory.h"
#include "orders/orders.h"
#include "support/fixtures.h"
#include "support/test_shop.h"

using shopbox::testing::Headers;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace returns_admin_test {

// A signed-in shopper buys `lines` ([{product_id, quantity}]); the order id.
std::string buy(TestShop& shop, const TestShop::Account& who, const json& lines, const std::string& key) {
  Headers h = who.auth;
  h.emplace("Idempotency-Key", key);
  auto r = shop.post("/api/v1/orders",
                     {{"items", lines},
                      {"shipping_address", shopbox::testing::address()},
                      {"payment_method", shopbox::testing::card()}},
                     h);
  INFO(r.text);
  REQUIRE(r.status == 201);
  return r.body["order_id"].get<std::string>();
}

json actions_of(TestShop& shop, const std::string& oid) {
  auto d = shop.get("/api/v1/admin/orders/" + oid, shop.admin());
  REQUIRE(d.status == 200);
  return d.body["actions"];
}

bool has(const json& actions, const std::string& a) {
  for (const auto& x : actions)
    if (x == a) return true;
  return false;
}

void ship_and_deliver(TestShop& shop, const std::string& oid) {
  std::string base = "/api/v1/admin/orders/" + oid;
  REQUIRE(shop.post(base + "/ship", {{"carrier", "UPS"}, {"tracking_number", "1Z1"}}, shop.admin()).status == 200);
  REQUIRE(shop.post(base + "/deliver", json::object(), shop.admin()).status == 200);
}

int64_t stock_total(TestShop& shop, const std::string& pid) {
  return shop.app().inventory->level(std::stoll(pid)).total;
}

// The tests live in the namespace too: the helpers' names stay out of the
// files a unity build joins to this one.

TEST_CASE("a shipped order partly refunded still offers tracking and delivery, not cancelling", "[returns]") {
  TestShop shop;
  auto buyer = shop.register_user("partial@example.com");
  auto kettle = shop.create_product({{"name", "Kettle"}, {"price", 40}}, 10);
  auto mug = shop.create_product({{"name", "Mug"}, {"price", 10}}, 10);
  std::string oid = buy(shop, buyer, {{{"product_id", kettle}, {"quantity", 1}}, {{"product_id", mug}, {"quantity", 1}}}, "p1");
  std::string base = "/api/v1/admin/orders/" + oid;

  auto paid = actions_of(shop, oid);
  CHECK(has(paid, "ship"));
  CHECK(has(paid, "cancel"));
  CHECK(has(paid, "refund"));
  CHECK_FALSE(has(paid, "deliver"));

  REQUIRE(shop.post(base + "/ship", {{"carrier", "UPS"}, {"tracking_number", "1Z2"}}, shop.admin()).status == 200);
  auto part = shop.post(base + "/refunds", {{"lines", {{{"product_id", mug}, {"quantity", 1}}}}, {"reason", "chipped"}},
                        shop.admin());
  REQUIRE(part.status == 201);
  REQUIRE(part.body["order"]["status"] == "partially_refunded");
  json acts = part.body["order"]["actions"];
  INFO(acts.dump());
  CHECK(has(acts, "add_tracking_event"));
  CHECK(has(acts, "deliver"));
  CHECK(has(acts, "refund"));
  CHECK_FALSE(has(acts, "cancel"));
  CHECK_FALSE(has(acts, "ship"));
  // The list matches what the API accepts.
  CHECK(shop.post(base + "/cancel", json::object(), shop.admin()).status == 409);
  CHECK(shop.post(base + "/ship", {{"carrier", "UPS"}, {"tracking_number", "1Z3"}}, shop.admin()).status == 409);
  CHECK(shop.post(base + "/tracking-events", {{"status", "in_transit"}}, shop.admin()).status == 201);
  auto del = shop.post(base + "/deliver", json::object(), shop.admin());
  REQUIRE(del.status == 200);
  CHECK(del.body["status"] == "delivered");
  CHECK_FALSE(has(del.body["actions"], "deliver"));
  CHECK_FALSE(has(del.body["actions"], "add_tracking_event"));
  CHECK(shop.post(base + "/deliver", json::object(), shop.admin()).status == 409);
  CHECK(has(del.body["actions"], "request_return"));
  // Kettle: 1 delivered, none refunded; mug refunded.
  CHECK(del.body["items"][0]["returnable_quantity"] == 1);
  CHECK(del.body["items"][1]["returnable_quantity"] == 0);
  // The refund says who and why.
  CHECK(del.body["refunds"][0]["reason"] == "chipped");
  CHECK_FALSE(del.body["refunds"][0]["actor"].get<std::string>().empty());

  // Refunded in full: nothing more can be done.
  auto rest = shop.post(base + "/refunds", {{"lines", {{{"product_id", kettle}, {"quantity", 1}}}}, {"reason", "all"}},
                        shop.admin());
  REQUIRE(rest.status == 201);
  CHECK(rest.body["order"]["status"] == "refunded");
  CHECK(rest.body["order"]["actions"].empty());
  CHECK(shop.post(base + "/refunds", {{"amount", 0.01}}, shop.admin()).status == 409);
}

TEST_CASE("returns are checked: quantity, duplicates, delivery, ownership, pending units", "[returns]") {
  TestShop shop;
  auto a = shop.register_user("a-returns@example.com");
  auto b = shop.register_user("b-returns@example.com");
  auto boots = shop.create_product({{"name", "Boots"}, {"price", 100}}, 10);
  auto socks = shop.create_product({{"name", "Socks"}, {"price", 5}}, 10);
  std::string oid = buy(shop, a, {{{"product_id", boots}, {"quantity", 3}}, {{"product_id", socks}, {"quantity", 1}}}, "v1");
  std::string mine = "/api/v1/orders/" + oid + "/returns";
  json one_boot = {{"lines", {{{"product_id", boots}, {"quantity", 1}}}}, {"reason", "too small"}};

  // Not delivered yet.
  auto early = shop.post(mine, one_boot, a.auth);
  CHECK(early.status == 409);
  CHECK(early.body["error"]["code"] == "not_delivered");
  ship_and_deliver(shop, oid);
  // Shopper B cannot return shopper A's order, nor see it.
  CHECK(shop.post(mine, one_boot, b.auth).status == 404);
  CHECK(shop.get("/api/v1/orders/" + oid, b.auth).status == 404);
  // More than delivered.
  auto over = shop.post(mine, {{"lines", {{{"product_id", boots}, {"quantity", 4}}}}}, a.auth);
  CHECK(over.status == 422);
  CHECK(over.body["error"]["code"] == "return_exceeds_quantity");
  // The same line twice.
  auto twice = shop.post(
      mine, {{"lines", {{{"product_id", boots}, {"quantity", 1}}, {{"product_id", boots}, {"quantity", 1}}}}}, a.auth);
  CHECK(twice.status == 400);
  CHECK(twice.body["error"]["code"] == "duplicate_line");
  CHECK(shop.get("/api/v1/admin/returns", shop.admin()).body["total"] == 0);  // nothing was written

  auto ok = shop.post(mine, {{"lines", {{{"product_id", boots}, {"quantity", 2}}}}, {"reason", "too small"}}, a.auth);
  INFO(ok.text);
  REQUIRE(ok.status == 201);
  auto d = shop.get("/api/v1/orders/" + oid, a.auth);
  CHECK(d.body["items"][0]["returnable_quantity"] == 1);
  CHECK(d.body["returns"][0]["status"] == "requested");
  // Only one boot is left to return.
  CHECK(shop.post(mine, {{"lines", {{{"product_id", boots}, {"quantity", 2}}}}}, a.auth).status == 422);
  // A line refund may not take units waiting in the return.
  auto clash = shop.post("/api/v1/admin/orders/" + oid + "/refunds",
                         {{"lines", {{{"product_id", boots}, {"quantity", 2}}}}, {"reason", "x"}}, shop.admin());
  CHECK(clash.status == 422);
  CHECK(clash.body["error"]["code"] == "refund_exceeds_quantity");
  CHECK(clash.body["error"]["message"].get<std::string>().find("return request") != std::string::npos);
  auto after = shop.get("/api/v1/admin/orders/" + oid, shop.admin());
  CHECK(after.body["pricing"]["refunded"] == 0);
  CHECK(after.body["status"] == "delivered");
  // The one boot not in the return can still be refunded.
  CHECK(shop.post("/api/v1/admin/orders/" + oid + "/refunds",
                  {{"lines", {{{"product_id", boots}, {"quantity", 1}}}}, {"reason", "scuffed"}}, shop.admin())
            .status == 201);
}

TEST_CASE("approving a return refunds exactly its lines once, even when approved twice at once", "[returns]") {
  TestShop shop;
  auto a = shop.register_user("approve@example.com");
  auto boots = shop.create_product({{"name", "Boots"}, {"price", 100}}, 5);
  auto hat = shop.create_product({{"name", "Hat"}, {"price", 20}}, 5);
  std::string oid = buy(shop, a, {{{"product_id", boots}, {"quantity", 2}}, {{"product_id", hat}, {"quantity", 1}}}, "c1");
  ship_and_deliver(shop, oid);
  auto req = shop.post("/api/v1/orders/" + oid + "/returns",
                       {{"lines", {{{"product_id", boots}, {"quantity", 1}}}}, {"reason", "too big"}}, a.auth);
  REQUIRE(req.status == 201);
  std::string rid = req.body["return_id"];
  CHECK(stock_total(shop, boots) == 3);

  // The queue names the order and the line.
  auto q = shop.get("/api/v1/admin/returns?status=requested", shop.admin());
  REQUIRE(q.status == 200);
  REQUIRE(q.body["total"] == 1);
  CHECK(q.body["returns"][0]["lines"][0]["name"] == "Boots");
  CHECK_FALSE(q.body["returns"][0]["order_number"].get<std::string>().empty());
  CHECK(shop.get("/api/v1/admin/returns?status=lost", shop.admin()).status == 400);
  CHECK(shop.get("/api/v1/admin/returns", a.auth).status == 403);
  CHECK(shop.post("/api/v1/admin/returns/" + rid + "/approve", json::object(), a.auth).status == 403);

  std::atomic<int> ok{0}, conflict{0}, other{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&] {
      auto r = shop.post("/api/v1/admin/returns/" + rid + "/approve", {{"restock", true}}, shop.admin());
      (r.status == 200 ? ok : r.status == 409 ? conflict : other)++;
    });
  for (auto& t : ts) t.join();
  CHECK(ok == 1);
  CHECK(conflict == 3);
  CHECK(other == 0);
  CHECK(shop.post("/api/v1/admin/returns/" + rid + "/approve", json::object(), shop.admin()).status == 409);
  CHECK(shop.post("/api/v1/admin/returns/" + rid + "/reject", {{"reason", "late"}}, shop.admin()).status == 409);

  auto d = shop.get("/api/v1/orders/" + oid, a.auth);
  REQUIRE(d.status == 200);
  INFO(d.body.dump());
  CHECK(d.body["status"] == "partially_refunded");
  REQUIRE(d.body["refunds"].size() == 1);
  CHECK(d.body["refunds"][0]["lines"].size() == 1);
  CHECK(d.body["refunds"][0]["lines"][0]["quantity"] == 1);
  CHECK(d.body["returns"][0]["status"] == "approved");
  CHECK(d.body["returns"][0]["refunded"] == d.body["refunds"][0]["amount"]);
  CHECK(d.body["pricing"]["refunded"] == d.body["refunds"][0]["amount"]);
  CHECK(d.body["items"][0]["returnable_quantity"] == 1);  // 2 bought, 1 returned and refunded
  CHECK(stock_total(shop, boots) == 4);                    // put back once
  std::vector<std::string> problems;
  shop.app().orders->check_invariants(problems);
  for (auto& p : problems) UNSCOPED_INFO(p);
  CHECK(problems.empty());
}

TEST_CASE("a rejected return needs a reason the shopper sees, and frees its units", "[returns]") {
  TestShop shop;
  auto a = shop.register_user("reject@example.com");
  auto lamp = shop.create_product({{"name", "Lamp"}, {"price", 30}}, 5);
  std::string oid = buy(shop, a, {{{"product_id", lamp}, {"quantity", 1}}}, "r1");
  ship_and_deliver(shop, oid);
  auto req = shop.post("/api/v1/orders/" + oid + "/returns",
                       {{"lines", {{{"product_id", lamp}, {"quantity", 1}}}}, {"reason", "changed my mind"}}, a.auth);
  REQUIRE(req.status == 201);
  std::string rid = req.body["return_id"];
  CHECK(shop.get("/api/v1/orders/" + oid, a.auth).body["items"][0]["returnable_quantity"] == 0);
  auto none = shop.post("/api/v1/admin/returns/" + rid + "/reject", json::object(), shop.admin());
  CHECK(none.status == 400);
  CHECK(shop.post("/api/v1/admin/returns/" + rid + "/reject", {{"reason", "   "}}, shop.admin()).status == 400);
  CHECK(shop.get("/api/v1/admin/returns?status=requested", shop.admin()).body["total"] == 1);
  auto rej = shop.post("/api/v1/admin/returns/" + rid + "/reject", {{"reason", "used item"}}, shop.admin());
  REQUIRE(rej.status == 200);
  CHECK(rej.body["status"] == "rejected");
  CHECK(rej.body["decision_reason"] == "used item");
  CHECK_FALSE(rej.body["decided_by"].get<std::string>().empty());
  auto d = shop.get("/api/v1/orders/" + oid, a.auth);
  CHECK(d.body["returns"][0]["status"] == "rejected");
  CHECK(d.body["returns"][0]["decision_reason"] == "used item");
  CHECK(d.body["returns"][0].count("decided_by") == 0);  // the admin's name stays in the admin
  CHECK(d.body["items"][0]["returnable_quantity"] == 1);
  CHECK(d.body["pricing"]["refunded"] == 0);
  CHECK(shop.post("/api/v1/admin/returns/" + rid + "/approve", json::object(), shop.admin()).status == 409);
}

TEST_CASE("admin orders are found by number or email and filtered by status", "[returns]") {
  TestShop shop;
  auto a = shop.register_user("finder-one@example.com");
  auto b = shop.register_user("other-two@example.com");
  auto pen = shop.create_product({{"name", "Pen"}, {"price", 3}}, 50);
  std::string o1 = buy(shop, a, {{{"product_id", pen}, {"quantity", 1}}}, "s1");
  std::string o2 = buy(shop, b, {{{"product_id", pen}, {"quantity", 1}}}, "s2");
  auto one = shop.get("/api/v1/admin/orders/" + o1, shop.admin()).body;
  std::string number = one["order_number"];
  auto by_number = shop.get("/api/v1/admin/orders?q=%23" + number, shop.admin());
  REQUIRE(by_number.status == 200);
  REQUIRE(by_number.body["total"] == 1);
  CHECK(by_number.body["orders"][0]["order_id"] == o1);
  auto by_part = shop.get("/api/v1/admin/orders?q=two%40", shop.admin());
  REQUIRE(by_part.body["total"] == 1);
  CHECK(by_part.body["orders"][0]["order_id"] == o2);
  CHECK(shop.get("/api/v1/admin/orders?email=finder-one@example.com", shop.admin()).body["total"] == 1);
  CHECK(shop.get("/api/v1/admin/orders?q=nobody", shop.admin()).body["total"] == 0);
  CHECK(shop.get("/api/v1/admin/orders?q=%25", shop.admin()).body["total"] == 0);  // % is a character, not "any"
  CHECK(shop.get("/api/v1/admin/orders?q=example&status=shipped", shop.admin()).body["total"] == 0);
  CHECK(shop.get("/api/v1/admin/orders?q=example&status=paid", shop.admin()).body["total"] == 2);
}

TEST_CASE("a guest returns through the signed order link", "[returns]") {
  TestShop shop;
  auto cup = shop.create_product({{"name", "Cup"}, {"price", 8}}, 10);
  Headers cart = {{"X-Cart-Token", "0123456789abcdef0123456789abcdef"}};
  auto added = shop.post("/api/v1/cart/items", {{"product_id", cup}, {"quantity", 2}}, cart);
  REQUIRE((added.status == 200 || added.status == 201));
  Headers h = cart;
  h.emplace("Idempotency-Key", "g1");
  auto placed = shop.post("/api/v1/orders",
                          {{"email", "guest-returns@example.com"},
                           {"shipping_address", shopbox::testing::address()},
                           {"payment_method", shopbox::testing::card()}},
                          h);
  INFO(placed.text);
  REQUIRE(placed.status == 201);
  std::string oid = placed.body["order_id"];
  auto order = shop.app().orders->find(oid);
  REQUIRE(order.ok());
  REQUIRE(order->has_value());
  auto url = shop.app().orders->guest_order_url(**order);
  REQUIRE(url.ok());
  std::string token = url->substr(url->find("token=") + 6);
  ship_and_deliver(shop, oid);

  json body = {{"order_id", oid}, {"token", token}, {"lines", {{{"product_id", cup}, {"quantity", 1}}}}, {"reason", "cracked"}};
  json bad = body;
  bad["token"] = std::string(token.size(), '0');
  CHECK(shop.post("/api/v1/orders/lookup/returns", bad).status == 404);
  json extra = body;
  extra["user_id"] = "1";
  CHECK(shop.post("/api/v1/orders/lookup/returns", extra).status == 400);
  auto ok = shop.post("/api/v1/orders/lookup/returns", body);
  INFO(ok.text);
  REQUIRE(ok.status == 201);
  auto seen = shop.get("/api/v1/orders/lookup?order_id=" + oid + "&token=" + token);
  REQUIRE(seen.status == 200);
  CHECK(seen.body["returns"][0]["status"] == "requested");
  CHECK(seen.body["items"][0]["returnable_quantity"] == 1);
}

}  // namespace returns_admin_test
