// Browse (GET /api/v1/products) on the in-memory browse table
// (src/catalog/browse_table.h) against the SQL reference
// (Catalog::browse_sqlite): the same ids in the same order and the same
// total for random catalogs and queries, and every kind of write visible to
// the very next browse.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <thread>

#include "app.h"
#include "catalog/catalog.h"
#include "inventory/inventory.h"
#include "support/test_shop.h"

using shopbox::Catalog;
using shopbox::Category;
using shopbox::Connection;
using shopbox::Product;
using shopbox::ProductPage;
using shopbox::ProductQuery;
using shopbox::ProductSort;
using shopbox::ProductUpsert;
using shopbox::Status;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {

const ProductSort kSorts[] = {ProductSort::newest, ProductSort::price_asc, ProductSort::price_desc, ProductSort::rating,
                              ProductSort::name};
// Names that tie under COLLATE NOCASE, brands that differ only by case.
const char* kNames[] = {"apple",  "Apple",  "APPLE", "apple pie", "Banana", "banana split",
                        "cherry", "Cherry", "zebra", "Zebra mug", "_under", "Ápple"};
const char* kBrands[] = {"Acme", "acme", "Zeta",
                         "Nova", "",     "\u00c9clair"};  // "Éclair" in UTF-8: a brand with a non-ASCII first letter
const int64_t kPrices[] = {0, 100, 199, 199, 500, 999, 1000, 2500, 2500};

std::string describe(const ProductQuery& q) {
  std::string s = "sort=" + std::to_string(static_cast<int>(q.sort)) + " page=" + std::to_string(q.page) +
                  " size=" + std::to_string(q.size);
  if (q.category_id) s += " category=" + std::to_string(*q.category_id);
  if (q.min_price) s += " min=" + std::to_string(*q.min_price);
  if (q.max_price) s += " max=" + std::to_string(*q.max_price);
  if (q.min_rating) s += " rating=" + std::to_string(*q.min_rating);
  for (const auto& b : q.brands) s += " brand=" + b;
  for (auto id : q.ids) s += " id=" + std::to_string(id);
  return s;
}

std::vector<int64_t> ids_of(const ProductPage& page) {
  std::vector<int64_t> out;
  for (const auto& p : page.products) out.push_back(p.id);
  return out;
}

// Both paths, compared: ids in order, total, and what each row carries.
void check_same(Catalog& catalog, const ProductQuery& q) {
  INFO(describe(q));
  auto mem = catalog.browse(q);
  auto sql = catalog.browse_sqlite(q);
  REQUIRE(mem.ok() == sql.ok());
  if (!mem.ok()) return;
  CHECK(mem->total == sql->total);
  REQUIRE(ids_of(*mem) == ids_of(*sql));
  for (size_t i = 0; i < mem->products.size(); ++i) {
    const Product &a = mem->products[i], &b = sql->products[i];
    CHECK(a.name == b.name);
    CHECK(a.final_price() == b.final_price());
    CHECK(a.rating_sum == b.rating_sum);
    CHECK(a.image_url() == b.image_url());
    CHECK(a.images.size() == b.images.size());
  }
}

// A random catalog: categories nested three levels, products with ties in
// price, created_at, name (under NOCASE) and rating, some uncategorised.
struct RandomCatalog {
  std::vector<int64_t> categories;
  std::vector<int64_t> products;

  RandomCatalog(TestShop& shop, std::mt19937& rng, int n_products) {
    Catalog& catalog = *shop.app().catalog;
    for (int r = 0; r < 3; ++r) {
      Category root;
      root.name = "Root " + std::to_string(r);
      auto root_c = catalog.create_category(root);
      REQUIRE(root_c.ok());
      categories.push_back(root_c->id);
      for (int k = 0; k < 3; ++k) {
        Category kid;
        kid.name = "Kid " + std::to_string(r) + "-" + std::to_string(k);
        kid.parent_id = root_c->id;
        auto kid_c = catalog.create_category(kid);
        REQUIRE(kid_c.ok());
        categories.push_back(kid_c->id);
        for (int g = 0; g < 2; ++g) {
          Category grand;
          grand.name = "Grand " + std::to_string(r) + "-" + std::to_string(k) + "-" + std::to_string(g);
          grand.parent_id = kid_c->id;
          auto grand_c = catalog.create_category(grand);
          REQUIRE(grand_c.ok());
          categories.push_back(grand_c->id);
        }
      }
    }
    std::vector<ProductUpsert> items;
    for (int i = 0; i < n_products; ++i) {
      ProductUpsert u;
      Product& p = u.product;
      p.sku = "sku-" + std::to_string(i);
      p.name = kNames[rng() % std::size(kNames)];
      p.slug = "p-" + std::to_string(i);
      u.slug_given = true;
      p.brand = kBrands[rng() % std::size(kBrands)];
      if (rng() % 10 != 0) p.category_id = categories[rng() % categories.size()];
      p.price = kPrices[rng() % std::size(kPrices)];
      if (rng() % 3 == 0) p.sale_price = p.price / 2;
      if (rng() % 2 == 0) {
        p.images.push_back({0, "/img/" + std::to_string(i) + "-a.svg", "", 0, false});
        p.images.push_back({0, "/img/" + std::to_string(i) + "-b.svg", "", 1, rng() % 2 == 0});
      }
      items.push_back(std::move(u));
    }
    auto summary = catalog.upsert_products(std::move(items), "test");
    REQUIRE(summary.ok());
    products = summary->ids;
    for (int64_t id : products) set_rating_and_age(shop, rng, id);
  }

  // Direct store writes, as a review would make them, then the catalog
  // told (Reviews does the same).
  static void set_rating_and_age(TestShop& shop, std::mt19937& rng, int64_t id) {
    const int64_t counts[] = {0, 0, 1, 2, 3, 4, 6};
    int64_t count = counts[rng() % std::size(counts)];
    int64_t sum = count == 0 ? 0 : count + static_cast<int64_t>(rng() % (4 * count + 1));
    int64_t created = 1000 + static_cast<int64_t>(rng() % 5);
    REQUIRE(shop.app()
                .db
                ->write([&](Connection& c) {
                  c.prepare("UPDATE products SET rating_sum = ?, rating_count = ?, created_at = ? WHERE product_id = ?")
                      .bind(1, sum)
                      .bind(2, count)
                      .bind(3, created)
                      .bind(4, id)
                      .exec();
                  return Status::Ok();
                })
                .ok());
    shop.app().catalog->product_changed(id);
  }

  ProductQuery random_query(std::mt19937& rng) const {
    ProductQuery q;
    q.sort = kSorts[rng() % std::size(kSorts)];
    q.size = 1 + static_cast<int>(rng() % 100);
    if (rng() % 2) q.category_id = categories[rng() % categories.size()];
    if (rng() % 3 == 0) q.min_price = kPrices[rng() % std::size(kPrices)];
    if (rng() % 3 == 0) q.max_price = kPrices[rng() % std::size(kPrices)] + static_cast<int64_t>(rng() % 2);
    if (rng() % 3 == 0) {
      for (int n = 1 + static_cast<int>(rng() % 3); n > 0; --n) q.brands.push_back(kBrands[rng() % std::size(kBrands)]);
      if (rng() % 5 == 0) q.brands.push_back("Nobody");
    }
    if (rng() % 4 == 0) q.min_rating = 1 + static_cast<int>(rng() % 5);
    if (rng() % 8 == 0) {
      for (int n = 1 + static_cast<int>(rng() % 30); n > 0; --n) q.ids.push_back(products[rng() % products.size()]);
      q.ids.push_back(999999);  // no such product
    }
    // Mostly pages that exist, sometimes past the end.
    int pages = static_cast<int>(products.size()) / q.size + 1;
    q.page = 1 + static_cast<int>(rng() % (rng() % 4 == 0 ? pages + 3 : std::min(pages, 4)));
    return q;
  }
};

int64_t make_category(Catalog& catalog, const std::string& name, std::optional<int64_t> parent = {}) {
  Category c;
  c.name = name;
  c.parent_id = parent;
  auto r = catalog.create_category(c);
  REQUIRE(r.ok());
  return r->id;
}

Product make_product(Catalog& catalog, const std::string& name, int64_t category, int64_t price) {
  Product p;
  p.name = name;
  p.category_id = category;
  p.price = price;
  auto r = catalog.create_product(p, std::nullopt, "test");
  REQUIRE(r.ok());
  return *r;
}

ProductQuery in_category(int64_t category, ProductSort sort = ProductSort::price_asc) {
  ProductQuery q;
  q.category_id = category;
  q.sort = sort;
  q.size = 100;
  return q;
}

std::vector<int64_t> browse_ids(Catalog& catalog, const ProductQuery& q) {
  auto page = catalog.browse(q);
  REQUIRE(page.ok());
  return ids_of(*page);
}

}  // namespace

