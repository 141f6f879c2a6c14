#include <catch2/catch.hpp>

#include "support/test_shop.h"

using shopbox::testing::TestShop;
using json = nlohmann::json;

TEST_CASE("product details have the seed's shape", "[http][catalog]") {
  TestShop shop;
  auto electronics = shop.create_category("Electronics");
  auto audio = shop.create_category("Audio", electronics);
  auto id = shop.create_product({{"name", "Wireless Bluetooth Headphones"},
                                 {"brand", "TechBrand"},
                                 {"category_id", audio},
                                 {"price", 99.99},
                                 {"sale_price", 84.99},
                                 {"specifications", {{"battery_life", "30 hours"}}},
                                 {"images", {"/images/products/1/1.svg"}}},
                                42);
  auto r = shop.get("/api/v1/products/" + id);
  REQUIRE(r.status == 200);
  CHECK(r.body["product_id"] == id);
  CHECK(r.body["category"] == "Electronics > Audio");
  CHECK(r.body["price"]["amount"].dump() == "99.99");
  CHECK(r.body["price"]["discount"]["percentage"] == 15);
  CHECK(r.body["price"]["discount"]["final_price"].dump() == "84.99");
  CHECK(r.body["inventory"]["in_stock"] == true);
  CHECK(r.body["inventory"]["quantity"] == 42);
  CHECK(r.body["specifications"]["battery_life"] == "30 hours");
  CHECK(r.body["images"].size() == 1);
  CHECK(r.body["rating"]["count"] == 0);
  CHECK(r.body["shipping"]["free_shipping"] == true);
}

TEST_CASE("unknown and malformed product ids are JSON 404s", "[http][catalog]") {
  TestShop shop;
  for (std::string path :
       {"/api/v1/products/999", "/api/v1/products/abc", "/api/v1/products/-1", "/api/v1/products/0"}) {
    auto r = shop.get(path);
    INFO(path);
    CHECK(r.status == 404);
    CHECK(r.body["error"]["code"] == "not_found");
  }
  auto r = shop.get("/api/v1/nothing-here");
  CHECK(r.status == 404);
  CHECK(r.body["error"]["code"] == "not_found");
}

TEST_CASE("browse filters by category subtree, price and brand with stable pages", "[http][catalog]") {
  TestShop shop;
  auto root = shop.create_category("Home");
  auto kitchen = shop.create_category("Kitchen", root);
  auto garden = shop.create_category("Garden");
  for (int i = 1; i <= 25; ++i)
    shop.create_product({{"name", "Pan " + std::to_string(i)},
                         {"brand", i % 2 ? "Acme" : "Zeta"},
                         {"category_id", kitchen},
                         {"price", i}});
  shop.create_product({{"name", "Hose"}, {"category_id", garden}, {"price", 5}});

  auto r = shop.get("/api/v1/products?category=" + root + "&size=10&sort=price_asc");
  REQUIRE(r.status == 200);
  CHECK(r.body["total"] == 25);
  CHECK(r.body["products"].size() == 10);
  CHECK(r.body["products"][0]["price"] == 1);

  std::set<std::string> seen;
  for (int page = 1; page <= 3; ++page) {
    std::string path = "/api/v1/products?category=home&sort=price_asc&size=10&page=";
    path += std::to_string(page);
    auto p = shop.get(path);
    for (auto& prod : p.body["products"]) seen.insert(prod["product_id"].get<std::string>());
  }
  CHECK(seen.size() == 25);

  r = shop.get("/api/v1/products?min_price=5&max_price=10&brand=Acme");
  REQUIRE(r.status == 200);
  CHECK(r.body["total"] == 3);  // 5, 7, 9

  r = shop.get("/api/v1/products?page=99");
  CHECK(r.status == 200);
  CHECK(r.body["products"].empty());
}

TEST_CASE("bad browse parameters are 400s naming the field", "[http][catalog]") {
  TestShop shop;
  for (std::string q : {"size=0", "size=101", "page=0", "page=x", "sort=cheapest", "min_price=abc", "max_price=-1",
                        "min_price=10&max_price=5", "rating=6", "min_price=1.999"}) {
    auto r = shop.get(std::string("/api/v1/products?") + q);
    INFO(q);
    CHECK(r.status == 400);
    CHECK(r.body["error"]["code"] == "invalid_request");
  }
}

TEST_CASE("admin routes need an admin token", "[http][catalog]") {
  TestShop shop;
  json body = {{"name", "X"}, {"price", 1}};
  CHECK(shop.post("/api/v1/admin/products", body).status == 401);
  CHECK(shop.post("/api/v1/admin/products", body, {{"Authorization", "Bearer wrong"}}).status == 401);
  CHECK(shop.post("/api/v1/admin/products", body, shop.admin()).status == 201);
}

