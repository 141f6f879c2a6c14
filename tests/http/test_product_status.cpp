// Product status (catalog/product.h ProductStatus): a draft or archived
// product is invisible to shoppers everywhere (browse, search, the product
// page and its server-rendered page, carts, checkout, wishlists, the
// sitemap, the feed) while the admin lists, counts and edits all three.
#include <catch2/catch.hpp>

#include "app.h"
#include "catalog/product_search.h"
#include "http/storefront_pages.h"
#include "support/fixtures.h"
#include "support/test_shop.h"

using shopbox::testing::Headers;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {

bool status_browse_has(TestShop& shop, const std::string& id) {
  auto r = shop.get("/api/v1/products?size=100");
  for (const auto& p : r.body["products"])
    if (p["product_id"] == id) return true;
  return false;
}

bool status_search_has(TestShop& shop, const std::string& id, const std::string& words) {
  REQUIRE(shop.app().search->flush());
  auto r = shop.get("/api/v1/search?q=" + words);
  for (const auto& p : r.body["products"])
    if (p["product_id"] == id) return true;
  return false;
}

void status_set(TestShop& shop, const std::string& id, const std::string& status) {
  auto r = shop.patch("/api/v1/admin/products/" + id, {{"status", status}}, shop.admin());
  REQUIRE(r.status == 200);
  REQUIRE(r.body["status"] == status);
}

}  // namespace

TEST_CASE("a draft is invisible to shoppers until the merchant makes it active", "[catalog][status][http]") {
  TestShop shop;
  auto buyer = shop.register_user("status@example.com");
  std::string lamp = shop.create_product({{"name", "Brass reading lamp"}, {"price", 40.00}}, 20);
  auto created =
      shop.post("/api/v1/admin/products",
                {{"name", "Velvet armchair"}, {"price", 300.00}, {"stock", 5}, {"status", "draft"}}, shop.admin());
  REQUIRE(created.status == 201);
  CHECK(created.body["status"] == "draft");
  const std::string chair = created.body["product_id"];
  // The API's default stays active: clients written before statuses keep working.
  CHECK(shop.get("/api/v1/products/" + lamp).body["status"] == "active");

  // Shoppers: as if it did not exist.
  CHECK(shop.get("/api/v1/products/" + chair).status == 404);
  CHECK(shop.get("/api/v1/products/" + chair, buyer.auth).status == 404);
  CHECK_FALSE(status_browse_has(shop, chair));
  CHECK(status_browse_has(shop, lamp));
  CHECK_FALSE(status_search_has(shop, chair, "velvet%20armchair"));
  CHECK(shop.get("/p/" + chair).status == 404);
  CHECK(shop.post("/api/v1/cart/items", {{"product_id", chair}, {"quantity", 1}}, buyer.auth).status == 404);
  CHECK(shop.post("/api/v1/me/wishlist", {{"product_id", chair}}, buyer.auth).status == 404);
  Headers idem = buyer.auth;
  idem.emplace("Idempotency-Key", "draft-order");
  auto order = shop.post("/api/v1/orders",
                         {{"items", {{{"product_id", chair}, {"quantity", 1}}}},
                          {"shipping_address", shopbox::testing::address()},
                          {"payment_method", shopbox::testing::card("4242424242424242")}},
                         idem);
  CHECK(order.status >= 400);
  CHECK(order.status < 500);
  auto sitemap = shopbox::storefront::product_sitemap(shop.app(), 1, 50000);
  REQUIRE(sitemap.ok());
  CHECK(sitemap->find("/p/" + chair + "<") == std::string::npos);
  CHECK(sitemap->find("/p/" + lamp + "<") != std::string::npos);
  auto feed = shop.get("/feeds/products.xml");
  CHECK(feed.text.find("Velvet armchair") == std::string::npos);
  CHECK(feed.text.find("Brass reading lamp") != std::string::npos);

  // The admin previews it.
  auto preview = shop.get("/api/v1/products/" + chair, shop.admin());
  REQUIRE(preview.status == 200);
  CHECK(preview.body["status"] == "draft");

  // Made active, it is on sale everywhere.
  status_set(shop, chair, "active");
  CHECK(shop.get("/api/v1/products/" + chair).status == 200);
  CHECK(status_browse_has(shop, chair));
  CHECK(status_search_has(shop, chair, "velvet%20armchair"));
  CHECK(shop.get("/p/" + chair).status == 200);
  CHECK(shop.post("/api/v1/cart/items", {{"product_id", chair}, {"quantity", 1}}, buyer.auth).status == 201);
  CHECK(shop.post("/api/v1/me/wishlist", {{"product_id", chair}}, buyer.auth).status == 201);
}

