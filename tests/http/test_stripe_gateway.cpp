// The Stripe gateway against the local fake of Stripe's API
// (tests/fakes/fake_stripe.py), over the real libcurl HttpClient: what each
// PaymentGateway call does at "Stripe", and what the shop gets back.
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "base/http_client.h"
#include "config.h"
#include "payments/circuit_breaker.h"
#include "payments/stripe_gateway.h"
#include "payments/stripe_webhook.h"
#include "schema.h"
#include "support/fake_stripe.h"
#include "support/test_shop.h"

using namespace shopbox;

namespace stripe_gateway_test {

using json = nlohmann::json;

using shopbox::testing::FakeStripe;
using shopbox::testing::kHookSecret;
using shopbox::testing::kSecret;

// An HttpClient that passes requests on, and can fail the ones whose URL
// holds `fail_path`: before sending (a crash before the call) or after
// (the call happened, its answer was lost).
class CuttingClient : public HttpClient {
 public:
  explicit CuttingClient(HttpClient& inner) : inner_(inner) {}
  std::string fail_path;
  bool after = false;
  Result<OutboundResponse> send(const OutboundRequest& req) override {
    bool cut = !fail_path.empty() && req.url.find(fail_path) != std::string::npos;
    if (cut && !after) return Status(Kind::unavailable, "unreachable", "connection refused: cut by the test");
    auto res = inner_.send(req);
    if (cut) return Status(Kind::unavailable, "unreachable", "timed out: answer lost by the test");
    return res;
  }

 private:
  HttpClient& inner_;
};

struct Rig {
  FakeStripe fake;
  testing::TempDir dir;
  std::unique_ptr<Sqlite> db;
  std::unique_ptr<HttpClient> http = make_http_client();
  Config config;
  explicit Rig(int timeout_ms = 5000) {
    db = std::move(Sqlite::open(dir.path() + "/shop.db", all_migrations()).value());
    config.stripe_secret_key = kSecret;
    config.stripe_api_base = fake.base();
    config.gateway_timeout_ms = timeout_ms;
    config.public_url = "http://shop.test";
  }
  std::unique_ptr<PaymentGateway> gateway(HttpClient* via = nullptr) {
    return make_stripe_gateway(*db, via ? *via : *http, config);
  }
};

PaymentSource pm(const std::string& id) {
  PaymentSource s;
  s.type = "card";
  s.token = id;
  return s;
}

int intents_at(FakeStripe& fake) {
  return fake.state()["payment_intents"].get<int>();
}

TEST_CASE("stripe: a sale with pm_card_visa is captured at once", "[stripe][payments]") {
  Rig rig;
  auto gw = rig.gateway();
  CHECK(gw->name() == "stripe");
  CHECK_FALSE(gw->takes_card_numbers());
  auto ch = gw->authorize("att_1", pm("pm_card_visa"), 1999, "USD", true);
  REQUIRE(ch.ok());
  CHECK(ch->charge_id.rfind("pi_", 0) == 0);
  CHECK(ch->status == "captured");
  CHECK(ch->amount == 1999);
  CHECK(ch->captured == 1999);
  CHECK(ch->currency == "USD");
  CHECK(ch->brand == "visa");
  CHECK(ch->last4 == "4242");
  CHECK(ch->idempotency_key == "att_1");
  auto again = gw->charge(ch->charge_id);
  REQUIRE(again);
  CHECK(again->status == "captured");
  CHECK(again->refunded == 0);
}

TEST_CASE("stripe: manual capture authorizes, then captures; void releases", "[stripe][payments]") {
  Rig rig;
  auto gw = rig.gateway();
  auto auth = gw->authorize("att_m", pm("pm_card_mastercard"), 5000, "USD", false);
  REQUIRE(auth.ok());
  CHECK(auth->status == "authorized");
  CHECK(auth->captured == 0);
  auto cap = gw->capture("att_m:capture", auth->charge_id, 4000);
  REQUIRE(cap.ok());
  CHECK(cap->status == "captured");
  CHECK(cap->captured == 4000);
  auto twice = gw->capture("att_m:capture", auth->charge_id, 4000);  // same key: Stripe replays
  REQUIRE(twice.ok());
  CHECK(twice->captured == 4000);
  auto other = gw->capture("att_m:capture2", auth->charge_id, 4000);
  REQUIRE_FALSE(other.ok());
  CHECK(other.status().code() == "charge_not_capturable");

  auto held = gw->authorize("att_v", pm("pm_card_visa"), 700, "USD", false);
  REQUIRE(held.ok());
  auto voided = gw->void_charge(held->charge_id);
  REQUIRE(voided.ok());
  CHECK(voided->status == "voided");
  auto again = gw->void_charge(held->charge_id);
  REQUIRE(again.ok());
  CHECK(again->status == "voided");
  CHECK(gw->charge(held->charge_id)->status == "voided");
  auto late = gw->void_charge(cap->charge_id);
  REQUIRE_FALSE(late.ok());
  CHECK(late.status().code() == "charge_not_voidable");
}

TEST_CASE("stripe: declines are 402 card_declined or insufficient_funds, and repeat", "[stripe][payments]") {
  Rig rig;
  auto gw = rig.gateway();
  auto declined = gw->authorize("att_d", pm("pm_card_chargeDeclined"), 1999, "USD", true);
  REQUIRE_FALSE(declined.ok());
  CHECK(declined.status().kind() == Kind::payment_failed);
  CHECK(declined.status().code() == "card_declined");
  CHECK(declined.status().message() == "Your card was declined.");
  auto funds = gw->authorize("att_f", pm("pm_card_chargeDeclinedInsufficientFunds"), 1999, "USD", true);
  REQUIRE_FALSE(funds.ok());
  CHECK(funds.status().code() == "insufficient_funds");
  CHECK(http_status(funds.status()) == 402);
  auto expired = gw->authorize("att_e", pm("pm_card_chargeDeclinedExpiredCard"), 1999, "USD", true);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.status().code() == "card_declined");
  CHECK(expired.status().details()["decline_code"] == "expired_card");

