// Orders over HTTP with real signed-in users: POST /api/v1/orders from the
// cart, replays, ownership, customer cancel, the 200-buyer race, webhooks.
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "base/crypto.h"
#include "events/outbox.h"
#include "inventory/inventory.h"
#include "orders/orders.h"
#include "support/fixtures.h"
#include "support/test_shop.h"

using namespace shopbox;
using shopbox::testing::address;
using shopbox::testing::card;
using shopbox::testing::count_rows;
using shopbox::testing::Headers;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {
Headers with_key(Headers h, const std::string& key) {
  h.emplace("Idempotency-Key", key);
  return h;
}
}  // namespace

TEST_CASE("POST /api/v1/orders from the cart, replay, history, ownership", "[http][orders]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Teapot"}, {"price", 30}}, 10);
  auto pid2 = shop.create_product({{"name", "Cup"}, {"price", 5}}, 10);
  auto alice = shop.register_user("alice@example.com");
  auto bob = shop.register_user("bob@example.com");

  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", pid}, {"quantity", 2}}, alice.auth).status < 300);
  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", pid2}, {"quantity", 1}}, alice.auth).status < 300);
  json body = {{"shipping_address", address()}, {"payment_method", card()}};

  // Auth and key checks first; nothing changes.
  CHECK(shop.post("/api/v1/orders", body).status == 401);
  auto nokey = shop.post("/api/v1/orders", body, alice.auth);
  CHECK(nokey.status == 400);
  CHECK(nokey.body["error"]["code"] == "idempotency_key_required");
  CHECK(shop.post("/api/v1/orders", body, with_key(shop.admin(), "a")).status == 403);
  CHECK(count_rows(shop, "SELECT count(*) FROM orders") == 0);

  auto r = shop.post("/api/v1/orders", body, with_key(alice.auth, "order-1"));
  INFO(r.text);
  REQUIRE(r.status == 201);
  CHECK(r.header("Idempotent-Replayed").empty());
  std::string oid = r.body["order_id"];
  CHECK(r.body["items"].size() == 2);
  CHECK(r.body["pricing"]["subtotal"].dump() == "65");
  CHECK(r.body["pricing"]["total"].dump() == "70.85");  // 65 + 5.85 tax, free shipping over 50
  CHECK(r.body["user_id"] == alice.user_id);
  // The purchased lines left the cart; stock left the shop.
  auto cart = shop.get("/api/v1/cart", alice.auth);
  CHECK(cart.body["items"].size() == 0);
  CHECK(shop.app().inventory->level(std::stoll(pid)).total == 8);

  auto replay = shop.post("/api/v1/orders", body, with_key(alice.auth, "order-1"));
  CHECK(replay.status == 201);
  CHECK(replay.header("Idempotent-Replayed") == "true");
  CHECK(replay.body == r.body);
  auto reused = shop.post("/api/v1/orders",
                          {{"items", {{{"product_id", pid}, {"quantity", 1}}}},
                           {"shipping_address", address()},
                           {"payment_method", card()}},
                          with_key(alice.auth, "order-1"));
  CHECK(reused.status == 422);
  CHECK(count_rows(shop, "SELECT count(*) FROM orders") == 1);

  // Empty cart now: 422.
  auto empty = shop.post("/api/v1/orders", body, with_key(alice.auth, "order-2"));
  CHECK(empty.status == 422);
  CHECK(empty.body["error"]["code"] == "cart_empty");

  auto list = shop.get("/api/v1/orders", alice.auth);
  REQUIRE(list.status == 200);
  CHECK(list.body["total"] == 1);
  CHECK(list.body["orders"][0]["order_id"] == oid);
  CHECK(shop.get("/api/v1/orders?size=0", alice.auth).status == 400);
  auto mine = shop.get("/api/v1/orders/" + oid, alice.auth);
  CHECK(mine.status == 200);
  CHECK(mine.body["payment"]["status"] == "completed");
  CHECK(mine.body["shipments"].is_array());
  // Someone else's order is a 404, as is nonsense.
  CHECK(shop.get("/api/v1/orders/" + oid, bob.auth).status == 404);
  CHECK(shop.get("/api/v1/orders", bob.auth).body["total"] == 0);
  CHECK(shop.get("/api/v1/orders/ord_x_1", alice.auth).status == 404);
  CHECK(shop.get("/api/v1/orders/12", alice.auth).status == 404);
  CHECK(shop.post("/api/v1/orders/" + oid + "/cancel", json::object(), bob.auth).status == 404);

  // Customer cancel before shipping: refund and restock.
  auto cancel = shop.post("/api/v1/orders/" + oid + "/cancel", {{"reason", "changed my mind"}}, alice.auth);
  INFO(cancel.text);
  REQUIRE(cancel.status == 200);
  CHECK(cancel.body["status"] == "cancelled");
  CHECK(shop.app().inventory->level(std::stoll(pid)).total == 10);
  CHECK(count_rows(shop, "SELECT refunded FROM gw_charges") == 7085);
  CHECK(shop.post("/api/v1/orders/" + oid + "/cancel", json::object(), alice.auth).status == 409);
  std::vector<std::string> problems;
  shop.app().orders->check_invariants(problems);
  for (auto& p : problems) UNSCOPED_INFO(p);
  CHECK(problems.empty());
}

