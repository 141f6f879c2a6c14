// The product export (catalog/product_export.h): Shopify's layout, and an
// export imported into an empty shop gives the same catalog.
#include <catch2/catch.hpp>
#include <map>

#include "catalog/import.h"
#include "catalog/product_export.h"
#include "inventory/inventory.h"
#include "support/test_shop.h"

using namespace shopbox;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {

ImportReport run_import(TestShop& shop, const std::string& text, ImportFormat f) {
  return import_products(*shop.app().catalog, text, f, shop.app().config, "test");
}

std::string export_csv(TestShop& shop) {
  auto& app = shop.app();
  auto csv = export_products_csv(*app.db, *app.catalog, *app.inventory);
  REQUIRE(csv.ok());
  return *csv;
}

// Everything a merchant's catalog says about each product, by SKU, without
// the ids one shop gives (variant stock is the total on hand).
json catalog_snapshot(TestShop& shop) {
  auto& app = shop.app();
  std::vector<Product> products;
  REQUIRE(app.db
              ->read([&](Connection& c) {
                catalog_store::for_each_product_id(c, [&](int64_t id) {
                  if (auto p = catalog_store::get_product(c, id)) products.push_back(*p);
                });
                return Status::Ok();
              })
              .ok());
  json out = json::object();
  for (const auto& p : products) {
    json images = json::array();
    for (const auto& im : p.images) images.push_back({im.url, im.alt, im.primary});
    json options = json::array();
    for (const auto& o : p.options) options.push_back({{"name", o.name}, {"values", o.values}});
    json variants = json::array();
    for (const auto& v : p.variants)
      variants.push_back({{"sku", v.sku},
                          {"options", v.option_values},
                          {"price", v.price},
                          {"sale_price", v.sale_price ? json(*v.sale_price) : json()},
                          {"barcode", v.barcode},
                          {"weight_grams", v.weight_grams ? json(*v.weight_grams) : json()},
                          {"image", v.image_url},
                          {"stock", app.inventory->level(v.id).total}});
    out[p.sku] = {{"name", p.name},
                  {"slug", p.slug},
                  {"description", p.description},
                  {"brand", p.brand},
                  {"category", app.catalog->category_path(p.category_id)},
                  {"price", p.price},
                  {"sale_price", p.sale_price ? json(*p.sale_price) : json()},
                  {"price_max", p.price_max ? json(*p.price_max) : json()},
                  {"weight_grams", p.weight_grams ? json(*p.weight_grams) : json()},
                  {"specs", p.specs},
                  {"featured", p.featured},
                  {"images", images},
                  {"options", options},
                  {"variants", variants}};
  }
  return out;
}

// A catalog with what an export has to carry: options and variants with
// their own prices, sales, stock, barcodes, weights and pictures; a simple
// product; text that needs quoting and escaping; nested categories; more
// images than variants and more variants than images.
const char* kCatalog = R"([
  {"sku": "TEE", "name": "Classic Tee, \"heavy\" cotton", "slug": "classic-tee", "brand": "Acme & Sons",
   "description": "Soft <b>cotton</b> & a relaxed fit.\nMachine washable.", "category": "Clothing/Tops/T-Shirts",
   "specifications": {"Material": "Cotton", "Tags": "summer, basics", "Type": "Shirts", "Organic": true},
   "featured": true,
   "images": [{"url": "/img/tee-1.jpg", "alt": "Front"}, {"url": "/img/tee-2.jpg", "alt": "Back, folded"}],
   "options": [{"name": "Color", "values": ["Blue", "Green"]}, {"name": "Size", "values": ["S", "M", "L"]}],
   "variants": [
     {"sku": "TEE-BLU-S", "options": ["Blue", "S"], "price": 20, "stock": 3, "barcode": "0001", "weight_grams": 150,
      "image": "/img/tee-blue.jpg"},
     {"sku": "TEE-BLU-M", "options": ["Blue", "M"], "price": 20, "sale_price": 15.5, "stock": 0, "weight_grams": 160,
      "image": "/img/tee-blue.jpg"},
     {"sku": "TEE-BLU-L", "options": ["Blue", "L"], "price": 22, "stock": 7},
     {"sku": "TEE-GRN-S", "options": ["Green", "S"], "price": 20, "stock": 1, "image": "/img/tee-green.jpg"},
     {"sku": "TEE-GRN-M", "options": ["Green", "M"], "price": 21.99, "stock": 12},
     {"sku": "TEE-GRN-L", "options": ["Green", "L"], "price": 24, "sale_price": 19, "stock": 2}]},
  {"sku": "MUG-1", "name": "Stoneware Mug", "price": 12.5, "sale_price": 9.99, "stock": 30, "weight_grams": 400,
   "category": "Home/Kitchen", "images": ["/img/mug-1.jpg", "/img/mug-2.jpg", "/img/mug-3.jpg"]},
  {"sku": "LAMP", "name": "Desk Lamp", "price": 45, "stock": 0},
  {"sku": "SOCKS", "name": "Wool Socks", "category": "Clothing",
   "options": [{"name": "Size", "values": ["One Size"]}],
   "variants": [{"sku": "SOCKS-OS", "options": {"Size": "One Size"}, "price": 8, "stock": 40}]}
])";

}  // namespace

