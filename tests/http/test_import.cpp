#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "catalog/import.h"
#include "inventory/inventory.h"
#include "support/test_shop.h"

using namespace shopbox;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {
std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
std::string template_csv() {
  return read_file(std::string(SHOPBOX_SOURCE_DIR) + "/tests/data/shopify_product_template.csv");
}

ImportReport run(TestShop& shop, const std::string& text, ImportFormat f) {
  return import_products(*shop.app().catalog, text, f, shop.app().config, "test");
}
int64_t total(TestShop& shop) {
  return shop.get("/api/v1/products").body["total"].get<int64_t>();
}
}  // namespace

TEST_CASE("JSON import creates products, categories and stock, and upserts by SKU", "[import]") {
  TestShop shop;
  std::string text = R"([
  {"sku": "MUG-1", "name": "Stoneware Mug", "price": 12.5, "sale_price": 9.99, "stock": 30,
   "category": "Home/Kitchen/Mugs", "brand": "Clayworks", "specifications": {"Volume": "350 ml"}},
  {"sku": "PAN-1", "name": "Cast Iron Pan", "price": "49.00", "stock": 0, "category": "Home > Kitchen"},
  {"name": "No SKU Lamp", "price": 20}
])";
  auto r = run(shop, text, ImportFormat::json);
  INFO((r.errors.empty() ? "" : r.errors[0].message));
  REQUIRE(r.ok);
  CHECK(r.summary.created == 3);
  CHECK(r.summary.categories_created == 3);
  auto mug = shop.get("/api/v1/products/" + std::to_string(r.summary.ids[0]));
  CHECK(mug.body["category"] == "Home > Kitchen > Mugs");
  CHECK(mug.body["price"]["final_price"].dump() == "9.99");
  CHECK(mug.body["inventory"]["available"] == 30);
  CHECK(mug.body["specifications"]["Volume"] == "350 ml");
  auto pan = shop.get("/api/v1/products/" + std::to_string(r.summary.ids[1]));
  CHECK(pan.body["category"] == "Home > Kitchen");
  CHECK(pan.body["inventory"]["in_stock"] == false);

  // Same SKUs again: updated in place, nothing duplicated.
  std::string again =
      R"([{"sku": "MUG-1", "name": "Stoneware Mug", "price": 14, "stock": 5, "category": "Home/Kitchen/Mugs"}])";
  auto r2 = run(shop, again, ImportFormat::json);
  REQUIRE(r2.ok);
  CHECK(r2.summary.updated == 1);
  CHECK(r2.summary.created == 0);
  CHECK(r2.summary.ids[0] == r.summary.ids[0]);
  CHECK(total(shop) == 3);
  mug = shop.get("/api/v1/products/" + std::to_string(r.summary.ids[0]));
  CHECK(mug.body["price"]["final_price"] == 14);
  CHECK(mug.body["inventory"]["available"] == 5);
  CHECK(shop.get("/api/v1/categories").body["categories"].size() == 1);
}

TEST_CASE("a bad JSON row names its line and nothing is imported", "[import]") {
  TestShop shop;
  std::string text =
      "[\n"                                                      // 1
      "  {\"sku\": \"A\", \"name\": \"Fine\", \"price\": 1},\n"  // 2
      "  {\n"                                                    // 3  <- bad item starts here
      "    \"sku\": \"B\", \"name\": \"Too precise\",\n"         // 4
      "    \"price\": 1.999\n"                                   // 5
      "  },\n"                                                   // 6
      "  {\"sku\": \"C\", \"name\": \"Wrong type\", \"price\": 2, \"stock\": \"lots\"},\n"  // 7
      "  {\"sku\": \"A\", \"name\": \"Duplicate\", \"price\": 3}\n"                         // 8
      "]\n";
  auto r = run(shop, text, ImportFormat::json);
  REQUIRE_FALSE(r.ok);
  REQUIRE(r.errors.size() == 3);
  CHECK(r.errors[0].line == 3);
  CHECK(r.errors[0].message.find("price") != std::string::npos);
  CHECK(r.errors[1].line == 7);
  CHECK(r.errors[1].message.find("stock") != std::string::npos);
  CHECK(r.errors[2].line == 8);
  CHECK(r.errors[2].message.find("line 2") != std::string::npos);
  CHECK(total(shop) == 0);

  auto broken = run(shop, "[\n  {\"name\": \"x\", \"price\": 1},\n  {\"name\": \n", ImportFormat::json);
  REQUIRE_FALSE(broken.ok);
  CHECK(broken.errors[0].line >= 3);
  CHECK(broken.errors[0].message.find("malformed JSON") != std::string::npos);
  CHECK_FALSE(run(shop, "{\"name\": \"x\"}", ImportFormat::json).ok);
  CHECK(total(shop) == 0);
}

