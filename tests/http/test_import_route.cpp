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
