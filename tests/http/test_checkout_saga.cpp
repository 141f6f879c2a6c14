// The checkout saga at the service level (http::checkout_answer: the body as
// the route reads it, then Checkout::place_order for a user id) plus the admin order routes over HTTP.
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "checkout/checkout.h"
#include "checkout/checkout_store.h"
#include "events/outbox.h"
#include "http/checkout_body.h"
#include "inventory/inventory.h"
#include "orders/orders.h"
#include "payments/circuit_breaker.h"
#include "payments/test_gateway.h"
#include "support/fixtures.h"
#include "support/test_shop.h"

using namespace shopbox;
using shopbox::testing::address;
using shopbox::testing::card;
using shopbox::testing::count_rows;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {

json order_body(const std::string& pid, int qty, const std::string& number = "4242424242424242") {
  return {{"items", {{{"product_id", pid}, {"quantity", qty}}}},
          {"shipping_address", address()},
          {"payment_method", card(number)}};
}
CheckoutResponse place(TestShop& shop, int64_t user, const std::string& key, const json& body,
                       const std::string& ip = "10.0.0.1") {
  http::CheckoutCaller caller;
  caller.user_id = user;
  caller.account_email = "user" + std::to_string(user) + "@example.com";
  caller.client_ip = ip;
  return http::checkout_answer(*shop.app().checkout, caller, key, body.dump(), shop.app().config.max_quantity_per_line);
}
StockLevel stock(TestShop& shop, const std::string& pid) {
  return shop.app().inventory->level(std::stoll(pid));
}

}  // namespace

TEST_CASE("checkout places a paid order, takes stock, replays by key", "[checkout]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Wireless Bluetooth Headphones"}, {"price", 84.99}}, 10);
  auto r = place(shop, 7, "key-1", order_body(pid, 2));
  INFO(r.body.dump());
  REQUIRE(r.status == 201);
  CHECK(r.replayed == false);
  std::string oid = r.body["order_id"];
  CHECK(oid.rfind("ord_s1_", 0) == 0);
  CHECK(r.body["status"] == "paid");
  CHECK(r.body["items"][0]["product_id"] == pid);
  CHECK(r.body["items"][0]["quantity"] == 2);
  CHECK(r.body["items"][0]["unit_price"].dump() == "84.99");
  CHECK(r.body["pricing"]["subtotal"].dump() == "169.98");
  CHECK(r.body["pricing"]["tax"].dump() == "15.3");
  CHECK(r.body["pricing"]["shipping"].dump() == "0");
  CHECK(r.body["pricing"]["total"].dump() == "185.28");
  CHECK(r.body["payment"]["status"] == "completed");
  CHECK(r.body["payment"]["amount"].dump() == "185.28");
  CHECK(r.body["payment"]["method"]["last4"] == "4242");
  CHECK(r.body["payment"]["method"]["brand"] == "visa");
  CHECK(r.body["shipping_address"]["city"] == "Seattle");
  CHECK(r.body["estimated_delivery"].is_string());
  CHECK(r.body.dump().find("4242424242424242") == std::string::npos);

  auto s = stock(shop, pid);
  CHECK(s.total == 8);
  CHECK(s.reserved == 0);
  CHECK(count_rows(shop, "SELECT count(*) FROM orders") == 1);
  CHECK(count_rows(shop, "SELECT count(*) FROM gw_charges WHERE status = 'captured'") == 1);
  CHECK(count_rows(shop, "SELECT count(*) FROM checkout_attempts WHERE step = 'completed'") == 1);
  CHECK(count_rows(shop, "SELECT count(*) FROM outbox_events WHERE type IN ('order.created', 'order.paid')") == 2);

  // Same key, same body: the stored response, nothing new.
  auto again = place(shop, 7, "key-1", order_body(pid, 2));
  CHECK(again.status == 201);
  CHECK(again.replayed);
  CHECK(again.body == r.body);
  CHECK(count_rows(shop, "SELECT count(*) FROM orders") == 1);
  CHECK(count_rows(shop, "SELECT count(*) FROM gw_charges") == 1);
  CHECK(stock(shop, pid).total == 8);

  // Same key, different body: 422, nothing changed.
  auto diff = place(shop, 7, "key-1", order_body(pid, 3));
  CHECK(diff.status == 422);
  CHECK(diff.body["error"]["code"] == "idempotency_key_reused");
  // The same key for another user is another request.
  auto other = place(shop, 8, "key-1", order_body(pid, 1));
  CHECK(other.status == 201);
  CHECK(count_rows(shop, "SELECT count(*) FROM orders") == 2);

  // No raw card number anywhere in the database.
  REQUIRE(shop.app()
              .db
              ->read([&](Connection& c) {
                for (const char* sql : {"SELECT group_concat(payment_method) FROM orders",
                                        "SELECT group_concat(response_body) FROM idempotency_keys",
                                        "SELECT group_concat(request_hash) FROM idempotency_keys",
                                        "SELECT group_concat(payload) FROM outbox_events"}) {
                  auto st = c.prepare(sql);
                  if (st.step()) CHECK(st.text(0).find("4242424242424242") == std::string::npos);
                }
                return Status::Ok();
              })
              .ok());
}

