// Stripe webhooks: checking a Stripe-Signature and reading an event.
//
// Stripe signs each delivery: header `Stripe-Signature: t=<unix ts>,v1=<hex>`
// (several v1 entries while a secret is being rolled; v0 entries are
// Stripe's test-only legacy scheme and ignored), where v1 is
// HMAC-SHA256(webhook secret, "<t>.<raw body>"). A delivery is believed
// when any v1 matches (compared in constant time) and t is within the
// tolerance of now, so a captured delivery cannot be replayed later.
//
// The route (POST /api/v1/payments/stripe/webhook, http/routes_payments.cpp)
// verifies first, then parses, then settles the order the PaymentIntent
// paid for (Checkout::settle_payment asks Stripe, so the event only says
// "look now"), and notes the event id (Orders::note_gateway_event) so a
// redelivery is answered without being applied again.
//
// Thread rule: pure functions, callable from any thread.
#pragma once

#include <cstdint>
#include <string>

#include "base/money.h"
#include "base/status.h"
#include "storage/sqlite.h"

namespace shopbox {

// Ok, or 400 `invalid_signature` (the message says what was wrong: no
// header, no timestamp, too old, no match). Never says which v1 was expected.
[[nodiscard]] Status verify_stripe_signature(const std::string& secret, const std::string& header,
                                             const std::string& payload, int64_t now_seconds,
                                             int64_t tolerance_seconds = 300);

// What the shop reads from an event (a PaymentIntent's or a charge's).
struct StripeEvent {
  std::string id;    // "evt_..."
  std::string type;  // payment_intent.succeeded, payment_intent.payment_failed, charge.refunded, ...
  int64_t created = 0;
  std::string object_type;     // data.object.object: payment_intent, charge, refund, ...
  std::string object_id;       // data.object.id
  std::string payment_intent;  // pi_...: the object's id, or its payment_intent field (charge, refund)
  std::string status;          // data.object.status
  Cents amount = 0;
  Cents amount_received = 0;  // PaymentIntent
  Cents amount_refunded = 0;  // charge
  std::string currency;       // upper-case, as the shop writes it
  std::string shopbox_key;    // metadata.shopbox_key: the checkout attempt's key
  std::string
      failure_code;  // last_payment_error: card_declined | insufficient_funds (decline_code rule as the gateway's)
  std::string failure_message;  // last_payment_error.message, shopper-facing
};

// 400 invalid_json for text that is not a JSON object, 400 invalid_event
// when id or type is missing or not a string. Unknown fields are ignored;
// fields of the wrong type read as empty.
[[nodiscard]] Result<StripeEvent> parse_stripe_event(const std::string& payload);

// Which events were handled is kept with the orders they settle
// (orders.h note_gateway_event), by the webhook route.

}  // namespace shopbox
