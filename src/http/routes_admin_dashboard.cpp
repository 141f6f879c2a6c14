// Who is at the admin (GET /api/v1/admin/me), and the dashboard's numbers, computed on the server over the whole shop
// (not from the latest page of orders in the browser):
// GET /api/v1/admin/dashboard?since=&until= (ISO 8601; default: the last
// 24 hours). The admin page sends the start of the merchant's own day.
#include "app.h"
#include "base/clock.h"
#include "base/money.h"
#include "checkout/checkout.h"
#include "http/server.h"
#include "inventory/inventory.h"
#include "orders/orders.h"

namespace shopbox {
using namespace http;

namespace {

// A query time: ISO 8601 (2026-12-03T00:00:00Z or with an offset), or the fallback.
Result<int64_t> time_param(const Req& req, const char* name, int64_t fallback) {
  auto v = query(req, name);
  if (!v) return fallback;
  auto t = parse_iso8601(*v);
  if (!t) return field_error(name, std::string(name) + " must be an ISO 8601 time, e.g. 2026-12-03T00:00:00Z");
  return *t;
}

json payments_json(const checkout_store::PaymentOutcomes& p) {
  int64_t decided = p.charged + p.declined;
  return {{"charged", p.charged},
          {"declined", p.declined},
          {"gateway_errors", p.gateway_errors},
          // Of the cards the gateway decided on; an outage is counted apart.
          {"success_rate", decided ? json(static_cast<double>(p.charged) / static_cast<double>(decided)) : json(nullptr)}};
}

void send_dashboard(App& app, const Req& req, Res& res) {
  int64_t now = now_seconds();
  // until is exclusive: by default the current second is in.
  auto until = time_param(req, "until", now + 1);
  if (!until.ok()) return send_error(res, until.status());
  auto since = time_param(req, "since", *until - 24 * 3600);
  if (!since.ok()) return send_error(res, since.status());
  if (*since >= *until) return send_error(res, field_error("since", "since must be before until"));
  if (*until - *since > 400LL * 24 * 3600) return send_error(res, field_error("since", "at most 400 days at once"));
  auto sales = app.orders->sales_between(*since, *until);
  if (!sales.ok()) return send_error(res, sales.status());
  auto payments = app.checkout->payment_outcomes(*since, *until);
  if (!payments.ok()) return send_error(res, payments.status());
  size_t low_total = 0;
  app.inventory->list(StockFilter::low, 0, 1, &low_total);  // only the count is wanted
  send_json(res, 200,
            {{"since", iso8601(*since)},
             {"until", iso8601(*until)},
             {"currency", app.config.currency},
             {"orders", sales->orders},
             {"revenue", cents_to_json(sales->revenue)},
             {"refunded", cents_to_json(sales->refunded)},
             {"average_order_value", cents_to_json(sales->orders ? sales->revenue / sales->orders : 0)},
             {"awaiting_payment", sales->awaiting_payment},
             {"payments", payments_json(*payments)},
             {"low_stock", static_cast<int64_t>(low_total)}});
}

}  // namespace

void register_admin_dashboard_routes(HttpServer& server, App& app) {
  // The admin pages ask this first: 200 for an admin credential (a session
  // or an API token), 401/403 otherwise.
  server.add({"GET", "/api/v1/admin/me", Access::admin, "admin",
              "Who is using the admin: {type: user|api_token, user_id?, token_id?, role: admin, staff_role: "
              "owner|staff|fulfilment|api_key, permissions, owner, actor}"},
             [](const Req&, Res& res, const Principal& who) {
               // role stays "admin" (clients rely on it); staff_role says which
               // kind (http/permissions.h), and the admin pages hide what
               // `permissions` does not allow.
               json body = {{"type", who.type == Principal::Type::user ? "user" : "api_token"},
                            {"role", who.role},
                            {"staff_role", who.staff_role},
                            {"permissions", who.permissions},
                            {"owner", who.is_owner()},
                            {"actor", who.actor()}};
               if (who.type == Principal::Type::user) body["user_id"] = std::to_string(who.user_id);
               if (who.type == Principal::Type::api_token) body["token_id"] = std::to_string(who.token_id);
               send_json(res, 200, body);
             });

  server.add({"GET", "/api/v1/admin/dashboard", Access::admin, "admin",
              "The dashboard over [since, until) (ISO 8601; default the last 24 hours): paid orders, revenue net of "
              "refunds, average order value, orders awaiting payment, payment outcomes (success rate of the cards "
              "the gateway decided on; gateway errors apart), low-stock count"},
             [&app](const Req& req, Res& res, const Principal&) { send_dashboard(app, req, res); });
}

}  // namespace shopbox