TEST_CASE("checkout error paths change nothing", "[checkout]") {
  TestShop shop([](Config& c) {
    c.breaker_failure_threshold = 2;
    c.breaker_cooldown_ms = 60000;
  });
  auto pid = shop.create_product({{"name", "Lamp"}, {"price", 20}}, 5);
  auto unchanged = [&] {
    CHECK(count_rows(shop, "SELECT count(*) FROM orders") == 0);
    CHECK(count_rows(shop, "SELECT count(*) FROM gw_charges WHERE captured > refunded") == 0);
    auto s = stock(shop, pid);
    CHECK(s.total == 5);
    CHECK(s.reserved == 0);
  };

  SECTION("400: key, JSON, card, address, fields") {
    CHECK(place(shop, 1, "", order_body(pid, 1)).status == 400);
    CHECK(place(shop, 1, "", order_body(pid, 1)).body["error"]["code"] == "idempotency_key_required");
    CHECK(http::checkout_answer(*shop.app().checkout, {1, "u@example.com", "", ""}, "k", "{not json", 10).status ==
          400);
    auto luhn = place(shop, 1, "k1", order_body(pid, 1, "4242424242424241"));
    CHECK(luhn.status == 400);
    CHECK(luhn.body["error"]["code"] == "invalid_card");
    json noaddr = order_body(pid, 1);
    noaddr.erase("shipping_address");
    CHECK(place(shop, 1, "k2", noaddr).status == 400);
    json badqty = order_body(pid, 0);
    CHECK(place(shop, 1, "k3", badqty).status == 400);
    json unknown = order_body("999999", 1);
    CHECK(place(shop, 1, "k4", unknown).status == 400);
    json extra = order_body(pid, 1);
    extra["surprise"] = 1;
    CHECK(place(shop, 1, "k5", extra).status == 400);
    json expired = order_body(pid, 1);
    expired["payment_method"]["exp_year"] = 2001;
    CHECK(place(shop, 1, "k6", expired).body["error"]["code"] == "invalid_card");
    // A misspelt payment_method key is named, not silently ignored (the
    // fuzzer's {"ttpe": "card"} once read freed memory), and a type that is
    // not a string is refused before anything reads it as one.
    json typo = order_body(pid, 1);
    typo["payment_method"].erase("type");
    typo["payment_method"]["ttpe"] = "card";
    auto t = place(shop, 1, "k7", typo);
    CHECK(t.status == 400);
    CHECK(t.body["error"]["details"]["field"] == "payment_method.ttpe");
    json numeric_type = order_body(pid, 1);
    numeric_type["payment_method"]["type"] = 5;
    CHECK(place(shop, 1, "k8", numeric_type).status == 400);
    unchanged();
    // A 400 is not stored: the key can be used for a fixed request. A card
    // without "type" is a card.
    json untyped = order_body(pid, 1);
    untyped["payment_method"].erase("type");
    CHECK(place(shop, 1, "k1", untyped).status == 201);
    CHECK(stock(shop, pid).total == 4);
  }
  SECTION("409 out of stock names the short lines") {
    auto r = place(shop, 1, "k", order_body(pid, 6));
    REQUIRE(r.status == 409);
    CHECK(r.body["error"]["code"] == "out_of_stock");
    CHECK(r.body["error"]["details"]["items"][0]["product_id"] == pid);
    CHECK(r.body["error"]["details"]["items"][0]["requested"] == 6);
    CHECK(r.body["error"]["details"]["items"][0]["available"] == 5);
    unchanged();
    auto replay = place(shop, 1, "k", order_body(pid, 6));
    CHECK(replay.status == 409);
    CHECK(replay.replayed);
  }
  SECTION("402 declines release the reservation") {
    auto r = place(shop, 1, "k", order_body(pid, 2, "4000000000000002"));
    REQUIRE(r.status == 402);
    CHECK(r.body["error"]["code"] == "payment_failed");
    CHECK(r.body["error"]["details"]["decline_code"] == "card_declined");
    auto nsf = place(shop, 1, "k2", order_body(pid, 2, "4000000000009995"));
    CHECK(nsf.status == 402);
    CHECK(nsf.body["error"]["details"]["decline_code"] == "insufficient_funds");
    auto wallet = order_body(pid, 1);
    wallet["payment_method"] = {{"type", "wallet"}, {"wallet", "test_wallet_declined"}};
    CHECK(place(shop, 1, "k3", wallet).status == 402);
    unchanged();
    CHECK(place(shop, 1, "k", order_body(pid, 2, "4000000000000002")).replayed);
  }
  SECTION("503 on gateway errors, then fast 503 while the breaker is open") {
    auto e1 = place(shop, 1, "k1", order_body(pid, 1, "4000000000000119"));
    CHECK(e1.status == 503);
    CHECK(e1.body["error"]["code"] == "payment_unavailable");
    CHECK(place(shop, 1, "k2", order_body(pid, 1, "4000000000000119")).status == 503);
    auto open = place(shop, 1, "k3", order_body(pid, 1));  // a good card: the breaker answers
    CHECK(open.status == 503);
    CHECK(open.body["error"]["code"] == "payment_unavailable");
    // The open breaker answered without asking the gateway (a timed check would
    // be noise on a shared machine): the good card left no charge there.
    CHECK(count_rows(shop, "SELECT count(*) FROM gw_charges") == 0);
    unchanged();
    // 503s are not stored: the key may be retried.
    CHECK(count_rows(shop, "SELECT count(*) FROM idempotency_keys") == 0);
  }
  SECTION("429 fraud velocity") {
    shop.app().config.max_orders_per_user_hour = 1;
    CHECK(place(shop, 1, "a", order_body(pid, 1)).status == 201);
    auto r = place(shop, 1, "b", order_body(pid, 1));
    CHECK(r.status == 429);
    CHECK(r.body["error"]["code"] == "velocity_limit_exceeded");
    CHECK(r.body["error"]["details"]["rule"] == "orders_per_user_hour");
    shop.app().config.max_orders_per_user_hour = 50;
    shop.app().config.max_orders_per_card_hour = 2;
    CHECK(place(shop, 2, "c", order_body(pid, 1)).status == 201);
    auto card = place(shop, 3, "d", order_body(pid, 1));
    CHECK(card.status == 429);
    CHECK(card.body["error"]["details"]["rule"] == "orders_per_card_hour");
    CHECK(count_rows(shop, "SELECT count(*) FROM orders") == 2);
  }
}

