// Products with options and variants over HTTP: what a merchant creates,
// what a shopper chooses and buys, and that stock is per variant (a race
// on one variant never touches another).
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

Headers with_idempotency_key(Headers h, const std::string& key) {
  h.emplace("Idempotency-Key", key);
  return h;
}

// A T-shirt in Blue and Green, sizes S, M, L: L costs more, Green / S is sold out.
json tee_body() {
  json variants = json::array();
  for (const char* color : {"Blue", "Green"})
    for (const char* size : {"S", "M", "L"}) {
      bool large = std::string(size) == "L";
      bool sold_out = std::string(color) == "Green" && std::string(size) == "S";
      variants.push_back({{"options", {{"Color", color}, {"Size", size}}},
                          {"price", large ? 24 : 20},
                          {"stock", sold_out ? 0 : 5},
                          {"barcode", std::string("40000") + color[0] + size}});
    }
  return {{"name", "Organic Tee"},
          {"sku", "TEE"},
          {"options", {{{"name", "Color"}, {"values", {"Blue", "Green"}}}, {{"name", "Size"}, {"values", {"S", "M", "L"}}}}},
          {"variants", variants}};
}

json variant_of(const json& product, const std::string& color, const std::string& size) {
  for (const auto& v : product["variants"])
    if (v["options"]["Color"] == color && v["options"]["Size"] == size) return v;
  FAIL("no variant " << color << " / " << size);
  return nullptr;
}

std::string variant_of_color(const json& product, const std::string& color) {
  for (const auto& v : product["variants"])
    if (v["options"]["Color"] == color) return v["variant_id"];
  FAIL("no variant " << color);
  return "";
}

}  // namespace

TEST_CASE("a product with options has a variant per combination, each with its own SKU, price and stock",
          "[http][variants]") {
  TestShop shop;
  auto created = shop.post("/api/v1/admin/products", tee_body(), shop.admin());
  INFO(created.text);
  REQUIRE(created.status == 201);
  std::string id = created.body["product_id"];
  auto p = shop.get("/api/v1/products/" + id).body;
  CHECK(p["options"] == json::array({{{"name", "Color"}, {"values", {"Blue", "Green"}}},
                                     {{"name", "Size"}, {"values", {"S", "M", "L"}}}}));
  REQUIRE(p["variants"].size() == 6);
  CHECK(p["price"]["final_price"].dump() == "20");  // the lowest variant price
  CHECK(p["price_max"].dump() == "24");
  CHECK(p["inventory"]["in_stock"] == true);
  auto blue_m = variant_of(p, "Blue", "M");
  CHECK(blue_m["sku"] == "TEE-BLUE-M");
  CHECK(blue_m["title"] == "Blue / M");
  CHECK(blue_m["inventory"] == json({{"available", 5}, {"in_stock", true}}));
  CHECK(variant_of(p, "Green", "S")["inventory"]["in_stock"] == false);
  CHECK(variant_of(p, "Blue", "L")["price"]["final_price"].dump() == "24");
  // The first variant has the product's id (product.h), the others their own.
  CHECK(p["variants"][0]["variant_id"] == id);
  CHECK(blue_m["variant_id"] != id);

  // Listings carry the lowest price and the highest ("from $20").
  auto list = shop.get("/api/v1/products").body["products"];
  REQUIRE(list.size() == 1);
  CHECK(list[0]["price"].dump() == "20");
  CHECK(list[0]["price_max"].dump() == "24");
  CHECK(list[0]["in_stock"] == true);

  // A simple product has exactly one variant, with the product's id and SKU.
  auto mug = shop.create_product({{"name", "Mug"}, {"sku", "MUG-1"}, {"price", 8}}, 3);
  auto m = shop.get("/api/v1/products/" + mug).body;
  REQUIRE(m["variants"].size() == 1);
  CHECK(m["variants"][0]["variant_id"] == mug);
  CHECK(m["variants"][0]["sku"] == "MUG-1");
  CHECK(m["variants"][0]["options"] == json::object());
  CHECK(m["price_max"].is_null());
}

