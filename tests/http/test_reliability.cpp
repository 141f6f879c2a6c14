// Regression tests for what the reliability suite found (docs/reliability.md):
// fuzz findings get a test here besides their input in tests/fuzz/regressions/.
#include <catch2/catch.hpp>

#include "support/test_shop.h"

using namespace shopbox::testing;

TEST_CASE("query parameters that are not UTF-8 get a 400, not a 500", "[http][fuzz]") {
  TestShop shop;
  shop.create_product({{"name", "Acme anvil"}, {"price", 10}, {"brand", "Acme"}}, 3);
  // Found by tests/fuzz/fuzz_routes: the brand filter went through
  // json::dump(), which throws on invalid UTF-8 -> 500 internal_error.
  for (const char* path : {"/api/v1/products?brand=Ac%FF%FFme", "/api/v1/search?q=anv%C0%AFil",
                           "/api/v1/products?sort=price_asc&%FF=1", "/api/v1/search/suggest?q=%ED%A0%80"}) {
    auto r = shop.get(path);
    INFO(path);
    CHECK(r.status == 400);
    CHECK(r.body["error"]["code"] == "invalid_request");
  }
  // Valid UTF-8 still works.
  auto ok = shop.get("/api/v1/products?brand=Acme,%C3%89clair");
  CHECK(ok.status == 200);
  CHECK(ok.body["total"] == 1);
}