TEST_CASE("200 buyers race for 50 units: exactly 50 orders", "[checkout][race][concurrency]") {
  // Every buyer pays with the same test card: with the card velocity rule on,
  // a buyer who reaches it after the 50th order gets 429 instead of 409.
  TestShop shop([](Config& c) { c.max_orders_per_card_hour = 0; });
  auto pid = shop.create_product({{"name", "Flash item"}, {"price", 10}}, 50);
  std::atomic<int> created{0}, conflicts{0}, other{0};
  std::mutex odd_mu;
  std::vector<std::string> odd;  // unexpected answers, shown on failure
  std::vector<std::thread> threads;
  for (int i = 0; i < 200; ++i)
    threads.emplace_back([&, i] {
      auto r = place(shop, 1000 + i, "race-" + std::to_string(i), order_body(pid, 1),
                     "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250));
      if (r.status == 201)
        ++created;
      else if (r.status == 409)
        ++conflicts;
      else {
        ++other;
        std::lock_guard<std::mutex> lock(odd_mu);
        odd.push_back(std::to_string(r.status) + " " + r.body.dump());
      }
    });
  for (auto& t : threads) t.join();
  for (auto& o : odd) UNSCOPED_INFO(o);
  CHECK(created == 50);
  CHECK(conflicts == 150);
  CHECK(other == 0);
  CHECK(stock(shop, pid).total == 0);
  CHECK(stock(shop, pid).reserved == 0);
  CHECK(count_rows(shop, "SELECT count(*) FROM orders") == 50);
  CHECK(count_rows(shop, "SELECT count(*) FROM gw_charges WHERE status = 'captured'") == 50);
  CHECK(
      count_rows(shop,
                 "SELECT count(*) FROM orders o WHERE (SELECT count(*) FROM payment_transactions t WHERE t.order_id = "
                 "o.order_id AND t.kind = 'charge' AND t.status = 'completed') <> 1") == 0);
  std::vector<std::string> problems;
  shop.app().orders->check_invariants(problems);
  for (auto& p : problems) UNSCOPED_INFO(p);
  CHECK(problems.empty());
}

TEST_CASE("the sweeper settles a checkout whose order and compensation could not be stored", "[checkout]") {
  TestShop shop([](Config& c) { c.sweep_interval_seconds = 1; });
  auto pid = shop.create_product({{"name", "Kettle"}, {"price", 30}}, 5);
  auto sql = [&](const char* script) { shopbox::testing::exec_sql(shop, script); };
  // A full disk as SQLite sees it, after the charge: the order, the refund
  // and the step log cannot be written. Only the reservation (LMDB) goes back.
  sql("CREATE TRIGGER full_orders BEFORE INSERT ON orders BEGIN SELECT RAISE(ABORT, 'disk full'); END;"
      "CREATE TRIGGER full_refunds BEFORE UPDATE ON gw_charges WHEN NEW.refunded <> OLD.refunded "
      "BEGIN SELECT RAISE(ABORT, 'disk full'); END;"
      "CREATE TRIGGER full_attempts BEFORE UPDATE ON checkout_attempts BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
  auto failed = place(shop, 1, "stuck", order_body(pid, 2));
  CHECK(failed.status != 201);
  CHECK(count_rows(shop, "SELECT count(*) FROM orders") == 0);
  CHECK(count_rows(shop, "SELECT count(*) FROM gw_charges WHERE captured > refunded") == 1);  // the shopper's money
  CHECK(count_rows(shop, "SELECT count(*) FROM idempotency_keys WHERE status = 'processing'") == 1);

  // Space returns. The sweeper leaves the attempt alone while it could still
  // be in flight, then refunds the charge and frees the key.
  sql("DROP TRIGGER full_orders; DROP TRIGGER full_refunds; DROP TRIGGER full_attempts;");
  // What every sweep asks (App::sweep_once): a young attempt is left alone.
  auto early = shop.app().checkout->recover_stale(Checkout::kStaleAttemptSeconds);
  CHECK(early.compensated == 0);
  CHECK(count_rows(shop, "SELECT count(*) FROM gw_charges WHERE captured > refunded") == 1);
  shopbox::set_clock_offset(Checkout::kStaleAttemptSeconds + 1);
  bool settled = false;
  for (int i = 0; i < 100 && !settled; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    settled = count_rows(shop, "SELECT count(*) FROM checkout_attempts WHERE step = 'compensated'") == 1;
  }
  shopbox::set_clock_offset(0);
  REQUIRE(settled);
  CHECK(count_rows(shop, "SELECT count(*) FROM gw_charges WHERE captured > refunded") == 0);
  CHECK(count_rows(shop, "SELECT count(*) FROM idempotency_keys") == 0);
  CHECK(stock(shop, pid).total == 5);
  CHECK(stock(shop, pid).reserved == 0);
  // The shopper's retry with the same key now buys, once.
  auto retry = place(shop, 1, "stuck", order_body(pid, 2));
  CHECK(retry.status == 201);
  CHECK_FALSE(retry.replayed);
  CHECK(count_rows(shop, "SELECT count(*) FROM orders") == 1);
  std::vector<std::string> problems;
  shop.app().orders->check_invariants(problems);
  for (auto& p : problems) UNSCOPED_INFO(p);
  CHECK(problems.empty());
}

TEST_CASE("a refund that fails after the order could not be stored keeps the attempt open until it is given back",
          "[checkout][recovery]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Teapot"}, {"price", 25}}, 5);
  auto sql = [&](const char* script) { shopbox::testing::exec_sql(shop, script); };
  // The charge succeeds, the order cannot be written, and the refund that
  // should compensate it fails too; the step log still writes.
  sql("CREATE TRIGGER no_orders BEFORE INSERT ON orders BEGIN SELECT RAISE(ABORT, 'disk full'); END;"
      "CREATE TRIGGER no_refunds BEFORE UPDATE ON gw_charges WHEN NEW.refunded <> OLD.refunded "
      "BEGIN SELECT RAISE(ABORT, 'gateway down'); END;");
  auto failed = place(shop, 1, "refund-fails", order_body(pid, 1));
  CHECK(failed.status != 201);
  CHECK(count_rows(shop, "SELECT count(*) FROM orders") == 0);
  CHECK(count_rows(shop, "SELECT count(*) FROM gw_charges WHERE captured > refunded") == 1);
  // The money is still with the shop, so the attempt must not say it was
  // given back (it said 'compensated', and nothing ever refunded it).
  CHECK(count_rows(shop, "SELECT count(*) FROM checkout_attempts WHERE step = 'compensated'") == 0);
  CHECK(count_rows(shop, "SELECT count(*) FROM checkout_attempts WHERE step = 'charged'") == 1);
  CHECK(stock(shop, pid).reserved == 0);

  // The gateway answers again; recovery (at the next start) refunds it.
  sql("DROP TRIGGER no_orders; DROP TRIGGER no_refunds;");
  shop.restart();
  CHECK(count_rows(shop, "SELECT count(*) FROM gw_charges WHERE captured > refunded") == 0);
  CHECK(count_rows(shop, "SELECT count(*) FROM checkout_attempts WHERE step = 'compensated'") == 1);
  std::vector<std::string> problems;
  shop.app().orders->check_invariants(problems);
  for (auto& p : problems) UNSCOPED_INFO(p);
  CHECK(problems.empty());
  // The shopper's retry buys, once.
  auto retry = place(shop, 1, "refund-fails", order_body(pid, 1));
  CHECK(retry.status == 201);
  CHECK(count_rows(shop, "SELECT count(*) FROM orders") == 1);
}

