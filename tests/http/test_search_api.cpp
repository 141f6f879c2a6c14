// GET /api/v1/search, /search/suggest, /products/{id}/similar and the
// admin reindex, on a generated catalog, checked against SQLite directly.
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "catalog/product_search.h"
#include "inventory/inventory.h"
#include "support/test_shop.h"

using shopbox::Connection;
using shopbox::Status;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {

int64_t sid(const std::string& s) {
  return static_cast<int64_t>(std::stoll(s));
}

struct Generated {
  std::string electronics, audio, headphones, home, kitchen;
  std::vector<std::string> ids;
};

const char* kBrands[] = {"Acme", "Zeta", "Nova", "Orbit"};
const char* kAdjectives[] = {"Wireless", "Portable", "Smart", "Compact", "Classic"};

// A catalog of 64 products over a small category tree, with prices,
// brands, stock and ratings spread deterministically.
Generated generate(TestShop& shop) {
  Generated g;
  g.electronics = shop.create_category("Electronics");
  g.audio = shop.create_category("Audio", g.electronics);
  g.headphones = shop.create_category("Headphones", g.audio);
  g.home = shop.create_category("Home");
  g.kitchen = shop.create_category("Kitchen", g.home);
  std::mt19937 rng(7);
  for (int i = 0; i < 64; ++i) {
    bool audio = i % 2 == 0;
    std::string noun = audio ? (i % 4 == 0 ? "Headphones" : "Speaker") : (i % 4 == 1 ? "Kettle" : "Blender");
    std::string cat = audio ? (i % 4 == 0 ? g.headphones : g.audio) : g.kitchen;
    int cents = 500 + static_cast<int>(rng() % 60000);
    json p = {{"name", std::string(kAdjectives[i % 5]) + " " + noun + " " + std::to_string(i)},
              {"brand", kBrands[(i / 2) % 4]},
              {"category_id", cat},
              {"price", cents / 100.0},
              {"description", "A " + noun + " for every day. Model " + std::to_string(i) + "."}};
    if (i % 3 == 0) p["sale_price"] = (cents / 2) / 100.0;
    g.ids.push_back(shop.create_product(p, i % 5 == 0 ? 0 : 7));
  }
  // Ratings come from reviews, not the product API: set them in SQLite.
  REQUIRE(shop.app()
              .db
              ->write([&](Connection& c) {
                for (size_t i = 0; i < g.ids.size(); ++i) {
                  int64_t count = static_cast<int64_t>(i % 7);
                  int64_t sum = count * static_cast<int64_t>(1 + i % 5);
                  c.prepare("UPDATE products SET rating_sum = ?, rating_count = ? WHERE product_id = ?")
                      .bind(1, sum)
                      .bind(2, count)
                      .bind(3, sid(g.ids[i]))
                      .exec();
                }
                return Status::Ok();
              })
              .ok());
  for (auto& id : g.ids) shop.app().search->enqueue(sid(id));
  REQUIRE(shop.app().search->flush());
  return g;
}

int64_t sql_count(TestShop& shop, const std::string& sql, const std::vector<std::string>& args = {}) {
  int64_t n = -1;
  REQUIRE(shop.app()
              .db
              ->read([&](Connection& c) {
                auto st = c.prepare(sql.c_str());
                for (size_t i = 0; i < args.size(); ++i) st.bind(static_cast<int>(i + 1), args[i]);
                st.step();
                n = st.int64(0);
                return Status::Ok();
              })
              .ok());
  return n;
}

// Subtree of a category, as SQL.
const std::string kInKitchen = "category_id IN (SELECT category_id FROM categories WHERE path LIKE 'Home/Kitchen%')";
const std::string kInAudio = "category_id IN (SELECT category_id FROM categories WHERE path LIKE 'Electronics/Audio%')";

std::vector<std::string> result_ids(const json& body) {
  std::vector<std::string> out;
  for (auto& p : body["products"]) out.push_back(p["product_id"]);
  return out;
}

}  // namespace

