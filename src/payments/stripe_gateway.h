// The Stripe gateway: PaymentGateway over Stripe's PaymentIntents API
// (docs/payments.md). Selected with [payments] gateway = "stripe".
//
// Contract, beyond gateway.h:
//  * Cards never reach shopbox: Stripe.js in the shopper's browser makes a
//    PaymentMethod ("pm_...") and checkout passes its id as the card token.
//    tokenize() refuses (400 card_numbers_not_accepted); token_info() asks
//    Stripe for brand/last4/expiry and answers owner kAnyOwner.
//  * A charge is a PaymentIntent; GatewayCharge::charge_id is its "pi_..."
//    id. authorize(key) creates it (Idempotency-Key "<key>:create"), stores
//    key -> pi id in stripe_intents, and only then confirms it
//    ("<key>:confirm"). So lookup(key) can tell after a crash: no row means
//    no PaymentIntent was ever confirmed; a row means ask Stripe. A
//    PaymentIntent that was created but never confirmed is cancelled by
//    lookup() (so the "none" it answers stays true).
//  * PaymentIntent status -> GatewayCharge status: succeeded -> captured
//    (partially_)refunded by its refunds; requires_capture -> authorized;
//    requires_action, requires_source_action and processing ->
//    requires_action (the order waits; the webhook or charge() settles it);
//    canceled -> voided; requires_payment_method after a failed attempt ->
//    failed.
//  * Errors: a card_error (402) is Kind::payment_failed card_declined or
//    insufficient_funds; no answer, 5xx, 429, 409 (a concurrent request with
//    the same key) and 401/403 (a bad key; logged without the key) are
//    Kind::unavailable gateway_timeout / gateway_error, which the circuit
//    breaker counts; a payment method Stripe does not know is 400
//    invalid_card.
//  * Every call is bounded by config.gateway_timeout_ms.
//
// Thread rule: every method may be called from any number of threads; the
// gateway holds no mutable state of its own (SQLite and the HttpClient are
// thread-safe).
#pragma once

#include <memory>

#include "base/http_client.h"
#include "config.h"
#include "payments/gateway.h"
#include "storage/sqlite.h"

namespace shopbox {

// The Stripe API version every request pins (Stripe-Version header), so a
// change of the account's default version never changes the shapes read.
inline constexpr const char* kStripeApiVersion = "2024-06-20";

// The Stripe gateway's tables (migrations 601-609, src/payments/stripe_schema.cpp).
const std::vector<Migration>& stripe_migrations();

// name() "stripe". `db`, `http` and `config` must outlive the gateway.
std::unique_ptr<PaymentGateway> make_stripe_gateway(Sqlite& db, HttpClient& http, const Config& config);

}  // namespace shopbox
