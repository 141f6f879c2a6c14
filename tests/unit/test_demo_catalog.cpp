#include <catch2/catch.hpp>
#include <set>

#include "catalog/demo_catalog.h"
#include "inventory/inventory.h"
#include "reviews/demo_reviews.h"
#include "reviews/reviews.h"
#include "users/accounts.h"
#include "support/fixtures.h"
#include "support/test_shop.h"

using namespace shopbox;
using shopbox::testing::TestShop;

TEST_CASE("the demo catalog is deterministic", "[demo]") {
  DemoOptions o;
  o.products = 500;
  auto a = demo_items(o);
  auto b = demo_items(o);
  REQUIRE(a.size() == 500);
  REQUIRE(b.size() == 500);
  for (size_t i = 0; i < a.size(); ++i) {
    INFO(i);
    CHECK(a[i].product.name == b[i].product.name);
    CHECK(a[i].product.sku == b[i].product.sku);
    CHECK(a[i].product.price == b[i].product.price);
    CHECK(a[i].product.sale_price == b[i].product.sale_price);
    CHECK(a[i].product.specs == b[i].product.specs);
    CHECK(a[i].stock == b[i].stock);
    CHECK(a[i].category_path == b[i].category_path);
    CHECK(a[i].product.created_at == b[i].product.created_at);
  }
  // A larger catalog starts with the same products.
  o.products = 600;
  auto c = demo_items(o);
  CHECK(c[0].product.name == a[0].product.name);
  // Another seed gives another catalog.
  o.seed = 7;
  o.products = 500;
  auto d = demo_items(o);
  int same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i].product.name == d[i].product.name;
  CHECK(same < 100);
}

TEST_CASE("demo products look like a real shop's", "[demo]") {
  DemoOptions o;
  o.products = 2000;
  auto items = demo_items(o);
  std::set<std::string> names, brands, skus;
  int discounted = 0, sold_out = 0, low = 0, rated = 0;
  for (const auto& it : items) {
    const auto& p = it.product;
    names.insert(p.name);
    brands.insert(p.brand);
    skus.insert(p.sku);
    CHECK(p.price > 0);
    if (p.sale_price) {
      ++discounted;
      CHECK(*p.sale_price < p.price);
    }
    REQUIRE(it.stock);
    if (*it.stock == 0) ++sold_out;
    if (*it.stock > 0 && *it.stock < 10) ++low;
    if (p.rating_count > 0) {
      ++rated;
      CHECK(p.rating_sum >= 3 * p.rating_count - 1);
      CHECK(p.rating_sum <= 5 * p.rating_count);
    }
    REQUIRE(!p.images.empty());
    CHECK(p.images.size() <= 3);
    CHECK(p.images[0].url == "/images/products/" + std::to_string(p.id) + "/1.svg");
    CHECK(p.specs.is_object());
    CHECK(!p.description.empty());
    // Three levels: Root/Sub/Leaf.
    CHECK(std::count(it.category_path.begin(), it.category_path.end(), '/') == 2);
  }
  CHECK(skus.size() == items.size());
  CHECK(names.size() > 1500);
  CHECK(brands.size() > 30);
  CHECK(discounted > 200);
  CHECK(sold_out > 50);
  CHECK(low > 100);
  CHECK(rated > 1000);
}

TEST_CASE("loading the demo catalog fills an empty shop once", "[demo]") {
  TestShop shop;
  DemoOptions o;
  o.products = 300;
  auto r = load_demo_catalog(*shop.app().catalog, o);
  REQUIRE(r.ok());
  CHECK(r->generated);
  CHECK(r->products == 300);
  auto again = load_demo_catalog(*shop.app().catalog, o);
  REQUIRE(again.ok());
  CHECK_FALSE(again->generated);
  CHECK(again->products == 300);

  // Categories three levels deep, every product in a leaf.
  auto cats = shop.app().catalog->categories();
  int max_level = 0;
  for (const auto& c : cats) max_level = std::max(max_level, c.level);
  CHECK(max_level == 2);
  auto tree = shop.get("/api/v1/categories");
  REQUIRE(tree.status == 200);
  CHECK(tree.body["categories"].size() == 8);
  CHECK(tree.body["categories"][0]["children"][0]["children"].size() == 3);

  auto p = shop.get("/api/v1/products/1");
  REQUIRE(p.status == 200);
  CHECK(p.body["category"].get<std::string>().find(" > ") != std::string::npos);
  CHECK(p.body["images"][0] == "/images/products/1/1.svg");
  auto img = shop.get("/images/products/1/1.svg");
  CHECK(img.status == 200);
  CHECK(img.header("Content-Type") == "image/svg+xml");

  // Stock went in with the products.
  auto items = demo_items(o);
  for (int id : {1, 2, 150, 300})
    CHECK(shop.app().inventory->level(id).total == *items[static_cast<size_t>(id - 1)].stock);

  // Browsing a root category includes every product below it.
  auto browse = shop.get("/api/v1/products?category=electronics&size=5");
  REQUIRE(browse.status == 200);
  CHECK(browse.body["total"].get<int>() > 20);
}

TEST_CASE("every demo rating has its reviews behind it; the reviewers cannot sign in", "[demo]") {
  TestShop shop;
  DemoOptions o;
  o.products = 200;
  REQUIRE(load_demo_catalog(*shop.app().catalog, o).ok());
  std::vector<int64_t> reviewers;
  for (int64_t i = 0; i < kDemoMaxRatings; ++i) {
    RegisterInput in;
    in.email = "reviewer" + std::to_string(i) + "@demo.shopbox.example";
    in.first_name = "Rev";
    in.without_password = true;
    auto u = shop.app().accounts->create_user(in);
    REQUIRE(u.ok());
    reviewers.push_back(u->id);
  }
  auto ratings = [&] {
    return shopbox::testing::count_rows(shop, "SELECT COALESCE(SUM(rating_count), 0) FROM products") * 1000000 +
           shopbox::testing::count_rows(shop, "SELECT COALESCE(SUM(rating_sum), 0) FROM products");
  };
  int64_t before = ratings();
  auto written = load_demo_reviews(*shop.app().db, reviewers, o.seed);
  REQUIRE(written.ok());
  CHECK(*written == shopbox::testing::count_rows(shop, "SELECT SUM(rating_count) FROM products"));
  CHECK(*written > 100);
  CHECK(ratings() == before);  // the same numbers, now each a review
  std::vector<std::string> problems;
  shop.app().reviews->check_invariants(problems);
  CHECK(problems.empty());
  // A product page reads them: the count and the histogram agree.
  auto p = shop.get("/api/v1/products/1/reviews");
  REQUIRE(p.status == 200);
  auto again = load_demo_reviews(*shop.app().db, reviewers, o.seed);
  REQUIRE(again.ok());
  CHECK(*again == 0);
  // Nobody signs in as a reviewer, whatever the password.
  for (const char* pw : {"", "!", "anything at all 1"})
    CHECK(shop.post("/api/v1/auth/login", {{"email", "reviewer0@demo.shopbox.example"}, {"password", pw}}).status !=
          200);
}