TEST_CASE("200 buyers race for 50 units over HTTP", "[http][orders][race][concurrency]") {
  TestShop shop([](Config& c) {
    c.threads = 64;
    c.max_orders_per_card_hour = 0;  // every buyer uses the same test card
  });
  auto pid = shop.create_product({{"name", "Limited sneaker"}, {"price", 120}}, 50);
  std::vector<TestShop::Account> buyers;
  for (int i = 0; i < 200; ++i) buyers.push_back(shop.register_user("buyer" + std::to_string(i) + "@example.com"));
  std::atomic<int> created{0}, sold_out{0}, other{0};
  std::mutex mu;
  std::vector<std::string> odd;
  std::vector<std::thread> threads;
  for (int i = 0; i < 200; ++i)
    threads.emplace_back([&, i] {
      json body = {{"items", {{{"product_id", pid}, {"quantity", 1}}}},
                   {"shipping_address", address()},
                   {"payment_method", card()}};
      // A client whose connection fails retries with the same key: that is
      // what the key is for (it can never buy twice).
      httplib::Client cli("127.0.0.1", shop.port());
      cli.set_read_timeout(60, 0);
      cli.set_connection_timeout(10, 0);
      std::string err;
      for (int attempt = 0; attempt < 5; ++attempt) {
        auto r = cli.Post("/api/v1/orders", with_key(buyers[i].auth, "race-" + std::to_string(i)), body.dump(),
                          "application/json");
        if (!r) {
          err = httplib::to_string(r.error());
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          continue;
        }
        json j = json::parse(r->body, nullptr, false);
        if (r->status == 201)
          ++created;
        else if (r->status == 409 && !j.is_discarded() && j["error"]["code"] == "out_of_stock")
          ++sold_out;
        else {
          ++other;
          std::lock_guard lock(mu);
          odd.push_back(std::to_string(r->status) + " " + r->body);
        }
        return;
      }
      ++other;
      std::lock_guard lock(mu);
      odd.push_back("connection: " + err);
    });
  for (auto& t : threads) t.join();
  if (!odd.empty()) WARN(odd.size() << " unexpected answers, e.g. " << odd.front());
  CHECK(created == 50);
  CHECK(sold_out == 150);
  CHECK(other == 0);
  auto lvl = shop.app().inventory->level(std::stoll(pid));
  CHECK(lvl.total == 0);
  CHECK(lvl.reserved == 0);
  CHECK(count_rows(shop, "SELECT count(*) FROM orders") == 50);
  CHECK(count_rows(shop, "SELECT count(DISTINCT user_id) FROM orders") == 50);
  // Every order has exactly one captured payment, for its total.
  CHECK(count_rows(shop,
                   "SELECT count(*) FROM orders o WHERE (SELECT count(*) FROM payment_transactions t WHERE "
                   "t.order_id = o.order_id AND t.kind = 'charge' AND t.status = 'completed') <> 1") == 0);
  CHECK(count_rows(shop, "SELECT count(*) FROM gw_charges WHERE captured > 0") == 50);
  CHECK(count_rows(shop,
                   "SELECT count(*) FROM orders o JOIN payment_transactions t ON t.order_id = o.order_id "
                   "JOIN gw_charges g ON g.charge_id = t.provider_transaction_id WHERE g.captured <> o.total_cents") ==
        0);
  std::vector<std::string> problems;
  shop.app().orders->check_invariants(problems);
  for (auto& p : problems) UNSCOPED_INFO(p);
  CHECK(problems.empty());
}