TEST_CASE("concurrent requests with one key make one order", "[checkout][concurrency]") {
  TestShop shop([](Config& c) { c.gateway_test_latency_ms = 100; });
  auto pid = shop.create_product({{"name", "Chair"}, {"price", 60}}, 10);
  std::vector<CheckoutResponse> out(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back([&, i] { out[i] = place(shop, 5, "same-key", order_body(pid, 1)); });
  for (auto& t : threads) t.join();
  std::set<std::string> ids;
  int replayed = 0;
  for (auto& r : out) {
    INFO(r.body.dump());
    CHECK(r.status == 201);
    ids.insert(r.body.value("order_id", ""));
    replayed += r.replayed;
  }
  CHECK(ids.size() == 1);
  CHECK(replayed == 7);
  CHECK(count_rows(shop, "SELECT count(*) FROM orders") == 1);
  CHECK(count_rows(shop, "SELECT count(*) FROM gw_charges WHERE captured > 0") == 1);
  CHECK(stock(shop, pid).total == 9);
  CHECK(stock(shop, pid).reserved == 0);
}

TEST_CASE("recovery compensates a checkout interrupted after the charge", "[checkout][recovery]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Desk"}, {"price", 100}}, 3);
  App& app = shop.app();
  // State a crash leaves between the charge and the order: reservation
  // active, attempt 'reserved', key 'processing', charge captured.
  auto rsv = app.inventory->reserve({{std::stoll(pid), 2}}, "u:9", 600);
  REQUIRE(rsv.ok());
  auto tok = app.payments->tokenize({"4242424242424242", 12, 2099, "123"}, "user:1");
  REQUIRE(tok.ok());
  REQUIRE(app.payments->authorize("chk_crashed", {"card", tok->token, ""}, 21800, "USD", true).ok());
  REQUIRE(app.db
              ->write([&](Connection& c) {
                checkout_store::insert_idempotency(c, {9, "k-crash", "h", "processing", 0, "", "chk_crashed", 1});
                CheckoutAttempt a;
                a.id = "chk_crashed";
                a.user_id = 9;
                a.idempotency_key = "k-crash";
                a.order_id = "ord_s1_dead";
                a.step = AttemptStep::reserved;
                a.reservation_id = rsv->id;
                a.amount = 21800;
                a.created_at = a.updated_at = 1;
                checkout_store::insert_attempt(c, a);
                return Status::Ok();
              })
              .ok());
  std::vector<std::string> problems;
  app.orders->check_invariants(problems);
  CHECK_FALSE(problems.empty());  // a captured charge without an order

  shop.restart();  // recover() runs at start
  App& app2 = shop.app();
  auto ch = app2.payments->lookup("chk_crashed").value();
  REQUIRE(ch);
  CHECK(ch->refunded == ch->captured);
  CHECK(app2.inventory->reservation(rsv->id)->status == ReservationStatus::released);
  CHECK(app2.inventory->level(std::stoll(pid)).reserved == 0);
  CHECK(count_rows(shop, "SELECT count(*) FROM idempotency_keys") == 0);
  CHECK(count_rows(shop, "SELECT count(*) FROM checkout_attempts WHERE step = 'compensated'") == 1);
  problems.clear();
  app2.orders->check_invariants(problems);
  for (auto& p : problems) UNSCOPED_INFO(p);
  CHECK(problems.empty());
  // The client's retry with the key now places the order.
  CHECK(place(shop, 9, "k-crash", order_body(pid, 2)).status == 201);
}