TEST_CASE("browse from memory equals browse from SQLite for random catalogs and queries", "[http][browse]") {
  TestShop shop;
  Catalog& catalog = *shop.app().catalog;
  std::mt19937 rng(20261129);
  RandomCatalog cat(shop, rng, 300);

  // Every sort and filter on its own first, then random combinations.
  for (auto sort : kSorts) {
    ProductQuery q;
    q.sort = sort;
    q.size = 100;
    for (q.page = 1; q.page <= 4; ++q.page) check_same(catalog, q);
  }
  for (int i = 0; i < 1500; ++i) check_same(catalog, cat.random_query(rng));

  // Change the catalog (prices, ratings, categories, deletes, new
  // products) and compare again on the rebuilt table.
  for (int round = 0; round < 3; ++round) {
    for (int k = 0; k < 15; ++k) {
      int64_t id = cat.products[rng() % cat.products.size()];
      auto p = catalog.product(id);
      if (!p.ok()) continue;
      switch (rng() % 5) {
        case 0:
          p->price = kPrices[rng() % std::size(kPrices)];
          p->sale_price.reset();
          REQUIRE(catalog.update_product(*p).ok());
          break;
        case 1:
          p->category_id = cat.categories[rng() % cat.categories.size()];
          REQUIRE(catalog.update_product(*p).ok());
          break;
        case 2:
          RandomCatalog::set_rating_and_age(shop, rng, id);
          break;
        case 3:
          REQUIRE(catalog.delete_product(id).ok());
          break;
        case 4:
          p->brand = kBrands[rng() % std::size(kBrands)];
          p->name = kNames[rng() % std::size(kNames)];
          REQUIRE(catalog.update_product(*p).ok());
          break;
      }
    }
    Product fresh;
    fresh.name = "Fresh " + std::to_string(round);
    fresh.category_id = cat.categories[rng() % cat.categories.size()];
    fresh.price = 199;
    auto created = catalog.create_product(fresh, std::nullopt, "test");
    REQUIRE(created.ok());
    cat.products.push_back(created->id);
    // Move a grandchild category under another root: the subtrees change.
    auto moved = catalog.category(cat.categories[2]);
    REQUIRE(moved.ok());
    moved->parent_id = cat.categories[(round + 1) % 3 * 10];
    REQUIRE(catalog.update_category(*moved).ok());
    for (int i = 0; i < 300; ++i) check_same(catalog, cat.random_query(rng));
  }
}

