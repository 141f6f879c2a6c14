// Token-bucket rate limits: per user, per IP, global, login attempts; 429
// with Retry-After; recovery after refill; bounded memory.
#include <catch2/catch.hpp>

#include "app.h"
#include "base/clock.h"
#include "http/rate_limit.h"
#include "support/fixtures.h"
#include "support/test_shop.h"

using shopbox::testing::ClockReset;
using shopbox::testing::Headers;
using shopbox::testing::TestShop;
using json = nlohmann::json;
namespace http = shopbox::http;

namespace {
Headers from_ip(const std::string& ip, Headers h = {}) {
  h.emplace("X-Forwarded-For", ip);
  return h;
}
}  // namespace

TEST_CASE("rates parse as N/unit and reject anything else", "[unit][rate]") {
  auto r = http::parse_rate("30/min");
  REQUIRE(r.ok());
  CHECK(r->tokens == 30);
  CHECK(r->period_ms == 60000);
  CHECK(http::parse_rate("10/15min")->period_ms == 15 * 60000);
  CHECK(http::parse_rate("100/s")->period_ms == 1000);
  CHECK(http::parse_rate("5/h")->period_ms == 3600000);
  CHECK(http::parse_rate("off")->unlimited());
  for (const char* bad : {"", "30", "/min", "0/min", "-1/min", "30/week", "30/0min", "x/min", "30/min "})
    CHECK_FALSE(http::parse_rate(bad).ok());
  CHECK(http::parse_group_limits("1/s 2/min off").ok());
  CHECK_FALSE(http::parse_group_limits("1/s 2/min").ok());

  shopbox::Config c;
  c.rate_limit_cart = "12/min nonsense 1/s";
  auto rl = http::RateLimiter::create(c);
  REQUIRE_FALSE(rl.ok());
  CHECK(rl.status().message().find("rate_limit.cart") != std::string::npos);
}

TEST_CASE("429 after the bucket empties, with Retry-After; recovery after refill", "[http][rate]") {
  ClockReset reset;
  TestShop shop([](shopbox::Config& c) {
    c.trusted_proxies = "127.0.0.1";  // the test client plays the shop's proxy (X-Forwarded-For)
    c.rate_limit_enabled = 1;
    c.rate_limit_catalog = "100/min 3/min 1000/s";  // guests: 3 a minute per IP
  });
  for (int i = 0; i < 3; ++i) CHECK(shop.get("/api/v1/products").status == 200);
  auto limited = shop.get("/api/v1/products");
  REQUIRE(limited.status == 429);
  CHECK(limited.body["error"]["code"] == "rate_limited");
  int retry = std::stoi(limited.header("Retry-After"));
  CHECK(retry >= 1);
  CHECK(retry <= 20);  // one token refills in 20 s
  CHECK(limited.body["error"]["details"]["retry_after_seconds"] == retry);
  // Another address has its own bucket; health checks are never limited.
  CHECK(shop.get("/api/v1/products", from_ip("203.0.113.9")).status == 200);
  CHECK(shop.get("/healthz").status == 200);

  shopbox::set_clock_offset(21);  // one token back
  CHECK(shop.get("/api/v1/products").status == 200);
  CHECK(shop.get("/api/v1/products").status == 429);
  shopbox::set_clock_offset(200);  // the bucket is full again, never more than full
  for (int i = 0; i < 3; ++i) CHECK(shop.get("/api/v1/products").status == 200);
  CHECK(shop.get("/api/v1/products").status == 429);
}

TEST_CASE("signed-in users have their own bucket; the IP bucket is shared", "[http][rate]") {
  ClockReset reset;
  TestShop shop([](shopbox::Config& c) {
    c.trusted_proxies = "127.0.0.1";  // the test client plays the shop's proxy (X-Forwarded-For)
    c.rate_limit_enabled = 1;
    c.rate_limit_auth = "3/min 8/min 1000/s";
  });
  auto alice = shop.register_user("ra@example.com");
  auto bob = shop.register_user("rb@example.com");
  auto carol = shop.register_user("rc@example.com");
  shopbox::set_clock_offset(120);  // fresh buckets
  for (int i = 0; i < 3; ++i) CHECK(shop.get("/api/v1/me", alice.auth).status == 200);
  CHECK(shop.get("/api/v1/me", alice.auth).status == 429);  // Alice's own bucket
  // Bob, behind the same address, is not punished for Alice.
  for (int i = 0; i < 3; ++i) CHECK(shop.get("/api/v1/me", bob.auth).status == 200);
  CHECK(shop.get("/api/v1/me", bob.auth).status == 429);
  // The address as a whole has 8 a minute: 6 are used, Carol gets the last 2
  // although her own bucket still has room.
  CHECK(shop.get("/api/v1/me", carol.auth).status == 200);
  CHECK(shop.get("/api/v1/me", carol.auth).status == 200);
  CHECK(shop.get("/api/v1/me", carol.auth).status == 429);
  // From another address Carol is fine.
  CHECK(shop.get("/api/v1/me", from_ip("203.0.113.50", carol.auth)).status == 200);
}

