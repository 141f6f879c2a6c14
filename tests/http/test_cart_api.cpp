#include <catch2/catch.hpp>

#include "base/clock.h"
#include "cart/cart.h"
#include "support/fixtures.h"
#include "support/test_shop.h"

using shopbox::testing::ClockReset;
using shopbox::testing::Headers;
using shopbox::testing::Reply;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {
const std::string kToken = "0123456789abcdef0123456789abcdef";
Headers guest(const std::string& token = kToken) {
  return {{"X-Cart-Token", token}};
}
std::string money(const json& v) {
  return v.dump();
}
}  // namespace

TEST_CASE("add to cart answers 201 with the seed's cart and summary", "[http][cart]") {
  TestShop shop;
  auto id = shop.create_product(
      {{"name", "Wireless Bluetooth Headphones"},
       {"images", {"/images/products/1/1.svg"}},
       {"options", {{{"name", "Color"}, {"values", {"Black", "White"}}}, {{"name", "Size"}, {"values", {"Medium"}}}}},
       {"variants",
        {{{"options", {{"Color", "Black"}, {"Size", "Medium"}}}, {"price", 99.99}, {"sale_price", 84.99}, {"stock", 42}},
         {{"options", {{"Color", "White"}, {"Size", "Medium"}}}, {"price", 99.99}, {"stock", 3}}}}});
  auto r =
      shop.post("/api/v1/cart/items",
                {{"product_id", id}, {"quantity", 2}, {"selected_options", {{"color", "Black"}, {"size", "Medium"}}}});
  INFO(r.text);
  REQUIRE(r.status == 201);
  CHECK(r.body["cart_id"].get<std::string>().rfind("cart_", 0) == 0);
  REQUIRE(r.body["items"].size() == 1);
  auto line = r.body["items"][0];
  CHECK(line["cart_item_id"].get<std::string>().rfind("item_", 0) == 0);
  CHECK(line["product_id"] == id);
  CHECK(line["name"] == "Wireless Bluetooth Headphones");
  CHECK(line["quantity"] == 2);
  CHECK(money(line["unit_price"]) == "84.99");
  CHECK(money(line["original_price"]) == "99.99");
  CHECK(money(line["subtotal"]) == "169.98");
  CHECK(line["image"] == "/images/products/1/1.svg");
  CHECK(line["available"] == 42);
  CHECK(line["in_stock"] == true);
  CHECK(line["unavailable"] == false);
  // The seed's lower-case names choose the variant; the line spells them
  // as the product does.
  CHECK(line["selected_options"] == json({{"Color", "Black"}, {"Size", "Medium"}}));
  CHECK(line["variant_title"] == "Black / Medium");
  auto s = r.body["summary"];
  CHECK(s["items_count"] == 2);
  CHECK(money(s["subtotal"]) == "169.98");
  CHECK(money(s["discount"]) == "0");
  CHECK(money(s["tax"]) == "15.3");
  CHECK(money(s["shipping"]) == "0");
  CHECK(money(s["total"]) == "185.28");
  CHECK(money(s["savings"]) == "30");
  CHECK(s["currency"] == "USD");
  auto expires = shopbox::parse_iso8601(r.body["expires_at"].get<std::string>());
  REQUIRE(expires);
  CHECK(std::llabs(*expires - (shopbox::now_seconds() + 30 * 24 * 3600)) <= 5);

  // A guest gets a token: in the body, the header and an HttpOnly cookie.
  std::string token = r.body["cart_token"];
  CHECK(shopbox::valid_cart_token(token));
  CHECK(r.header("X-Cart-Token") == token);
  auto cookie = r.header("Set-Cookie");
  CHECK(cookie.find("shopbox_cart=" + token) == 0);
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Lax") != std::string::npos);
  CHECK(cookie.find("Path=/") != std::string::npos);

  // The cookie alone finds the cart again; so does the header.
  auto by_cookie = shop.get("/api/v1/cart", {{"Cookie", "other=1; shopbox_cart=" + token}});
  CHECK(by_cookie.status == 200);
  CHECK(by_cookie.body["cart_id"] == r.body["cart_id"]);
  CHECK(by_cookie.body["items"].size() == 1);
  auto by_header = shop.get("/api/v1/cart", guest(token));
  CHECK(by_header.body["summary"]["items_count"] == 2);
  CHECK(by_header.header("Set-Cookie").empty());  // reads never set the cookie
}