TEST_CASE("browse from memory keeps SQLite's answers for invalid UTF-8 brands and odd pages", "[http][browse]") {
  TestShop shop;
  Catalog& catalog = *shop.app().catalog;
  std::mt19937 rng(7);
  RandomCatalog cat(shop, rng, 40);
  ProductQuery q;
  q.brands = {"Ac\xff\xffme", "\xef\xbf\xbd", "Acme"};
  check_same(catalog, q);
  q.brands = {"\xff"};
  check_same(catalog, q);
  q = {};
  q.page = 1000000;
  q.size = 100;
  check_same(catalog, q);
  // Values HTTP refuses but internal callers could pass: SQLite reads a
  // negative OFFSET as 0, LIMIT 0 as no rows.
  for (int page : {0, -1}) {
    q.page = page;
    q.size = 7;
    check_same(catalog, q);
  }
  q.page = 1;
  q.size = 0;
  check_same(catalog, q);
  q.category_id = 424242;
  CHECK(catalog.browse(q).status().kind() == catalog.browse_sqlite(q).status().kind());
}

TEST_CASE("every catalog write is visible to the very next browse", "[http][browse]") {
  TestShop shop;
  Catalog& catalog = *shop.app().catalog;
  int64_t home = make_category(catalog, "Home");
  int64_t kitchen = make_category(catalog, "Kitchen", home);
  int64_t garden = make_category(catalog, "Garden");
  Product pan = make_product(catalog, "Pan", kitchen, 500);
  Product pot = make_product(catalog, "Pot", kitchen, 700);
  CHECK(browse_ids(catalog, in_category(home)) == std::vector<int64_t>{pan.id, pot.id});

  SECTION("create") {
    Product wok = make_product(catalog, "Wok", kitchen, 600);
    CHECK(browse_ids(catalog, in_category(home)) == std::vector<int64_t>{pan.id, wok.id, pot.id});
  }
  SECTION("price and sale price change") {
    pan.price = 900;
    REQUIRE(catalog.update_product(pan).ok());
    CHECK(browse_ids(catalog, in_category(home)) == std::vector<int64_t>{pot.id, pan.id});
    pan.sale_price = 100;
    REQUIRE(catalog.update_product(pan).ok());
    CHECK(browse_ids(catalog, in_category(home)) == std::vector<int64_t>{pan.id, pot.id});
    auto q = in_category(home);
    q.min_price = 600;
    CHECK(browse_ids(catalog, q) == std::vector<int64_t>{pot.id});
  }
  SECTION("delete") {
    REQUIRE(catalog.delete_product(pan.id).ok());
    auto page = catalog.browse(in_category(home));
    REQUIRE(page.ok());
    CHECK(ids_of(*page) == std::vector<int64_t>{pot.id});
    CHECK(page->total == 1);
  }
  SECTION("product moved to another category") {
    pot.category_id = garden;
    REQUIRE(catalog.update_product(pot).ok());
    CHECK(browse_ids(catalog, in_category(home)) == std::vector<int64_t>{pan.id});
    CHECK(browse_ids(catalog, in_category(garden)) == std::vector<int64_t>{pot.id});
  }
  SECTION("category moved under another parent") {
    auto k = catalog.category(kitchen);
    REQUIRE(k.ok());
    k->parent_id = garden;
    REQUIRE(catalog.update_category(*k).ok());
    CHECK(browse_ids(catalog, in_category(home)).empty());
    CHECK(browse_ids(catalog, in_category(garden)) == std::vector<int64_t>{pan.id, pot.id});
  }
  SECTION("rating from a review") {
    auto rated = in_category(home, ProductSort::rating);
    CHECK(browse_ids(catalog, rated) == std::vector<int64_t>{pot.id, pan.id});  // no ratings: id DESC
    auto ada = shop.register_user("ada@example.com");
    auto r = shop.post("/api/v1/products/" + std::to_string(pan.id) + "/reviews", {{"rating", 4}}, ada.auth);
    REQUIRE(r.status == 201);
    CHECK(browse_ids(catalog, rated) == std::vector<int64_t>{pan.id, pot.id});
    rated.min_rating = 4;
    CHECK(browse_ids(catalog, rated) == std::vector<int64_t>{pan.id});
  }
  SECTION("over HTTP, by slug") {
    auto before = shop.get("/api/v1/products?category=home&sort=price_desc");
    REQUIRE(before.status == 200);
    CHECK(before.body["total"] == 2);
    auto r = shop.post("/api/v1/admin/products",
                       {{"name", "Kettle"}, {"category_id", std::to_string(kitchen)}, {"price", 99}}, shop.admin());
    REQUIRE(r.status == 201);
    auto after = shop.get("/api/v1/products?category=home&sort=price_desc");
    REQUIRE(after.status == 200);
    CHECK(after.body["total"] == 3);
    CHECK(after.body["products"][0]["product_id"] == r.body["product_id"]);
  }
}