TEST_CASE("bad product input is rejected and changes nothing", "[http][catalog]") {
  TestShop shop;
  auto admin = shop.admin();
  CHECK(shop.post_raw("/api/v1/admin/products", "{not json", admin).body["error"]["code"] == "invalid_json");
  CHECK(shop.post_raw("/api/v1/admin/products", "[1,2]", admin).status == 400);
  CHECK(shop.post("/api/v1/admin/products", {{"name", 5}, {"price", 1}}, admin).status == 400);
  CHECK(shop.post("/api/v1/admin/products", {{"name", "A"}}, admin).status == 400);
  CHECK(shop.post("/api/v1/admin/products", {{"name", "A"}, {"price", -1}}, admin).status == 400);
  CHECK(shop.post("/api/v1/admin/products", {{"name", "A"}, {"price", 1.234}}, admin).status == 400);
  CHECK(shop.post("/api/v1/admin/products", {{"name", "A"}, {"price", 5}, {"sale_price", 6}}, admin).status == 400);
  CHECK(shop.post("/api/v1/admin/products", {{"name", "A"}, {"price", 5}, {"category_id", "999"}}, admin).status ==
        400);
  CHECK(shop.post("/api/v1/admin/products", {{"name", "A"}, {"price", 5}, {"colour", "red"}}, admin).status == 400);
  auto r = shop.get("/api/v1/products");
  CHECK(r.body["total"] == 0);

  shop.create_product({{"name", "Mug"}, {"sku", "MUG-1"}});
  auto dup = shop.post("/api/v1/admin/products", {{"name", "Mug 2"}, {"sku", "MUG-1"}, {"price", 1}}, admin);
  CHECK(dup.status == 409);
  CHECK(dup.body["error"]["code"] == "duplicate_sku");

  std::string big(2 << 20, 'x');
  auto huge = shop.post_raw("/api/v1/admin/products", big, admin);
  CHECK(huge.status == 413);
  CHECK(huge.body["error"]["code"] == "payload_too_large");
}

TEST_CASE("products update and delete", "[http][catalog]") {
  TestShop shop;
  auto id = shop.create_product({{"name", "Lamp"}, {"price", 20}});
  auto r = shop.patch("/api/v1/admin/products/" + id, {{"sale_price", 15}}, shop.admin());
  REQUIRE(r.status == 200);
  CHECK(r.body["price"]["final_price"] == 15);
  CHECK(r.body["name"] == "Lamp");
  CHECK(shop.del("/api/v1/admin/products/" + id, shop.admin()).status == 204);
  CHECK(shop.get("/api/v1/products/" + id).status == 404);
  CHECK(shop.del("/api/v1/admin/products/" + id, shop.admin()).status == 404);
}

TEST_CASE("categories form a tree and refuse deletion while in use", "[http][catalog]") {
  TestShop shop;
  auto a = shop.create_category("Sports");
  auto b = shop.create_category("Running", a);
  auto tree = shop.get("/api/v1/categories");
  REQUIRE(tree.status == 200);
  REQUIRE(tree.body["categories"].size() == 1);
  CHECK(tree.body["categories"][0]["children"][0]["name"] == "Running");
  auto one = shop.get("/api/v1/categories/" + b);
  CHECK(one.body["ancestors"][0]["name"] == "Sports");
  CHECK(shop.del("/api/v1/admin/categories/" + a, shop.admin()).status == 409);
  CHECK(shop.del("/api/v1/admin/categories/" + b, shop.admin()).status == 204);
}

TEST_CASE("system routes answer", "[http][system]") {
  TestShop shop;
  CHECK(shop.get("/healthz").status == 200);
  CHECK(shop.get("/readyz").status == 200);
  shop.get("/api/v1/products");
  auto m = shop.get("/metrics");
  CHECK(m.status == 200);
  CHECK(m.text.find("shopbox_http_requests_total{method=\"GET\",route=\"/api/v1/products\",status=\"200\"}") !=
        std::string::npos);
  auto doc = shop.get("/api/v1/openapi.json");
  REQUIRE(doc.status == 200);
  CHECK(doc.body["paths"].contains("/api/v1/products/{id}"));
  CHECK(doc.body["paths"]["/api/v1/admin/products"].contains("post"));
  auto home = shop.get("/");
  CHECK(home.status == 200);
  CHECK(home.header("X-Content-Type-Options") == "nosniff");
}
