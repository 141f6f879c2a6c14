// Guests and the inbox: a guest checks out with an email and their cart,
// gets a readable order number and a signed link, finds the order again by
// number + email + a mailed code, and the account that later proves the
// same email owns those orders. Password reset never says whether an
// account exists, and its token works once.
#include <catch2/catch.hpp>

#include "support/fixtures.h"
#include "support/test_shop.h"

using namespace shopbox;
using shopbox::testing::address;
using shopbox::testing::card;
using shopbox::testing::Headers;
using shopbox::testing::last_event;
using shopbox::testing::Reply;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {

// A guest with a cart holding `qty` of `pid`: their cart token.
std::string guest_cart(TestShop& shop, const std::string& pid, int qty = 1) {
  auto r = shop.post("/api/v1/cart/items", {{"product_id", pid}, {"quantity", qty}});
  REQUIRE((r.status == 200 || r.status == 201));
  return r.body["cart_token"].get<std::string>();
}

Reply guest_checkout(TestShop& shop, const std::string& cart, const std::string& key, json body) {
  Headers h{{"Idempotency-Key", key}};
  if (!cart.empty()) h.emplace("X-Cart-Token", cart);
  return shop.post("/api/v1/orders", body, h);
}

json guest_body(const std::string& email) {
  return {{"email", email}, {"shipping_address", address()}, {"payment_method", card()}};
}

}  // namespace