TEST_CASE("webhooks: signed deliveries, retried with backoff, logged for admins", "[http][orders][webhooks]") {
  httplib::Server hook;
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> got;  // signature, body
  std::atomic<int> calls{0};
  hook.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    if (calls++ < 2) {  // the first two calls fail: retried
      res.status = 500;
      return;
    }
    std::lock_guard lock(mu);
    got.push_back({req.get_header_value("X-Shopbox-Signature"), req.body});
    res.status = 200;
  });
  int port = hook.bind_to_any_port("127.0.0.1");
  std::thread t([&] { hook.listen_after_bind(); });
  {
    TestShop shop([&](Config& c) {
      c.webhook_urls = "http://127.0.0.1:" + std::to_string(port) + "/hook";
      c.webhook_secret = "whsec_test_0123456789";
      c.webhook_backoff_ms = 20;
    });
    auto pid = shop.create_product({{"name", "Bell"}, {"price", 3}}, 5);
    auto u = shop.register_user("hook@example.com");
    json body = {{"items", {{{"product_id", pid}, {"quantity", 1}}}},
                 {"shipping_address", address()},
                 {"payment_method", card()}};
    REQUIRE(shop.post("/api/v1/orders", body, with_key(u.auth, "w1")).status == 201);
    // order.created and order.paid: delivered after retries. Delivery is at
    // least once (a delivery whose answer came too late is sent again), so
    // wait for both types, not for any two deliveries.
    auto both_seen = [&] {
      std::set<std::string> seen;
      for (auto& g : got) seen.insert(json::parse(g.second)["type"].get<std::string>());
      return seen.count("order.created") && seen.count("order.paid");
    };
    for (int i = 0; i < 100; ++i) {
      {
        std::lock_guard lock(mu);
        if (both_seen()) break;
      }
      shop.app().webhooks->poke();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::lock_guard lock(mu);
    REQUIRE(got.size() >= 2);
    for (auto& [sig, b] : got) CHECK(sig == "sha256=" + hmac_sha256_hex("whsec_test_0123456789", b));
    std::set<std::string> types;
    for (auto& g : got) types.insert(json::parse(g.second)["type"].get<std::string>());
    CHECK(types.count("order.created"));
    CHECK(types.count("order.paid"));
    auto log = shop.get("/api/v1/admin/webhooks/deliveries", shop.admin());
    REQUIRE(log.status == 200);
    CHECK(log.body["total"] >= 2);
    int retried = 0;
    for (auto& d : log.body["deliveries"]) retried += d["attempts"].get<int>() > 1;
    CHECK(retried >= 1);
    CHECK(shop.get("/api/v1/admin/webhooks/deliveries?status=bogus", shop.admin()).status == 400);
    CHECK(shop.get("/api/v1/admin/webhooks/deliveries").status == 401);
  }
  hook.stop();
  t.join();
}
