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
// Every product whatever its status (the shop's own total counts active ones).
int64_t admin_total(TestShop& shop) {
  return shop.get("/api/v1/admin/products", shop.admin()).body["total"].get<int64_t>();
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

namespace {
std::optional<Product> by_sku(TestShop& shop, const std::string& sku) {
  std::optional<Product> p;
  REQUIRE(shop.app()
              .db
              ->read([&](Connection& c) {
                if (auto ids = catalog_store::variant_by_sku(c, sku)) p = catalog_store::get_product(c, ids->first);
                return Status::Ok();
              })
              .ok());
  return p;
}
const Variant* variant(const Product& p, const std::string& sku) {
  for (const auto& v : p.variants)
    if (v.sku == sku) return &v;
  return nullptr;
}
// The text with the line holding `needle` removed.
std::string without_line(std::string text, const std::string& needle) {
  auto at = text.find(needle);
  REQUIRE(at != std::string::npos);
  auto begin = text.rfind('\n', at) + 1;
  auto end = text.find('\n', at);
  text.erase(begin, end - begin + 1);
  return text;
}
}  // namespace

TEST_CASE("Shopify's product template imports as 3 products with their variants", "[import]") {
  TestShop shop;
  auto r = run(shop, template_csv(), ImportFormat::shopify_csv);
  INFO((r.errors.empty() ? "" : std::to_string(r.errors[0].line) + ": " + r.errors[0].message));
  REQUIRE(r.ok);
  CHECK(r.items == 3);
  CHECK(r.summary.created == 3);
  CHECK(r.summary.variants_created == 16);
  // The template's Status column: the shirt is active, the pants a draft,
  // the hat archived. All three are in the admin, one is for sale.
  CHECK(admin_total(shop) == 3);
  CHECK(total(shop) == 1);
  CHECK(shop.get("/api/v1/admin/products", shop.admin()).body["counts"] ==
        nlohmann::json({{"active", 1}, {"draft", 1}, {"archived", 1}}));
  auto& app = shop.app();
  auto shirt = by_sku(shop, "SRT_COT_111");
  auto jeans = by_sku(shop, "PNT_DEN_285");
  auto hat = by_sku(shop, "HAT_GRY_275");
  REQUIRE(shirt);
  REQUIRE(jeans);
  REQUIRE(hat);

  // The shirt: Color x Size, 12 variants, each with its own SKU, barcode and picture.
  CHECK(shirt->name == "Example T-Shirt");
  CHECK(shirt->slug == "example-shirt");
  CHECK(shirt->brand == "Acme");
  CHECK(shirt->description.find("<p>") == std::string::npos);
  REQUIRE(shirt->options.size() == 2);
  CHECK(shirt->options[0].name == "Color");
  CHECK(shirt->options[0].values == std::vector<std::string>{"Green", "Blue", "Gray", "Purple"});
  CHECK(shirt->options[1].name == "Size");
  CHECK(shirt->options[1].values == std::vector<std::string>{"S", "M", "L"});
  REQUIRE(shirt->variants.size() == 12);
  const Variant* blue_m = variant(*shirt, "SRT_COT_222");
  REQUIRE(blue_m);
  CHECK(blue_m->option_values == std::vector<std::string>{"Blue", "M"});
  CHECK(blue_m->price == 2500);
  CHECK_FALSE(blue_m->sale_price);
  CHECK(blue_m->barcode == "243307265092");
  CHECK(blue_m->weight_grams == 145);
  CHECK(blue_m->image_url == "https://burst.shopifycdn.com/photos/cobalt-blue-t-shirt.jpg?width=1500");
  CHECK(shirt->images.size() == 7);  // six positioned images and one without a position
  CHECK(shirt->images.front().url == "https://burst.shopifycdn.com/photos/tshirts.jpg?width=1500");
  CHECK(shirt->images.front().alt == "A rack of T-Shirts");
  CHECK(shirt->specs["Tags"] == "Made to Order, Shirt Tag");
  auto details = shop.get("/api/v1/products/" + std::to_string(shirt->id));
  CHECK(details.body["category"] == "Apparel & Accessories > Clothing > Clothing Tops > T-Shirts");
  CHECK(details.body["variants"].size() == 12);
  CHECK(details.body["options"][1]["values"] == json::array({"S", "M", "L"}));

  // The jeans: one option (Size), weights from decimal grams, stock per
  // variant; the image-only row (line 17) adds the fourth image.
  REQUIRE(jeans->variants.size() == 3);
  REQUIRE(jeans->options.size() == 1);
  CHECK(jeans->options[0].values == std::vector<std::string>{"28", "30", "40"});
  CHECK(jeans->price == 9500);
  CHECK_FALSE(jeans->sale_price);  // compare-at below the price is no sale
  CHECK(jeans->images.size() == 4);
  CHECK(variant(*jeans, "PNT_DEN_305")->weight_grams == 283);
  CHECK(app.inventory->level(variant(*jeans, "PNT_DEN_285")->id).total == 20);
  CHECK(app.inventory->level(variant(*jeans, "PNT_DEN_305")->id).total == 15);
  CHECK(app.inventory->level(variant(*jeans, "PNT_DEN_405")->id).total == 10);
  CHECK(app.inventory->level(jeans->id).total == 20);  // the product's id is its first variant's

  // The beanie: Shopify's "Default Title" is a product without options; a
  // compare-at above the price is a sale.
  CHECK(hat->name == "Example Beanie");
  CHECK(hat->options.empty());
  REQUIRE(hat->variants.size() == 1);
  CHECK(hat->sku == "HAT_GRY_275");
  CHECK(hat->price == 2299);
  CHECK(hat->sale_price == 1799);
  CHECK(hat->weight_grams == 72);
  CHECK(hat->variants[0].barcode == "122327648356");
  CHECK(app.inventory->level(hat->id).total == 50);

  // Importing the same file again updates by SKU: same products, same variant ids.
  auto again = run(shop, template_csv(), ImportFormat::shopify_csv);
  REQUIRE(again.ok);
  CHECK(again.summary.updated == 3);
  CHECK(again.summary.created == 0);
  CHECK(again.summary.variants_updated == 16);
  CHECK(again.summary.variants_created == 0);
  CHECK(admin_total(shop) == 3);
  CHECK(total(shop) == 1);
  auto shirt2 = by_sku(shop, "SRT_COT_111");
  REQUIRE(shirt2);
  CHECK(shirt2->id == shirt->id);
  for (size_t i = 0; i < shirt->variants.size(); ++i) CHECK(shirt2->variants[i].id == shirt->variants[i].id);
}

TEST_CASE("the template from data/ imports the same way when the repository ships it", "[import]") {
  std::string path = std::string(SHOPBOX_SOURCE_DIR) + "/data/shopify_product_template.csv";
  std::string text = read_file(path);
  if (text.empty()) return;  // only tests/data/ holds it in this checkout
  TestShop shop;
  auto r = run(shop, text, ImportFormat::shopify_csv);
  REQUIRE(r.ok);
  CHECK(r.summary.created == 3);
  CHECK(by_sku(shop, "SRT_COT_111")->variants.size() == 12);
  CHECK(by_sku(shop, "PNT_DEN_285")->variants.size() == 3);
  CHECK(by_sku(shop, "HAT_GRY_275")->variants.size() == 1);
}

TEST_CASE("re-importing changes variants by SKU: stock, prices, removed and added variants", "[import]") {
  TestShop shop;
  REQUIRE(run(shop, template_csv(), ImportFormat::shopify_csv).ok);
  auto before = by_sku(shop, "SRT_COT_111");
  REQUIRE(before);
  auto& inv = *shop.app().inventory;
  int64_t blue_m = variant(*before, "SRT_COT_222")->id;

  // Purple / L dropped; Blue / M restocked and put on sale (27, was 30).
  std::string text = without_line(template_csv(), "SRT_COT_433");
  auto at = text.find("SRT_COT_222,145,,0,deny,manual,25,");
  REQUIRE(at != std::string::npos);
  text.replace(at, std::string("SRT_COT_222,145,,0,deny,manual,25,").size(), "SRT_COT_222,145,,7,deny,manual,27,30");
  auto r = run(shop, text, ImportFormat::shopify_csv);
  INFO((r.errors.empty() ? "" : std::to_string(r.errors[0].line) + ": " + r.errors[0].message));
  REQUIRE(r.ok);
  CHECK(r.summary.variants_deleted == 1);
  auto after = by_sku(shop, "SRT_COT_111");
  REQUIRE(after);
  CHECK(after->variants.size() == 11);
  CHECK_FALSE(variant(*after, "SRT_COT_433"));
  const Variant* v = variant(*after, "SRT_COT_222");
  REQUIRE(v);
  CHECK(v->id == blue_m);
  CHECK(v->price == 3000);
  CHECK(v->sale_price == 2700);
  CHECK(inv.level(blue_m).total == 7);

  // A reserved variant is neither deleted nor set below its reservation,
  // and a refused file writes nothing.
  int64_t green_m = variant(*after, "SRT_COT_122")->id;
  REQUIRE(inv.set_total(green_m, 5, "test", "test").ok());
  REQUIRE(inv.reserve({{green_m, 1}}, "test").ok());
  auto dropped = run(shop, without_line(template_csv(), "SRT_COT_122"), ImportFormat::shopify_csv);
  REQUIRE_FALSE(dropped.ok);
  CHECK(dropped.errors[0].line == 2);  // the product's Title row: the variant has no row any more
  CHECK(dropped.errors[0].message.find("reserved") != std::string::npos);
  auto below = run(shop, template_csv(), ImportFormat::shopify_csv);  // sets SRT_COT_122 to 0 < 1 reserved
  REQUIRE_FALSE(below.ok);
  CHECK(below.errors[0].line == 3);
  CHECK(below.errors[0].message.find("reserved") != std::string::npos);
  CHECK(inv.level(green_m).total == 5);
  CHECK(inv.level(blue_m).total == 7);
  CHECK(by_sku(shop, "SRT_COT_111")->variants.size() == 11);
}

TEST_CASE("bad variant rows name their line; SKUs are unique across the file and the shop", "[import]") {
  TestShop shop;
  const std::string header =
      "Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Price,"
      "Variant Inventory Qty\n";
  // Line 4 repeats line 2's combination; line 6 lacks its Size.
  std::string text = header +                                // 1
                     "tee,Tee,Color,Red,Size,S,T-RS,10,1\n"  // 2
                     "tee,,,Red,,M,T-RM,10,1\n"              // 3
                     "tee,,,red,,s,T-RS2,10,1\n"             // 4
                     "cap,Cap,Color,Red,Size,M,C-RM,5,1\n"   // 5
                     "cap,,,Blue,,,C-B,5,1\n";               // 6
  auto r = run(shop, text, ImportFormat::shopify_csv);
  REQUIRE_FALSE(r.ok);
  REQUIRE(r.errors.size() == 2);
  CHECK(r.errors[0].line == 4);
  CHECK(r.errors[0].message.find("Red / S") != std::string::npos);
  CHECK(r.errors[1].line == 6);
  CHECK(r.errors[1].message.find("Option2 Value") != std::string::npos);

  // One variant SKU in two products of the file: the later line, naming the earlier.
  std::string twice = header + "tee,Tee,Color,Red,Size,S,T-RS,10,1\n" + "cap,Cap,Color,Red,Size,S,T-RS,5,1\n";
  auto t = run(shop, twice, ImportFormat::shopify_csv);
  REQUIRE_FALSE(t.ok);
  CHECK(t.errors[0].line == 3);
  CHECK(t.errors[0].message.find("line 2") != std::string::npos);
  CHECK(total(shop) == 0);

  // A variant SKU that another product of the shop has: 409, on its line.
  REQUIRE(run(shop, header + "tee,Tee,Color,Red,Size,S,T-RS,10,1\ntee,,,Blue,,S,T-BS,10,1\n", ImportFormat::shopify_csv)
              .ok);
  REQUIRE(run(shop, header + "cap,Cap,Color,Red,Size,M,C-RM,5,1\n", ImportFormat::shopify_csv).ok);
  auto clash =
      run(shop, header + "cap,Cap,Color,Red,Size,M,C-RM,5,1\ncap,,,Blue,,S,T-BS,5,1\n", ImportFormat::shopify_csv);
  REQUIRE_FALSE(clash.ok);
  CHECK(clash.errors[0].line == 3);
  CHECK(clash.errors[0].message.find("T-BS") != std::string::npos);
  CHECK(total(shop) == 2);
  CHECK(by_sku(shop, "C-RM")->variants.size() == 1);
}

TEST_CASE("JSON import takes options and variants with stock per variant", "[import]") {
  TestShop shop;
  std::string text = R"([
  {"sku": "TEE", "name": "Tee", "category": "Clothing/Tops",
   "options": [{"name": "Size", "values": ["S", "M"]}],
   "variants": [{"variant_id": "99", "sku": "TEE-S", "options": {"Size": "S"}, "price": 20, "stock": 4},
                {"sku": "TEE-M", "options": {"size": "m"}, "price": 22, "sale_price": 18, "stock": 6,
                 "barcode": "123", "weight_grams": 150, "image": "/img/tee-m.jpg"}]},
  {"sku": "MUG", "name": "Mug", "price": 9, "stock": 2}
])";
  auto r = run(shop, text, ImportFormat::json);
  INFO((r.errors.empty() ? "" : r.errors[0].message));
  REQUIRE(r.ok);
  CHECK(r.summary.created == 2);
  CHECK(r.summary.variants_created == 3);
  auto tee = by_sku(shop, "TEE-M");
  REQUIRE(tee);
  REQUIRE(tee->variants.size() == 2);
  CHECK(tee->final_price() == 1800);  // the lowest variant price
  CHECK(tee->price_max == 2000);
  const Variant* m = variant(*tee, "TEE-M");
  CHECK(m->option_values == std::vector<std::string>{"M"});
  CHECK(m->sale_price == 1800);
  CHECK(m->barcode == "123");
  CHECK(m->image_url == "/img/tee-m.jpg");
  CHECK(shop.app().inventory->level(m->id).total == 6);
  CHECK(shop.app().inventory->level(variant(*tee, "TEE-S")->id).total == 4);
  CHECK(tee->variants[0].id == tee->id);  // the file's variant_id is the other shop's

  // Again, matched by a variant SKU alone (the product SKU changed): same
  // product, same variant ids, new stock.
  std::string again = R"([{"sku": "TEE-2", "name": "Tee", "options": [{"name": "Size", "values": ["S", "M"]}],
    "variants": [{"sku": "TEE-S", "options": ["S"], "price": 20, "stock": 1},
                 {"sku": "TEE-M", "options": ["M"], "price": 22, "stock": 2}]}])";
  auto r2 = run(shop, again, ImportFormat::json);
  INFO((r2.errors.empty() ? "" : r2.errors[0].message));
  REQUIRE(r2.ok);
  CHECK(r2.summary.updated == 1);
  auto tee2 = by_sku(shop, "TEE-M");
  CHECK(tee2->id == tee->id);
  CHECK(tee2->sku == "TEE-2");
  CHECK(variant(*tee2, "TEE-M")->id == m->id);
  CHECK(shop.app().inventory->level(m->id).total == 2);
  CHECK(total(shop) == 2);

  // Stock on a product with variants, and a variant without a price, are refused.
  auto stock = run(shop, R"([{"sku": "X", "name": "X", "stock": 3, "options": [{"name": "Size", "values": ["S", "M"]}],
      "variants": [{"options": ["S"], "price": 1}, {"options": ["M"], "price": 1}]}])",
                   ImportFormat::json);
  REQUIRE_FALSE(stock.ok);
  CHECK(stock.errors[0].message.find("stock") != std::string::npos);
  auto price = run(shop, R"([{"sku": "Y", "name": "Y", "options": [{"name": "Size", "values": ["S"]}],
      "variants": [{"options": ["S"]}]}])",
                   ImportFormat::json);
  REQUIRE_FALSE(price.ok);
  CHECK(price.errors[0].message.find("price") != std::string::npos);
  CHECK(total(shop) == 2);
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