TEST_CASE("an exact name match ranks above a description mention", "[http][search]") {
  TestShop shop;
  auto mug = shop.create_product({{"name", "Coffee Mug"}, {"description", "Pairs well with wireless headphones."}});
  auto hp = shop.create_product({{"name", "Wireless Headphones"}, {"description", "Over-ear, 30 hours of battery."}});
  shop.create_product({{"name", "Desk Lamp"}, {"description", "Bright."}});
  REQUIRE(shop.app().search->flush());
  auto r = shop.get("/api/v1/search?q=wireless%20headphones");
  REQUIRE(r.status == 200);
  REQUIRE(r.body["total"] == 2);
  CHECK(r.body["products"][0]["product_id"] == hp);
  CHECK(r.body["products"][1]["product_id"] == mug);
  CHECK(r.body["products"][0]["highlights"]["name"] == "<mark>Wireless</mark> <mark>Headphones</mark>");
  CHECK(r.body["products"][1]["snippet"].get<std::string>().find("<mark>wireless</mark>") != std::string::npos);
  CHECK(r.body["query"] == "wireless headphones");
  CHECK(r.body["total_results"] == 2);
  CHECK(r.body["page_size"] == 20);
  // Stemming: the singular finds the plural.
  CHECK(shop.get("/api/v1/search?q=headphone").body["total"] == 2);
}

TEST_CASE("each filter narrows results and facets equal SQLite counts", "[http][search]") {
  TestShop shop;
  auto g = generate(shop);

  SECTION("category includes subcategories, by id or slug") {
    auto r = shop.get("/api/v1/search?category=" + g.audio + "&size=100");
    REQUIRE(r.status == 200);
    CHECK(r.body["total"] == sql_count(shop, "SELECT COUNT(*) FROM products WHERE " + kInAudio));
    CHECK(shop.get("/api/v1/search?category=audio").body["total"] == r.body["total"]);
    CHECK(r.body["filters_applied"]["category"] == "audio");
    // Category facet counts (ancestors included) match SQLite.
    for (auto& c : r.body["facets"]["categories"]) {
      std::string id = c["category_id"];
      int64_t n =
          sql_count(shop,
                    "SELECT COUNT(*) FROM products WHERE " + kInAudio +
                        " AND category_id IN (SELECT category_id FROM categories WHERE category_id = ?1 OR path LIKE "
                        "(SELECT path FROM categories WHERE category_id = ?1) || '/%')",
                    {id});
      INFO(c.dump());
      CHECK(c["count"] == n);
    }
  }
  SECTION("brand (one or several)") {
    auto r = shop.get("/api/v1/search?brand=Acme");
    CHECK(r.body["total"] == sql_count(shop, "SELECT COUNT(*) FROM products WHERE brand = 'Acme'"));
    auto r2 = shop.get("/api/v1/search?brand=Acme,Zeta");
    CHECK(r2.body["total"] == sql_count(shop, "SELECT COUNT(*) FROM products WHERE brand IN ('Acme','Zeta')"));
    for (auto& p : r2.body["products"]) CHECK((p["brand"] == "Acme" || p["brand"] == "Zeta"));
  }
  SECTION("price bounds apply to the final price, inclusive") {
    auto r = shop.get("/api/v1/search?min_price=50&max_price=200&size=100");
    CHECK(r.body["total"] ==
          sql_count(shop, "SELECT COUNT(*) FROM products WHERE final_price_cents BETWEEN 5000 AND 20000"));
    for (auto& p : r.body["products"]) {
      CHECK(p["price"].get<double>() >= 50);
      CHECK(p["price"].get<double>() <= 200);
    }
    // An exact price as both bounds finds that product.
    auto one = shop.get("/api/v1/products/" + g.ids[3]);
    std::string price = one.body["price"]["discount"].is_null() ? one.body["price"]["amount"].dump()
                                                                : one.body["price"]["discount"]["final_price"].dump();
    auto exact = shop.get("/api/v1/search?min_price=" + price + "&max_price=" + price);
    CHECK(exact.body["total"].get<int>() >= 1);
  }
  SECTION("rating is a minimum average") {
    auto r = shop.get("/api/v1/search?rating=4&size=100");
    CHECK(r.body["total"] ==
          sql_count(shop, "SELECT COUNT(*) FROM products WHERE rating_count > 0 AND rating_sum >= 4 * rating_count"));
    for (auto& p : r.body["products"]) CHECK(p["rating"].get<double>() >= 4);
  }
  SECTION("in_stock") {
    auto yes = shop.get("/api/v1/search?in_stock=true&size=100");
    auto no = shop.get("/api/v1/search?in_stock=false&size=100");
    CHECK(yes.body["total"] == 51);  // every fifth product has no stock
    CHECK(no.body["total"] == 13);
    for (auto& p : yes.body["products"]) CHECK(p["in_stock"] == true);
    for (auto& p : no.body["products"]) CHECK(p["in_stock"] == false);
  }
  SECTION("text, category, price and rating together; every facet matches SQLite") {
    auto r = shop.get("/api/v1/search?q=blender&category=" + g.home + "&min_price=10&max_price=400&rating=2");
    REQUIRE(r.status == 200);
    std::string where =
        " FROM products WHERE name LIKE '%Blender%' AND " + kInKitchen +
        " AND final_price_cents BETWEEN 1000 AND 40000 AND rating_count > 0 AND rating_sum >= 2 * rating_count";
    CHECK(r.body["total"] == sql_count(shop, "SELECT COUNT(*)" + where));
    for (auto& b : r.body["facets"]["brands"])
      CHECK(b["count"] ==
            sql_count(shop, "SELECT COUNT(*)" + where + " AND brand = ?", {b["name"].get<std::string>()}));
    for (auto& pr : r.body["facets"]["price_ranges"]) {
      std::string lo = std::to_string(static_cast<int64_t>(pr["min"].get<double>() * 100));
      std::string hi =
          pr["max"].is_null() ? "1000000000000" : std::to_string(static_cast<int64_t>(pr["max"].get<double>() * 100));
      CHECK(pr["count"] == sql_count(shop, "SELECT COUNT(*)" + where + " AND final_price_cents >= " + lo +
                                               " AND final_price_cents < " + hi));
    }
    for (auto& rt : r.body["facets"]["ratings"]) {
      std::string k = std::to_string(rt["min_rating"].get<int>());
      CHECK(rt["count"] == sql_count(shop, "SELECT COUNT(*)" + where + " AND rating_sum >= " + k + " * rating_count"));
    }
  }
  SECTION("brand facet over a text query equals a GROUP BY") {
    auto r = shop.get("/api/v1/search?q=speaker");
    int64_t sum = 0;
    for (auto& b : r.body["facets"]["brands"]) {
      CHECK(b["count"] == sql_count(shop, "SELECT COUNT(*) FROM products WHERE name LIKE '%Speaker%' AND brand = ?",
                                    {b["name"].get<std::string>()}));
      sum += b["count"].get<int64_t>();
    }
    CHECK(sum == r.body["total"].get<int64_t>());
  }
}

