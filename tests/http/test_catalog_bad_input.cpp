// Bad input on every catalog, inventory and system route: a JSON error with
// the right status, and nothing changed afterwards.
#include <catch2/catch.hpp>

#include "support/test_shop.h"

using shopbox::testing::Reply;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {
struct Snapshot {
  std::string products, categories, stock;
};
Snapshot bad_input_snapshot(TestShop& shop, const std::string& product_id) {
  auto strip = [](json j) {
    j.erase("updated_at");
    return j.dump();
  };
  return {strip(shop.get("/api/v1/products/" + product_id).body), shop.get("/api/v1/categories").body.dump(),
          shop.get("/api/v1/admin/inventory/" + product_id, shop.admin()).body.dump()};
}
void expect_error(const Reply& r, int status, const std::string& what) {
  INFO(what << " -> " << r.status << " " << r.text);
  CHECK(r.status == status);
  REQUIRE(r.body.is_object());
  CHECK(r.body["error"]["code"].is_string());
  CHECK(r.body["error"]["message"].is_string());
  CHECK(r.body["error"]["details"].is_object());
}
}  // namespace

TEST_CASE("every mutating route rejects bad bodies and changes nothing", "[http][bad-input]") {
  TestShop shop;
  auto cat = shop.create_category("Kitchen");
  auto id = shop.create_product({{"name", "Kettle"}, {"sku", "KET-1"}, {"price", 30}, {"category_id", cat}}, 5);
  auto admin = shop.admin();
  auto before = bad_input_snapshot(shop, id);

  struct Route {
    std::string method, path;
    std::vector<json> wrong;  // well-formed JSON with wrong types or values
  };
  std::vector<Route> routes = {
      {"POST",
       "/api/v1/admin/products",
       {{{"name", 1}, {"price", 1}},
        {{"name", "A"}, {"price", "cheap"}},
        {{"name", "A"}, {"price", 1}, {"stock", -1}},
        {{"name", "A"}, {"price", 1}, {"images", "x.svg"}},
        {{"name", "A"}, {"price", 1}, {"specifications", {1, 2}}},
        {{"name", "A"}, {"price", 1}, {"featured", "yes"}},
        {{"name", "A"}, {"price", 1}, {"category_id", "abc"}}}},
      {"PATCH",
       "/api/v1/admin/products/" + id,
       {{{"price", -5}},
        {{"sale_price", 31}},
        {{"name", ""}},
        {{"weight_grams", 1.5}},
        {{"stock", 3}},
        {{"sku", json::array()}}}},
      {"PUT", "/api/v1/admin/products/" + id, {{{"currency", "dollars"}}, {{"slug", "Not A Slug"}}}},
      {"POST",
       "/api/v1/admin/categories",
       {{{"name", 5}}, {{"name", "A/B"}}, {{"name", "X"}, {"parent_id", "999"}}, {{"name", "X"}, {"position", -1}}}},
      {"PATCH",
       "/api/v1/admin/categories/" + cat,
       {{{"parent_id", cat}}, {{"name", json::object()}}, {{"color", "red"}}}},
      {"PUT",
       "/api/v1/admin/inventory/" + id,
       {{{"total", "ten"}}, {{"total", -1}}, json::object(), {{"total", 1}, {"reason", 5}}}},
      {"PATCH", "/api/v1/admin/inventory/" + id, {{{"delta", "1"}}, {{"delta", -100}}, json::object()}},
  };
  auto send = [&](const std::string& method, const std::string& path, const std::string& body) {
    if (method == "POST") return shop.post_raw(path, body, admin);
    httplib::Client c("127.0.0.1", shop.port());
    httplib::Result r = method == "PUT" ? c.Put(path.c_str(), admin, body, "application/json")
                                        : c.Patch(path.c_str(), admin, body, "application/json");
    Reply out;
    out.status = r ? r->status : -1;
    out.text = r ? r->body : "";
    out.body = json::parse(out.text, nullptr, false);
    return out;
  };
  std::string huge(2 << 20, ' ');
  huge = "{\"name\": \"" + std::string(2 << 20, 'x') + "\"}";
  for (const auto& r : routes) {
    std::string what = r.method + " " + r.path;
    expect_error(send(r.method, r.path, "{\"name\": "), 400, what + " malformed");
    CHECK(send(r.method, r.path, "{\"name\": ").body["error"]["code"] == "invalid_json");
    expect_error(send(r.method, r.path, "[1, 2]"), 400, what + " array");
    expect_error(send(r.method, r.path, "\"text\""), 400, what + " string");
    expect_error(send(r.method, r.path, ""), 400, what + " empty");
    expect_error(send(r.method, r.path, huge), 413, what + " huge");
    for (const auto& body : r.wrong) {
      auto reply = send(r.method, r.path, body.dump());
      INFO(what << " " << body.dump() << " -> " << reply.text);
      CHECK(reply.status >= 400);
      CHECK(reply.status < 500);
      CHECK(reply.body["error"]["code"].is_string());
    }
  }
  auto after = bad_input_snapshot(shop, id);
  CHECK(after.products == before.products);
  CHECK(after.categories == before.categories);
  CHECK(after.stock == before.stock);
  CHECK(shop.get("/api/v1/products").body["total"] == 1);
}

