// The security review's findings (docs/security.md, "Findings and their
// tests"): each case failed on the code before its fix.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "app.h"
#include "base/json_text.h"
#include "config_file.h"
#include "support/fixtures.h"
#include "support/test_shop.h"

using shopbox::testing::address;
using shopbox::testing::card;
using shopbox::testing::count_rows;
using shopbox::testing::Headers;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {

std::string nested_arrays(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string security_origin(TestShop& shop) {
  return "http://127.0.0.1:" + std::to_string(shop.port());
}

Headers with(Headers h, const std::string& name, const std::string& value) {
  h.emplace(name, value);
  return h;
}

// Every route that takes a body, with {params} filled by "1".
std::vector<std::pair<std::string, std::string>> body_routes(TestShop& shop) {
  std::vector<std::pair<std::string, std::string>> out;
  auto doc = shop.get("/api/v1/openapi.json");
  REQUIRE(doc.status == 200);
  static const std::regex param(R"(\{[a-z_]+\})");
  for (auto& [path, ops] : doc.body["paths"].items())
    for (auto& [method, op] : ops.items())
      if (method != "get") {
        std::string m = method;
        for (auto& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        out.emplace_back(m, std::regex_replace(path, param, "1"));
      }
  return out;
}

int file_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 0777);
}

}  // namespace

// ---- 1. one request must never take the shop down ----

TEST_CASE("JSON text nested deeper than 64 levels is refused before it is parsed", "[unit][security]") {
  CHECK(shopbox::json_nesting_depth("{\"a\": [1, {\"b\": []}]}") == 4);
  CHECK(shopbox::json_nesting_depth("\"[[[[\"") == 0);      // brackets inside a string
  CHECK(shopbox::json_nesting_depth("[\"\\\"[[\"]") == 1);  // an escaped quote does not end the string
  CHECK(shopbox::parse_json_text(nested_arrays(64)).ok());
  auto deep = shopbox::parse_json_text(nested_arrays(65));
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.status().code() == "invalid_json");
  CHECK(deep.status().details()["max_depth"] == 64);
  CHECK_FALSE(shopbox::parse_json_text("{\"a\": 977e20752}").ok());  // out of range: an error, not a throw
}