TEST_CASE("sort orders match SQLite and pages have no duplicates or gaps", "[http][search]") {
  TestShop shop;
  auto g = generate(shop);
  auto sql_order = [&](const std::string& order) {
    std::vector<std::string> out;
    REQUIRE(shop.app()
                .db
                ->read([&](Connection& c) {
                  auto st = c.prepare(("SELECT product_id FROM products ORDER BY " + order).c_str());
                  while (st.step()) out.push_back(std::to_string(st.int64(0)));
                  return Status::Ok();
                })
                .ok());
    return out;
  };
  std::map<std::string, std::string> orders = {
      {"price_asc", "final_price_cents ASC, product_id ASC"},
      {"price_desc", "final_price_cents DESC, product_id ASC"},
      {"rating",
       "CASE WHEN rating_count = 0 THEN 0 ELSE CAST(rating_sum AS REAL) / rating_count END DESC, rating_count DESC, "
       "product_id ASC"},
      {"newest", "created_at DESC, product_id DESC"},
  };
  for (auto& [sort, order] : orders) {
    INFO(sort);
    std::vector<std::string> paged;
    for (int page = 1; page <= 5; ++page) {
      auto r = shop.get("/api/v1/search?sort=" + sort + "&size=15&page=" + std::to_string(page));
      REQUIRE(r.status == 200);
      CHECK(r.body["total"] == 64);
      for (auto& id : result_ids(r.body)) paged.push_back(id);
    }
    CHECK(paged == sql_order(order));
    CHECK(std::set<std::string>(paged.begin(), paged.end()).size() == 64);
  }
  // Relevance pages of a text query: no duplicates, no gaps, total kept.
  std::vector<std::string> all = result_ids(shop.get("/api/v1/search?q=wireless&size=100").body);
  std::vector<std::string> paged;
  for (int page = 1; page <= 4; ++page)
    for (auto& id : result_ids(shop.get("/api/v1/search?q=wireless&size=4&page=" + std::to_string(page)).body))
      paged.push_back(id);
  CHECK(all.size() == 13);
  CHECK(paged == all);
  auto past = shop.get("/api/v1/search?q=wireless&page=50");
  CHECK(past.status == 200);
  CHECK(past.body["products"].empty());
}