TEST_CASE("recovery finishes a checkout interrupted after the order", "[checkout][recovery]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Shelf"}, {"price", 30}}, 4);
  auto r = place(shop, 3, "k", order_body(pid, 1));
  REQUIRE(r.status == 201);
  // Rewind to "order written, reservation not yet consumed".
  App& app = shop.app();
  std::string rsv;
  REQUIRE(app.db
              ->read([&](Connection& c) {
                rsv = order_store::get_order(c, r.body["order_id"])->reservation_id;
                return Status::Ok();
              })
              .ok());
  REQUIRE(app.db
              ->write([&](Connection& c) {
                c.prepare("UPDATE checkout_attempts SET step = 'ordered'").exec();
                return Status::Ok();
              })
              .ok());
  shop.restart();
  CHECK(count_rows(shop, "SELECT count(*) FROM checkout_attempts WHERE step = 'completed'") == 1);
  CHECK(shop.app().inventory->reservation(rsv)->status == ReservationStatus::consumed);
  CHECK(stock(shop, pid).total == 3);
}

TEST_CASE("admin order lifecycle: ship, track, deliver, refund, cancel", "[checkout][orders]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Kettle"}, {"price", 40}}, 10);
  auto pid2 = shop.create_product({{"name", "Mug"}, {"price", 10}}, 10);
  json body = {{"items", {{{"product_id", pid}, {"quantity", 2}}, {{"product_id", pid2}, {"quantity", 1}}}},
               {"shipping_address", address()},
               {"payment_method", card()}};
  auto r = place(shop, 4, "k", body);
  REQUIRE(r.status == 201);
  std::string oid = r.body["order_id"];
  std::string base = "/api/v1/admin/orders/" + oid;
  CHECK(r.body["pricing"]["total"].dump() == "98.1");  // 90 + 8.10 tax, free shipping

  // Illegal: deliver before shipping.
  CHECK(shop.post(base + "/deliver", json::object(), shop.admin()).status == 409);
  CHECK(shop.post(base + "/tracking-events", {{"status", "in_transit"}}, shop.admin()).status == 409);
  CHECK(shop.post(base + "/ship", {{"carrier", "UPS"}}, shop.admin()).status == 400);
  auto ship = shop.post(base + "/ship", {{"carrier", "UPS"}, {"tracking_number", "1Z999"}}, shop.admin());
  REQUIRE(ship.status == 200);
  CHECK(ship.body["status"] == "shipped");
  CHECK(ship.body["shipments"][0]["tracking_number"] == "1Z999");
  CHECK(shop.post(base + "/ship", {{"carrier", "UPS"}, {"tracking_number", "1Z999"}}, shop.admin()).status == 409);
  CHECK(shop.post(base + "/cancel", json::object(), shop.admin()).status == 409);  // shipped: no cancel
  auto ev =
      shop.post(base + "/tracking-events", {{"status", "in_transit"}, {"location", "Portland, OR"}}, shop.admin());
  CHECK(ev.status == 201);
  CHECK(ev.body["shipments"][0]["tracking"].size() == 2);
  auto del = shop.post(base + "/deliver", json::object(), shop.admin());
  CHECK(del.body["status"] == "delivered");

  // Refunds: never more than captured.
  auto over = shop.post(base + "/refunds", {{"amount", 98.11}}, shop.admin());
  CHECK(over.status == 422);
  CHECK(over.body["error"]["code"] == "refund_exceeds_captured");
  auto part = shop.post(base + "/refunds", {{"lines", {{{"product_id", pid2}, {"quantity", 1}}}}, {"restock", true}},
                        shop.admin());
  INFO(part.text);
  REQUIRE(part.status == 201);
  CHECK(part.body["amount"].dump() == "10.9");  // 10 + its 9 % tax
  CHECK(part.body["order"]["status"] == "partially_refunded");
  CHECK(stock(shop, pid2).total == 10);  // restocked
  auto rest = shop.post(base + "/refunds", {{"amount", 87.2}}, shop.admin());
  REQUIRE(rest.status == 201);
  CHECK(rest.body["order"]["status"] == "refunded");
  CHECK(shop.post(base + "/refunds", {{"amount", 0.01}}, shop.admin()).status == 409);  // refunded: final
  CHECK(count_rows(shop, "SELECT refunded FROM gw_charges") == 9810);

  // Cancel before shipping refunds and restocks.
  auto r2 = place(shop, 4, "k2", order_body(pid, 3));
  REQUIRE(r2.status == 201);
  CHECK(stock(shop, pid).total == 5);
  auto cancel = shop.post("/api/v1/admin/orders/" + r2.body["order_id"].get<std::string>() + "/cancel", json::object(),
                          shop.admin());
  REQUIRE(cancel.status == 200);
  CHECK(cancel.body["status"] == "cancelled");
  CHECK(cancel.body["pricing"]["refunded"] == cancel.body["pricing"]["total"]);
  CHECK(stock(shop, pid).total == 8);
  CHECK(shop.post("/api/v1/admin/orders/" + r2.body["order_id"].get<std::string>() + "/cancel", json::object(),
                  shop.admin())
            .status == 409);

  auto list = shop.get("/api/v1/admin/orders?status=cancelled", shop.admin());
  CHECK(list.body["total"] == 1);
  CHECK(shop.get("/api/v1/admin/orders?size=101", shop.admin()).status == 400);
  CHECK(shop.get("/api/v1/admin/orders/ord_s1_nothing", shop.admin()).status == 404);
  CHECK(count_rows(shop, "SELECT count(*) FROM outbox_events WHERE type = 'order.shipped'") == 1);
  CHECK(count_rows(shop, "SELECT count(*) FROM outbox_events WHERE type = 'refund.created'") == 3);
  CHECK(count_rows(shop, "SELECT count(*) FROM outbox_events WHERE type = 'order.cancelled'") == 1);
  std::vector<std::string> problems;
  shop.app().orders->check_invariants(problems);
  for (auto& p : problems) UNSCOPED_INFO(p);
  CHECK(problems.empty());
}