TEST_CASE("archiving takes a product off sale: carts show it unavailable, search forgets it",
          "[catalog][status][http]") {
  TestShop shop;
  auto buyer = shop.register_user("archive@example.com");
  std::string kettle = shop.create_product({{"name", "Copper kettle"}, {"price", 55.00}}, 10);
  REQUIRE(shop.post("/api/v1/cart/items", {{"product_id", kettle}, {"quantity", 2}}, buyer.auth).status == 201);
  REQUIRE(shop.post("/api/v1/me/wishlist", {{"product_id", kettle}}, buyer.auth).status == 201);
  REQUIRE(status_search_has(shop, kettle, "copper%20kettle"));

  status_set(shop, kettle, "archived");
  auto cart = shop.get("/api/v1/cart", buyer.auth);
  REQUIRE(cart.status == 200);
  INFO(cart.body.dump());
  REQUIRE(cart.body["items"].size() == 1);
  CHECK(cart.body["items"][0]["unavailable"] == true);
  CHECK_FALSE(status_search_has(shop, kettle, "copper%20kettle"));
  auto wished = shop.get("/api/v1/me/wishlist", buyer.auth);
  CHECK(wished.body["items"].empty());
  CHECK(shop.get("/api/v1/products/" + kettle).status == 404);

  // Back to active: the same line is for sale again.
  status_set(shop, kettle, "active");
  cart = shop.get("/api/v1/cart", buyer.auth);
  CHECK(cart.body["items"][0]["unavailable"] == false);
}

TEST_CASE("the admin lists every product with a count per status", "[catalog][status][http]") {
  TestShop shop;
  for (int i = 0; i < 3; ++i) shop.create_product({{"name", "Active mug " + std::to_string(i)}, {"price", 9.00}});
  for (int i = 0; i < 2; ++i) {
    auto r =
        shop.post("/api/v1/admin/products",
                  {{"name", "Draft plate " + std::to_string(i)}, {"price", 12.00}, {"status", "draft"}}, shop.admin());
    REQUIRE(r.status == 201);
  }
  auto bowl = shop.create_product({{"name", "Old bowl"}, {"sku", "BOWL-OLD-1"}, {"price", 7.00}});
  status_set(shop, bowl, "archived");

  auto all = shop.get("/api/v1/admin/products", shop.admin());
  REQUIRE(all.status == 200);
  CHECK(all.body["total"] == 6);
  CHECK(all.body["counts"] == json({{"active", 3}, {"draft", 2}, {"archived", 1}}));
  auto drafts = shop.get("/api/v1/admin/products?status=draft", shop.admin());
  REQUIRE(drafts.body["products"].size() == 2);
  for (const auto& p : drafts.body["products"]) CHECK(p["status"] == "draft");
  auto found = shop.get("/api/v1/admin/products?q=bowl-old", shop.admin());
  REQUIRE(found.body["products"].size() == 1);
  CHECK(found.body["products"][0]["product_id"] == bowl);
  // LIKE wildcards in the search are plain characters.
  CHECK(shop.get("/api/v1/admin/products?q=%25", shop.admin()).body["total"] == 0);
  // Shoppers' browse counts active products only.
  CHECK(shop.get("/api/v1/products").body["total"] == 3);

  CHECK(shop.get("/api/v1/admin/products?status=hidden", shop.admin()).status == 400);
  CHECK(shop.get("/api/v1/admin/products").status == 401);
  auto buyer = shop.register_user("nosy@example.com");
  CHECK(shop.get("/api/v1/admin/products", buyer.auth).status == 403);
}

