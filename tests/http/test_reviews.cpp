// Reviews over HTTP: one per user and product, the rating histogram and
// sorting, helpful votes, own-only edits, moderation, and the product's
// exact rating following every change.
#include <catch2/catch.hpp>
#include <mutex>

#include "app.h"
#include "catalog/catalog.h"
#include "ops/check.h"
#include "support/test_shop.h"

using shopbox::testing::Headers;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {

json product_rating(TestShop& shop, const std::string& id) {
  auto p = shop.get("/api/v1/products/" + id);
  REQUIRE(p.status == 200);
  return p.body["rating"];
}

}  // namespace

TEST_CASE("a signed-in user reviews a product once; the product rating is exact", "[http][reviews]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Desk Lamp"}});
  auto ada = shop.register_user("ada@example.com");
  auto bob = shop.register_user("bob@example.com");

  auto r = shop.post("/api/v1/products/" + pid + "/reviews",
                     {{"rating", 5}, {"title", "Bright"}, {"body", "Lovely light"}}, ada.auth);
  REQUIRE(r.status == 201);
  CHECK(r.body["review_id"].is_string());
  CHECK(r.body["product_id"] == pid);
  CHECK(r.body["rating"] == 5);
  CHECK(r.body["title"] == "Bright");
  CHECK(r.body["author"] == "Test U.");
  CHECK(r.body["verified_purchase"] == false);
  CHECK(r.body["helpful_count"] == 0);

  // A second review by the same user is refused and changes nothing.
  auto again = shop.post("/api/v1/products/" + pid + "/reviews", {{"rating", 1}}, ada.auth);
  CHECK(again.status == 409);
  CHECK(again.body["error"]["code"] == "already_reviewed");

  REQUIRE(shop.post("/api/v1/products/" + pid + "/reviews", {{"rating", 2}}, bob.auth).status == 201);
  auto rating = product_rating(shop, pid);
  CHECK(rating["count"] == 2);
  CHECK(rating["average"] == 3.5);

  auto list = shop.get("/api/v1/products/" + pid + "/reviews");
  REQUIRE(list.status == 200);
  CHECK(list.body["total"] == 2);
  CHECK(list.body["rating"]["count"] == 2);
  CHECK(list.body["rating"]["average"] == 3.5);
  CHECK(list.body["rating"]["histogram"]["5"] == 1);
  CHECK(list.body["rating"]["histogram"]["2"] == 1);
  CHECK(list.body["rating"]["histogram"]["1"] == 0);
}

TEST_CASE("review input is validated and bad input changes nothing", "[http][reviews]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Kettle"}});
  auto ada = shop.register_user("ada@example.com");
  std::string path = "/api/v1/products/" + pid + "/reviews";

  CHECK(shop.post(path, {{"rating", 5}}).status == 401);                // anonymous
  CHECK(shop.post(path, {{"rating", 5}}, shop.admin()).status == 403);  // an API token is not a shopper
  for (json bad : {json{{"title", "no rating"}}, json{{"rating", 0}}, json{{"rating", 6}}, json{{"rating", 4.5}},
                   json{{"rating", "5"}}, json{{"rating", 5}, {"title", std::string(201, 'x')}},
                   json{{"rating", 5}, {"body", 12}}, json{{"rating", 5}, {"stars", 5}}}) {
    INFO(bad.dump());
    auto r = shop.post(path, bad, ada.auth);
    CHECK(r.status == 400);
    CHECK(r.body["error"]["code"].is_string());
  }
  CHECK(shop.post_raw(path, "{not json", ada.auth).status == 400);
  CHECK(shop.post_raw(path, "[1,2]", ada.auth).status == 400);
  CHECK(shop.post("/api/v1/products/999999/reviews", {{"rating", 5}}, ada.auth).status == 404);
  CHECK(shop.post("/api/v1/products/abc/reviews", {{"rating", 5}}, ada.auth).status == 404);
  CHECK(shop.get(path).body["total"] == 0);
  CHECK(product_rating(shop, pid)["count"] == 0);

  CHECK(shop.get(path + "?sort=loudest").status == 400);
  CHECK(shop.get(path + "?size=101").status == 400);
  CHECK(shop.get(path + "?page=0").status == 400);
  CHECK(shop.get(path + "?rating=9").status == 400);
  CHECK(shop.get("/api/v1/products/999999/reviews").status == 404);
}