TEST_CASE("200,000 levels of nesting to every route with a body: 4xx, and the shop stays up",
          "[http][security][nesting]") {
  TestShop shop([](shopbox::Config& c) { c.rate_limit_enabled = 0; });
  auto buyer = shop.register_user("deep@example.com");
  const std::string deep = "{\"shipping_address\": {\"a\": " + nested_arrays(200'000) + "}, \"token\": \"x\"}";
  auto routes = body_routes(shop);
  REQUIRE(routes.size() > 30);
  std::set<std::string> refused;  // routes that parsed the body and refused it
  for (const auto& auth : {buyer.auth, shop.admin(), Headers{}}) {
    for (const auto& [method, path] : routes) {
      if (path == "/api/v1/auth/logout") continue;  // would end the buyer's session
      INFO(method << " " << path);
      Headers h = with(auth, "Idempotency-Key", "deep-1");
      httplib::Client cli("127.0.0.1", shop.port());
      cli.set_read_timeout(60, 0);
      auto r = method == "POST"    ? cli.Post(path.c_str(), h, deep, "application/json")
               : method == "PUT"   ? cli.Put(path.c_str(), h, deep, "application/json")
               : method == "PATCH" ? cli.Patch(path.c_str(), h, deep, "application/json")
                                   : cli.Delete(path.c_str(), h, deep, "application/json");
      REQUIRE(r);  // an answer at all: before the fix the process died here
      CHECK(r->status < 500);
      // Routes that read a body refuse it; the few that take none (logout,
      // reindex) answer as they would without one.
      if (r->status == 400 && r->body.find("invalid_json") != std::string::npos) refused.insert(method + " " + path);
    }
    REQUIRE(shop.get("/healthz").status == 200);
  }
  for (const char* route : {"POST /api/v1/admin/products", "PATCH /api/v1/admin/products/1", "POST /api/v1/auth/login",
                            "POST /api/v1/cart/items", "POST /api/v1/orders", "POST /api/v1/me/addresses",
                            "POST /api/v1/admin/flash-sales"}) {
    INFO(route);
    CHECK(refused.count(route) == 1);
  }
  // The route of the report, exactly: a signed-in customer, a sale that
  // does not exist, the deep member in shipping_address.
  auto flash = shop.post_raw("/api/v1/flash-sales/999/checkout", deep, buyer.auth);
  CHECK(flash.status == 400);
  CHECK(flash.body["error"]["code"] == "invalid_json");
  CHECK(flash.body["error"]["details"]["max_depth"] == 64);
  // A wide object (every key at depth 1) is no problem.
  std::string wide = "{";
  for (int i = 0; i < 40'000; ++i) wide += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":[1]";
  wide += "}";
  CHECK(shop.post_raw("/api/v1/cart/items", wide, buyer.auth).status == 400);
  CHECK(shop.get("/healthz").status == 200);
}

TEST_CASE("the importer and the config parser bound nesting too", "[http][security][nesting]") {
  TestShop shop;
  auto r = shop.post_raw("/api/v1/admin/import?format=json",
                         "[{\"name\": \"x\", \"specifications\": " + nested_arrays(100'000) + "}]", shop.admin());
  CHECK(r.status == 400);
  CHECK(r.body["error"]["code"] == "import_failed");
  CHECK(shop.get("/healthz").status == 200);
  // toml++ refuses deep arrays with an error of its own; the shop reports it.
  std::string toml = "[server]\nlisten = " + nested_arrays(5'000) + "\n";
  auto cfg = shopbox::parse_config_toml(toml, "deep.toml");
  CHECK_FALSE(cfg.ok());
}

// ---- 2. login CSRF ----

TEST_CASE("a cross-site form cannot sign a browser in: JSON routes need application/json, sign-in checks the origin",
          "[http][security][csrf]") {
  TestShop shop;
  shop.register_user("attacker@example.com", "attacker pass 9");
  const std::string creds = R"({"email":"attacker@example.com","password":"attacker pass 9"})";
  // <form enctype="text/plain"> from another site: no cookie, no JSON type.
  auto form = shop.post_raw("/api/v1/auth/login", creds, {{"Origin", "https://evil.example"}}, "text/plain");
  CHECK(form.status == 403);  // refused twice over: the origin, and the type
  CHECK(form.header("Set-Cookie").empty());
  auto plain = shop.post_raw("/api/v1/auth/login", creds, {}, "text/plain");
  CHECK(plain.status == 415);
  CHECK(plain.body["error"]["code"] == "unsupported_media_type");
  CHECK(plain.header("Set-Cookie").empty());
  CHECK(shop.post_raw("/api/v1/cart/items", "product_id=1", {}, "application/x-www-form-urlencoded").status == 415);
  // The same JSON from another origin (fetch with no-cors cannot, but a
  // browser extension or a future form type might): 403.
  auto cross = shop.post_raw("/api/v1/auth/login", creds, {{"Origin", "https://evil.example"}});
  CHECK(cross.status == 403);
  CHECK(cross.body["error"]["code"] == "csrf_failed");
  CHECK(cross.header("Set-Cookie").empty());
  CHECK(shop.post_raw("/api/v1/auth/login", creds, {{"Sec-Fetch-Site", "cross-site"}}).status == 403);
  CHECK(shop.post_raw("/api/v1/auth/register", R"({"email":"x@example.com","password":"attacker pass 9"})",
                      {{"Referer", "https://evil.example/page"}})
            .status == 403);
  // The shop's own page, and API clients that send no browser headers.
  CHECK(shop.post_raw("/api/v1/auth/login", creds, {{"Origin", security_origin(shop)}}).status == 200);
  CHECK(shop.post_raw("/api/v1/auth/login", creds, {{"Sec-Fetch-Site", "same-origin"}}).status == 200);
  CHECK(shop.post_raw("/api/v1/auth/login", creds).status == 200);
  CHECK(shop.post_raw("/api/v1/auth/login", creds, {}, "application/json; charset=utf-8").status == 200);
}

// ---- 3. X-Forwarded-For ----

TEST_CASE("a spoofed X-Forwarded-For does not escape the per-IP limits", "[http][security][rate]") {
  SECTION("no trusted proxy (the default): the header is ignored") {
    TestShop shop([](shopbox::Config& c) {
      c.rate_limit_enabled = 1;
      c.rate_limit_login_per_ip = "3/min";
    });
    for (int i = 0; i < 3; ++i)
      CHECK(shop.post("/api/v1/auth/login", {{"email", "a" + std::to_string(i) + "@example.com"}, {"password", "x"}})
                .status == 401);
    auto spoofed = shop.post("/api/v1/auth/login", {{"email", "b@example.com"}, {"password", "x"}},
                             {{"X-Forwarded-For", "203.0.113.99"}});
    CHECK(spoofed.status == 429);
  }
  SECTION("behind a trusted proxy: the right-most address the proxy saw, not the client's first entry") {
    TestShop shop([](shopbox::Config& c) {
      c.rate_limit_enabled = 1;
      c.rate_limit_login_per_ip = "3/min";
      c.trusted_proxies = "127.0.0.1";
    });
    // HAProxy's `option forwardfor` adds its own header after the client's.
    auto via_proxy = [&](const std::string& spoofed_first) {
      Headers h{{"X-Forwarded-For", "198.51.100.7"}};
      if (!spoofed_first.empty()) h = {{"X-Forwarded-For", spoofed_first}, {"X-Forwarded-For", "198.51.100.7"}};
      return shop.post("/api/v1/auth/login", {{"email", "c@example.com"}, {"password", "x"}}, h).status;
    };
    for (int i = 0; i < 3; ++i) CHECK(via_proxy("") == 401);
    CHECK(via_proxy("") == 429);
    CHECK(via_proxy("203.0.113.1") == 429);
    CHECK(via_proxy("203.0.113.2, 10.0.0.1") == 429);
    // In one header, too: "client-written, proxy-appended".
    CHECK(shop.post("/api/v1/auth/login", {{"email", "c@example.com"}, {"password", "x"}},
                    {{"X-Forwarded-For", "203.0.113.3, 198.51.100.7"}})
              .status == 429);
    // Another real client behind the same proxy is not limited.
    CHECK(shop.post("/api/v1/auth/login", {{"email", "c@example.com"}, {"password", "x"}},
                    {{"X-Forwarded-For", "198.51.100.8"}})
              .status == 401);
  }
}

// ---- 4. card tokens belong to their owner ----

TEST_CASE("a card token is charged only for the user it was made for", "[http][security][payments]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Lamp"}, {"price", 30}}, 10);
  auto alice = shop.register_user("alice@example.com");
  auto mallory = shop.register_user("mallory@example.com");
  auto saved = shop.post("/api/v1/me/payment-methods", card(), alice.auth);
  REQUIRE(saved.status == 201);
  std::string token;
  REQUIRE(shop.app()
              .db
              ->read([&](shopbox::Connection& c) {
                auto st = c.prepare("SELECT payment_token FROM payment_methods LIMIT 1");
                if (st.step()) token = st.text(0);
                return shopbox::Status::Ok();
              })
              .ok());
  REQUIRE(token.rfind("tok_", 0) == 0);
  json order = {{"items", {{{"product_id", pid}, {"quantity", 1}}}},
                {"shipping_address", address()},
                {"payment_method", {{"type", "card"}, {"token", token}}}};
  auto stolen = shop.post("/api/v1/orders", order, with(mallory.auth, "Idempotency-Key", "steal-1"));
  CHECK(stolen.status == 400);
  CHECK(stolen.body["error"]["code"] == "invalid_card");
  CHECK(count_rows(shop, "SELECT count(*) FROM gw_charges") == 0);
  CHECK(count_rows(shop, "SELECT count(*) FROM orders") == 0);
  // Alice herself may use it.
  auto own = shop.post("/api/v1/orders", order, with(alice.auth, "Idempotency-Key", "own-1"));
  CHECK(own.status == 201);
}

// ---- 5. file modes ----

TEST_CASE("the data dir is 0750 and its database files 0640 whatever the umask", "[http][security][files]") {
  mode_t old = ::umask(022);
  {
    TestShop shop;
    shop.create_product({{"name", "Mug"}, {"price", 5}}, 3);  // the WAL exists after a write
    const std::string d = shop.data_dir();
    CHECK(file_mode(d) == 0750);
    CHECK(file_mode(d + "/shop.db") == 0640);
    CHECK(file_mode(d + "/shop.db-wal") == 0640);
    CHECK(file_mode(d + "/shop.db-shm") == 0640);
    CHECK(file_mode(d + "/kv/data.mdb") == 0640);
  }
  ::umask(old);
}

// ---- 6. webhooks without a secret ----

TEST_CASE("webhook URLs without a signing secret are refused at start", "[unit][security][config]") {
  auto none = shopbox::parse_config_toml("[webhooks]\nurls = \"https://hooks.example/shop\"\n", "shop.toml");
  REQUIRE_FALSE(none.ok());
  CHECK_THAT(none.status().message(), Catch::Contains("webhooks.secret"));
  CHECK_FALSE(
      shopbox::parse_config_toml("[webhooks]\nurls = \"https://h.example\"\nsecret = \"short\"\n", "shop.toml").ok());
  CHECK(shopbox::parse_config_toml("[webhooks]\nurls = \"https://h.example\"\nsecret = \"a-long-random-secret-1\"\n",
                                   "shop.toml")
            .ok());
}

// ---- 7. verified purchase follows the order ----

TEST_CASE("a cancelled order no longer verifies its buyer's review", "[http][security][reviews]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Kettle"}, {"price", 40}}, 5);
  auto ada = shop.register_user("ada@example.com");
  auto order = shop.post("/api/v1/orders",
                         {{"items", {{{"product_id", pid}, {"quantity", 1}}}},
                          {"shipping_address", address()},
                          {"payment_method", card()}},
                         with(ada.auth, "Idempotency-Key", "rev-1"));
  REQUIRE(order.status == 201);
  auto review = shop.post("/api/v1/products/" + pid + "/reviews", {{"rating", 5}}, ada.auth);
  REQUIRE(review.status == 201);
  CHECK(review.body["verified_purchase"] == true);
  std::string oid = order.body["order_id"];
  auto cancel = shop.post("/api/v1/orders/" + oid + "/cancel", {{"reason", "changed my mind"}}, ada.auth);
  REQUIRE(cancel.status == 200);
  auto list = shop.get("/api/v1/products/" + pid + "/reviews");
  REQUIRE(list.body["reviews"].size() == 1);
  CHECK(list.body["reviews"][0]["verified_purchase"] == false);
}