TEST_CASE("unknown and malformed ids are JSON 404s on every route", "[http][bad-input]") {
  TestShop shop;
  auto admin = shop.admin();
  for (std::string bad : {"999999", "abc", "0", "-3", "1.5", "99999999999999999999999"}) {
    INFO(bad);
    expect_error(shop.get("/api/v1/products/" + bad), 404, "product");
    expect_error(shop.get("/api/v1/categories/" + bad), 404, "category");
    expect_error(shop.patch("/api/v1/admin/products/" + bad, {{"name", "x"}}, admin), 404, "patch product");
    expect_error(shop.put("/api/v1/admin/products/" + bad, {{"name", "x"}}, admin), 404, "put product");
    expect_error(shop.del("/api/v1/admin/products/" + bad, admin), 404, "delete product");
    expect_error(shop.patch("/api/v1/admin/categories/" + bad, {{"name", "x"}}, admin), 404, "patch category");
    expect_error(shop.del("/api/v1/admin/categories/" + bad, admin), 404, "delete category");
    expect_error(shop.get("/api/v1/admin/inventory/" + bad, admin), 404, "stock");
    expect_error(shop.put("/api/v1/admin/inventory/" + bad, {{"total", 1}}, admin), 404, "set stock");
    expect_error(shop.patch("/api/v1/admin/inventory/" + bad, {{"delta", 1}}, admin), 404, "adjust stock");
    expect_error(shop.get("/api/v1/admin/inventory/" + bad + "/audit", admin), 404, "audit");
    expect_error(shop.get("/images/products/" + bad + "/1.svg"), 404, "image");
  }
  auto id = shop.create_product({{"name", "Lamp"}, {"price", 10}});
  for (std::string file : {"0.svg", "21.svg", "1.png", "x.svg", "01.svg"})
    expect_error(shop.get("/images/products/" + id + "/" + file), 404, "image " + file);
  expect_error(shop.get("/api/v1/products?category=no-such-category"), 404, "browse unknown category");
  expect_error(shop.get("/api/v1/products?category=424242"), 404, "browse unknown category id");
}

TEST_CASE("admin routes refuse missing and wrong credentials with JSON", "[http][bad-input]") {
  TestShop shop;
  auto id = shop.create_product({{"name", "Lamp"}, {"price", 10}});
  shopbox::testing::Headers wrong = {{"Authorization", "Bearer sbx_not_a_real_token"}};
  for (const auto& h : {shopbox::testing::Headers{}, wrong}) {
    expect_error(shop.post("/api/v1/admin/products", {{"name", "X"}, {"price", 1}}, h), 401, "create");
    expect_error(shop.patch("/api/v1/admin/products/" + id, {{"price", 1}}, h), 401, "patch");
    expect_error(shop.del("/api/v1/admin/products/" + id, h), 401, "delete");
    expect_error(shop.post("/api/v1/admin/categories", {{"name", "X"}}, h), 401, "category");
    expect_error(shop.put("/api/v1/admin/inventory/" + id, {{"total", 0}}, h), 401, "stock");
  }
  CHECK(shop.get("/api/v1/products/" + id).body["price"]["amount"] == 10);
  CHECK(shop.get("/api/v1/products/" + id).body["inventory"]["available"] == 10);
}