TEST_CASE("browses racing writes see every write that returned before them", "[http][browse]") {
  TestShop shop;
  Catalog& catalog = *shop.app().catalog;
  int64_t cat = make_category(catalog, "Racing");
  std::vector<Product> products;
  for (int i = 0; i < 20; ++i) products.push_back(make_product(catalog, std::string(1, 'a' + i), cat, 1000 + i));
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t)
    readers.emplace_back([&] {
      while (!stop) {
        auto page = catalog.browse(in_category(cat));
        if (!page.ok() || page->total != 20) ++failures;
      }
    });
  // Each write makes product i the cheapest; the writer's next browse must
  // put it first.
  for (int round = 0; round < 60; ++round) {
    Product& p = products[static_cast<size_t>(round) % products.size()];
    p.price = 999 - round;
    REQUIRE(catalog.update_product(p).ok());
    auto first = browse_ids(catalog, in_category(cat));
    REQUIRE(!first.empty());
    CHECK(first.front() == p.id);
  }
  stop = true;
  for (auto& t : readers) t.join();
  CHECK(failures == 0);
}

// ---- option filters and facets ----

namespace {

// A product in Color (Blue, Green) x Size (S, M) through the admin API,
// `stock` by "Color/Size" (absent: 0); returns {product id, variant ids by
// "Color/Size"}.
std::pair<std::string, std::map<std::string, int64_t>> make_browse_tee(TestShop& shop, const std::string& name,
                                                                       const std::string& category,
                                                                       const std::map<std::string, int>& stock) {
  json variants = json::array();
  for (const char* color : {"Blue", "Green"})
    for (const char* size : {"S", "M"}) {
      std::string key = std::string(color) + "/" + size;
      variants.push_back({{"options", {{"Color", color}, {"Size", size}}},
                          {"price", 20},
                          {"sku", name + "-" + key},
                          {"stock", stock.count(key) ? stock.at(key) : 0}});
    }
  json body = {{"name", name},
               {"options", {{{"name", "Color"}, {"values", {"Blue", "Green"}}}, {{"name", "Size"}, {"values", {"S", "M"}}}}},
               {"variants", variants}};
  if (!category.empty()) body["category_id"] = category;
  auto r = shop.post("/api/v1/admin/products", body, shop.admin());
  INFO(r.text);
  REQUIRE(r.status == 201);
  std::map<std::string, int64_t> ids;
  for (auto& v : r.body["variants"])
    ids[v["options"]["Color"].get<std::string>() + "/" + v["options"]["Size"].get<std::string>()] =
        std::stoll(v["variant_id"].get<std::string>());
  return {r.body["product_id"], ids};
}

std::vector<std::string> browse_result_ids(const json& body) {
  std::vector<std::string> out;
  for (auto& p : body["products"]) out.push_back(p["product_id"]);
  return out;
}

std::map<std::string, std::map<std::string, int64_t>> browse_option_facets(const json& body) {
  std::map<std::string, std::map<std::string, int64_t>> out;
  for (auto& f : body["facets"]["options"])
    for (auto& v : f["values"]) out[f["name"]][v["value"]] = v["count"];
  return out;
}

}  // namespace