TEST_CASE("reviews sort by newest, helpful and rating, paginate and filter by stars", "[http][reviews]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Chair"}});
  std::string path = "/api/v1/products/" + pid + "/reviews";
  std::vector<TestShop::Account> users;
  std::vector<std::string> ids;
  int ratings[] = {3, 5, 1, 4};
  for (int i = 0; i < 4; ++i) {
    std::string email = "user";
    email += std::to_string(i);
    email += "@example.com";
    users.push_back(shop.register_user(email));
    auto r = shop.post(path, {{"rating", ratings[i]}, {"title", "review " + std::to_string(i)}}, users.back().auth);
    REQUIRE(r.status == 201);
    ids.push_back(r.body["review_id"]);
  }
  // Review 2 (one star) gets two helpful votes, review 0 one.
  REQUIRE(shop.post("/api/v1/reviews/" + ids[2] + "/helpful", json::object(), users[0].auth).status == 200);
  auto v = shop.post("/api/v1/reviews/" + ids[2] + "/helpful", json::object(), users[1].auth);
  REQUIRE(v.status == 200);
  CHECK(v.body["helpful_count"] == 2);
  REQUIRE(shop.post("/api/v1/reviews/" + ids[0] + "/helpful", json::object(), users[3].auth).status == 200);

  auto helpful = shop.get(path + "?sort=helpful");
  REQUIRE(helpful.status == 200);
  CHECK(helpful.body["reviews"][0]["review_id"] == ids[2]);
  CHECK(helpful.body["reviews"][1]["review_id"] == ids[0]);

  auto by_rating = shop.get(path + "?sort=rating");
  REQUIRE(by_rating.body["reviews"].size() == 4);
  CHECK(by_rating.body["reviews"][0]["rating"] == 5);
  CHECK(by_rating.body["reviews"][3]["rating"] == 1);
  CHECK(shop.get(path + "?sort=rating_asc").body["reviews"][0]["rating"] == 1);

  auto page2 = shop.get(path + "?sort=rating&size=3&page=2");
  CHECK(page2.body["total"] == 4);
  CHECK(page2.body["page"] == 2);
  REQUIRE(page2.body["reviews"].size() == 1);
  CHECK(page2.body["reviews"][0]["rating"] == 1);
  CHECK(shop.get(path + "?page=9").body["reviews"].empty());

  auto fives = shop.get(path + "?rating=5");
  CHECK(fives.body["total"] == 1);
  CHECK(fives.body["reviews"][0]["review_id"] == ids[1]);
  // The histogram always covers every visible review.
  CHECK(fives.body["rating"]["count"] == 4);
}

TEST_CASE("helpful votes: one per user, not on one's own review", "[http][reviews]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Mug"}});
  auto ada = shop.register_user("ada@example.com");
  auto bob = shop.register_user("bob@example.com");
  auto r = shop.post("/api/v1/products/" + pid + "/reviews", {{"rating", 4}}, ada.auth);
  std::string rid = r.body["review_id"];
  std::string vote = "/api/v1/reviews/" + rid + "/helpful";

  CHECK(shop.post(vote, json::object()).status == 401);
  CHECK(shop.post(vote, json::object(), ada.auth).status == 403);
  CHECK(shop.post(vote, json::object(), bob.auth).status == 200);
  auto twice = shop.post(vote, json::object(), bob.auth);
  CHECK(twice.status == 409);
  CHECK(twice.body["error"]["code"] == "already_voted");
  CHECK(shop.get("/api/v1/reviews/" + rid).body["helpful_count"] == 1);
  CHECK(shop.post("/api/v1/reviews/424242/helpful", json::object(), bob.auth).status == 404);
}

TEST_CASE("users edit and delete only their own reviews; the rating follows", "[http][reviews]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Pen"}});
  auto ada = shop.register_user("ada@example.com");
  auto bob = shop.register_user("bob@example.com");
  std::string rid =
      shop.post("/api/v1/products/" + pid + "/reviews", {{"rating", 2}, {"title", "meh"}}, ada.auth).body["review_id"];
  std::string path = "/api/v1/reviews/" + rid;

  // Someone else's review does not exist for them.
  CHECK(shop.patch(path, {{"rating", 1}}, bob.auth).status == 404);
  CHECK(shop.del(path, bob.auth).status == 404);
  CHECK(shop.patch(path, {{"rating", 1}}).status == 401);
  CHECK(shop.patch(path, {{"rating", 7}}, ada.auth).status == 400);
  CHECK(product_rating(shop, pid)["average"] == 2.0);

  auto edited = shop.patch(path, {{"rating", 4}, {"body", "grew on me"}}, ada.auth);
  REQUIRE(edited.status == 200);
  CHECK(edited.body["rating"] == 4);
  CHECK(edited.body["title"] == "meh");  // untouched
  CHECK(edited.body["body"] == "grew on me");
  CHECK(product_rating(shop, pid)["average"] == 4.0);
  CHECK(product_rating(shop, pid)["count"] == 1);

  CHECK(shop.del(path, ada.auth).status == 204);
  CHECK(shop.get(path).status == 404);
  CHECK(product_rating(shop, pid)["count"] == 0);
  CHECK(product_rating(shop, pid)["average"] == 0);
  // After deleting, the user may review again.
  CHECK(shop.post("/api/v1/products/" + pid + "/reviews", {{"rating", 5}}, ada.auth).status == 201);
}