TEST_CASE("adding a product already in the cart sets its quantity, never a second line", "[http][cart]") {
  TestShop shop;
  auto a = shop.create_product({{"name", "A"}, {"price", 10}}, 50);
  auto b = shop.create_product({{"name", "B"}, {"price", 20}}, 50);
  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 1}}, guest()).status == 201);
  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", b}}, guest()).status == 201);  // quantity defaults to 1
  auto r = shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 3}}, guest());
  REQUIRE(r.status == 201);
  REQUIRE(r.body["items"].size() == 2);
  CHECK(r.body["items"][0]["product_id"] == a);
  CHECK(r.body["items"][0]["quantity"] == 3);
  auto again = shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 3}}, guest());
  CHECK(again.body["items"].size() == 2);
  CHECK(again.body["items"][0]["cart_item_id"] == r.body["items"][0]["cart_item_id"]);
  CHECK(again.body["summary"]["items_count"] == 4);
  CHECK(money(again.body["summary"]["subtotal"]) == "50");
  CHECK(money(again.body["summary"]["shipping"]) == "5.99");  // exactly $50.00 is not over $50
  CHECK(money(again.body["summary"]["tax"]) == "4.5");
  CHECK(money(again.body["summary"]["total"]) == "60.49");
}

TEST_CASE("patch, delete, save for later and move back", "[http][cart]") {
  TestShop shop;
  auto a = shop.create_product({{"name", "A"}, {"price", 30}}, 5);
  auto b = shop.create_product({{"name", "B"}, {"price", 40}}, 5);
  shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 1}}, guest());
  shop.post("/api/v1/cart/items", {{"product_id", b}, {"quantity", 1}}, guest());

  auto p = shop.patch("/api/v1/cart/items/" + a, {{"quantity", 2}}, guest());
  REQUIRE(p.status == 200);
  CHECK(p.body["items"][0]["quantity"] == 2);
  CHECK(money(p.body["summary"]["subtotal"]) == "100");

  auto s = shop.post("/api/v1/cart/items/" + b + "/save-for-later", json::object(), guest());
  REQUIRE(s.status == 200);
  CHECK(s.body["items"].size() == 1);
  REQUIRE(s.body["saved_for_later"].size() == 1);
  CHECK(s.body["saved_for_later"][0]["product_id"] == b);
  CHECK(money(s.body["summary"]["subtotal"]) == "60");  // saved lines are not in the totals
  CHECK(shop.post("/api/v1/cart/items/" + b + "/save-for-later", json::object(), guest()).status ==
        200);                                                                              // again: no change
  CHECK(shop.patch("/api/v1/cart/items/" + b, {{"quantity", 2}}, guest()).status == 404);  // not in the cart proper

  auto m = shop.post("/api/v1/cart/items/" + b + "/move-to-cart", json::object(), guest());
  REQUIRE(m.status == 200);
  CHECK(m.body["items"].size() == 2);
  CHECK(m.body["saved_for_later"].empty());
  CHECK(money(m.body["summary"]["subtotal"]) == "100");

  auto d = shop.del("/api/v1/cart/items/" + a, guest());
  REQUIRE(d.status == 200);
  CHECK(d.body["items"].size() == 1);
  CHECK(shop.del("/api/v1/cart/items/" + a, guest()).status == 404);
  CHECK(shop.post("/api/v1/cart/items/" + a + "/move-to-cart", json::object(), guest()).status == 404);
  CHECK(shop.post("/api/v1/cart/items/" + a + "/save-for-later", json::object(), guest()).status == 404);

  // Saved for later, then deleted from there.
  shop.post("/api/v1/cart/items/" + b + "/save-for-later", json::object(), guest());
  auto d2 = shop.del("/api/v1/cart/items/" + b, guest());
  CHECK(d2.status == 200);
  CHECK(d2.body["saved_for_later"].empty());
  CHECK(d2.body["items"].empty());
  CHECK(money(d2.body["summary"]["total"]) == "0");
}

