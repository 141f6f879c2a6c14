// Stripe webhook signatures and events (payments/stripe_webhook.h): what is
// believed, what is refused, and what hostile JSON reads as.
#include <catch2/catch.hpp>
#include <cctype>
#include <string>
#include <vector>

#include "base/crypto.h"
#include "payments/stripe_webhook.h"
#include "schema.h"
#include "support/test_shop.h"

using namespace shopbox;

namespace stripe_webhook_test {

constexpr const char* kWhsec = "whsec_unit_test_secret_0123456789";
constexpr int64_t kNow = 1'760'000'000;

std::string sign(const std::string& secret, int64_t t, const std::string& payload) {
  return hmac_sha256_hex(secret, std::to_string(t) + "." + payload);
}

std::string header_for(int64_t t, const std::string& payload, const std::string& secret = kWhsec) {
  return "t=" + std::to_string(t) + ",v1=" + sign(secret, t, payload);
}

const std::string kPayload =
    R"({"id":"evt_1","object":"event","type":"payment_intent.succeeded","created":1760000000,)"
    R"("data":{"object":{"id":"pi_123","object":"payment_intent","status":"succeeded","amount":1999,)"
    R"("amount_received":1999,"currency":"usd","metadata":{"shopbox_key":"att_9"}}}})";

TEST_CASE("stripe signature: a correct v1 within the tolerance is believed", "[stripe][webhooks][unit]") {
  CHECK(verify_stripe_signature(kWhsec, header_for(kNow, kPayload), kPayload, kNow).ok());
  CHECK(verify_stripe_signature(kWhsec, header_for(kNow - 299, kPayload), kPayload, kNow).ok());
  CHECK(verify_stripe_signature(kWhsec, header_for(kNow + 299, kPayload), kPayload, kNow).ok());
  // Spaces after commas, a v0 entry and unknown schemes are tolerated.
  std::string h =
      "t=" + std::to_string(kNow) + ", v0=" + std::string(64, 'a') + ", v1=" + sign(kWhsec, kNow, kPayload) + ", v9=zz";
  CHECK(verify_stripe_signature(kWhsec, h, kPayload, kNow).ok());
}

TEST_CASE("stripe signature: any of several v1 entries may match (secret roll)", "[stripe][webhooks][unit]") {
  std::string h =
      "t=" + std::to_string(kNow) + ",v1=" + sign("whsec_old", kNow, kPayload) + ",v1=" + sign(kWhsec, kNow, kPayload);
  CHECK(verify_stripe_signature(kWhsec, h, kPayload, kNow).ok());
  CHECK(verify_stripe_signature("whsec_old", h, kPayload, kNow).ok());
  CHECK_FALSE(verify_stripe_signature("whsec_third", h, kPayload, kNow).ok());
}

TEST_CASE("stripe signature: wrong secret, tampered body, old or future timestamps are 400",
          "[stripe][webhooks][unit]") {
  auto refused = [](const Status& st) {
    return st.kind() == Kind::invalid && st.code() == "invalid_signature" && http_status(st) == 400;
  };
  CHECK(refused(verify_stripe_signature("whsec_wrong", header_for(kNow, kPayload), kPayload, kNow)));
  std::string tampered = kPayload;
  tampered.replace(tampered.find("1999"), 4, "0001");
  CHECK(refused(verify_stripe_signature(kWhsec, header_for(kNow, kPayload), tampered, kNow)));
  CHECK(refused(verify_stripe_signature(kWhsec, header_for(kNow - 301, kPayload), kPayload, kNow)));
  CHECK(refused(verify_stripe_signature(kWhsec, header_for(kNow + 301, kPayload), kPayload, kNow)));
  CHECK(verify_stripe_signature(kWhsec, header_for(kNow - 3000, kPayload), kPayload, kNow, 3600).ok());
  // The signature binds the timestamp: a fresh t with an old signature fails.
  std::string moved = "t=" + std::to_string(kNow) + ",v1=" + sign(kWhsec, kNow - 1000, kPayload);
  CHECK(refused(verify_stripe_signature(kWhsec, moved, kPayload, kNow)));
  CHECK(refused(verify_stripe_signature("", header_for(kNow, kPayload, ""), kPayload, kNow)));
}

TEST_CASE("stripe signature: malformed headers are refused, never crash", "[stripe][webhooks][unit]") {
  std::string good = sign(kWhsec, kNow, kPayload);
  std::string t = std::to_string(kNow);
  for (const std::string& h : std::vector<std::string>{
           "", ",", "=", "t=", "v1=" + good, "t=" + t, "t=" + t + ",v1=", "t=abc,v1=" + good, "t=-5,v1=" + good,
           "t=" + t + "0000000000000,v1=" + good, "t=" + t + ",t=" + t + ",v1=" + good,
           "t=" + t + ",v1=" + good.substr(0, 63), "t=" + t + ",v1=" + good + "00", "t=" + t + ";v1=" + good,
           "t=" + t + ",v0=" + good, std::string(5000, 't'), "t=" + t + ",v1=" + std::string(64, '\0')}) {
    INFO("header: " << h.substr(0, 80));
    Status st = verify_stripe_signature(kWhsec, h, kPayload, kNow);
    CHECK_FALSE(st.ok());
    CHECK(st.code() == "invalid_signature");
  }
  std::string upper = good;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(verify_stripe_signature(kWhsec, "t=" + t + ",v1=" + upper, kPayload, kNow).ok());
}

TEST_CASE("stripe event: the fields the shop reads", "[stripe][webhooks][unit]") {
  auto ev = parse_stripe_event(kPayload);
  REQUIRE(ev.ok());
  CHECK(ev->id == "evt_1");
  CHECK(ev->type == "payment_intent.succeeded");
  CHECK(ev->object_type == "payment_intent");
  CHECK(ev->object_id == "pi_123");
  CHECK(ev->payment_intent == "pi_123");
  CHECK(ev->status == "succeeded");
  CHECK(ev->amount == 1999);
  CHECK(ev->amount_received == 1999);
  CHECK(ev->currency == "USD");
  CHECK(ev->shopbox_key == "att_9");
  CHECK(ev->failure_code.empty());

  auto failed = parse_stripe_event(
      R"({"id":"evt_2","type":"payment_intent.payment_failed","data":{"object":{"id":"pi_9","object":"payment_intent",)"
      R"("status":"requires_payment_method","last_payment_error":{"type":"card_error","code":"card_declined",)"
      R"("decline_code":"insufficient_funds","message":"Your card has insufficient funds."}}}})");
  REQUIRE(failed.ok());
  CHECK(failed->failure_code == "insufficient_funds");
  CHECK(failed->failure_message == "Your card has insufficient funds.");

  auto refunded =
      parse_stripe_event(R"({"id":"evt_3","type":"charge.refunded","data":{"object":{"id":"ch_1","object":"charge",)"
                         R"("payment_intent":"pi_9","amount":500,"amount_refunded":200,"currency":"eur"}}})");
  REQUIRE(refunded.ok());
  CHECK(refunded->object_id == "ch_1");
  CHECK(refunded->payment_intent == "pi_9");
  CHECK(refunded->amount_refunded == 200);
  CHECK(refunded->currency == "EUR");
}

TEST_CASE("stripe event: hostile JSON is refused or read as empty", "[stripe][webhooks][unit]") {
  for (const std::string& bad : std::vector<std::string>{
           "", "null", "[]", "\"evt\"", "{", "{\"id\":\"evt_1\"}", "{\"type\":\"x\"}", "{\"id\":1,\"type\":\"x\"}",
           "{\"id\":\"evt_1\",\"type\":[]}", std::string(200, '[') + std::string(200, ']'),
           "{\"id\":\"" + std::string(300, 'e') + "\",\"type\":\"x\"}"}) {
    INFO("payload: " << bad.substr(0, 60));
    auto ev = parse_stripe_event(bad);
    CHECK_FALSE(ev.ok());
    if (!ev.ok()) CHECK(http_status(ev.status()) == 400);
  }
  // Wrong types read as empty or zero; nothing throws.
  auto odd =
      parse_stripe_event(R"({"id":"evt_4","type":"payment_intent.succeeded","data":{"object":{"id":5,"amount":"1999",)"
                         R"("currency":null,"metadata":[],"last_payment_error":"x","status":{"a":1}}}})");
  REQUIRE(odd.ok());
  CHECK(odd->object_id.empty());
  CHECK(odd->amount == 0);
  CHECK(odd->currency.empty());
  CHECK(odd->shopbox_key.empty());
  CHECK(odd->status.empty());
  CHECK(odd->failure_code.empty());
  auto negative = parse_stripe_event(
      R"({"id":"evt_5","type":"t","data":{"object":{"amount":-5,"amount_received":1e300,"amount_refunded":99999999999999999}}})");
  REQUIRE(negative.ok());
  CHECK(negative->amount == 0);
  CHECK(negative->amount_received == 0);
  CHECK(negative->amount_refunded == 0);
  auto no_data = parse_stripe_event(R"({"id":"evt_6","type":"ping","data":"nope"})");
  REQUIRE(no_data.ok());
  CHECK(no_data->object_id.empty());
}

}  // namespace stripe_webhook_test