TEST_CASE("the cart takes a variant id or the seed's product_id + selected_options", "[http][variants][cart]") {
  TestShop shop;
  auto p = shop.post("/api/v1/admin/products", tee_body(), shop.admin()).body;
  std::string id = p["product_id"];
  auto blue_m = variant_of(p, "Blue", "M");

  auto by_options = shop.post("/api/v1/cart/items", {{"product_id", id},
                                                      {"quantity", 2},
                                                      {"selected_options", {{"color", "blue"}, {"SIZE", "m"}}}});
  INFO(by_options.text);
  REQUIRE(by_options.status == 201);
  auto line = by_options.body["items"][0];
  CHECK(line["variant_id"] == blue_m["variant_id"]);
  CHECK(line["sku"] == "TEE-BLUE-M");
  CHECK(line["selected_options"] == json({{"Color", "Blue"}, {"Size", "M"}}));
  CHECK(line["variant_title"] == "Blue / M");
  auto token = by_options.body["cart_token"].get<std::string>();
  Headers guest = {{"X-Cart-Token", token}};

  // The same variant by id sets that line's quantity; another variant is another line.
  auto by_id = shop.post("/api/v1/cart/items", {{"variant_id", blue_m["variant_id"]}, {"quantity", 3}}, guest);
  REQUIRE(by_id.status == 201);
  CHECK(by_id.body["items"].size() == 1);
  CHECK(by_id.body["items"][0]["quantity"] == 3);
  auto large = variant_of(p, "Blue", "L");
  auto two = shop.post("/api/v1/cart/items", {{"variant_id", large["variant_id"]}, {"quantity", 1}}, guest);
  REQUIRE(two.status == 201);
  CHECK(two.body["items"].size() == 2);
  CHECK(two.body["summary"]["subtotal"].dump() == "84");  // 3 x 20 + 24

  // No choice, a half choice, a combination that does not exist, sold out.
  auto none = shop.post("/api/v1/cart/items", {{"product_id", id}, {"quantity", 1}}, guest);
  CHECK(none.status == 400);
  CHECK(none.body["error"]["code"] == "variant_required");
  CHECK(none.body["error"]["details"]["options"].size() == 2);
  auto half = shop.post("/api/v1/cart/items",
                        {{"product_id", id}, {"quantity", 1}, {"selected_options", {{"Color", "Blue"}}}}, guest);
  CHECK(half.body["error"]["code"] == "variant_required");
  auto unknown = shop.post(
      "/api/v1/cart/items",
      {{"product_id", id}, {"quantity", 1}, {"selected_options", {{"Color", "Red"}, {"Size", "M"}}}}, guest);
  CHECK(unknown.status == 400);
  CHECK(unknown.body["error"]["code"] == "unknown_variant");
  auto sold_out = shop.post("/api/v1/cart/items",
                            {{"variant_id", variant_of(p, "Green", "S")["variant_id"]}, {"quantity", 1}}, guest);
  CHECK(sold_out.status == 409);
  CHECK(sold_out.body["error"]["details"]["items"][0]["variant_id"] == variant_of(p, "Green", "S")["variant_id"]);
  CHECK(shop.get("/api/v1/cart", guest).body["items"].size() == 2);  // nothing changed

  // Line routes name the variant.
  auto removed = shop.del("/api/v1/cart/items/" + large["variant_id"].get<std::string>(), guest);
  REQUIRE(removed.status == 200);
  CHECK(removed.body["items"].size() == 1);
}