TEST_CASE("Shopify's product template imports variants, sales and images", "[import]") {
  TestShop shop;
  auto r = run(shop, template_csv(), ImportFormat::shopify_csv);
  INFO((r.errors.empty() ? "" : r.errors[0].message));
  REQUIRE(r.ok);
  CHECK(r.summary.created == 16);  // 12 shirts, 3 jeans, 1 beanie
  auto& app = shop.app();
  std::optional<Product> hat, jeans, shirt;
  REQUIRE(app.db
              ->read([&](Connection& c) {
                hat = catalog_store::get_product_by_sku(c, "HAT_GRY_275");
                jeans = catalog_store::get_product_by_sku(c, "PNT_DEN_285");
                shirt = catalog_store::get_product_by_sku(c, "SRT_COT_111");
                return Status::Ok();
              })
              .ok());
  REQUIRE(hat);
  REQUIRE(jeans);
  REQUIRE(shirt);
  // Compare-at above the price is a sale; below it is not.
  CHECK(hat->price == 2299);
  CHECK(hat->sale_price == 1799);
  CHECK(jeans->price == 9500);
  CHECK_FALSE(jeans->sale_price);
  CHECK(hat->name == "Example Beanie");
  CHECK(shirt->name == "Example T-Shirt - Green / S");
  CHECK(shirt->brand == "Acme");
  CHECK(shirt->specs["Color"] == "Green");
  CHECK(shirt->specs["Size"] == "S");
  CHECK(shirt->description.find("<p>") == std::string::npos);
  // The image-only row (line 17) belongs to the jeans.
  CHECK(jeans->images.size() == 4);
  CHECK(app.inventory->level(jeans->id).total == 20);
  auto details = shop.get("/api/v1/products/" + std::to_string(jeans->id));
  CHECK(details.body["category"] == "Apparel & Accessories > Clothing > Pants > Jeans");

  // Importing the same file again updates, never duplicates.
  auto again = run(shop, template_csv(), ImportFormat::shopify_csv);
  REQUIRE(again.ok);
  CHECK(again.summary.updated == 16);
  CHECK(total(shop) == 16);
}

TEST_CASE("bad Shopify rows name their physical line, across multi-line fields", "[import]") {
  TestShop shop;
  std::string text = template_csv();
  // Line 2 holds a one-line quoted body; make it span three lines, so every
  // later record moves down two lines.
  auto pos = text.find("<p>This t-shirt");
  REQUIRE(pos != std::string::npos);
  text.insert(pos, "Line one\nline two\n");
  text += "bad-price,Broken,,Acme,,,,TRUE,,,,,,,BRK-1,,,3,deny,manual,twelve,,TRUE,TRUE,,,,,,,,,,,,,,,,,,,,,,,,\n";
  text += "bad-qty,Broken Qty,,Acme,,,,TRUE,,,,,,,BRK-2,,,many,deny,manual,5,,TRUE,TRUE,,,,,,,,,,,,,,,,,,,,,,,,\n";
  auto r = run(shop, text, ImportFormat::shopify_csv);
  REQUIRE_FALSE(r.ok);
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].line == 21);  // 18 template lines + 2 inserted + 1
  CHECK(r.errors[0].message.find("Variant Price") != std::string::npos);
  CHECK(r.errors[1].line == 22);
  CHECK(r.errors[1].message.find("Inventory Qty") != std::string::npos);
  CHECK(total(shop) == 0);

  auto unterminated = run(shop, "Handle,Title,Variant Price\nx,\"Open quote,5\ny,Fine,5\n", ImportFormat::shopify_csv);
  REQUIRE_FALSE(unterminated.ok);
  CHECK(unterminated.errors[0].line == 2);
  CHECK_FALSE(run(shop, "Name,Price\nMug,5\n", ImportFormat::shopify_csv).ok);  // not Shopify's layout
  CHECK(total(shop) == 0);
}

TEST_CASE("CSV records keep their starting line", "[import]") {
  auto recs = parse_csv("a,b\n\"multi\nline\",\"say \"\"hi\"\"\"\r\nlast,row");
  REQUIRE(recs.ok());
  REQUIRE(recs->size() == 3);
  CHECK((*recs)[1].line == 2);
  CHECK((*recs)[1].fields[0] == "multi\nline");
  CHECK((*recs)[1].fields[1] == "say \"hi\"");
  CHECK((*recs)[2].line == 4);
}