  int before = intents_at(rig.fake);
  auto repeat = gw->authorize("att_d", pm("pm_card_chargeDeclined"), 1999, "USD", true);
  REQUIRE_FALSE(repeat.ok());
  CHECK(repeat.status().code() == "card_declined");
  CHECK(intents_at(rig.fake) == before);
  auto looked = gw->lookup("att_d");
  REQUIRE(looked.ok());
  REQUIRE(*looked);
  CHECK((*looked)->status == "failed");
  CHECK((*looked)->failure_code == "card_declined");

  auto unknown = gw->authorize("att_u", pm("pm_nope"), 1999, "USD", true);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().code() == "invalid_card");
  auto not_pm = gw->authorize("att_x", pm("tok_123/../x"), 1999, "USD", true);
  REQUIRE_FALSE(not_pm.ok());
  CHECK(not_pm.status().code() == "invalid_card");
}

TEST_CASE("stripe: 3-D Secure waits as requires_action until the challenge is done", "[stripe][payments]") {
  Rig rig;
  auto gw = rig.gateway();
  auto ch = gw->authorize("att_3ds", pm("pm_card_threeDSecure2Required"), 2500, "USD", true);
  REQUIRE(ch.ok());
  CHECK(ch->status == "requires_action");
  CHECK(ch->client_secret.rfind(ch->charge_id + "_secret_", 0) == 0);
  CHECK(gw->charge(ch->charge_id)->status == "requires_action");
  rig.fake.complete_3ds(ch->charge_id, "succeed");
  auto done = gw->charge(ch->charge_id);
  REQUIRE(done);
  CHECK(done->status == "captured");
  CHECK(done->captured == 2500);

  auto failing = gw->authorize("att_3ds_f", pm("pm_card_authenticationRequired"), 2500, "USD", false);
  REQUIRE(failing.ok());
  CHECK(failing->status == "requires_action");
  rig.fake.complete_3ds(failing->charge_id, "fail");
  auto failed = gw->charge(failing->charge_id);
  REQUIRE(failed);
  CHECK(failed->status == "failed");
  CHECK(failed->failure_code == "card_declined");

  auto manual = gw->authorize("att_3ds_m", pm("pm_card_threeDSecure2Required"), 900, "USD", false);
  REQUIRE(manual.ok());
  rig.fake.complete_3ds(manual->charge_id, "succeed");
  CHECK(gw->charge(manual->charge_id)->status == "authorized");
}