TEST_CASE("buying one variant takes only that variant's stock; the order line keeps a snapshot",
          "[http][variants][orders]") {
  TestShop shop;
  auto p = shop.post("/api/v1/admin/products", tee_body(), shop.admin()).body;
  std::string id = p["product_id"];
  auto blue_m = variant_of(p, "Blue", "M");
  auto alice = shop.register_user("alice@example.com");
  REQUIRE(shop.post("/api/v1/cart/items", {{"variant_id", blue_m["variant_id"]}, {"quantity", 2}}, alice.auth).status ==
          201);
  auto order = shop.post("/api/v1/orders", {{"shipping_address", address()}, {"payment_method", card()}},
                         with_idempotency_key(alice.auth, "tee-1"));
  INFO(order.text);
  REQUIRE(order.status == 201);
  auto item = order.body["items"][0];
  CHECK(item["product_id"] == id);
  CHECK(item["variant_id"] == blue_m["variant_id"]);
  CHECK(item["sku"] == "TEE-BLUE-M");
  CHECK(item["selected_options"] == json({{"Color", "Blue"}, {"Size", "M"}}));
  CHECK(item["variant_title"] == "Blue / M");

  auto after = shop.get("/api/v1/products/" + id).body;
  for (const auto& v : after["variants"]) {
    bool is_blue_m = v["variant_id"] == blue_m["variant_id"];
    bool green_s = v["options"]["Color"] == "Green" && v["options"]["Size"] == "S";
    INFO(v.dump());
    CHECK(v["inventory"]["available"] == (is_blue_m ? 3 : green_s ? 0 : 5));
  }

  // The snapshot survives a price change and a renamed option value.
  json variants = after["variants"];
  for (auto& v : variants) v["price"] = 99;
  REQUIRE(shop.patch("/api/v1/admin/products/" + id, {{"variants", variants}}, shop.admin()).status == 200);
  auto again = shop.get("/api/v1/orders/" + order.body["order_id"].get<std::string>(), alice.auth).body;
  CHECK(again["items"][0]["unit_price"].dump() == "20");
  CHECK(again["items"][0]["sku"] == "TEE-BLUE-M");

  // A refund of the line puts the units back into that variant.
  auto refund = shop.post("/api/v1/admin/orders/" + order.body["order_id"].get<std::string>() + "/refunds",
                          {{"lines", {{{"variant_id", blue_m["variant_id"]}, {"quantity", 2}}}}, {"restock", true}},
                          shop.admin());
  INFO(refund.text);
  REQUIRE(refund.status < 300);
  auto stock = shop.get("/api/v1/admin/inventory/" + blue_m["variant_id"].get<std::string>(), shop.admin()).body;
  CHECK(stock["available"] == 5);
  CHECK(stock["product_id"] == id);
  CHECK(stock["sku"] == "TEE-BLUE-M");
}