TEST_CASE("suggest completes the last word from product and category names", "[http][search]") {
  TestShop shop;
  auto g = generate(shop);
  auto r = shop.get("/api/v1/search/suggest?q=wirel");
  REQUIRE(r.status == 200);
  REQUIRE(!r.body["suggestions"].empty());
  for (auto& s : r.body["suggestions"]) {
    CHECK(s["type"] == "product");
    CHECK(s["text"].get<std::string>().rfind("Wireless", 0) == 0);
    CHECK(s.contains("product_id"));
  }
  auto two = shop.get("/api/v1/search/suggest?q=smart%20ble");
  REQUIRE(!two.body["suggestions"].empty());
  for (auto& s : two.body["suggestions"]) CHECK(s["text"].get<std::string>().rfind("Smart Blender", 0) == 0);
  auto cat = shop.get("/api/v1/search/suggest?q=headp");
  REQUIRE(!cat.body["suggestions"].empty());
  CHECK(cat.body["suggestions"][0]["type"] == "category");
  CHECK(cat.body["suggestions"][0]["text"] == "Headphones");
  CHECK(cat.body["suggestions"][0]["category_id"] == g.headphones);
  CHECK(shop.get("/api/v1/search/suggest?q=").body["suggestions"].empty());
  CHECK(shop.get("/api/v1/search/suggest?q=zzzzqx").body["suggestions"].empty());
  CHECK(shop.get("/api/v1/search/suggest?q=" + std::string(300, 'a')).status == 400);
}

TEST_CASE("a misspelt query gets did_you_mean and the corrected results", "[http][search]") {
  TestShop shop;
  generate(shop);
  auto r = shop.get("/api/v1/search?q=blendr");
  REQUIRE(r.status == 200);
  CHECK(r.body["did_you_mean"] == "blender");
  CHECK(r.body["corrected"] == true);
  CHECK(r.body["total"] == shop.get("/api/v1/search?q=blender").body["total"]);
  CHECK(r.body["total"].get<int>() > 0);
  auto two = shop.get("/api/v1/search?q=wirless%20speakr");
  CHECK(two.body["did_you_mean"] == "wireless speaker");
  // A correctly spelt query has no suggestion.
  CHECK(!shop.get("/api/v1/search?q=kettle").body.contains("did_you_mean"));
}

TEST_CASE("the index follows create, update and delete through the admin API", "[http][search]") {
  TestShop shop;
  auto id = shop.create_product({{"name", "Teapot Deluxe"}, {"brand", "Brewer"}, {"price", 30}});
  REQUIRE(shop.app().search->flush());
  CHECK(shop.get("/api/v1/search?q=teapot").body["total"] == 1);

  auto u = shop.patch("/api/v1/admin/products/" + id, {{"name", "Samovar Deluxe"}, {"price", 45}}, shop.admin());
  if (u.status == 404 || u.status == 405)
    u = shop.put("/api/v1/admin/products/" + id, {{"name", "Samovar Deluxe"}, {"price", 45}}, shop.admin());
  REQUIRE(u.status == 200);
  REQUIRE(shop.app().search->flush());
  CHECK(shop.get("/api/v1/search?q=teapot").body["total"] == 0);
  auto r = shop.get("/api/v1/search?q=samovar");
  REQUIRE(r.body["total"] == 1);
  CHECK(r.body["products"][0]["price"].dump() == "45");
  CHECK(shop.get("/api/v1/search?q=samovar&max_price=40").body["total"] == 0);

  REQUIRE(shop.del("/api/v1/admin/products/" + id, shop.admin()).status / 100 == 2);
  REQUIRE(shop.app().search->flush());
  CHECK(shop.get("/api/v1/search?q=samovar").body["total"] == 0);
  CHECK(shop.get("/api/v1/products/" + id + "/similar").status == 404);
}