TEST_CASE("bad statuses and image addresses are refused and change nothing", "[catalog][status][http]") {
  TestShop shop;
  std::string vase = shop.create_product({{"name", "Glass vase"}, {"price", 25.00}});
  auto bad = shop.patch("/api/v1/admin/products/" + vase, {{"status", "published"}}, shop.admin());
  CHECK(bad.status == 400);
  CHECK(bad.body["error"]["details"]["field"] == "status");
  CHECK(shop.patch("/api/v1/admin/products/" + vase, {{"status", 1}}, shop.admin()).status == 400);
  CHECK(shop.get("/api/v1/products/" + vase).body["status"] == "active");

  for (const char* url : {"not a url", "javascript:alert(1)", "//evil.example/x.png", "ftp://host/x.png", "https://",
                          "https://host/a b.png"}) {
    INFO(url);
    auto r =
        shop.post("/api/v1/admin/products", {{"name", "Broken"}, {"price", 1.00}, {"images", {url}}}, shop.admin());
    CHECK(r.status == 400);
    CHECK(r.body["error"]["details"]["field"] == "images");
  }
  for (const char* url : {"https://cdn.example/a.jpg", "/images/abc-640.webp"}) {
    INFO(url);
    CHECK(shop.post("/api/v1/admin/products",
                    {{"name", std::string("Fine ") + url}, {"price", 1.00}, {"images", {url}}}, shop.admin())
              .status == 201);
  }
  // The merchant reads the message as it is.
  auto sale = shop.patch("/api/v1/admin/products/" + vase, {{"sale_price", 30.00}}, shop.admin());
  CHECK(sale.status == 400);
  CHECK(sale.body["error"]["message"] == "The sale price must be between 0 and the price");
}

TEST_CASE("a Shopify CSV's Status column is kept; a file without one keeps the stored status",
          "[catalog][status][http]") {
  TestShop shop;
  const std::string with_status =
      "Handle,Title,Vendor,Variant SKU,Variant Price,Variant Inventory Qty,Status\n"
      "linen-shirt,Linen shirt,Flax,LIN-1,45.00,10,active\n"
      "wool-coat,Wool coat,Flax,WOOL-1,180.00,3,Draft\n"
      "old-scarf,Old scarf,Flax,SCARF-1,20.00,1,archived\n";
  auto r = shop.post_raw("/api/v1/admin/import", with_status, shop.admin(), "text/csv");
  REQUIRE(r.status == 200);
  auto counts = shop.get("/api/v1/admin/products", shop.admin()).body["counts"];
  CHECK(counts == json({{"active", 1}, {"draft", 1}, {"archived", 1}}));
  CHECK(shop.get("/api/v1/products").body["total"] == 1);

  // Re-imported without the column (an older export, another tool): the
  // draft stays a draft and the archived scarf is not brought back.
  const std::string without =
      "Handle,Title,Vendor,Variant SKU,Variant Price,Variant Inventory Qty\n"
      "wool-coat,Wool coat,Flax,WOOL-1,175.00,3\n"
      "old-scarf,Old scarf,Flax,SCARF-1,20.00,1\n";
  REQUIRE(shop.post_raw("/api/v1/admin/import", without, shop.admin(), "text/csv").status == 200);
  counts = shop.get("/api/v1/admin/products", shop.admin()).body["counts"];
  CHECK(counts == json({{"active", 1}, {"draft", 1}, {"archived", 1}}));

  auto bad =
      shop.post_raw("/api/v1/admin/import", "Handle,Title,Variant SKU,Variant Price,Status\nx,X,X-1,1.00,hidden\n",
                    shop.admin(), "text/csv");
  CHECK(bad.status == 400);

  // The export writes each product's status, so a round trip keeps it.
  auto csv = shop.get("/api/v1/admin/export/products.csv", shop.admin());
  REQUIRE(csv.status == 200);
  CHECK(csv.text.find(",draft,") != std::string::npos);
  CHECK(csv.text.find(",archived,") != std::string::npos);
}
