// Wishlist over HTTP: add/list/remove, bad input, and the notifications a
// price drop or a restock of a wished item produces (once each).
#include <catch2/catch.hpp>

#include "app.h"
#include "support/test_shop.h"
#include "wishlist/wishlist.h"

using shopbox::testing::Headers;
using shopbox::testing::TestShop;
using json = nlohmann::json;

TEST_CASE("wishlist: add, list newest first, remove", "[http][wishlist]") {
  TestShop shop;
  auto lamp = shop.create_product({{"name", "Lamp"}, {"price", 30}}, 4);
  auto rug = shop.create_product({{"name", "Rug"}, {"price", 80}}, 0);
  auto ada = shop.register_user("ada@example.com");
  auto bob = shop.register_user("bob@example.com");

  auto add = shop.post("/api/v1/me/wishlist", {{"product_id", lamp}}, ada.auth);
  REQUIRE(add.status == 201);
  CHECK(add.body["added"] == true);
  CHECK(shop.post("/api/v1/me/wishlist", {{"product_id", lamp}}, ada.auth).status == 200);  // already there
  REQUIRE(shop.post("/api/v1/me/wishlist", {{"product_id", rug}}, ada.auth).status == 201);

  auto list = shop.get("/api/v1/me/wishlist", ada.auth);
  REQUIRE(list.status == 200);
  CHECK(list.body["total"] == 2);
  REQUIRE(list.body["items"].size() == 2);
  auto items = list.body["items"];
  CHECK(((items[0]["product_id"] == rug && items[1]["product_id"] == lamp) ||
         (items[0]["product_id"] == lamp && items[1]["product_id"] == rug)));
  for (const auto& it : items) {
    if (it["product_id"] == lamp) {
      CHECK(it["name"] == "Lamp");
      CHECK(it["in_stock"] == true);
      CHECK(it["price_when_added"] == 30);
    } else {
      CHECK(it["in_stock"] == false);
    }
  }
  // Another user's wishlist is separate.
  CHECK(shop.get("/api/v1/me/wishlist", bob.auth).body["total"] == 0);
  CHECK(shop.del("/api/v1/me/wishlist/" + lamp, bob.auth).status == 404);

  CHECK(shop.del("/api/v1/me/wishlist/" + lamp, ada.auth).status == 204);
  CHECK(shop.del("/api/v1/me/wishlist/" + lamp, ada.auth).status == 404);
  CHECK(shop.get("/api/v1/me/wishlist", ada.auth).body["total"] == 1);
}

TEST_CASE("wishlist: bad input is refused and changes nothing", "[http][wishlist]") {
  TestShop shop;
  auto lamp = shop.create_product({{"name", "Lamp"}});
  auto ada = shop.register_user("ada@example.com");
  CHECK(shop.get("/api/v1/me/wishlist").status == 401);
  CHECK(shop.post("/api/v1/me/wishlist", {{"product_id", lamp}}).status == 401);
  CHECK(shop.get("/api/v1/me/wishlist", shop.admin()).status == 403);
  for (json bad : {json::object(), json{{"product_id", "abc"}}, json{{"product_id", -3}}, json{{"product_id", true}},
                   json{{"product_id", lamp}, {"quantity", 2}}}) {
    INFO(bad.dump());
    CHECK(shop.post("/api/v1/me/wishlist", bad, ada.auth).status == 400);
  }
  CHECK(shop.post_raw("/api/v1/me/wishlist", "nope", ada.auth).status == 400);
  CHECK(shop.post("/api/v1/me/wishlist", {{"product_id", "987654"}}, ada.auth).status == 404);
  CHECK(shop.get("/api/v1/me/wishlist?size=500", ada.auth).status == 400);
  CHECK(shop.del("/api/v1/me/wishlist/xyz", ada.auth).status == 404);
  CHECK(shop.get("/api/v1/me/wishlist", ada.auth).body["total"] == 0);
}

TEST_CASE("a price drop of a wished item notifies each wisher once", "[http][wishlist]") {
  TestShop shop;
  auto lamp = shop.create_product({{"name", "Lamp"}, {"price", 40}}, 5);
  auto ada = shop.register_user("ada@example.com");
  auto bob = shop.register_user("bob@example.com");
  REQUIRE(shop.post("/api/v1/me/wishlist", {{"product_id", lamp}}, ada.auth).status == 201);

  // A price rise is not a drop.
  REQUIRE(shop.patch("/api/v1/admin/products/" + lamp, {{"price", 45}}, shop.admin()).status == 200);
  CHECK(shop.get("/api/v1/me/notifications", ada.auth).body["total"] == 0);

  REQUIRE(shop.patch("/api/v1/admin/products/" + lamp, {{"sale_price", 29.99}}, shop.admin()).status == 200);
  auto n = shop.get("/api/v1/me/notifications", ada.auth);
  REQUIRE(n.status == 200);
  REQUIRE(n.body["total"] == 1);
  CHECK(n.body["unread"] == 1);
  CHECK(n.body["notifications"][0]["type"] == "wishlist.price_drop");
  CHECK(n.body["notifications"][0]["product_id"] == lamp);
  CHECK(n.body["notifications"][0]["data"]["old_price"] == 45);
  CHECK(n.body["notifications"][0]["data"]["new_price"] == 29.99);
  CHECK(shop.get("/api/v1/me/notifications", bob.auth).body["total"] == 0);

  // Nothing new to report: checking again writes nothing.
  CHECK(shop.app().wishlist->scan() == 0);
  REQUIRE(shop.patch("/api/v1/admin/products/" + lamp, {{"name", "Lamp II"}}, shop.admin()).status == 200);
  CHECK(shop.get("/api/v1/me/notifications", ada.auth).body["total"] == 1);

  auto read = shop.post("/api/v1/me/notifications/read", json::object(), ada.auth);
  REQUIRE(read.status == 200);
  CHECK(read.body["marked_read"] == 1);
  CHECK(shop.get("/api/v1/me/notifications", ada.auth).body["unread"] == 0);
  CHECK(shop.get("/api/v1/me/notifications?size=0", ada.auth).status == 400);
}