TEST_CASE("start-up reconciliation catches changes the index missed", "[http][search]") {
  TestShop shop;
  auto a = shop.create_product({{"name", "Granite Mortar"}});
  auto b = shop.create_product({{"name", "Oak Pestle"}});
  REQUIRE(shop.app().search->flush());
  // Change SQLite behind the index's back (as a crash between the SQLite
  // commit and the index commit would leave it).
  REQUIRE(shop.app()
              .db
              ->write([&](Connection& c) {
                c.prepare("UPDATE products SET name = 'Marble Mortar' WHERE product_id = ?").bind(1, sid(a)).exec();
                c.prepare("DELETE FROM products WHERE product_id = ?").bind(1, sid(b)).exec();
                return Status::Ok();
              })
              .ok());
  CHECK(shop.get("/api/v1/search?q=marble").body["total"] == 0);
  shop.restart();
  REQUIRE(shop.app().search->flush());
  CHECK(shop.get("/api/v1/search?q=marble").body["total"] == 1);
  CHECK(shop.get("/api/v1/search?q=granite").body["total"] == 0);
  CHECK(shop.get("/api/v1/search?q=pestle").body["total"] == 0);
}

TEST_CASE("stock changes move products in and out of the in_stock filter", "[http][search]") {
  TestShop shop;
  auto id = shop.create_product({{"name", "Copper Whisk"}}, 0);
  REQUIRE(shop.app().search->flush());
  CHECK(shop.get("/api/v1/search?q=whisk&in_stock=true").body["total"] == 0);
  REQUIRE(shop.app().inventory->adjust(sid(id), 3, "test", "restock").ok());
  // The result list shows live stock at once, and queues the re-index.
  auto r = shop.get("/api/v1/search?q=whisk");
  CHECK(r.body["products"][0]["in_stock"] == true);
  REQUIRE(shop.app().search->flush());
  CHECK(shop.get("/api/v1/search?q=whisk&in_stock=true").body["total"] == 1);
}

TEST_CASE("similar products share words and prefer the same category", "[http][search]") {
  TestShop shop;
  auto g = generate(shop);
  auto r = shop.get("/api/v1/products/" + g.ids[0] + "/similar?size=5");  // Wireless Headphones 0
  REQUIRE(r.status == 200);
  REQUIRE(r.body["products"].size() == 5);
  for (auto& p : r.body["products"]) {
    CHECK(p["product_id"] != g.ids[0]);
    CHECK(p["category_id"] == g.headphones);
  }
  CHECK(shop.get("/api/v1/products/999999/similar").status == 404);
  CHECK(shop.get("/api/v1/products/" + g.ids[0] + "/similar?size=500").status == 400);
}

TEST_CASE("bad search input is a 400 JSON error, odd text is just words", "[http][search]") {
  TestShop shop;
  shop.create_product({{"name", "Wireless Headphones"}});
  REQUIRE(shop.app().search->flush());
  for (std::string bad :
       {"size=101", "size=0", "page=0", "page=-1", "sort=popularityy", "min_price=abc", "max_price=1e3", "min_price=-5",
        "min_price=10&max_price=5", "rating=6", "rating=x", "in_stock=maybe", "category=nope"}) {
    INFO(bad);
    auto r = shop.get("/api/v1/search?q=x&" + bad);
    CHECK(r.status == 400);
    CHECK(r.body["error"]["code"] == "invalid_request");
  }
  CHECK(shop.get("/api/v1/search?q=" + std::string(201, 'a')).status == 400);
  // Unbalanced quotes, stray operators and symbols never fail.
  for (std::string odd : {"%22wireless", "wireless%22%22%22", "AND", "OR+NOT", "((((", "-", "+", "*", "%26%7C",
                          "headphones%29", "NOT+wireless", "%C3%A9t%C3%A9", "%22%22"}) {
    INFO(odd);
    auto r = shop.get("/api/v1/search?q=" + odd);
    CHECK(r.status == 200);
  }
  CHECK(shop.get("/api/v1/search?q=%22wireless").body["total"] == 1);
  CHECK(shop.get("/api/v1/search?q=%22wireless%20headphones%22").body["total"] == 1);
}