TEST_CASE("a global bucket caps a group for everyone", "[http][rate]") {
  ClockReset reset;
  TestShop shop([](shopbox::Config& c) {
    c.trusted_proxies = "127.0.0.1";  // the test client plays the shop's proxy (X-Forwarded-For)
    c.rate_limit_enabled = 1;
    c.rate_limit_search = "100/min 100/min 2/min";
    c.rate_limit_default = "100/min 100/min 2/min";
    c.rate_limit_catalog = "100/min 100/min 4/min";
  });
  CHECK(shop.get("/api/v1/products", from_ip("198.51.100.1")).status == 200);
  CHECK(shop.get("/api/v1/products", from_ip("198.51.100.2")).status == 200);
  CHECK(shop.get("/api/v1/products", from_ip("198.51.100.3")).status == 200);
  CHECK(shop.get("/api/v1/products", from_ip("198.51.100.4")).status == 200);
  auto r = shop.get("/api/v1/products", from_ip("198.51.100.5"));
  CHECK(r.status == 429);
  CHECK(!r.header("Retry-After").empty());
}

TEST_CASE("login attempts are limited per account and address, per account, and per IP", "[http][rate][auth]") {
  ClockReset reset;
  TestShop shop([](shopbox::Config& c) {
    c.trusted_proxies = "127.0.0.1";  // the test client plays the shop's proxy (X-Forwarded-For)
    c.rate_limit_enabled = 1;
    c.rate_limit_login_per_account = "3/15min";
    c.rate_limit_login_per_account_total = "6/15min";
    c.rate_limit_login_per_ip = "6/min";
  });
  shop.register_user("victim@example.com", "the right one");  // uses 1 of the IP's 6
  shopbox::set_clock_offset(120);                             // IP bucket full again
  for (int i = 0; i < 3; ++i)
    CHECK(shop.post("/api/v1/auth/login", {{"email", "victim@example.com"}, {"password", "guess " + std::to_string(i)}},
                    from_ip("192.0.2.1"))
              .status == 401);
  // The guesser's address waits now, whatever the spelling of the email...
  auto r = shop.post("/api/v1/auth/login", {{"email", " VICTIM@example.com"}, {"password", "the right one"}},
                     from_ip("192.0.2.1"));
  CHECK(r.status == 429);
  CHECK(r.body["error"]["code"] == "rate_limited");
  CHECK(std::stoi(r.header("Retry-After")) > 60);  // 15 min / 3 = 5 min per attempt
  // ...but the owner, from their own address, still signs in (before the
  // fix, ten wrong passwords from anyone locked the account for everyone).
  CHECK(shop.post("/api/v1/auth/login", {{"email", "victim@example.com"}, {"password", "the right one"}},
                  from_ip("192.0.2.2"))
            .status == 200);
  // A guesser spread over many addresses meets the per-account ceiling
  // (6 attempts in all: 3 + 1 above, and 2 more).
  CHECK(
      shop.post("/api/v1/auth/login", {{"email", "victim@example.com"}, {"password", "guess a"}}, from_ip("192.0.2.3"))
          .status == 401);
  CHECK(
      shop.post("/api/v1/auth/login", {{"email", "victim@example.com"}, {"password", "guess b"}}, from_ip("192.0.2.4"))
          .status == 401);
  CHECK(
      shop.post("/api/v1/auth/login", {{"email", "victim@example.com"}, {"password", "guess c"}}, from_ip("192.0.2.5"))
          .status == 429);
  shopbox::set_clock_offset(120 + 16 * 60);
  CHECK(shop.post("/api/v1/auth/login", {{"email", "victim@example.com"}, {"password", "the right one"}},
                  from_ip("192.0.2.1"))
            .status == 200);

  // Per IP: one address spraying many accounts.
  shopbox::set_clock_offset(2000);
  int limited = 0;
  for (int i = 0; i < 8; ++i) {
    auto a = shop.post("/api/v1/auth/login",
                       {{"email", "user" + std::to_string(i) + "@example.com"}, {"password", "whatever1"}},
                       from_ip("192.0.2.77"));
    limited += a.status == 429;
  }
  CHECK(limited == 2);
  CHECK(shop.post("/api/v1/auth/login", {{"email", "other@example.com"}, {"password", "whatever1"}},
                  from_ip("192.0.2.78"))
            .status == 401);
}

TEST_CASE("the limiter keeps a bounded number of buckets", "[unit][rate]") {
  shopbox::Config c;
  c.rate_limit_max_buckets = 160;  // 10 per shard, at least 16 kept per shard
  auto rl = http::RateLimiter::create(c);
  REQUIRE(rl.ok());
  auto rate = *http::parse_rate("5/min");
  for (int i = 0; i < 20000; ++i) (*rl)->take("client-" + std::to_string(i), rate);
  CHECK((*rl)->bucket_count() <= 16 * 16);
  // Limits still work for a busy client.
  int refused = 0;
  for (int i = 0; i < 10; ++i) refused += (*rl)->take("busy", rate) > 0;
  CHECK(refused == 5);
  // Disabled: everything passes.
  c.rate_limit_enabled = 0;
  auto off = http::RateLimiter::create(c);
  for (int i = 0; i < 100; ++i) CHECK((*off)->take("x", rate) == 0);
}