TEST_CASE("more than is available is a 409 with what is available, and changes nothing", "[http][cart]") {
  TestShop shop;
  auto a = shop.create_product({{"name", "Scarce"}, {"price", 10}}, 3);
  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 2}}, guest()).status == 201);
  auto r = shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 4}}, guest());
  REQUIRE(r.status == 409);
  CHECK(r.body["error"]["code"] == "out_of_stock");
  REQUIRE(r.body["error"]["details"]["items"].size() == 1);
  CHECK(r.body["error"]["details"]["items"][0]["product_id"] == a);
  CHECK(r.body["error"]["details"]["items"][0]["requested"] == 4);
  CHECK(r.body["error"]["details"]["items"][0]["available"] == 3);
  auto p = shop.patch("/api/v1/cart/items/" + a, {{"quantity", 5}}, guest());
  CHECK(p.status == 409);
  CHECK(p.body["error"]["details"]["items"][0]["available"] == 3);
  auto cart = shop.get("/api/v1/cart", guest());
  CHECK(cart.body["items"][0]["quantity"] == 2);

  auto none = shop.create_product({{"name", "None"}, {"price", 10}}, 0);
  auto z = shop.post("/api/v1/cart/items", {{"product_id", none}, {"quantity", 1}}, guest());
  CHECK(z.status == 409);
  CHECK(z.body["error"]["details"]["items"][0]["available"] == 0);
  CHECK(shop.get("/api/v1/cart", guest()).body["items"].size() == 1);
}

TEST_CASE("bad input on every cart route is a JSON 400/404 and changes nothing", "[http][cart]") {
  TestShop shop;
  auto a = shop.create_product({{"name", "A"}, {"price", 10}}, 5);
  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 1}}, guest()).status == 201);
  auto before = shop.get("/api/v1/cart", guest()).body;

  for (json q : {json(0), json(-1), json(1000), json(1e20), json("2"), json(2.5), json(true),
                 json(-9223372036854775807LL), json(18446744073709551615ULL)}) {
    INFO(q.dump());
    auto r = shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", q}}, guest());
    CHECK(r.status == 400);
    CHECK(r.body["error"]["details"]["field"] == "quantity");
    CHECK(shop.patch("/api/v1/cart/items/" + a, {{"quantity", q}}, guest()).status == 400);
  }
  CHECK(shop.patch("/api/v1/cart/items/" + a, json::object(), guest()).status == 400);
  for (json pid : {json(nullptr), json("abc"), json(-4), json(0), json("1.5"), json::array()}) {
    INFO(pid.dump());
    auto r = shop.post("/api/v1/cart/items", {{"product_id", pid}, {"quantity", 1}}, guest());
    CHECK(r.status == 400);
    CHECK(r.body["error"]["details"]["field"] == "product_id");
  }
  auto unknown = shop.post("/api/v1/cart/items", {{"product_id", "999999"}, {"quantity", 1}}, guest());
  CHECK(unknown.status == 404);
  CHECK(unknown.body["error"]["code"] == "not_found");
  CHECK(shop.patch("/api/v1/cart/items/999999", {{"quantity", 1}}, guest()).status == 404);
  CHECK(shop.patch("/api/v1/cart/items/abc", {{"quantity", 1}}, guest()).status == 404);
  CHECK(shop.del("/api/v1/cart/items/-1", guest()).status == 404);

  for (std::string raw : {"{", "[]", "", "null", "\"x\"", "{\"product_id\": }"}) {
    INFO(raw);
    auto r = shop.post_raw("/api/v1/cart/items", raw, guest());
    CHECK(r.status == 400);
    CHECK(r.body["error"].is_object());
  }
  CHECK(shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 1}, {"price", 0.01}}, guest()).status == 400);
  CHECK(shop.post("/api/v1/cart/items", {{"product_id", a}, {"selected_options", "red"}}, guest()).status == 400);
  CHECK(shop.post("/api/v1/cart/items", {{"product_id", a}, {"selected_options", {{"color", 3}}}}, guest()).status ==
        400);

  // Malformed tokens in the header are a 400; nothing is created.
  for (std::string t :
       std::vector<std::string>{"short", "0123456789ABCDEF0123456789ABCDEF", std::string(32, 'g'), kToken + "0"}) {
    INFO(t);
    auto r = shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 1}}, guest(t));
    CHECK(r.status == 400);
    CHECK(r.body["error"]["code"] == "invalid_cart_token");
    CHECK(shop.get("/api/v1/cart", guest(t)).status == 400);
  }
  auto after = shop.get("/api/v1/cart", guest()).body;
  CHECK(after == before);
  CHECK(shop.app().cart->count() == 1);
}