TEST_CASE("reindex rebuilds aside and swaps while searches keep answering", "[http][search][concurrency]") {
  TestShop shop;
  generate(shop);
  std::atomic<bool> done{false};
  std::atomic<int> failures{0}, answered{0};
  std::thread reader([&] {
    while (!done) {
      auto r = shop.get("/api/v1/search?q=speaker");
      if (r.status != 200 || r.body["total"] != 16) ++failures;
      ++answered;
    }
  });
  for (int i = 0; i < 3; ++i) {
    auto r = shop.post("/api/v1/admin/search/reindex", json::object(), shop.admin());
    REQUIRE(r.status == 200);
    CHECK(r.body["documents"] == 64);
  }
  done = true;
  reader.join();
  CHECK(failures == 0);
  CHECK(answered > 0);
  auto st = shop.get("/api/v1/admin/search/status", shop.admin());
  REQUIRE(st.status == 200);
  CHECK(st.body["documents"] == 64);
  CHECK(shop.get("/api/v1/admin/search/reindex").status != 200);
  CHECK(shop.post("/api/v1/admin/search/reindex", json::object()).status == 401);
}

// ---- options and variants ----

namespace {

// A T-shirt in Color (Blue, Green) x Size (S, M) created through the admin
// API; `stock` by "Color/Size", absent ones 0. Returns the product id and
// each variant's id by "Color/Size".
struct SearchTee {
  std::string id;
  std::map<std::string, int64_t> variant;
};

SearchTee make_search_tee(TestShop& shop, const std::string& name, const std::string& sku,
                          const std::map<std::string, int>& stock) {
  json variants = json::array();
  int n = 0;
  for (const char* color : {"Blue", "Green"})
    for (const char* size : {"S", "M"}) {
      std::string key = std::string(color) + "/" + size;
      variants.push_back({{"options", {{"Color", color}, {"Size", size}}},
                          {"price", 20 + 5 * (n % 2)},
                          {"sku", sku + "-" + color[0] + "-" + size},
                          {"barcode", "0000" + std::to_string(100 + n) + sku},
                          {"stock", stock.count(key) ? stock.at(key) : 0}});
      ++n;
    }
  json body = {{"name", name},
               {"options", {{{"name", "Color"}, {"values", {"Blue", "Green"}}}, {{"name", "Size"}, {"values", {"S", "M"}}}}},
               {"variants", variants}};
  auto r = shop.post("/api/v1/admin/products", body, shop.admin());
  INFO(r.text);
  REQUIRE(r.status == 201);
  SearchTee tee;
  tee.id = r.body["product_id"];
  for (auto& v : r.body["variants"])
    tee.variant[v["options"]["Color"].get<std::string>() + "/" + v["options"]["Size"].get<std::string>()] =
        sid(v["variant_id"]);
  REQUIRE(tee.variant.size() == 4);
  return tee;
}

void set_variant_stock(TestShop& shop, int64_t variant_id, int64_t total) {
  REQUIRE(shop.app().inventory->set_total(variant_id, total, "test", "test").ok());
}

// facets.options as {name: {value: count}}.
std::map<std::string, std::map<std::string, int64_t>> option_facets(const json& body) {
  std::map<std::string, std::map<std::string, int64_t>> out;
  for (auto& f : body["facets"]["options"])
    for (auto& v : f["values"]) out[f["name"]][v["value"]] = v["count"];
  return out;
}

}  // namespace