// ---- 8. one address rule ----

TEST_CASE("checkout and flash checkout take an address by the saved-address rules", "[http][security][addresses]") {
  TestShop shop;
  auto pid = shop.create_product({{"name", "Clock"}, {"price", 20}}, 5);
  auto ada = shop.register_user("ada@example.com");
  auto try_order = [&](const json& addr, const std::string& key) {
    return shop.post(
        "/api/v1/orders",
        {{"items", {{{"product_id", pid}, {"quantity", 1}}}}, {"shipping_address", addr}, {"payment_method", card()}},
        with(ada.auth, "Idempotency-Key", key));
  };
  int n = 0;
  for (auto [extra, field] :
       std::vector<std::pair<json, std::string>>{{{{"is_admin", true}}, "shipping_address.is_admin"},
                                                 {{{"notes", std::string(50'000, 'x')}}, "shipping_address.notes"},
                                                 {{{"name", {{"first", "A"}}}}, "shipping_address.name"},
                                                 {{{"zip", "98101<script>"}}, "shipping_address.zip"},
                                                 {{{"city", "Sea\x01ttle"}}, "shipping_address.city"},
                                                 {{{"country", "USA"}}, "shipping_address.country"}}) {
    json addr = address();
    addr.update(extra);
    auto r = try_order(addr, "addr-" + std::to_string(++n));
    INFO(r.text);
    CHECK(r.status == 400);
    CHECK(r.body["error"]["details"]["field"] == field);
  }
  CHECK(count_rows(shop, "SELECT count(*) FROM orders") == 0);
  // Flash checkout: the same rule, before the permission token is used.
  auto sale = shop.post("/api/v1/admin/flash-sales",
                        {{"product_id", pid},
                         {"sale_price", 5},
                         {"quantity", 2},
                         {"per_user_limit", 1},
                         {"starts_at", shopbox::iso8601(shopbox::now_seconds() - 60)},
                         {"ends_at", shopbox::iso8601(shopbox::now_seconds() + 3600)}},
                        shop.admin());
  REQUIRE(sale.status == 201);
  std::string base = "/api/v1/flash-sales/" + sale.body["flash_sale_id"].get<std::string>();
  auto joined = shop.post(base + "/join", json::object(), ada.auth);
  REQUIRE(joined.body["state"] == "granted");
  std::string token = joined.body["token"];
  json bad = address();
  bad["is_admin"] = true;
  bad["notes"] = {{"deep", {{"er", 1}}}};
  auto r = shop.post(base + "/checkout", {{"token", token}, {"shipping_address", bad}, {"payment_method", card()}},
                     ada.auth);
  INFO(r.text);
  CHECK(r.status == 400);
  CHECK(r.body["error"]["details"]["field"] == "shipping_address.is_admin");
  CHECK(count_rows(shop, "SELECT count(*) FROM flash_orders") == 0);
  // The token still buys, with a proper address, and only that is stored.
  auto good = shop.post(base + "/checkout",
                        {{"token", token}, {"shipping_address", address()}, {"payment_method", card()}}, ada.auth);
  REQUIRE(good.status == 201);
  CHECK(good.body["shipping_address"] == address());
}

// ---- 10. common passwords ----

TEST_CASE("the most common passwords and the email itself are refused", "[http][security][auth]") {
  TestShop shop;
  for (const char* weak : {"password123", "12345678", "Iloveyou1", "PASSWORD1", "qwertyuiop"}) {
    auto r = shop.post("/api/v1/auth/register", {{"email", "weak@example.com"}, {"password", weak}});
    INFO(weak);
    CHECK(r.status == 400);
    CHECK(r.body["error"]["code"] == "weak_password");
  }
  CHECK(shop.post("/api/v1/auth/register", {{"email", "sam.lee@example.com"}, {"password", "sam.lee@example.com"}})
            .status == 400);
  CHECK(shop.post("/api/v1/auth/register", {{"email", "samuel.lee@example.com"}, {"password", "SAMUEL.LEE"}}).status ==
        400);
  auto ok = shop.register_user("weak@example.com", "tangerine harbour 7");
  auto change = shop.post("/api/v1/me/password",
                          {{"current_password", "tangerine harbour 7"}, {"new_password", "letmein1"}}, ok.auth);
  CHECK(change.status == 400);
  CHECK(change.body["error"]["details"]["field"] == "new_password");
}

// ---- 12, 13. headers ----

TEST_CASE("deep links and static files get the same security headers as the API", "[http][security][headers]") {
  TestShop shop;
  // /p/1 names no product here: a 404 page, with the same headers.
  for (const char* path : {"/", "/cart", "/p/1", "/index.html", "/js/app.js", "/api/v1/products"}) {
    auto r = shop.get(path);
    INFO(path);
    REQUIRE(r.status == (std::string(path) == "/p/1" ? 404 : 200));
    CHECK_THAT(r.header("Content-Security-Policy"), Catch::Contains("object-src 'none'"));
    CHECK_THAT(r.header("Content-Security-Policy"), Catch::Contains("frame-ancestors 'none'"));
    CHECK(r.header("Cross-Origin-Opener-Policy") == "same-origin");
    CHECK(r.header("X-Content-Type-Options") == "nosniff");
    CHECK(r.header("X-Frame-Options") == "DENY");
  }
}

TEST_CASE("every authenticated response is Cache-Control: no-store", "[http][security][headers]") {
  TestShop shop;
  auto ada = shop.register_user("ada@example.com");
  for (const char* path :
       {"/api/v1/me/addresses", "/api/v1/me/payment-methods", "/api/v1/orders", "/api/v1/me/notifications"}) {
    auto r = shop.get(path, ada.auth);
    INFO(path);
    REQUIRE(r.status == 200);
    CHECK(r.header("Cache-Control") == "no-store");
  }
  CHECK(shop.get("/api/v1/admin/orders", shop.admin()).header("Cache-Control") == "no-store");
}

// ---- 14. the shard token ----

TEST_CASE("wrong shard tokens are rate-limited per address", "[http][security][cluster]") {
  TestShop shop([](shopbox::Config& c) {
    c.rate_limit_enabled = 1;
    c.shard_token = "a-shard-token-of-length";
    c.rate_limit_login_per_ip = "5/min";
    c.trusted_proxies = "127.0.0.1";
  });
  auto feed = [&](const std::string& token, const std::string& from) {
    return shop.get("/api/v1/cluster/changes", {{"X-Shopbox-Shard-Token", token}, {"X-Forwarded-For", from}});
  };
  CHECK(feed("a-shard-token-of-length", "192.0.2.1").status == 200);
  for (int i = 0; i < 5; ++i) CHECK(feed("guess-" + std::to_string(i), "192.0.2.1").status == 401);
  auto limited = feed("guess-x", "192.0.2.1");
  CHECK(limited.status == 429);
  CHECK_FALSE(limited.header("Retry-After").empty());
  CHECK(feed("a-shard-token-of-length", "192.0.2.1").status == 429);  // no oracle while limited
  CHECK(feed("a-shard-token-of-length", "192.0.2.2").status == 200);  // another shard is not held up
}

// ---- 16. /metrics ----

TEST_CASE("/metrics is served to loopback, admins and the metrics token, not to the public",
          "[http][security][metrics]") {
  TestShop shop([](shopbox::Config& c) {
    c.trusted_proxies = "127.0.0.1";
    c.metrics_token = "prometheus-scrape-token-1";
  });
  CHECK(shop.get("/metrics").status == 200);  // a scraper on the machine itself
  auto outsider = shop.get("/metrics", {{"X-Forwarded-For", "203.0.113.5"}});
  CHECK(outsider.status == 403);
  CHECK(outsider.body["error"]["code"] == "forbidden");
  CHECK(outsider.text.find("shopbox_") == std::string::npos);
  CHECK(
      shop.get("/metrics", {{"X-Forwarded-For", "203.0.113.5"}, {"Authorization", "Bearer prometheus-scrape-token-1"}})
          .status == 200);
  CHECK(shop.get("/metrics", {{"X-Forwarded-For", "203.0.113.5"}, {"Authorization", "Bearer wrong-token-1234567"}})
            .status == 403);
  CHECK(shop.get("/metrics", with(shop.admin(), "X-Forwarded-For", "203.0.113.5")).status == 200);
}
