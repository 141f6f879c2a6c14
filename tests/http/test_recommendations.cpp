// Recommendations over HTTP: also-bought from order co-occurrence (counted
// once per order), similar products, recently viewed, the personal row, and
// the filtering of sold-out products.
#include <algorithm>
#include <catch2/catch.hpp>

#include "app.h"
#include "recommendations/recommendations.h"
#include "support/test_shop.h"

using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {

std::vector<std::string> recommended_ids(const json& list) {
  std::vector<std::string> out;
  for (const auto& p : list) out.push_back(p["product_id"].get<std::string>());
  return out;
}

int64_t num(const std::string& id) {
  return std::stoll(id);
}

}  // namespace

TEST_CASE("also bought ranks co-purchased products and counts each order once", "[http][recommendations]") {
  TestShop shop;
  auto cat = shop.create_category("Kitchen");
  auto kettle = shop.create_product({{"name", "Kettle"}, {"category_id", cat}});
  auto mug = shop.create_product({{"name", "Mug"}, {"category_id", cat}});
  auto tea = shop.create_product({{"name", "Tea"}});
  auto spoon = shop.create_product({{"name", "Spoon"}}, 0);  // sold out
  auto& recs = *shop.app().recommendations;
  REQUIRE(recs.record_order("ord_1", {num(kettle), num(mug)}).ok());
  REQUIRE(recs.record_order("ord_2", {num(kettle), num(mug), num(tea), num(spoon)}).ok());
  REQUIRE(recs.record_order("ord_2", {num(kettle), num(mug), num(tea), num(spoon)}).ok());  // again: no change
  REQUIRE(recs.record_order("ord_3", {num(tea), num(tea)}).ok());                           // one product: no pair

  auto r = shop.get("/api/v1/products/" + kettle + "/recommendations");
  REQUIRE(r.status == 200);
  CHECK(recommended_ids(r.body["also_bought"]) == std::vector<std::string>{mug, tea});  // spoon is sold out
  auto from_tea = shop.get("/api/v1/products/" + tea + "/recommendations");
  CHECK(recommended_ids(from_tea.body["also_bought"]) == std::vector<std::string>{kettle, mug});
  // Similar: the same category, never the product itself.
  CHECK(recommended_ids(r.body["similar"]) == std::vector<std::string>{mug});
  CHECK(shop.get("/api/v1/products/" + kettle + "/recommendations?limit=1").body["also_bought"].size() == 1);

  // Restocking the spoon brings it back.
  REQUIRE(shop.put("/api/v1/admin/inventory/" + spoon, {{"total", 2}, {"reason", "delivery"}}, shop.admin()).status ==
          200);
  CHECK(shop.get("/api/v1/products/" + kettle + "/recommendations").body["also_bought"].size() == 3);
}

TEST_CASE("recommendation input is validated", "[http][recommendations]") {
  TestShop shop;
  auto p = shop.create_product({{"name", "Kettle"}});
  CHECK(shop.get("/api/v1/products/999999/recommendations").status == 404);
  CHECK(shop.get("/api/v1/products/abc/recommendations").status == 404);
  CHECK(shop.get("/api/v1/products/" + p + "/recommendations?limit=0").status == 400);
  CHECK(shop.get("/api/v1/products/" + p + "/recommendations?limit=51").status == 400);
  CHECK(shop.get("/api/v1/products/" + p + "/recommendations?limit=x").status == 400);
  CHECK(shop.get("/api/v1/me/recommendations").status == 401);
  CHECK(shop.get("/api/v1/me/recommendations", shop.admin()).status == 403);
  CHECK(shop.app().recommendations->record_order("", {1, 2}).kind() == shopbox::Kind::invalid);
}

TEST_CASE("recently viewed and the personal row follow what a signed-in user looks at", "[http][recommendations]") {
  TestShop shop;
  auto garden = shop.create_category("Garden");
  auto books = shop.create_category("Books");
  auto hose = shop.create_product({{"name", "Hose"}, {"category_id", garden}});
  auto rake = shop.create_product({{"name", "Rake"}, {"category_id", garden}});
  auto spade = shop.create_product({{"name", "Spade"}, {"category_id", garden}});
  auto novel = shop.create_product({{"name", "Novel"}, {"category_id", books}});
  auto ada = shop.register_user("ada@example.com");

  REQUIRE(shop.get("/api/v1/products/" + hose, ada.auth).status == 200);
  REQUIRE(shop.get("/api/v1/products/" + rake, ada.auth).status == 200);
  REQUIRE(shop.get("/api/v1/products/" + novel).status == 200);  // anonymous: not recorded for anyone

  auto me = shop.get("/api/v1/me/recommendations", ada.auth);
  REQUIRE(me.status == 200);
  CHECK(recommended_ids(me.body["recently_viewed"]) == std::vector<std::string>{rake, hose});
  // The personal row starts with the categories the user browses.
  auto row = recommended_ids(me.body["recommended"]);
  REQUIRE(row.size() == 4);
  CHECK(row.back() == novel);
  CHECK(std::find(row.begin(), row.end(), spade) != row.end());

  // Viewing again moves a product to the front, without duplicates.
  REQUIRE(shop.get("/api/v1/products/" + hose, ada.auth).status == 200);
  CHECK(recommended_ids(shop.get("/api/v1/me/recommendations", ada.auth).body["recently_viewed"]) ==
        std::vector<std::string>{hose, rake});

  auto bob = shop.register_user("bob@example.com");
  CHECK(shop.get("/api/v1/me/recommendations", bob.auth).body["recently_viewed"].empty());
}