TEST_CASE("two variants of one product bought at once: each sold out exactly, neither oversold",
          "[http][variants][concurrency]") {
  TestShop shop([](Config& c) {
    c.threads = 32;
    c.rate_limit_enabled = 0;
  });
  auto p = shop.post("/api/v1/admin/products", tee_body(), shop.admin()).body;
  std::string a = variant_of(p, "Blue", "S")["variant_id"], b = variant_of(p, "Blue", "M")["variant_id"];
  auto admin = shop.admin();
  std::atomic<int> ok_a{0}, ok_b{0}, short_a{0}, short_b{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", shop.port());
      c.set_read_timeout(30, 0);
      const std::string& mine = t % 2 ? a : b;
      json body = {{"lines", {{{"variant_id", mine}, {"quantity", 1}}}}};
      for (int i = 0; i < 4; ++i) {
        auto r = c.Post("/api/v1/admin/inventory/reservations", admin, body.dump(), "application/json");
        for (int attempt = 0; attempt < 20 && !r; ++attempt)  // transport resets only (backlog 5)
          r = c.Post("/api/v1/admin/inventory/reservations", admin, body.dump(), "application/json");
        if (r && r->status == 201)
          ++(t % 2 ? ok_a : ok_b);
        else if (r && r->status == 409)
          ++(t % 2 ? short_a : short_b);
        else
          ++other;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(other == 0);
  CHECK(ok_a == 5);  // 32 tries on each variant with 5 units each
  CHECK(ok_b == 5);
  CHECK(short_a == 27);
  CHECK(short_b == 27);
  auto level_a = shop.get("/api/v1/admin/inventory/" + a, admin).body;
  auto level_b = shop.get("/api/v1/admin/inventory/" + b, admin).body;
  CHECK(level_a["available"] == 0);
  CHECK(level_a["reserved"] == 5);
  CHECK(level_b["available"] == 0);
  // The other variants were never touched.
  CHECK(shop.get("/api/v1/admin/inventory/" + variant_of(p, "Blue", "L")["variant_id"].get<std::string>(), admin)
            .body["reserved"] == 0);
  auto check = shop.get("/api/v1/admin/inventory/check", admin).body;
  CHECK(check["ok"] == true);
}

TEST_CASE("bad option and variant input is a clear 400 and changes nothing", "[http][variants][hostile]") {
  TestShop shop([](Config& c) { c.max_variants_per_product = 4; });
  auto admin = shop.admin();
  auto expect_400 = [&](json body, const std::string& why) {
    auto r = shop.post("/api/v1/admin/products", body, admin);
    INFO(why << ": " << r.text);
    CHECK(r.status == 400);
    CHECK(r.body["error"]["message"].is_string());
  };
  json opt = {{{"name", "Size"}, {"values", {"S", "M"}}}};
  auto v = [](json options, double price) { return json{{"options", options}, {"price", price}}; };
  expect_400({{"name", "A"}, {"options", {{{"name", "Size"}, {"values", {"S", "s"}}}}}, {"variants", {v({{"Size", "S"}}, 1)}}},
             "duplicate option values");
  expect_400({{"name", "A"},
              {"options", {{{"name", "Size"}, {"values", {"S"}}}, {{"name", "Color"}, {"values", {"Red"}}}}},
              {"variants", {v({{"Size", "S"}}, 1)}}},
             "a variant missing an option value");
  expect_400({{"name", "A"}, {"options", opt}, {"variants", {v({{"Size", "S"}}, 1), v({{"size", "s"}}, 2)}}},
             "two variants with one combination");
  expect_400({{"name", "A"},
              {"options", opt},
              {"variants", {{{"options", {{"Size", "S"}}}, {"price", 1}, {"sku", "X"}},
                            {{"options", {{"Size", "M"}}}, {"price", 1}, {"sku", "X"}}}}},
             "two variants with one SKU");
  expect_400({{"name", "A"},
              {"options",
               {{{"name", "A"}, {"values", {"1"}}},
                {{"name", "B"}, {"values", {"1"}}},
                {{"name", "C"}, {"values", {"1"}}},
                {{"name", "D"}, {"values", {"1"}}}}},
              {"variants", {v({{"A", "1"}, {"B", "1"}, {"C", "1"}, {"D", "1"}}, 1)}}},
             "more than 3 options");
  expect_400({{"name", "A"},
              {"options", {{{"name", "N"}, {"values", {"1", "2", "3", "4", "5"}}}}},
              {"variants", {v({{"N", "1"}}, 1), v({{"N", "2"}}, 1), v({{"N", "3"}}, 1), v({{"N", "4"}}, 1),
                            v({{"N", "5"}}, 1)}}},
             "more variants than the shop allows (4 here)");
  expect_400({{"name", "A"}, {"options", opt}, {"variants", {v({{"Size", "XL"}}, 1)}}}, "a value the option lacks");
  CHECK(shop.get("/api/v1/products").body["total"] == 0);

  // A SKU another product's variant has: 409, and nothing written.
  shop.create_product({{"name", "Other"}, {"sku", "TAKEN"}});
  auto dup = shop.post("/api/v1/admin/products",
                       {{"name", "B"}, {"options", opt}, {"variants", {{{"options", {{"Size", "S"}}}, {"price", 1}, {"sku", "TAKEN"}}}}},
                       admin);
  CHECK(dup.status == 409);
  CHECK(dup.body["error"]["code"] == "duplicate_sku");
  CHECK(shop.get("/api/v1/products").body["total"] == 1);
}

TEST_CASE("a simple product gains options and variants in one edit, keeping its id and stock",
          "[http][variants][admin]") {
  // Found by the browser test of the variant editor: this edit crashed the
  // server (a variant without option values was matched against a choice).
  TestShop shop;
  auto id = shop.create_product({{"name", "Probe Sock"}, {"price", 12}}, 7);
  auto r = shop.patch("/api/v1/admin/products/" + id,
                      {{"options", {{{"name", "Size"}, {"values", {"36", "37"}}}}},
                       {"variants",
                        {{{"variant_id", id}, {"options", {{"Size", "36"}}}, {"price", "14.5"}},
                         {{"sku", "PS-37"}, {"options", {{"Size", "37"}}}, {"price", "14.5"}}}}},
                      shop.admin());
  INFO(r.text);
  REQUIRE(r.status == 200);
  REQUIRE(r.body["variants"].size() == 2);
  CHECK(r.body["variants"][0]["variant_id"] == id);
  CHECK(r.body["variants"][0]["inventory"]["available"] == 7);
  CHECK(r.body["variants"][1]["sku"] == "PS-37");
  // Without variant_id the entries are matched by SKU or options, or are new.
  auto again = shop.patch("/api/v1/admin/products/" + id,
                          {{"variants", {{{"options", {{"Size", "36"}}}}, {{"options", {{"Size", "37"}}}}}}},
                          shop.admin());
  INFO(again.text);
  REQUIRE(again.status == 200);
  CHECK(again.body["variants"][0]["variant_id"] == id);
}

TEST_CASE("the admin adds, changes, deletes and generates variants", "[http][variants][admin]") {
  TestShop shop;
  auto admin = shop.admin();
  auto p = shop.post("/api/v1/admin/products",
                     {{"name", "Cap"},
                      {"sku", "CAP"},
                      {"options", {{{"name", "Color"}, {"values", {"Red", "Navy"}}}}},
                      {"variants", {{{"options", {{"Color", "Red"}}}, {"price", 15}, {"stock", 4}}}}},
                     admin);
  REQUIRE(p.status == 201);
  std::string id = p.body["product_id"];
  std::string red = p.body["variants"][0]["variant_id"];

  auto added = shop.post("/api/v1/admin/products/" + id + "/variants",
                         {{"options", {{"Color", "Navy"}}}, {"price", 17}, {"stock", 2}, {"sku", "CAP-NV"}}, admin);
  INFO(added.text);
  REQUIRE(added.status == 201);
  REQUIRE(added.body["variants"].size() == 2);
  std::string navy = variant_of_color(added.body, "Navy");
  CHECK(shop.get("/api/v1/admin/inventory/" + navy, admin).body["total"] == 2);
  CHECK(shop.get("/api/v1/admin/inventory/" + red, admin).body["total"] == 4);  // kept its stock

  auto changed = shop.patch("/api/v1/admin/products/" + id + "/variants/" + navy, {{"price", 16}}, admin);
  REQUIRE(changed.status == 200);
  CHECK(shop.get("/api/v1/products/" + id).body["price_max"].dump() == "16");

  // Generating after adding a size keeps both variants (they take the first
  // size) and adds the missing combinations without stock.
  auto generated = shop.post("/api/v1/admin/products/" + id + "/variants/generate",
                             {{"options", {{{"name", "Color"}, {"values", {"Red", "Navy"}}},
                                           {{"name", "Size"}, {"values", {"One size", "Kids"}}}}}},
                             admin);
  INFO(generated.text);
  REQUIRE(generated.status == 200);
  CHECK(generated.body["variants"].size() == 4);
  CHECK(shop.get("/api/v1/admin/inventory/" + red, admin).body["total"] == 4);

  // A variant whose units are reserved by a checkout cannot be deleted.
  auto held = shop.post("/api/v1/admin/inventory/reservations", {{"lines", {{{"variant_id", navy}, {"quantity", 1}}}}},
                        admin);
  REQUIRE(held.status == 201);
  auto refused = shop.del("/api/v1/admin/products/" + id + "/variants/" + navy, admin);
  CHECK(refused.status == 409);
  CHECK(refused.body["error"]["code"] == "variant_reserved");
  REQUIRE(shop.post("/api/v1/admin/inventory/reservations/" + held.body["reservation_id"].get<std::string>() +
                        "/release",
                    json::object(), admin)
              .status == 200);
  auto deleted = shop.del("/api/v1/admin/products/" + id + "/variants/" + navy, admin);
  REQUIRE(deleted.status == 200);
  CHECK(deleted.body["variants"].size() == 3);
  CHECK(shop.del("/api/v1/admin/products/" + id + "/variants/" + navy, admin).status == 404);
}
