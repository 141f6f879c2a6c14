// Checkout with the Stripe gateway against the local fake of Stripe
// (tests/fakes/fake_stripe.py): payment-method ids only (no card number
// reaches the shop or leaves it), declines, and 3-D Secure: the order
// waits pending_payment with its stock reserved and is settled exactly once
// by Stripe's signed webhook, the shopper's confirmation, or the sweeper.
#include <catch2/catch.hpp>

#include "checkout/checkout.h"
#include "inventory/inventory.h"
#include "orders/orders.h"
#include "support/fake_stripe.h"
#include "support/fixtures.h"
#include "support/test_shop.h"

using namespace shopbox;
using shopbox::testing::address;
using shopbox::testing::FakeStripe;
using shopbox::testing::Headers;
using shopbox::testing::Reply;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {

void use_fake(Config& c, const FakeStripe& fake) {
  c.payment_gateway = "stripe";
  c.stripe_api_base = fake.base();
  c.stripe_secret_key = shopbox::testing::kSecret;
  c.stripe_publishable_key = "pk_test_shopbox_fake";
  c.stripe_webhook_secret = shopbox::testing::kHookSecret;
}

Reply pay(TestShop& shop, const TestShop::Account& who, const std::string& pid, const std::string& pm,
          const std::string& key) {
  Headers h = who.auth;
  h.emplace("Idempotency-Key", key);
  return shop.post("/api/v1/orders",
                   {{"items", {{{"product_id", pid}, {"quantity", 1}}}},
                    {"shipping_address", address()},
                    {"payment_method", {{"type", "card"}, {"token", pm}}}},
                   h);
}

int64_t available(TestShop& shop, const std::string& pid) {
  return shop.app().inventory->level(std::stoll(pid)).available();
}

int64_t events_of(TestShop& shop, const std::string& order_id, const char* type) {
  return shopbox::testing::count_rows(shop, ("SELECT count(*) FROM outbox_events WHERE type = '" + std::string(type) +
                                             "' AND payload LIKE '%" + order_id + "%'")
                                                .c_str());
}

}  // namespace

TEST_CASE("stripe checkout: pm ids pay at once or decline; no card number anywhere", "[stripe][checkout][http]") {
  FakeStripe fake;
  TestShop shop([&](Config& c) { use_fake(c, fake); });
  auto buyer = shop.register_user("ana@example.com");
  std::string pid = shop.create_product({{"name", "Lamp"}, {"price", 40.00}}, 5);

  auto config = shop.get("/api/v1/payments/config");
  CHECK(config.body["gateway"] == "stripe");
  CHECK(config.body["publishable_key"] == "pk_test_shopbox_fake");
  CHECK(config.body["test_cards"] == false);
  // The storefront page may load Stripe.js and its frames, and talk to
  // Stripe's API; the API's own responses keep the strict policy.
  for (const char* page : {"/", "/checkout"}) {
    std::string csp = shop.get(page).header("Content-Security-Policy");
    INFO(page << ": " << csp);
    CHECK(csp.find("script-src 'self' https://js.stripe.com") != std::string::npos);
    CHECK(csp.find("connect-src 'self' https://api.stripe.com") != std::string::npos);
    CHECK(csp.find("https://hooks.stripe.com") != std::string::npos);
    CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  }
  CHECK(shop.get("/api/v1/products").header("Content-Security-Policy").find("stripe") == std::string::npos);

  auto ok = pay(shop, buyer, pid, "pm_card_visa", "s1");
  REQUIRE(ok.status == 201);
  CHECK(ok.body["status"] == "paid");
  CHECK(ok.body["payment"]["provider"] == "stripe");
  CHECK(ok.body["payment"]["method"]["last4"] == "4242");
  CHECK(available(shop, pid) == 4);

  auto declined = pay(shop, buyer, pid, "pm_card_chargeDeclined", "s2");
  CHECK(declined.status == 402);
  CHECK(declined.body["error"]["details"]["decline_code"] == "card_declined");
  CHECK(available(shop, pid) == 4);

  // A raw card number is refused by the shop itself.
  Headers h = buyer.auth;
  h.emplace("Idempotency-Key", "s3");
  auto raw = shop.post("/api/v1/orders",
                       {{"items", {{{"product_id", pid}, {"quantity", 1}}}},
                        {"shipping_address", address()},
                        {"payment_method", shopbox::testing::card()}},
                       h);
  CHECK(raw.status == 400);
  CHECK(raw.body["error"]["code"] == "card_numbers_not_accepted");
  // Nothing the shop sent Stripe held a card number.
  json sent = fake.call("GET", "/_fake/requests");
  CHECK(sent.dump().find("4242424242424242") == std::string::npos);
}