TEST_CASE("stripe: a retried authorize with the same key charges once", "[stripe][payments]") {
  Rig rig;
  auto gw = rig.gateway();
  int before = intents_at(rig.fake);
  auto first = gw->authorize("att_twice", pm("pm_card_visa"), 1234, "USD", true);
  auto second = gw->authorize("att_twice", pm("pm_card_visa"), 1234, "USD", true);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->charge_id == second->charge_id);
  CHECK(intents_at(rig.fake) == before + 1);
  auto changed = gw->authorize("att_twice", pm("pm_card_visa"), 9999, "USD", true);
  REQUIRE_FALSE(changed.ok());
  CHECK(changed.status().code() == "idempotency_key_reused");

  // Another gateway over the same database (a restarted shop): no new PaymentIntent.
  auto restarted = rig.gateway();
  auto third = restarted->authorize("att_twice", pm("pm_card_visa"), 1234, "USD", true);
  REQUIRE(third.ok());
  CHECK(third->charge_id == first->charge_id);
  CHECK(intents_at(rig.fake) == before + 1);

  // Every mutating call carried an Idempotency-Key, every call the pinned
  // version, and no card data ever left the shop.
  json requests = rig.fake.call("GET", "/_fake/requests")["requests"];
  REQUIRE(requests.size() >= 2);
  for (const auto& r : requests) {
    CHECK(r["stripe_version"] == kStripeApiVersion);
    CHECK(r["key"] == "secret");
    CHECK_FALSE(r["params"].contains("card"));
    if (r["method"] == "POST") {
      CHECK(r["idempotency_key"].is_string());
      CHECK(r["content_type"] == "application/x-www-form-urlencoded");
    }
  }
}

TEST_CASE("stripe: recovery's lookup after a crash between create and confirm", "[stripe][payments]") {
  Rig rig;
  CuttingClient cutting(*rig.http);
  auto gw = rig.gateway(&cutting);

  auto nothing = gw->lookup("never_tried");
  REQUIRE(nothing.ok());
  CHECK_FALSE(*nothing);

  cutting.fail_path = "/confirm";  // the process "dies" before confirming
  auto cut = gw->authorize("att_crash", pm("pm_card_visa"), 1500, "USD", true);
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.status().kind() == Kind::unavailable);
  cutting.fail_path.clear();
  auto restarted = rig.gateway(&cutting);
  auto found = restarted->lookup("att_crash");
  REQUIRE(found.ok());
  CHECK_FALSE(*found);  // never confirmed: nothing charged...
  json state = rig.fake.state();
  int canceled = 0;
  for (const auto& it : state["intents"].items()) canceled += it.value() == "canceled";
  CHECK(canceled == 1);  // ...and it cannot be confirmed later

  cutting.fail_path = "/confirm";  // confirmed, but the answer was lost
  cutting.after = true;
  auto lost = gw->authorize("att_lost", pm("pm_card_visa"), 1500, "USD", true);
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.status().code() == "gateway_timeout");
  cutting.fail_path.clear();
  auto seen = restarted->lookup("att_lost");
  REQUIRE(seen.ok());
  REQUIRE(*seen);
  CHECK((*seen)->status == "captured");
  CHECK((*seen)->captured == 1500);

  // Stripe down: "cannot tell", never "none".
  rig.fake.configure({{"fail_next", 3}});
  auto unknown = restarted->lookup("att_lost");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().kind() == Kind::unavailable);
  rig.fake.configure({{"fail_next", 0}});
}