TEST_CASE("browse option filters keep products with an in-stock variant matching every choice",
          "[http][browse][variants]") {
  TestShop shop;
  auto clothes = shop.create_category("Clothes");
  auto [tee, variant] = make_browse_tee(shop, "Tee", clothes, {{"Blue/M", 3}, {"Green/M", 1}});
  auto [polo, polo_variant] = make_browse_tee(shop, "Polo", "", {{"Green/S", 1}});
  auto plain = shop.create_product({{"name", "Plain"}, {"category_id", clothes}}, 5);

  auto r = shop.get("/api/v1/products?option.Size=M&option.Color=Blue");
  REQUIRE(r.status == 200);
  CHECK(browse_result_ids(r.body) == std::vector<std::string>{tee});
  CHECK(r.body["total"] == 1);
  CHECK(r.body["filters_applied"]["options"] == json({{"Size", "M"}, {"Color", "Blue"}}));
  CHECK(browse_result_ids(shop.get("/api/v1/products?option.size=m&option.color=BLUE").body) ==
        std::vector<std::string>{tee});
  // Green exists for both; in stock only in M (tee) and S (polo).
  CHECK(browse_result_ids(shop.get("/api/v1/products?option.Color=Green&sort=name").body) ==
        std::vector<std::string>{polo, tee});
  CHECK(browse_result_ids(shop.get("/api/v1/products?option.Color=Green&option.Size=M").body) ==
        std::vector<std::string>{tee});
  // With the other filters: the category, and the id of a product without options never.
  CHECK(browse_result_ids(shop.get("/api/v1/products?option.Color=Green&category=" + clothes).body) ==
        std::vector<std::string>{tee});
  CHECK(shop.get("/api/v1/products?option.Color=Green&min_price=21").body["total"] == 0);
  CHECK(shop.get("/api/v1/products?option.Size=XL").body["total"] == 0);
  // Sold out: the very next browse drops it (stock is read live).
  REQUIRE(shop.app().inventory->set_total(variant["Green/M"], 0, "test", "sold").ok());
  CHECK(shop.get("/api/v1/products?option.Color=Green&option.Size=M").body["total"] == 0);
  CHECK(browse_result_ids(shop.get("/api/v1/products?option.Color=Green").body) == std::vector<std::string>{polo});
  // Unfiltered: everything, in stock or not.
  CHECK(shop.get("/api/v1/products").body["total"] == 3);
  (void)plain;
  (void)polo_variant;
}