TEST_CASE("returns: delivered lines only, approval refunds", "[checkout][orders]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Boots"}, {"price", 100}}, 5);
  auto r = place(shop, 6, "k", order_body(pid, 2));
  REQUIRE(r.status == 201);
  std::string oid = r.body["order_id"];
  Orders& orders = *shop.app().orders;
  CHECK(orders.request_return(oid, 6, {{std::stoll(pid), 1}}, "too small").status().code() == "not_delivered");
  REQUIRE(orders.ship(oid, "USPS", "9400", "admin").ok());
  REQUIRE(orders.deliver(oid, "admin").ok());
  CHECK(orders.request_return(oid, 7, {{std::stoll(pid), 1}}, "").status().kind() == Kind::not_found);  // not theirs
  CHECK(orders.request_return(oid, 6, {{std::stoll(pid), 3}}, "").status().kind() == Kind::unprocessable);
  auto ret = orders.request_return(oid, 6, {{std::stoll(pid), 1}}, "too small");
  REQUIRE(ret.ok());
  auto list = shop.get("/api/v1/admin/returns?status=requested", shop.admin());
  CHECK(list.body["total"] == 1);
  auto ok = shop.post("/api/v1/admin/returns/" + std::to_string(ret->id) + "/approve", json::object(), shop.admin());
  INFO(ok.text);
  REQUIRE(ok.status == 200);
  CHECK(ok.body["status"] == "approved");
  CHECK(
      shop.post("/api/v1/admin/returns/" + std::to_string(ret->id) + "/approve", json::object(), shop.admin()).status ==
      409);
  auto d = orders.get(oid);
  CHECK(d->order.status == OrderStatus::partially_refunded);
  CHECK(d->order.refunded == 10900);
  CHECK(stock(shop, pid).total == 4);  // 5 - 2 + 1 restocked
}

