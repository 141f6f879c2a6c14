// Payment routes around the gateway: what the storefront needs to take a
// card (which gateway, Stripe's publishable key), the gateway's webhook,
// and the shopper's "I completed the payment" after 3-D Secure.
//
// Neither the webhook nor the confirmation is believed as such: both make
// checkout ask the gateway where the payment stands (Checkout::
// settle_payment), so a forged or replayed call can at most make the shop
// look again.
#include "app.h"
#include "base/clock.h"
#include "checkout/checkout.h"
#include "http/routes_orders.h"
#include "http/server.h"
#include "orders/orders.h"
#include "payments/gateway.h"
#include "payments/stripe_webhook.h"

namespace shopbox {
using namespace http;

namespace {

// The PaymentIntent events that change an order; any other is acknowledged.
bool settles_an_order(const std::string& type) {
  return type == "payment_intent.succeeded" || type == "payment_intent.payment_failed" ||
         type == "payment_intent.canceled" || type == "payment_intent.amount_capturable_updated";
}

void handle_stripe_webhook(App& app, const Req& req, Res& res) {
  if (app.config.payment_gateway != "stripe") return send_error(res, Status::NotFound("no Stripe gateway here"));
  Status signed_ok = verify_stripe_signature(app.config.stripe_webhook_secret, req.get_header_value("Stripe-Signature"),
                                             req.body, now_seconds());
  if (!signed_ok.ok()) return send_error(res, signed_ok);
  auto ev = parse_stripe_event(req.body);
  if (!ev.ok()) return send_error(res, ev.status());
  auto seen = app.orders->gateway_event_seen(ev->id);
  if (!seen.ok()) return send_error(res, seen.status());
  if (*seen) return send_json(res, 200, {{"received", true}, {"duplicate", true}});
  if (settles_an_order(ev->type) && !ev->payment_intent.empty()) {
    auto order = app.orders->order_of_charge(ev->payment_intent);
    if (!order.ok()) return send_error(res, order.status());
    if (*order) {
      // A failure (the gateway could not be asked) is a 503: Stripe
      // delivers the event again later.
      auto settled = app.checkout->settle_payment(**order);
      if (!settled.ok()) return send_error(res, settled.status());
    }
  }
  if (auto st = app.orders->note_gateway_event(ev->id, ev->type); !st.ok()) return send_error(res, st);
  send_json(res, 200, {{"received", true}});
}

}  // namespace

void register_payment_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/payments/config", Access::anyone, "catalog",
              "How the storefront takes cards: the gateway, for Stripe its publishable key and Stripe.js URL, whether "
              "guests may check out"},
             [&app](const Req&, Res& res, const Principal&) {
               json body = {{"gateway", app.payments->name()},
                            {"takes_card_numbers", app.payments->takes_card_numbers()},
                            {"test_cards", app.config.payment_gateway == "test"},
                            {"guest_checkout", app.config.guest_checkout != 0}};
               if (app.config.payment_gateway == "stripe") {
                 body["publishable_key"] = app.config.stripe_publishable_key;
                 body["js_url"] = app.config.stripe_js_url;
               }
               send_json(res, 200, body);
             });

  server.add({"POST", "/api/v1/payments/stripe/webhook", Access::anyone, "system",
              "Stripe's webhook (Stripe-Signature checked): settles orders waiting for a payment"},
             [&app](const Req& req, Res& res, const Principal&) { handle_stripe_webhook(app, req, res); });

  server.add({"POST", "/api/v1/orders/{id}/confirm-payment", Access::anyone, "checkout",
              "After 3-D Secure: the shop asks the gateway and answers the order's status (paid, pending_payment or "
              "cancelled)"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = begin_order_route(app, req, res);
               if (!id) return;
               auto settled = app.checkout->settle_payment(*id);
               if (!settled.ok()) return send_error(res, settled.status());
               send_json(res, 200, {{"order_id", *id}, {"status", status_name(*settled)}});
             });
}

}  // namespace shopbox
