// Opt-in: the Stripe gateway against Stripe's own test mode. Runs only when
// STRIPE_TEST_SECRET_KEY holds a test-mode secret key (sk_test_...); every
// other run passes with a warning (docs/payments.md, "The live test").
//   STRIPE_TEST_SECRET_KEY=sk_test_... build/release/shopbox_tests "[stripe_live]"
#include <catch2/catch.hpp>
#include <cstdlib>

#include "base/crypto.h"
#include "base/http_client.h"
#include "config.h"
#include "payments/stripe_gateway.h"
#include "schema.h"
#include "support/test_shop.h"

using namespace shopbox;

namespace stripe_live_test {

// The key, or "" (with a warning) when the live test should not run.
std::string live_key() {
  const char* key = std::getenv("STRIPE_TEST_SECRET_KEY");
  if (!key || !*key) return "";
  std::string k = key;
  return k.rfind("sk_test_", 0) == 0 || k.rfind("rk_test_", 0) == 0 ? k : "";
}

PaymentSource live_pm(const std::string& id) {
  PaymentSource s;
  s.token = id;
  return s;
}

TEST_CASE("stripe live: approve, decline and refund in Stripe's test mode", "[stripe_live][payments]") {
  std::string key = stripe_live_test::live_key();
  if (key.empty()) {
    WARN("skipped: set STRIPE_TEST_SECRET_KEY=sk_test_... to run against Stripe's test mode");
    return;
  }
  testing::TempDir dir;
  auto db = std::move(Sqlite::open(dir.path() + "/shop.db", all_migrations()).value());
  auto http = make_http_client();
  Config config;
  config.stripe_secret_key = key;  // stripe_api_base stays https://api.stripe.com
  config.gateway_timeout_ms = 20000;
  config.public_url = "https://shop.example";
  auto gw = make_stripe_gateway(*db, *http, config);
  std::string run = "live_" + random_hex(8);  // a fresh key per run: Stripe keeps keys 24 h

  auto ok = gw->authorize(run + "_ok", stripe_live_test::live_pm("pm_card_visa"), 1999, "USD", true);
  REQUIRE(ok.ok());
  CHECK(ok->status == "captured");
  CHECK(ok->last4 == "4242");
  auto again = gw->authorize(run + "_ok", stripe_live_test::live_pm("pm_card_visa"), 1999, "USD", true);
  REQUIRE(again.ok());
  CHECK(again->charge_id == ok->charge_id);

  auto declined = gw->authorize(run + "_no", stripe_live_test::live_pm("pm_card_chargeDeclined"), 1999, "USD", true);
  REQUIRE_FALSE(declined.ok());
  CHECK(declined.status().code() == "card_declined");

  auto part = gw->refund(run + "_r1", ok->charge_id, 500);
  REQUIRE(part.ok());
  auto over = gw->refund(run + "_r2", ok->charge_id, 1500);
  REQUIRE_FALSE(over.ok());
  CHECK(over.status().code() == "refund_exceeds_captured");
  auto rest = gw->refund(run + "_r3", ok->charge_id, 1499);
  REQUIRE(rest.ok());
  auto done = gw->charge(ok->charge_id);
  REQUIRE(done);
  CHECK(done->status == "refunded");

  auto looked = gw->lookup(run + "_ok");
  REQUIRE(looked.ok());
  REQUIRE(*looked);
  CHECK((*looked)->charge_id == ok->charge_id);
}

}  // namespace stripe_live_test
