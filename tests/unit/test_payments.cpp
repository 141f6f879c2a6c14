// The test payment gateway and the circuit breaker around it.
#include <catch2/catch.hpp>

#include "base/clock.h"
#include "payments/circuit_breaker.h"
#include "payments/test_gateway.h"
#include "schema.h"
#include "support/test_shop.h"

using namespace shopbox;

namespace {
struct GatewayFixture {
  testing::TempDir dir;
  std::unique_ptr<Sqlite> db;
  std::unique_ptr<TestGateway> gw;
  GatewayFixture() {
    db = std::move(Sqlite::open(dir.path() + "/shop.db", all_migrations()).value());
    gw = std::make_unique<TestGateway>(*db, 0, 3000);
  }
  std::string token(const std::string& number, const std::string& cvc = "123") {
    auto t = gw->tokenize({number, 12, 2099, cvc}, "user:1");
    REQUIRE(t.ok());
    return t->token;
  }
};
}  // namespace

TEST_CASE("luhn and brand detection", "[payments]") {
  CHECK(luhn_valid("4242424242424242"));
  CHECK_FALSE(luhn_valid("4242424242424241"));
  CHECK(card_brand("4242424242424242") == "visa");
  CHECK(card_brand("5555555555554444") == "mastercard");
  CHECK(card_brand("2223003122003222") == "mastercard");
  CHECK(card_brand("378282246310005") == "amex");
  CHECK(card_brand("6011111111111117") == "discover");
  CHECK(card_brand("3566002020360505") == "jcb");
}

TEST_CASE("tokenize validates the card and keeps no number", "[payments]") {
  GatewayFixture f;
  auto t = f.gw->tokenize({"4242 4242 4242 4242", 12, 2099, "123"}, "user:1");
  REQUIRE(t.ok());
  CHECK(t->token.rfind("tok_", 0) == 0);
  CHECK(t->brand == "visa");
  CHECK(t->last4 == "4242");
  CHECK(t->exp_year == 2099);

  auto bad = f.gw->tokenize({"4242424242424241", 12, 2099, "123"}, "user:1");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().kind() == Kind::invalid);
  CHECK(bad.status().code() == "invalid_card");
  CHECK_FALSE(f.gw->tokenize({"4242424242424242", 13, 2099, "123"}, "user:1").ok());
  CHECK_FALSE(f.gw->tokenize({"4242424242424242", 1, 2001, "123"}, "user:1").ok());  // expired
  CHECK_FALSE(f.gw->tokenize({"4242424242424242", 12, 2099, "12"}, "user:1").ok());
  CHECK_FALSE(f.gw->tokenize({"378282246310005", 12, 2099, "123"}, "user:1").ok());  // amex needs 4
  CHECK(f.gw->tokenize({"378282246310005", 12, 2099, "1234"}, "user:1").ok());
  CHECK_FALSE(f.gw->tokenize({"4242abcd42424242", 12, 2099, "123"}, "user:1").ok());

  // The stored record holds no card number anywhere.
  REQUIRE(f.db->read([&](Connection& c) {
                auto st = c.prepare("SELECT token || brand || last4 || behaviour FROM gw_tokens");
                while (st.step()) CHECK(st.text(0).find("4242424242424242") == std::string::npos);
                return Status::Ok();
              })
              .ok());
}

TEST_CASE("test cards approve, decline, fail; keys are idempotent", "[payments]") {
  GatewayFixture f;
  PaymentSource ok{"card", f.token("4242424242424242"), ""};
  auto c1 = f.gw->authorize("k1", ok, 1999, "USD", true);
  REQUIRE(c1.ok());
  CHECK(c1->status == "captured");
  CHECK(c1->captured == 1999);
  auto again = f.gw->authorize("k1", ok, 1999, "USD", true);
  REQUIRE(again.ok());
  CHECK(again->charge_id == c1->charge_id);
  REQUIRE(f.gw->lookup("k1").value());
  CHECK_FALSE(f.gw->lookup("never").value());

  auto dec = f.gw->authorize("k2", {"card", f.token("4000000000000002"), ""}, 500, "USD", true);
  REQUIRE_FALSE(dec.ok());
  CHECK(dec.status().kind() == Kind::payment_failed);
  CHECK(dec.status().code() == "card_declined");
  auto dec2 = f.gw->authorize("k2", {"card", f.token("4242424242424242"), ""}, 500, "USD", true);
  CHECK(dec2.status().code() == "card_declined");  // replay answers the first outcome

  auto nsf = f.gw->authorize("k3", {"card", f.token("4000000000009995"), ""}, 500, "USD", true);
  CHECK(nsf.status().code() == "insufficient_funds");

  auto err = f.gw->authorize("k4", {"card", f.token("4000000000000119"), ""}, 500, "USD", true);
  CHECK(err.status().kind() == Kind::unavailable);
  CHECK_FALSE(f.gw->lookup("k4").value());  // nothing charged

  auto wallet = f.gw->authorize("k5", {"wallet", "", "test_wallet"}, 700, "USD", true);
  REQUIRE(wallet.ok());
  CHECK(wallet->method_type == "wallet");
  CHECK(f.gw->authorize("k6", {"wallet", "", "nope"}, 700, "USD", true).status().kind() == Kind::invalid);
}