TEST_CASE("an export imported into an empty shop gives the same catalog", "[import][export]") {
  TestShop source;
  auto loaded = run_import(source, kCatalog, ImportFormat::json);
  INFO((loaded.errors.empty() ? "" : loaded.errors[0].message));
  REQUIRE(loaded.ok);
  std::string csv = export_csv(source);

  TestShop target;
  auto r = run_import(target, csv, ImportFormat::shopify_csv);
  INFO(csv);
  INFO((r.errors.empty() ? "" : std::to_string(r.errors[0].line) + ": " + r.errors[0].message));
  REQUIRE(r.ok);
  CHECK(r.summary.created == 4);
  CHECK(r.summary.variants_created == 9);
  json want = catalog_snapshot(source);
  json got = catalog_snapshot(target);
  CHECK(got.size() == 4);
  for (auto it = want.begin(); it != want.end(); ++it) {
    INFO("product " << it.key());
    REQUIRE(got.contains(it.key()));
    for (auto field = it.value().begin(); field != it.value().end(); ++field) {
      INFO("field " << field.key());
      CHECK(got[it.key()][field.key()].dump() == field.value().dump());
    }
  }
  CHECK(got == want);

  // The export of the copy is the same file.
  CHECK(export_csv(target) == csv);

  // Re-importing the export into the shop it came from changes nothing and
  // keeps every variant id.
  std::map<std::string, int64_t> ids_before;
  auto ids_of = [&](TestShop& shop) {
    std::map<std::string, int64_t> ids;
    REQUIRE(shop.app()
                .db
                ->read([&](Connection& c) {
                  catalog_store::for_each_product_id(c, [&](int64_t id) {
                    auto p = catalog_store::get_product(c, id);
                    for (const auto& v : p->variants) ids[v.sku] = v.id;
                  });
                  return Status::Ok();
                })
                .ok());
    return ids;
  };
  ids_before = ids_of(source);
  auto again = run_import(source, csv, ImportFormat::shopify_csv);
  REQUIRE(again.ok);
  CHECK(again.summary.created == 0);
  CHECK(again.summary.updated == 4);
  CHECK(again.summary.variants_deleted == 0);
  CHECK(ids_of(source) == ids_before);
  CHECK(catalog_snapshot(source) == want);
}