TEST_CASE("a malformed cart cookie is replaced, not an error; no token reads an empty cart", "[http][cart]") {
  TestShop shop;
  auto a = shop.create_product({{"name", "A"}, {"price", 10}}, 5);
  auto empty = shop.get("/api/v1/cart");
  REQUIRE(empty.status == 200);
  CHECK(empty.body["cart_id"].is_null());
  CHECK(empty.body["items"].empty());
  CHECK(empty.body["summary"]["items_count"] == 0);
  CHECK(money(empty.body["summary"]["total"]) == "0");
  CHECK(empty.body["cart_token"].is_null());
  CHECK(shop.app().cart->count() == 0);  // reading creates nothing

  std::string origin = "http://127.0.0.1:" + std::to_string(shop.port());
  auto r = shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 1}},
                     {{"Cookie", "shopbox_cart=garbage"}, {"Origin", origin}});
  REQUIRE(r.status == 201);
  std::string token = r.body["cart_token"];
  CHECK(token != "garbage");
  CHECK(shopbox::valid_cart_token(token));
  CHECK(r.header("Set-Cookie").find("shopbox_cart=" + token) == 0);
  // Two guests never see each other's carts.
  CHECK(shop.get("/api/v1/cart", guest()).body["items"].empty());
}

TEST_CASE("lines show the current price; out-of-stock and deleted products stay flagged, outside the totals",
          "[http][cart]") {
  TestShop shop;
  auto a = shop.create_product({{"name", "Lamp"}, {"price", 30}}, 5);
  auto b = shop.create_product({{"name", "Desk"}, {"price", 40}}, 5);
  auto c = shop.create_product({{"name", "Chair"}, {"price", 25}}, 5);
  for (auto& id : {a, b, c})
    REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", id}, {"quantity", 2}}, guest()).status == 201);

  REQUIRE(shop.patch("/api/v1/admin/products/" + a, {{"sale_price", 20}}, shop.admin()).status == 200);
  REQUIRE(shop.put("/api/v1/admin/inventory/" + b, {{"total", 0}}, shop.admin()).status == 200);
  REQUIRE(shop.put("/api/v1/admin/inventory/" + c, {{"total", 1}}, shop.admin()).status == 200);
  auto cart = shop.get("/api/v1/cart", guest());
  REQUIRE(cart.status == 200);
  auto items = cart.body["items"];
  REQUIRE(items.size() == 3);
  CHECK(money(items[0]["unit_price"]) == "20");
  CHECK(money(items[0]["original_price"]) == "30");
  CHECK(items[1]["unavailable"] == true);
  CHECK(items[1]["in_stock"] == false);
  CHECK(items[1]["available"] == 0);
  CHECK(items[2]["unavailable"] == false);
  CHECK(items[2]["insufficient_stock"] == true);
  CHECK(items[2]["available"] == 1);
  // 2 x 20 + 2 x 25 = 90; the desk is left out.
  CHECK(cart.body["summary"]["items_count"] == 4);
  CHECK(money(cart.body["summary"]["subtotal"]) == "90");
  CHECK(money(cart.body["summary"]["tax"]) == "8.1");
  CHECK(money(cart.body["summary"]["total"]) == "98.1");

  // Lowering an over-quantity line is allowed even though stock is short.
  CHECK(shop.patch("/api/v1/cart/items/" + c, {{"quantity", 1}}, guest()).status == 200);

  REQUIRE(shop.del("/api/v1/admin/products/" + a, shop.admin()).status / 100 == 2);
  auto after = shop.get("/api/v1/cart", guest());
  REQUIRE(after.body["items"].size() == 3);
  CHECK(after.body["items"][0]["name"] == "Lamp");
  CHECK(after.body["items"][0]["unavailable"] == true);
  CHECK(money(after.body["summary"]["subtotal"]) == "25");
}