TEST_CASE("search option filters keep products with an in-stock variant matching every choice",
          "[http][search][variants]") {
  TestShop shop;
  auto tee = make_search_tee(shop, "Cotton Tee", "TEE", {{"Blue/M", 3}, {"Green/M", 2}});
  shop.create_product({{"name", "Plain Tee"}}, 5);  // no options: never passes an option filter
  REQUIRE(shop.app().search->flush());

  auto blue_m = shop.get("/api/v1/search?q=tee&option.Size=M&option.Color=Blue");
  REQUIRE(blue_m.status == 200);
  CHECK(result_ids(blue_m.body) == std::vector<std::string>{tee.id});
  CHECK(blue_m.body["total"] == 1);
  CHECK(blue_m.body["filters_applied"]["options"] == json({{"Size", "M"}, {"Color", "Blue"}}));
  // Names and values are case-insensitive; the browse form (no q) too.
  CHECK(result_ids(shop.get("/api/v1/search?q=tee&option.size=m&option.COLOR=blue").body) ==
        std::vector<std::string>{tee.id});
  CHECK(shop.get("/api/v1/search?option.Color=Blue&option.Size=M").body["total"] == 1);
  // Blue/S exists but is sold out; one variant must match every choice.
  CHECK(shop.get("/api/v1/search?q=tee&option.Color=Blue&option.Size=S").body["total"] == 0);
  CHECK(shop.get("/api/v1/search?q=tee&option.Size=XL").body["total"] == 0);
  CHECK(shop.get("/api/v1/search?q=tee&option.Material=Cotton").body["total"] == 0);
  // Green/M is in stock until it sells out: the filter reads live stock.
  CHECK(shop.get("/api/v1/search?q=tee&option.Color=Green&option.Size=M").body["total"] == 1);
  set_variant_stock(shop, tee.variant["Green/M"], 0);
  CHECK(shop.get("/api/v1/search?q=tee&option.Color=Green&option.Size=M").body["total"] == 0);
  CHECK(shop.get("/api/v1/search?q=tee&option.Size=M").body["total"] == 1);  // Blue/M still
  set_variant_stock(shop, tee.variant["Blue/S"], 1);
  CHECK(shop.get("/api/v1/search?q=tee&option.Color=Blue&option.Size=S").body["total"] == 1);
  // Without option filters both tees match.
  CHECK(shop.get("/api/v1/search?q=tee").body["total"] == 2);
}

TEST_CASE("search facets count the matching products offering each option value", "[http][search][variants]") {
  TestShop shop;
  make_search_tee(shop, "Cotton Tee", "TEE", {{"Blue/M", 3}});
  // Blue only, in M and L: offers no Green and no S.
  auto r = shop.post("/api/v1/admin/products",
                     {{"name", "Linen Tee"},
                      {"options", {{{"name", "color"}, {"values", {"Blue"}}}, {{"name", "Size"}, {"values", {"M", "L"}}}}},
                      {"variants",
                       {{{"options", {{"color", "Blue"}, {"Size", "M"}}}, {"price", 30}, {"sku", "LIN-M"}, {"stock", 0}},
                        {{"options", {{"color", "Blue"}, {"Size", "L"}}}, {"price", 30}, {"sku", "LIN-L"}, {"stock", 1}}}}},
                     shop.admin());
  INFO(r.text);
  REQUIRE(r.status == 201);
  shop.create_product({{"name", "Plain Tee"}}, 5);
  REQUIRE(shop.app().search->flush());

  auto all = shop.get("/api/v1/search?q=tee");
  REQUIRE(all.status == 200);
  INFO(all.body["facets"].dump());
  auto f = option_facets(all.body);
  // "Color" and "color" are one facet; counts are products, in stock or not.
  CHECK(f.size() == 2);
  CHECK(f["Color"] == std::map<std::string, int64_t>{{"Blue", 2}, {"Green", 1}});
  CHECK(f["Size"] == std::map<std::string, int64_t>{{"S", 1}, {"M", 2}, {"L", 1}});
  // Values keep the merchant's order: Blue before Green.
  CHECK(all.body["facets"]["options"][0]["name"] == "Color");
  CHECK(all.body["facets"]["options"][0]["values"][0]["value"] == "Blue");
  // Facets cover the filtered matches only: Size=L keeps the linen tee.
  auto l = shop.get("/api/v1/search?q=tee&option.Size=L");
  REQUIRE(l.body["total"] == 1);
  CHECK(option_facets(l.body)["Size"] == std::map<std::string, int64_t>{{"M", 1}, {"L", 1}});
  CHECK(option_facets(shop.get("/api/v1/search?q=plain").body).empty());
}