TEST_CASE("stripe checkout: 3-D Secure waits pending_payment and is settled exactly once", "[stripe][checkout][http]") {
  FakeStripe fake;
  TestShop shop([&](Config& c) { use_fake(c, fake); });
  fake.configure(
      {{"webhook_url", "http://127.0.0.1:" + std::to_string(shop.port()) + "/api/v1/payments/stripe/webhook"},
       {"webhook_secret", shopbox::testing::kHookSecret}});
  auto buyer = shop.register_user("ben@example.com");
  std::string pid = shop.create_product({{"name", "Lamp"}, {"price", 40.00}}, 5);

  auto waiting = pay(shop, buyer, pid, "pm_card_threeDSecure2Required", "t1");
  REQUIRE(waiting.status == 202);
  CHECK(waiting.body["status"] == "pending_payment");
  CHECK(waiting.body["next_action"]["type"] == "confirm_payment");
  CHECK(!waiting.body["next_action"]["client_secret"].get<std::string>().empty());
  std::string order_id = waiting.body["order_id"].get<std::string>();
  CHECK(available(shop, pid) == 4);  // held while the shopper authenticates
  CHECK(events_of(shop, order_id, "order.created") == 0);

  // Still waiting: the shopper's confirmation changes nothing yet.
  auto early = shop.post("/api/v1/orders/" + order_id + "/confirm-payment", json::object());
  REQUIRE(early.status == 200);
  CHECK(early.body["status"] == "pending_payment");

  SECTION("the challenge passes: the webhook pays the order; a replay and the confirmation find it paid") {
    // The fake names the PaymentIntent; the order's charge holds it.
    std::string pi_id;
    auto d = shop.app().orders->get(order_id);
    REQUIRE(d.ok());
    for (const auto& t : d->transactions)
      if (t.kind == "charge") pi_id = t.provider_id;
    REQUIRE(pi_id.rfind("pi_", 0) == 0);
    fake.complete_3ds(pi_id, "succeed");
    auto paid = shop.get("/api/v1/orders/" + order_id, buyer.auth);
    CHECK(paid.body["status"] == "paid");
    CHECK(events_of(shop, order_id, "order.created") == 1);
    CHECK(available(shop, pid) == 4);
    CHECK(shop.app().inventory->level(std::stoll(pid)).reserved == 0);  // consumed, not held
    auto again = shop.post("/api/v1/orders/" + order_id + "/confirm-payment", json::object());
    CHECK(again.body["status"] == "paid");
    json events = fake.call("GET", "/_fake/events");
    REQUIRE(events["events"].size() >= 1);
    fake.call("POST", "/_fake/send_event", {{"id", events["events"].back()["event"]["id"]}});
    CHECK(events_of(shop, order_id, "order.created") == 1);
    CHECK(events_of(shop, order_id, "order.paid") == 1);
  }

  SECTION("the challenge fails: the order is cancelled and the stock is back") {
    auto d = shop.app().orders->get(order_id);
    REQUIRE(d.ok());
    std::string pi_id;
    for (const auto& t : d->transactions)
      if (t.kind == "charge") pi_id = t.provider_id;
    fake.complete_3ds(pi_id, "fail");
    CHECK(shop.get("/api/v1/orders/" + order_id, buyer.auth).body["status"] == "cancelled");
    CHECK(available(shop, pid) == 5);
  }

  SECTION("nobody completes it: the sweeper cancels it at Stripe and here before the reservation lapses") {
    shopbox::testing::ClockReset reset;
    set_clock_offset(shop.app().checkout->payment_window_seconds() + 5);
    CHECK(shop.app().checkout->settle_stale_payments() == 1);
    CHECK(shop.get("/api/v1/orders/" + order_id, buyer.auth).body["status"] == "cancelled");
    CHECK(available(shop, pid) == 5);
  }

  SECTION("a webhook with a bad signature is a 400 and changes nothing") {
    auto bad = shop.post_raw("/api/v1/payments/stripe/webhook",
                             R"({"id":"evt_x","type":"payment_intent.succeeded","data":{"object":{}}})",
                             {{"Stripe-Signature", "t=1,v1=00"}});
    CHECK(bad.status == 400);
    CHECK(shop.get("/api/v1/orders/" + order_id, buyer.auth).body["status"] == "pending_payment");
  }
}