TEST_CASE("carts expire after their TTL, renewed by every change, and are swept", "[http][cart]") {
  ClockReset reset;
  TestShop shop;
  auto a = shop.create_product({{"name", "A"}, {"price", 10}}, 5);
  auto first = shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 1}}, guest());
  REQUIRE(first.status == 201);
  auto e1 = *shopbox::parse_iso8601(first.body["expires_at"].get<std::string>());

  shopbox::set_clock_offset(20 * 24 * 3600);
  auto renewed = shop.patch("/api/v1/cart/items/" + a, {{"quantity", 2}}, guest());
  REQUIRE(renewed.status == 200);
  auto e2 = *shopbox::parse_iso8601(renewed.body["expires_at"].get<std::string>());
  CHECK(e2 - e1 >= 20 * 24 * 3600 - 5);

  shopbox::set_clock_offset(20 * 24 * 3600 + 29 * 24 * 3600);
  CHECK(shop.get("/api/v1/cart", guest()).body["items"].size() == 1);  // renewed: still there
  shopbox::set_clock_offset(20 * 24 * 3600 + 31 * 24 * 3600);
  auto gone = shop.get("/api/v1/cart", guest());
  CHECK(gone.body["items"].empty());
  CHECK(gone.body["cart_id"].is_null());
  CHECK(shop.app().cart->count() == 1);
  CHECK(shop.app().cart->sweep_expired() == 1);
  CHECK(shop.app().cart->count() == 0);
  // A new change starts a fresh cart under the same token.
  auto fresh = shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 1}}, guest());
  CHECK(fresh.status == 201);
  CHECK(fresh.body["cart_id"] != first.body["cart_id"]);
  CHECK(fresh.body["items"].size() == 1);
}

TEST_CASE("merge moves a guest cart into a user's cart; remove_lines drops bought lines", "[http][cart]") {
  TestShop shop;
  auto a = shop.create_product({{"name", "A"}, {"price", 10}}, 50);
  auto b = shop.create_product({{"name", "B"}, {"price", 20}}, 50);
  auto c = shop.create_product({{"name", "C"}, {"price", 30}}, 50);
  auto& cart = *shop.app().cart;
  int64_t ia = std::stoll(a), ib = std::stoll(b), ic = std::stoll(c);
  REQUIRE(cart.add_item("u:7", {ia}, 2).ok());
  REQUIRE(cart.add_item("u:7", {ic}, 1).ok());
  REQUIRE(cart.save_for_later("u:7", ic).ok());
  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 3}}, guest()).status == 201);
  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", b}, {"quantity", 1}}, guest()).status == 201);
  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", c}, {"quantity", 4}}, guest()).status == 201);

  REQUIRE(cart.merge("g:" + kToken, "u:7").ok());
  auto merged = cart.get("u:7");
  REQUIRE(merged.ok());
  REQUIRE(merged->items.size() == 3);
  CHECK(merged->items[0].line.product_id == ia);
  CHECK(merged->items[0].line.quantity == 5);  // 2 + 3
  CHECK(merged->items[1].line.quantity == 1);
  CHECK(merged->items[2].line.product_id == ic);  // back from saved-for-later
  CHECK(merged->items[2].line.quantity == 4);
  CHECK(merged->saved.empty());
  CHECK(shop.get("/api/v1/cart", guest()).body["items"].empty());  // the guest cart is gone
  CHECK(cart.merge("g:" + kToken, "u:7").ok());                    // again: a no-op
  CHECK(cart.get("u:7")->items.size() == 3);

  REQUIRE(cart.remove_lines("u:7", {ia, ic, 424242}).ok());
  auto left = cart.get("u:7");
  REQUIRE(left->items.size() == 1);
  CHECK(left->items[0].line.product_id == ib);
  CHECK(cart.remove_lines("u:nobody", {ia}).ok());
}