TEST_CASE("a variant's SKU or barcode finds its product", "[http][search][variants]") {
  TestShop shop;
  auto tee = make_search_tee(shop, "Cotton Tee", "TEE", {{"Blue/M", 3}});
  shop.create_product({{"name", "Mug"}, {"description", "Goes with a tee."}});
  REQUIRE(shop.app().search->flush());
  for (std::string q : {"TEE-G-M", "tee-g-m", "%20TEE-B-S%20", "0000103TEE", "0000101tee"}) {
    INFO(q);
    auto r = shop.get("/api/v1/search?q=" + q);
    REQUIRE(r.status == 200);
    REQUIRE(r.body["total"].get<int64_t>() >= 1);
    CHECK(r.body["products"][0]["product_id"] == tee.id);
    CHECK(!r.body.contains("did_you_mean"));
  }
  CHECK(shop.get("/api/v1/search?q=TEE-X-L").body["total"] == 0);
}

TEST_CASE("a search hit is in stock when any variant is, priced from its lowest", "[http][search][variants]") {
  TestShop shop;
  // Only Green/M, the last variant, has stock.
  auto tee = make_search_tee(shop, "Cotton Tee", "TEE", {{"Green/M", 2}});
  REQUIRE(shop.app().search->flush());
  auto r = shop.get("/api/v1/search?q=tee");
  REQUIRE(r.body["total"] == 1);
  auto& hit = r.body["products"][0];
  CHECK(hit["in_stock"] == true);
  CHECK(hit["available"] == 2);
  CHECK(hit["price"] == 20);
  CHECK(hit["price_max"] == 25);
  CHECK(hit["variants_count"] == 4);
  // The indexed state is "any variant" too: the in_stock filter finds it.
  CHECK(shop.get("/api/v1/search?q=tee&in_stock=true").body["total"] == 1);
  CHECK(shop.get("/api/v1/search?q=tee").body["facets"]["availability"]["in_stock"] == 1);
  // Sold out: live at once, and the index follows (the hit queued it).
  set_variant_stock(shop, tee.variant["Green/M"], 0);
  CHECK(shop.get("/api/v1/search?q=tee").body["products"][0]["in_stock"] == false);
  REQUIRE(shop.app().search->flush());
  CHECK(shop.get("/api/v1/search?q=tee&in_stock=true").body["total"] == 0);
  CHECK(shop.get("/api/v1/search?q=tee&in_stock=false").body["total"] == 1);
}

TEST_CASE("bad option filters are a 400 JSON error", "[http][search][variants]") {
  TestShop shop;
  shop.create_product({{"name", "Cotton Tee"}});
  REQUIRE(shop.app().search->flush());
  std::string eleven;
  for (int i = 0; i < 11; ++i) eleven += "&option.O" + std::to_string(i) + "=v";
  for (std::string bad : {std::string("option.=M"), std::string("option.%20=M"), std::string("option.Size="),
                          "option." + std::string(101, 'n') + "=M", "option.Size=" + std::string(101, 'v'),
                          std::string("option.Size=%FF"), eleven.substr(1)}) {
    INFO(bad);
    for (std::string path : {"/api/v1/search?q=tee&", "/api/v1/products?"}) {
      auto r = shop.get(path + bad);
      CHECK(r.status == 400);
      CHECK(r.body["error"]["code"] == "invalid_request");
      CHECK(r.body["error"]["details"].contains("field"));
    }
  }
  CHECK(shop.get("/api/v1/search?q=tee&" + eleven.substr(eleven.find('&', 1) + 1)).status == 200);  // ten
}