TEST_CASE("a guest checks out with an email and gets a readable number and a signed link", "[guest][http]") {
  TestShop shop;
  std::string pid = shop.create_product({{"name", "Mug"}, {"price", 12.50}}, 10);
  std::string cart = guest_cart(shop, pid, 2);

  auto r = guest_checkout(shop, cart, "g-1", guest_body("Pat@Example.com"));
  REQUIRE(r.status == 201);
  CHECK(r.body["order_number"] == "1001");
  CHECK(r.body["guest"] == true);
  CHECK(r.body["email"] == "Pat@Example.com");
  CHECK(r.body["customer_name"] == "John Doe");
  CHECK(r.body["items"][0]["quantity"] == 2);
  std::string url = r.body["guest_order_url"].get<std::string>();
  CHECK(url.rfind("http://localhost:8080/orders/lookup?order=", 0) == 0);
  // The cart was bought.
  CHECK(shop.get("/api/v1/cart", {{"X-Cart-Token", cart}}).body["items"].empty());

  SECTION("the signed link opens the order; a changed token does not") {
    std::string id = r.body["order_id"].get<std::string>();
    std::string token = url.substr(url.find("&token=") + 7);
    auto ok = shop.get("/api/v1/orders/lookup?order_id=" + id + "&token=" + token);
    REQUIRE(ok.status == 200);
    CHECK(ok.body["order_number"] == "1001");
    token[0] = token[0] == 'a' ? 'b' : 'a';
    CHECK(shop.get("/api/v1/orders/lookup?order_id=" + id + "&token=" + token).status == 404);
  }

  SECTION("the next order is 1002; the same key from another guest is another order") {
    std::string other = guest_cart(shop, pid, 1);
    auto second = guest_checkout(shop, other, "g-1", guest_body("sam@example.com"));
    REQUIRE(second.status == 201);
    CHECK(second.body["order_number"] == "1002");
    CHECK(second.body["email"] == "sam@example.com");
    // And a replay under the first guest's cart answers the first order.
    auto replay = guest_checkout(shop, cart, "g-1", guest_body("Pat@Example.com"));
    CHECK(replay.status == 201);
    CHECK(replay.body["order_id"] == r.body["order_id"]);
    CHECK(replay.header("Idempotent-Replayed") == "true");
  }

  SECTION("an emailed code finds the order by number and email; guessing does not") {
    CHECK(shop.post("/api/v1/orders/lookup", {{"order_number", "#1001"}, {"email", "pat@example.com"}}).status == 202);
    // Unknown pairs answer the same, and send nothing.
    CHECK(shop.post("/api/v1/orders/lookup", {{"order_number", "1001"}, {"email", "eve@example.com"}}).status == 202);
    CHECK(shop.post("/api/v1/orders/lookup", {{"order_number", "9999"}, {"email", "pat@example.com"}}).status == 202);
    json ev = last_event(shop, "order.lookup_code");
    CHECK(ev["email"] == "Pat@Example.com");
    std::string code = ev["code"].get<std::string>();
    REQUIRE(code.size() == 6);
    std::string wrong = code == "000000" ? "111111" : "000000";
    CHECK(shop.get("/api/v1/orders/lookup?order_number=1001&email=pat%40example.com&code=" + wrong).status == 404);
    CHECK(shop.get("/api/v1/orders/lookup?order_number=1001&email=eve%40example.com&code=" + code).status == 404);
    auto found = shop.get("/api/v1/orders/lookup?order_number=1001&email=pat%40example.com&code=" + code);
    REQUIRE(found.status == 200);
    CHECK(found.body["order_id"] == r.body["order_id"]);
    // Single use.
    CHECK(shop.get("/api/v1/orders/lookup?order_number=1001&email=pat%40example.com&code=" + code).status == 404);
  }

  SECTION("five wrong codes kill the code") {
    REQUIRE(shop.post("/api/v1/orders/lookup", {{"order_number", "1001"}, {"email", "pat@example.com"}}).status == 202);
    std::string code = last_event(shop, "order.lookup_code")["code"].get<std::string>();
    std::string wrong = code == "000000" ? "111111" : "000000";
    for (int i = 0; i < 5; ++i)
      CHECK(shop.get("/api/v1/orders/lookup?order_number=1001&email=pat%40example.com&code=" + wrong).status == 404);
    CHECK(shop.get("/api/v1/orders/lookup?order_number=1001&email=pat%40example.com&code=" + code).status == 404);
  }

  SECTION("the account that verifies the email owns the guest's orders") {
    auto account = shop.register_user("pat@example.com");
    CHECK(shop.get("/api/v1/orders", account.auth).body["total"] == 0);
    json ev = last_event(shop, "account.verify_email");
    CHECK(ev["email"] == "pat@example.com");
    auto verified = shop.post("/api/v1/auth/verify-email", {{"token", ev["token"]}});
    REQUIRE(verified.status == 200);
    CHECK(verified.body["claimed_orders"] == 1);
    CHECK(verified.body["user"]["email_verified"] == true);
    auto mine = shop.get("/api/v1/orders", account.auth);
    REQUIRE(mine.body["total"] == 1);
    CHECK(mine.body["orders"][0]["order_number"] == "1001");
    // Used up.
    CHECK(shop.post("/api/v1/auth/verify-email", {{"token", ev["token"]}}).status == 400);
  }

  SECTION("the admin sees the guest among the customers, and the order's name and email") {
    auto guests = shop.get("/api/v1/admin/customers?type=guest", shop.admin());
    REQUIRE(guests.status == 200);
    REQUIRE(guests.body["total"] == 1);
    CHECK(guests.body["customers"][0]["email"] == "Pat@Example.com");
    CHECK(guests.body["customers"][0]["name"] == "John Doe");
    CHECK(guests.body["customers"][0]["orders"] == 1);
    CHECK(guests.body["customers"][0]["total_spent"].get<double>() > 25.0);
    auto order = shop.get("/api/v1/admin/orders/" + r.body["order_id"].get<std::string>(), shop.admin());
    CHECK(order.body["email"] == "Pat@Example.com");
    CHECK(order.body["customer_name"] == "John Doe");
  }
}

TEST_CASE("guest checkout refuses what a guest cannot give", "[guest][http]") {
  TestShop shop;
  std::string pid = shop.create_product({{"name", "Mug"}, {"price", 12.50}}, 10);
  std::string cart = guest_cart(shop, pid);

  auto no_email = guest_checkout(shop, cart, "k1", {{"shipping_address", address()}, {"payment_method", card()}});
  CHECK(no_email.status == 400);
  CHECK(no_email.body["error"]["details"]["field"] == "email");
  CHECK(guest_checkout(shop, cart, "k2", guest_body("not-an-email")).status == 400);
  CHECK(guest_checkout(shop, "", "k3", guest_body("pat@example.com")).status == 401);
  json saved = {{"email", "pat@example.com"}, {"shipping_address_id", "1"}, {"payment_method", card()}};
  CHECK(guest_checkout(shop, cart, "k4", saved).status == 400);
  // Nothing was bought.
  CHECK(shop.get("/api/v1/cart", {{"X-Cart-Token", cart}}).body["items"].size() == 1);

  SECTION("a shop that takes no guest orders says sign in") {
    TestShop members_only([](Config& c) { c.guest_checkout = 0; });
    std::string p2 = members_only.create_product({{"name", "Mug"}, {"price", 12.50}}, 10);
    std::string c2 = guest_cart(members_only, p2);
    CHECK(guest_checkout(members_only, c2, "k5", guest_body("pat@example.com")).status == 401);
  }
}