TEST_CASE("admins hide and unhide reviews; hidden reviews do not count", "[http][reviews]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Sofa"}});
  auto ada = shop.register_user("ada@example.com");
  auto bob = shop.register_user("bob@example.com");
  std::string spam = shop.post("/api/v1/products/" + pid + "/reviews", {{"rating", 1}, {"body", "buy pills"}}, ada.auth)
                         .body["review_id"];
  REQUIRE(shop.post("/api/v1/products/" + pid + "/reviews", {{"rating", 5}}, bob.auth).status == 201);
  CHECK(product_rating(shop, pid)["average"] == 3.0);

  CHECK(shop.post("/api/v1/admin/reviews/" + spam + "/hide", json::object(), bob.auth).status == 403);
  auto hidden = shop.post("/api/v1/admin/reviews/" + spam + "/hide", json::object(), shop.admin());
  REQUIRE(hidden.status == 200);
  CHECK(hidden.body["status"] == "hidden");
  // Hiding twice is harmless.
  CHECK(shop.post("/api/v1/admin/reviews/" + spam + "/hide", json::object(), shop.admin()).status == 200);
  CHECK(product_rating(shop, pid)["count"] == 1);
  CHECK(product_rating(shop, pid)["average"] == 5.0);
  auto list = shop.get("/api/v1/products/" + pid + "/reviews");
  CHECK(list.body["total"] == 1);
  CHECK(list.body["rating"]["histogram"]["1"] == 0);
  CHECK(shop.get("/api/v1/reviews/" + spam).status == 404);
  CHECK(shop.get("/api/v1/reviews/" + spam, ada.auth).status == 200);  // the author still sees it
  CHECK(shop.post("/api/v1/reviews/" + spam + "/helpful", json::object(), bob.auth).status == 404);
  auto queue = shop.get("/api/v1/admin/reviews?status=hidden", shop.admin());
  REQUIRE(queue.status == 200);
  CHECK(queue.body["total"] == 1);

  // Editing a hidden review does not let it back into the rating.
  REQUIRE(shop.patch("/api/v1/reviews/" + spam, {{"rating", 2}}, ada.auth).status == 200);
  CHECK(product_rating(shop, pid)["count"] == 1);

  REQUIRE(shop.post("/api/v1/admin/reviews/" + spam + "/unhide", json::object(), shop.admin()).status == 200);
  CHECK(product_rating(shop, pid)["count"] == 2);
  CHECK(product_rating(shop, pid)["average"] == 3.5);
  CHECK(shop.post("/api/v1/admin/reviews/999999/hide", json::object(), shop.admin()).status == 404);

  auto report = shopbox::ops::run_checks(shop.app());
  CHECK(report.problems.empty());
}

TEST_CASE("the rating check notices a product whose rating drifted from its reviews", "[http][reviews]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Rug"}});
  auto ada = shop.register_user("ada@example.com");
  REQUIRE(shop.post("/api/v1/products/" + pid + "/reviews", {{"rating", 4}}, ada.auth).status == 201);
  CHECK(shopbox::ops::run_checks(shop.app()).problems.empty());
  REQUIRE(shop.app()
              .db
              ->write([&](shopbox::Connection& c) {
                c.prepare("UPDATE products SET rating_sum = rating_sum + 1").exec();
                return shopbox::Status::Ok();
              })
              .ok());
  auto problems = shopbox::ops::run_checks(shop.app()).problems;
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].find("reviews: product " + pid) == 0);
}

TEST_CASE("review changes reach catalog listeners (search re-indexing)", "[http][reviews]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Clock"}});
  auto ada = shop.register_user("ada@example.com");
  std::vector<int64_t> seen;
  std::mutex mu;
  shop.app().catalog->on_change([&](const shopbox::CatalogChange& ch) {
    std::lock_guard<std::mutex> lock(mu);
    if (ch.what == shopbox::CatalogChange::What::product_upserted) seen.push_back(ch.id);
  });
  REQUIRE(shop.post("/api/v1/products/" + pid + "/reviews", {{"rating", 4}}, ada.auth).status == 201);
  std::lock_guard<std::mutex> lock(mu);
  REQUIRE(seen.size() == 1);
  CHECK(std::to_string(seen[0]) == pid);
}