TEST_CASE("authorize then capture, void, refunds never exceed captured", "[payments]") {
  GatewayFixture f;
  PaymentSource ok{"card", f.token("5555555555554444"), ""};
  auto a = f.gw->authorize("a1", ok, 10000, "USD", false);
  REQUIRE(a.ok());
  CHECK(a->status == "authorized");
  auto cap = f.gw->capture("cap1", a->charge_id, 10000);
  REQUIRE(cap.ok());
  CHECK(cap->captured == 10000);
  CHECK(f.gw->capture("cap1", a->charge_id, 10000).ok());  // idempotent

  auto r1 = f.gw->refund("r1", a->charge_id, 4000);
  REQUIRE(r1.ok());
  auto r1b = f.gw->refund("r1", a->charge_id, 4000);
  REQUIRE(r1b.ok());
  CHECK(r1b->refund_id == r1->refund_id);
  auto over = f.gw->refund("r2", a->charge_id, 6001);
  REQUIRE_FALSE(over.ok());
  CHECK(over.status().code() == "refund_exceeds_captured");
  REQUIRE(f.gw->refund("r3", a->charge_id, 6000).ok());
  CHECK(f.gw->charge(a->charge_id)->status == "refunded");
  CHECK(f.gw->refunds(a->charge_id).size() == 2);

  auto b = f.gw->authorize("b1", ok, 500, "USD", false);
  REQUIRE(b.ok());
  CHECK(f.gw->void_charge(b->charge_id)->status == "voided");
  CHECK_FALSE(f.gw->capture("capb", b->charge_id, 500).ok());
}

TEST_CASE("simulated latency past the timeout is a retryable timeout", "[payments]") {
  GatewayFixture f;
  TestGateway slow(*f.db, 60, 50);
  auto tok = f.token("4242424242424242");
  auto r = slow.authorize("t1", {"card", tok, ""}, 100, "USD", true);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == "gateway_timeout");
  // Like a real processor, the charge may have happened: lookup tells.
  CHECK(slow.lookup("t1").value());
}

TEST_CASE("circuit breaker opens after consecutive failures and probes", "[payments]") {
  GatewayFixture f;
  auto tok = f.token("4242424242424242");
  auto inner = std::make_unique<TestGateway>(*f.db, 0, 3000);
  TestGateway* raw = inner.get();
  BreakerGateway gw(std::move(inner), 3, 60000);  // a long cooldown: a stalled machine cannot end it early
  raw->set_outage(true);
  for (const char* key : {"o1", "o2", "o3"})
    CHECK(gw.authorize(key, {"card", tok, ""}, 100, "USD", true).status().code() == "gateway_error");
  CHECK(gw.breaker().state() == "open");
  raw->set_outage(false);
  auto fast = gw.authorize("o9", {"card", tok, ""}, 100, "USD", true);
  CHECK(fast.status().code() == "payment_unavailable");
  CHECK(fast.status().kind() == Kind::unavailable);
  // Declines do not count as failures.
  shopbox::set_clock_offset(61);  // the cooldown passes
  CHECK(gw.breaker().state() == "half_open");
  auto probe = gw.authorize("p1", {"card", tok, ""}, 100, "USD", true);
  CHECK(probe.ok());
  CHECK(gw.breaker().state() == "closed");
  auto dec = gw.authorize("d1", {"card", f.token("4000000000000002"), ""}, 100, "USD", true);
  CHECK(dec.status().code() == "card_declined");
  CHECK(gw.breaker().state() == "closed");
  shopbox::set_clock_offset(0);
}