// Not a test: `shopbox_tests "[.perf]"` prints service-level checkout
// throughput (durable, synchronous=FULL) for orientation. bench/ measures HTTP.
TEST_CASE("checkout throughput at concurrency 32", "[.perf]") {
  TestShop shop([](Config& c) {
    c.max_orders_per_user_hour = 0;
    c.max_orders_per_ip_hour = 0;
    c.max_orders_per_card_hour = 0;
  });
  auto pid = shop.create_product({{"name", "Perf"}, {"price", 10}}, 1000000);
  std::atomic<int> ok{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 32; ++i)
    threads.emplace_back([&, i] {
      for (int n = 0; !stop; ++n)
        if (place(shop, 1 + i, "p-" + std::to_string(i) + "-" + std::to_string(n), order_body(pid, 1)).status == 201)
          ++ok;
    });
  std::this_thread::sleep_for(std::chrono::seconds(5));
  stop = true;
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  WARN("orders/s: " << ok / secs);
}

TEST_CASE("commit costs", "[.perf]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Perf"}, {"price", 10}}, 1000000);
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i)
    REQUIRE(shop.app()
                .db
                ->write([&](Connection& c) {
                  outbox::append(c, "x", json::object());
                  return Status::Ok();
                })
                .ok());
  auto t1 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) REQUIRE(shop.app().inventory->adjust(std::stoll(pid), 1, "a", "b").ok());
  auto t2 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) {
    auto r = shop.app().inventory->reserve({{std::stoll(pid), 1}}, "u:1", 600);
    REQUIRE(r.ok());
    REQUIRE(shop.app().inventory->consume(r->id, "ord_" + std::to_string(i)).ok());
  }
  auto t3 = std::chrono::steady_clock::now();
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count() / 100; };
  WARN("sqlite write " << ms(t0, t1) << " ms, lmdb adjust " << ms(t1, t2) << " ms, reserve+consume " << ms(t2, t3)
                       << " ms");
}
