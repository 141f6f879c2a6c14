#include <catch2/catch.hpp>

#include "support/test_shop.h"

using shopbox::testing::TestShop;
using json = nlohmann::json;

TEST_CASE("POST /api/v1/admin/import imports JSON and CSV, all or nothing", "[http][import]") {
  TestShop shop;
  auto admin = shop.admin();
  std::string good = R"([{"sku": "MUG-1", "name": "Mug", "price": 12.5, "stock": 3, "category": "Home/Kitchen"}])";
  CHECK(shop.post_raw("/api/v1/admin/import", good).status == 401);
  auto r = shop.post_raw("/api/v1/admin/import", good, admin);
  REQUIRE(r.status == 200);
  CHECK(r.body["created"] == 1);
  CHECK(r.body["categories_created"] == 2);
  auto id = r.body["product_ids"][0].get<std::string>();
  CHECK(shop.get("/api/v1/products/" + id).body["category"] == "Home > Kitchen");

  std::string bad =
      "[\n  {\"sku\": \"A\", \"name\": \"A\", \"price\": 1},\n  {\"sku\": \"B\", \"name\": \"B\", \"price\": -1}\n]";
  auto b = shop.post_raw("/api/v1/admin/import", bad, admin);
  CHECK(b.status == 400);
  CHECK(b.body["error"]["code"] == "import_failed");
  CHECK(b.body["error"]["details"]["errors"][0]["line"] == 3);
  CHECK(shop.get("/api/v1/products").body["total"] == 1);

  std::string csv =
      "Handle,Title,Vendor,Type,Variant SKU,Variant Price,Variant Inventory Qty\n"
      "tee,Tee,Acme,Shirts,TEE-1,20,4\n";
  auto c = shop.post_raw("/api/v1/admin/import", csv, admin, "text/csv");
  REQUIRE(c.status == 200);
  CHECK(c.body["created"] == 1);
  CHECK(shop.post_raw("/api/v1/admin/import?format=xml", csv, admin).status == 400);
  CHECK(shop.post_raw("/api/v1/admin/import", "", admin).status == 400);
  CHECK(shop.get("/api/v1/products").body["total"] == 2);
}

TEST_CASE("POST /api/v1/admin/import takes a Shopify CSV with variants and updates them by SKU", "[http][import]") {
  TestShop shop;
  auto admin = shop.admin();
  std::string csv =
      "Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Price,"
      "Variant Compare At Price,Variant Inventory Qty,Image Src\n"
      "tee,Tee,Color,Blue,Size,S,TEE-BS,20,,3,/img/tee.jpg\n"
      "tee,,,Blue,,M,TEE-BM,20,25,0,\n"
      "tee,,,Green,,S,TEE-GS,22,,5,\n";
  auto r = shop.post_raw("/api/v1/admin/import", csv, admin, "text/csv");
  INFO(r.text);
  REQUIRE(r.status == 200);
  CHECK(r.body["created"] == 1);
  CHECK(r.body["variants_created"] == 3);
  auto id = r.body["product_ids"][0].get<std::string>();
  auto p = shop.get("/api/v1/products/" + id);
  REQUIRE(p.body["variants"].size() == 3);
  CHECK(p.body["options"][0]["values"] == json::array({"Blue", "Green"}));
  CHECK(p.body["variants"][1]["sku"] == "TEE-BM");
  CHECK(p.body["variants"][1]["options"] == json{{"Color", "Blue"}, {"Size", "M"}});
  CHECK(p.body["variants"][1]["price"]["final_price"] == 20);
  CHECK(p.body["variants"][1]["price"]["amount"] == 25);
  CHECK(p.body["variants"][2]["inventory"]["available"] == 5);
  CHECK(p.body["price"]["final_price"] == 20);
  CHECK(p.body["price_max"] == 22);
  auto green = p.body["variants"][2]["variant_id"];

  // Green / S drops out, Blue / L comes in; the others keep their ids.
  std::string next =
      "Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Price,"
      "Variant Inventory Qty\n"
      "tee,Tee,Color,Blue,Size,S,TEE-BS,20,3\n"
      "tee,,,Blue,,M,TEE-BM,20,1\n"
      "tee,,,Blue,,L,TEE-BL,21,2\n";
  auto u = shop.post_raw("/api/v1/admin/import", next, admin, "text/csv");
  INFO(u.text);
  REQUIRE(u.status == 200);
  CHECK(u.body["updated"] == 1);
  CHECK(u.body["variants_updated"] == 2);
  CHECK(u.body["variants_created"] == 1);
  CHECK(u.body["variants_deleted"] == 1);
  auto p2 = shop.get("/api/v1/products/" + id);
  REQUIRE(p2.body["variants"].size() == 3);
  CHECK(p2.body["variants"][0]["variant_id"] == p.body["variants"][0]["variant_id"]);
  CHECK(p2.body["variants"][1]["variant_id"] == p.body["variants"][1]["variant_id"]);
  CHECK(p2.body["variants"][2]["variant_id"] != green);
  CHECK(p2.body["options"][0]["values"] == json::array({"Blue"}));

  // A bad variant row: 400 import_failed naming its line, nothing changed.
  std::string bad = next + "tee,,,Blue,,L,TEE-BL2,21,2\n";
  auto b = shop.post_raw("/api/v1/admin/import", bad, admin, "text/csv");
  CHECK(b.status == 400);
  CHECK(b.body["error"]["details"]["errors"][0]["line"] == 5);
  CHECK(shop.get("/api/v1/products/" + id).body["variants"].size() == 3);
}