TEST_CASE("stripe: refunds, full and partial, never more than captured", "[stripe][payments]") {
  Rig rig;
  auto gw = rig.gateway();
  auto ch = gw->authorize("att_r", pm("pm_card_visa"), 5000, "USD", true);
  REQUIRE(ch.ok());
  auto r1 = gw->refund("att_r:refund:1", ch->charge_id, 2000);
  REQUIRE(r1.ok());
  CHECK(r1->refund_id.rfind("re_", 0) == 0);
  CHECK(r1->amount == 2000);
  CHECK(r1->charge_id == ch->charge_id);
  CHECK(r1->status == "succeeded");
  auto r1_again = gw->refund("att_r:refund:1", ch->charge_id, 2000);
  REQUIRE(r1_again.ok());
  CHECK(r1_again->refund_id == r1->refund_id);
  CHECK(gw->charge(ch->charge_id)->status == "partially_refunded");
  auto over = gw->refund("att_r:refund:2", ch->charge_id, 3001);
  REQUIRE_FALSE(over.ok());
  CHECK(over.status().code() == "refund_exceeds_captured");
  CHECK(http_status(over.status()) == 409);
  auto rest = gw->refund("att_r:refund:3", ch->charge_id, 3000);
  REQUIRE(rest.ok());
  auto done = gw->charge(ch->charge_id);
  REQUIRE(done);
  CHECK(done->status == "refunded");
  CHECK(done->refunded == 5000);
  auto more = gw->refund("att_r:refund:4", ch->charge_id, 1);
  REQUIRE_FALSE(more.ok());
  CHECK(more.status().code() == "refund_exceeds_captured");
  auto list = gw->refunds(ch->charge_id);
  REQUIRE(list.size() == 2);
  CHECK(list[0].refund_id == r1->refund_id);
  CHECK(list[1].amount == 3000);

  auto held = gw->authorize("att_r_held", pm("pm_card_visa"), 800, "USD", false);
  REQUIRE(held.ok());
  auto early = gw->refund("att_r_held:refund", held->charge_id, 800);
  REQUIRE_FALSE(early.ok());
  CHECK(early.status().code() == "charge_not_captured");
}

TEST_CASE("stripe: payment methods come from Stripe.js; card numbers are refused", "[stripe][payments]") {
  Rig rig;
  auto gw = rig.gateway();
  auto tok = gw->token_info("pm_card_visa");
  REQUIRE(tok);
  CHECK(tok->brand == "visa");
  CHECK(tok->last4 == "4242");
  CHECK(tok->exp_month >= 1);
  CHECK(tok->owner == kAnyOwner);
  CHECK_FALSE(gw->token_info("pm_unknown"));
  CHECK_FALSE(gw->token_info("../v1/refunds"));
  auto refused = gw->tokenize(CardInput{"4242424242424242", 12, 2099, "123"}, "user:1");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == "card_numbers_not_accepted");
  CHECK(http_status(refused.status()) == 400);
}

TEST_CASE("stripe: 5xx and a refused key are retryable gateway errors", "[stripe][payments]") {
  Rig rig;
  auto gw = rig.gateway();
  rig.fake.configure({{"fail_next", 1}});
  auto down = gw->authorize("att_5xx", pm("pm_card_visa"), 1000, "USD", true);
  REQUIRE_FALSE(down.ok());
  CHECK(down.status().kind() == Kind::unavailable);
  CHECK(down.status().code() == "gateway_error");
  auto retried = gw->authorize("att_5xx", pm("pm_card_visa"), 1000, "USD", true);
  REQUIRE(retried.ok());  // Stripe does not keep a 500 under the key
  CHECK(retried->status == "captured");

  rig.config.stripe_secret_key = "sk_test_wrong_key_0000";
  auto bad = rig.gateway()->authorize("att_key", pm("pm_card_visa"), 1000, "USD", true);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().kind() == Kind::unavailable);
  CHECK(bad.status().code() == "gateway_error");
  CHECK(bad.status().message().find("sk_test") == std::string::npos);
}