TEST_CASE("the export is Shopify's layout: a row per variant, product fields first, extra image rows",
          "[import][export]") {
  TestShop shop;
  REQUIRE(run_import(shop, kCatalog, ImportFormat::json).ok);
  auto records = parse_csv(export_csv(shop));
  REQUIRE(records.ok());
  const auto& header = (*records)[0].fields;
  auto col = [&](const std::string& name) {
    auto it = std::find(header.begin(), header.end(), name);
    REQUIRE(it != header.end());
    return static_cast<size_t>(it - header.begin());
  };
  for (const char* name : {"Handle", "Title", "Body (HTML)", "Vendor", "Option1 Name", "Option1 Value", "Variant SKU",
                           "Variant Price", "Variant Compare At Price", "Variant Grams", "Variant Inventory Qty",
                           "Variant Barcode", "Variant Image", "Image Src", "Image Position", "Image Alt Text"})
    (void)col(name);
  std::vector<std::vector<std::string>> tee, mug, lamp;
  for (size_t i = 1; i < records->size(); ++i) {
    const auto& f = (*records)[i].fields;
    REQUIRE(f.size() == header.size());
    if (f[col("Handle")] == "classic-tee") tee.push_back(f);
    if (f[col("Handle")] == "stoneware-mug") mug.push_back(f);
    if (f[col("Handle")] == "desk-lamp") lamp.push_back(f);
  }
  REQUIRE(tee.size() == 6);  // six variants, two images on the first two rows
  CHECK(tee[0][col("Title")] == "Classic Tee, \"heavy\" cotton");
  CHECK(tee[0][col("Option1 Name")] == "Color");
  CHECK(tee[0][col("Option2 Name")] == "Size");
  CHECK(tee[0][col("Body (HTML)")] ==
        "<p>Soft &lt;b&gt;cotton&lt;/b&gt; &amp; a relaxed fit.</p><p>Machine washable.</p>");
  CHECK(tee[1][col("Title")].empty());
  CHECK(tee[1][col("Option1 Name")].empty());
  CHECK(tee[1][col("Option1 Value")] == "Blue");
  CHECK(tee[1][col("Option2 Value")] == "M");
  CHECK(tee[1][col("Variant Price")] == "15.50");  // what the shopper pays
  CHECK(tee[1][col("Variant Compare At Price")] == "20.00");
  CHECK(tee[0][col("Variant Compare At Price")].empty());
  CHECK(tee[0][col("Variant Inventory Qty")] == "3");
  CHECK(tee[0][col("Variant Barcode")] == "0001");
  CHECK(tee[0][col("Variant Grams")] == "150");
  CHECK(tee[1][col("Image Src")] == "/img/tee-2.jpg");
  CHECK(tee[1][col("Image Position")] == "2");
  CHECK(tee[1][col("Image Alt Text")] == "Back, folded");
  CHECK(tee[2][col("Image Src")].empty());
  REQUIRE(mug.size() == 3);  // one variant, then two image-only rows
  CHECK(mug[0][col("Option1 Name")] == "Title");
  CHECK(mug[0][col("Option1 Value")] == "Default Title");
  CHECK(mug[0][col("Variant SKU")] == "MUG-1");
  CHECK(mug[1][col("Variant SKU")].empty());
  CHECK(mug[1][col("Variant Price")].empty());
  CHECK(mug[2][col("Image Src")] == "/img/mug-3.jpg");
  CHECK(mug[0][col("Product Category")] == "Home > Kitchen");
  REQUIRE(lamp.size() == 1);
  CHECK(lamp[0][col("Image Src")].empty());
}

TEST_CASE("GET /api/v1/admin/export/products.csv is the export, for admins", "[http][import][export]") {
  TestShop shop;
  REQUIRE(run_import(shop, kCatalog, ImportFormat::json).ok);
  CHECK(shop.get("/api/v1/admin/export/products.csv").status == 401);
  auto customer = shop.register_user("shopper@example.com");
  CHECK(shop.get("/api/v1/admin/export/products.csv", customer.auth).status == 403);
  auto r = shop.get("/api/v1/admin/export/products.csv", shop.admin());
  REQUIRE(r.status == 200);
  CHECK(r.header("Content-Type").find("text/csv") == 0);
  CHECK(r.header("Content-Disposition").find("attachment") == 0);
  CHECK(r.header("Content-Disposition").find("products.csv") != std::string::npos);
  CHECK(r.text == export_csv(shop));

  // An empty shop exports the header alone.
  TestShop empty;
  auto e = empty.get("/api/v1/admin/export/products.csv", empty.admin());
  REQUIRE(e.status == 200);
  CHECK(std::count(e.text.begin(), e.text.end(), '\n') == 1);
}