TEST_CASE("an address the shop could never mail is refused at checkout and sign-up", "[guest][http]") {
  TestShop shop;
  std::string pid = shop.create_product({{"name", "Mug"}, {"price", 12.50}}, 10);
  auto r = guest_checkout(shop, guest_cart(shop, pid), "u1", guest_body("j\xc3\xb6rg@example.com"));
  CHECK(r.status == 400);
  CHECK(r.body["error"]["details"]["field"] == "email");
  CHECK(shopbox::testing::count_rows(shop, "SELECT count(*) FROM orders") == 0);
  auto reg =
      shop.post("/api/v1/auth/register",
                {{"email", "j\xc3\xb6rg@example.com"}, {"password", "a long enough password"}, {"first_name", "J"}});
  CHECK(reg.status == 400);
}

TEST_CASE("the velocity rule counts a guest's orders by email", "[guest][http]") {
  TestShop shop([](Config& c) { c.max_orders_per_email_hour = 2; });
  std::string pid = shop.create_product({{"name", "Mug"}, {"price", 12.50}}, 10);
  for (std::string key : {"v0", "v1"})
    REQUIRE(guest_checkout(shop, guest_cart(shop, pid), key, guest_body("pat@example.com")).status == 201);
  auto third = guest_checkout(shop, guest_cart(shop, pid), "v3", guest_body("PAT@example.com"));
  CHECK(third.status == 429);
  CHECK(third.body["error"]["details"]["rule"] == "orders_per_email_hour");
}

TEST_CASE("password reset: always 202, a single-use token, every session signed out", "[guest][http][auth]") {
  TestShop shop;
  auto account = shop.register_user("kim@example.com");
  CHECK(shop.post("/api/v1/auth/password-reset", {{"email", "nobody@example.com"}}).status == 202);
  CHECK(shopbox::testing::count_rows(shop,
                                     "SELECT count(*) FROM outbox_events WHERE type = 'account.password_reset'") == 0);
  auto asked = shop.post("/api/v1/auth/password-reset", {{"email", "KIM@example.com"}});
  CHECK(asked.status == 202);
  json ev = last_event(shop, "account.password_reset");
  CHECK(ev["email"] == "kim@example.com");
  std::string token = ev["token"].get<std::string>();
  // The admin's event log never shows it.
  auto listed = shop.get("/api/v1/admin/webhooks/events?type=account.password_reset", shop.admin());
  REQUIRE(listed.body["events"].size() == 1);
  CHECK(listed.body["events"][0]["data"]["token"] == "[redacted]");

  CHECK(shop.post("/api/v1/auth/password-reset/confirm", {{"token", token}, {"password", "password"}}).status == 400);
  CHECK(shop.post("/api/v1/auth/password-reset/confirm",
                  {{"token", std::string("sbt_").append(64, '0')}, {"password", "a-new-plum-tree-7"}})
            .status == 400);
  auto done = shop.post("/api/v1/auth/password-reset/confirm", {{"token", token}, {"password", "a-new-plum-tree-7"}});
  REQUIRE(done.status == 200);
  CHECK(shop.get("/api/v1/me", account.auth).status == 401);  // signed out everywhere
  CHECK(shop.post("/api/v1/auth/login", {{"email", "kim@example.com"}, {"password", "plum-tree-42"}}).status == 401);
  CHECK(shop.post("/api/v1/auth/login", {{"email", "kim@example.com"}, {"password", "a-new-plum-tree-7"}}).status ==
        200);
  CHECK(shop.post("/api/v1/auth/password-reset/confirm", {{"token", token}, {"password", "another-plum-9"}}).status ==
        400);

  SECTION("a token older than 30 minutes is refused") {
    REQUIRE(shop.post("/api/v1/auth/password-reset", {{"email", "kim@example.com"}}).status == 202);
    std::string late = last_event(shop, "account.password_reset")["token"].get<std::string>();
    shopbox::testing::ClockReset reset;
    set_clock_offset(31 * 60);
    CHECK(shop.post("/api/v1/auth/password-reset/confirm", {{"token", late}, {"password", "a-later-plum-8"}}).status ==
          400);
  }
}