TEST_CASE("a restock of a sold-out wished item notifies back_in_stock once", "[http][wishlist]") {
  TestShop shop([](shopbox::Config& c) { c.wishlist_watch_seconds = 0; });  // the test drives the checks
  auto rug = shop.create_product({{"name", "Rug"}, {"price", 80}}, 0);
  auto ada = shop.register_user("ada@example.com");
  REQUIRE(shop.post("/api/v1/me/wishlist", {{"product_id", rug}}, ada.auth).status == 201);
  CHECK(shop.app().wishlist->scan() == 0);

  REQUIRE(shop.put("/api/v1/admin/inventory/" + rug, {{"total", 3}, {"reason", "delivery"}}, shop.admin()).status ==
          200);
  CHECK(shop.app().wishlist->scan() == 1);
  CHECK(shop.app().wishlist->scan() == 0);
  auto n = shop.get("/api/v1/me/notifications", ada.auth);
  REQUIRE(n.body["total"] == 1);
  CHECK(n.body["notifications"][0]["type"] == "wishlist.back_in_stock");
  CHECK(n.body["notifications"][0]["data"]["price"] == 80);

  // Sold out again, then restocked: a second notification.
  REQUIRE(shop.put("/api/v1/admin/inventory/" + rug, {{"total", 0}, {"reason", "count"}}, shop.admin()).status == 200);
  CHECK(shop.app().wishlist->scan() == 0);
  REQUIRE(shop.put("/api/v1/admin/inventory/" + rug, {{"total", 1}, {"reason", "delivery"}}, shop.admin()).status ==
          200);
  CHECK(shop.app().wishlist->scan() == 1);
  CHECK(shop.get("/api/v1/me/notifications", ada.auth).body["total"] == 2);
}

TEST_CASE("wishlist: move to cart adds the product to the cart and takes it off the wishlist", "[http][wishlist]") {
  TestShop shop;
  auto lamp = shop.create_product({{"name", "Lamp"}, {"price", 30}}, 4);
  auto rug = shop.create_product({{"name", "Rug"}, {"price", 80}}, 0);
  auto ada = shop.register_user("ada@example.com");
  auto bob = shop.register_user("bob@example.com");
  REQUIRE(shop.post("/api/v1/me/wishlist", {{"product_id", lamp}}, ada.auth).status == 201);
  REQUIRE(shop.post("/api/v1/me/wishlist", {{"product_id", rug}}, ada.auth).status == 201);

  // Not on Bob's wishlist; bad quantities; none of it changes anything.
  CHECK(shop.post("/api/v1/me/wishlist/" + lamp + "/move-to-cart", json::object(), bob.auth).status == 404);
  CHECK(shop.post("/api/v1/me/wishlist/" + lamp + "/move-to-cart", {{"quantity", 0}}, ada.auth).status == 400);
  CHECK(shop.post("/api/v1/me/wishlist/" + lamp + "/move-to-cart", {{"qty", 1}}, ada.auth).status == 400);
  // The rug is out of stock: 409, and it stays wished.
  auto sold_out = shop.post("/api/v1/me/wishlist/" + rug + "/move-to-cart", json::object(), ada.auth);
  CHECK(sold_out.status == 409);
  CHECK(shop.get("/api/v1/me/wishlist", ada.auth).body["total"] == 2);
  CHECK(shop.get("/api/v1/cart", ada.auth).body["items"].empty());

  auto moved = shop.post("/api/v1/me/wishlist/" + lamp + "/move-to-cart", {{"quantity", 2}}, ada.auth);
  INFO(moved.text);
  REQUIRE(moved.status == 200);
  REQUIRE(moved.body["items"].size() == 1);
  CHECK(moved.body["items"][0]["product_id"] == lamp);
  CHECK(moved.body["items"][0]["quantity"] == 2);
  auto cart = shop.get("/api/v1/cart", ada.auth);
  CHECK(cart.body["items"].size() == 1);
  auto wished = shop.get("/api/v1/me/wishlist", ada.auth);
  CHECK(wished.body["total"] == 1);
  CHECK(wished.body["items"][0]["product_id"] == rug);
  CHECK(shop.post("/api/v1/me/wishlist/" + lamp + "/move-to-cart", json::object(), ada.auth).status == 404);
  CHECK(shop.get("/api/v1/cart", bob.auth).body["items"].empty());
}