TEST_CASE("stripe: a slow Stripe times out and opens the circuit breaker", "[stripe][payments]") {
  Rig rig(300);
  rig.fake.configure({{"latency_ms", 1500}});
  BreakerGateway gw(rig.gateway(), 2, 60000);
  auto t0 = std::chrono::steady_clock::now();
  auto first = gw.authorize("att_slow1", pm("pm_card_visa"), 1000, "USD", true);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  REQUIRE_FALSE(first.ok());
  CHECK(first.status().code() == "gateway_timeout");
  CHECK(took.count() < 1400);  // bounded by gateway_timeout_ms, not by the latency
  auto second = gw.authorize("att_slow2", pm("pm_card_visa"), 1000, "USD", true);
  REQUIRE_FALSE(second.ok());
  CHECK(gw.breaker().state() == "open");
  t0 = std::chrono::steady_clock::now();
  auto third = gw.authorize("att_slow3", pm("pm_card_visa"), 1000, "USD", true);
  took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  REQUIRE_FALSE(third.ok());
  CHECK(third.status().code() == "payment_unavailable");
  CHECK(took.count() < 250);
  rig.fake.configure({{"latency_ms", 0}});
}

TEST_CASE("stripe: the fake's signed webhooks pass verify_stripe_signature", "[stripe][payments][webhooks]") {
  httplib::Server hook;
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> got;  // Stripe-Signature, body
  hook.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    got.emplace_back(req.get_header_value("Stripe-Signature"), req.body);
    res.status = 200;
  });
  int port = hook.bind_to_any_port("127.0.0.1");
  std::thread server([&] { hook.listen_after_bind(); });
  {
    Rig rig;
    rig.fake.configure({{"webhook_url", "http://127.0.0.1:" + std::to_string(port) + "/hook"}});
    auto gw = rig.gateway();
    auto ch = gw->authorize("att_hook", pm("pm_card_threeDSecure2Required"), 3100, "USD", true);
    REQUIRE(ch.ok());
    json done = rig.fake.complete_3ds(ch->charge_id, "succeed");  // delivers before answering
    std::vector<std::pair<std::string, std::string>> seen;
    {
      std::lock_guard lock(mu);
      seen = got;
    }
    bool found = false;
    for (const auto& delivery : seen) {
      CHECK(verify_stripe_signature(kHookSecret, delivery.first, delivery.second, now_seconds()).ok());
      CHECK_FALSE(verify_stripe_signature("whsec_other", delivery.first, delivery.second, now_seconds()).ok());
      auto ev = parse_stripe_event(delivery.second);
      REQUIRE(ev.ok());
      if (ev->type != "payment_intent.succeeded") continue;
      found = true;
      CHECK(ev->payment_intent == ch->charge_id);
      CHECK(ev->shopbox_key == "att_hook");
      CHECK(ev->amount == 3100);
      CHECK(ev->currency == "USD");
      CHECK(ev->status == "succeeded");
    }
    CHECK(found);
    REQUIRE(done["_fake"]["events"].size() >= 1);
    // A re-sent event is the same event id (the route handles it once).
    json again = rig.fake.call("POST", "/_fake/send_event", {{"id", done["_fake"]["events"].back()}});
    CHECK(again["delivery"]["status"] == 200);
    rig.fake.call("POST", "/_fake/send_event", {{"id", done["_fake"]["events"].back()}, {"signature", "bad"}});
    std::lock_guard lock(mu);
    int refused = 0;
    for (const auto& delivery : got)
      refused += !verify_stripe_signature(kHookSecret, delivery.first, delivery.second, now_seconds()).ok();
    CHECK(refused == 1);
  }
  hook.stop();
  server.join();
}

}  // namespace stripe_gateway_test