TEST_CASE("browse facets count the matching products offering each option value", "[http][browse][variants]") {
  TestShop shop;
  auto clothes = shop.create_category("Clothes");
  make_browse_tee(shop, "Tee", clothes, {{"Blue/M", 3}});
  make_browse_tee(shop, "Polo", "", {});
  shop.create_product({{"name", "Plain"}, {"category_id", clothes}}, 5);

  auto all = shop.get("/api/v1/products");
  REQUIRE(all.status == 200);
  INFO(all.body["facets"].dump());
  auto f = browse_option_facets(all.body);
  CHECK(f["Color"] == std::map<std::string, int64_t>{{"Blue", 2}, {"Green", 2}});
  CHECK(f["Size"] == std::map<std::string, int64_t>{{"S", 2}, {"M", 2}});
  CHECK(all.body["facets"]["options"][0]["values"][0]["value"] == "Blue");  // the merchant's order
  // Over the matches only.
  auto in_clothes = browse_option_facets(shop.get("/api/v1/products?category=" + clothes).body);
  CHECK(in_clothes["Color"] == std::map<std::string, int64_t>{{"Blue", 1}, {"Green", 1}});
  CHECK(browse_option_facets(shop.get("/api/v1/products?option.Size=M").body)["Size"] ==
        std::map<std::string, int64_t>{{"S", 1}, {"M", 1}});
  // A write is in the very next browse's facets.
  make_browse_tee(shop, "Henley", "", {});
  CHECK(browse_option_facets(shop.get("/api/v1/products").body)["Size"] ==
        std::map<std::string, int64_t>{{"S", 3}, {"M", 3}});
  // facets=false leaves them out; anything else but true is a 400.
  CHECK(!shop.get("/api/v1/products?facets=false").body.contains("facets"));
  CHECK(shop.get("/api/v1/products?facets=maybe").status == 400);
}

TEST_CASE("a browse row is in stock when only a later variant has stock", "[http][browse][variants]") {
  TestShop shop;
  make_browse_tee(shop, "Tee", "", {{"Green/M", 2}});
  auto r = shop.get("/api/v1/products");
  REQUIRE(r.body["products"].size() == 1);
  CHECK(r.body["products"][0]["in_stock"] == true);
  CHECK(r.body["products"][0]["available"] == 2);
}