TEST_CASE("a cart holds at most 100 different products", "[http][cart]") {
  TestShop shop;
  auto& cart = *shop.app().cart;
  std::vector<int64_t> ids;
  for (int i = 0; i < 101; ++i)
    ids.push_back(std::stoll(shop.create_product({{"name", std::to_string(1000 + i)}, {"price", 1}}, 5)));
  for (int i = 0; i < 100; ++i) REQUIRE(cart.add_item("g:" + kToken, {ids[i]}, 1).ok());
  auto r = shop.post("/api/v1/cart/items", {{"product_id", std::to_string(ids[100])}, {"quantity", 1}}, guest());
  CHECK(r.status == 422);
  CHECK(r.body["error"]["code"] == "cart_full");
  CHECK(shop.get("/api/v1/cart", guest()).body["items"].size() == 100);
}

TEST_CASE("cookie-carried cart changes need the shop's origin (CSRF)", "[http][cart]") {
  TestShop shop;
  auto a = shop.create_product({{"name", "A"}, {"price", 10}}, 5);
  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 1}}, guest()).status == 201);
  Headers cross = {{"Cookie", "shopbox_cart=" + kToken}, {"Origin", "https://evil.example"}};
  auto r = shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 5}}, cross);
  CHECK(r.status == 403);
  CHECK(shop.del("/api/v1/cart/items/" + a, cross).status == 403);
  CHECK(shop.get("/api/v1/cart", guest()).body["items"][0]["quantity"] == 1);
  Headers same = {{"Cookie", "shopbox_cart=" + kToken}, {"Origin", "http://127.0.0.1:" + std::to_string(shop.port())}};
  CHECK(shop.patch("/api/v1/cart/items/" + a, {{"quantity", 2}}, same).status == 200);
}

TEST_CASE("a signed-in user's cart is theirs, and login merges the guest cart", "[http][cart]") {
  TestShop shop;
  auto a = shop.create_product({{"name", "A"}, {"price", 10}}, 20);
  auto b = shop.create_product({{"name", "B"}, {"price", 20}}, 20);
  auto user = shop.register_user("cart@example.com");
  auto mine = shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 2}}, user.auth);
  REQUIRE(mine.status == 201);
  CHECK(mine.body["cart_token"].is_null());
  CHECK(mine.header("X-Cart-Token").empty());
  CHECK(mine.header("Set-Cookie").find("shopbox_cart") == std::string::npos);
  CHECK(shop.get("/api/v1/cart", user.auth).body["items"].size() == 1);
  CHECK(shop.get("/api/v1/cart").body["items"].empty());  // not visible anonymously
  CHECK(shop.get("/api/v1/cart", guest()).body["items"].empty());

  // Shopping as a guest, then signing in: the guest lines join the user's cart.
  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", a}, {"quantity", 1}}, guest()).status == 201);
  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", b}, {"quantity", 3}}, guest()).status == 201);
  auto login = shop.post("/api/v1/auth/login", {{"email", "cart@example.com"}, {"password", "plum-tree-42"}}, guest());
  REQUIRE(login.status == 200);
  auto merged = shop.get("/api/v1/cart", user.auth);
  REQUIRE(merged.body["items"].size() == 2);
  CHECK(merged.body["items"][0]["quantity"] == 3);
  CHECK(merged.body["items"][1]["quantity"] == 3);
  CHECK(shop.get("/api/v1/cart", guest()).body["items"].empty());
}
