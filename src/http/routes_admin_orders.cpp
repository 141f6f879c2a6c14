// Admin order routes: list/filter, details, ship, tracking, deliver,
// cancel, refunds, returns.
#include "app.h"
#include "base/clock.h"
#include "http/routes_orders.h"
#include "http/server.h"
#include "orders/orders.h"
#include "payments/circuit_breaker.h"

namespace shopbox {
using namespace http;

static json return_json(const ReturnRecord& r) {
  return {{"return_id", std::to_string(r.id)},
          {"order_id", r.order_id},
          {"user_id", std::to_string(r.user_id)},
          {"status", r.status},
          {"lines", r.lines},
          {"reason", r.reason},
          {"refund_id", r.refund_id ? json(*r.refund_id) : json(nullptr)},
          {"decided_by", r.decided_by},
          {"decision_reason", r.decision_reason},
          {"decided_at", r.decided_at ? json(iso8601(*r.decided_at)) : json(nullptr)},
          {"created_at", iso8601(r.created_at)}};
}

namespace {

// Finding orders.
void register_order_reading_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/admin/orders", Access::admin, "admin",
              "All orders; filters: status, user, q (order number or part of an email), email, page, size"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto page = pagination(req);
               if (!page.ok()) return send_error(res, page.status());
               OrderFilter f;
               if (auto s = query(req, "status")) {
                 f.status = parse_order_status(*s);
                 if (!f.status) return send_error(res, field_error("status", "unknown status '" + *s + "'"));
               }
               if (auto u = query(req, "user")) {
                 auto id = parse_id(*u);
                 if (!id) return send_error(res, field_error("user", "user must be a user id"));
                 f.user_id = *id;
               }
               if (auto q = query(req, "q")) {
                 if (q->size() > 200) return send_error(res, field_error("q", "q must be at most 200 characters"));
                 // "1001" or "#1001" may be an order number or part of an
                 // email; anything else can only be part of an email.
                 f.order_number = app.orders->parse_order_number(*q);
                 if (q->find_first_not_of("#0123456789") != std::string::npos || !f.order_number) f.email_contains = *q;
                 if (q->empty()) f.email_contains.clear();
               }
               if (auto e = query(req, "email")) {
                 if (e->size() > 254)
                   return send_error(res, field_error("email", "email must be at most 254 characters"));
                 f.email = *e;
               }
               send_order_page(app, res, f, *page);
             });

  server.add({"GET", "/api/v1/admin/orders/{id}", Access::admin, "admin",
              "An order with payments, shipments, refunds, history"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = begin_order_route(app, req, res);
               if (!id) return;
               auto d = app.orders->get(*id);
               if (!d.ok()) return send_error(res, d.status());
               send_json(res, 200, order_details_json(*d, true));
             });
}

// Shipping, tracking, delivery, cancellation and refunds.
void register_fulfilment_routes(HttpServer& server, App& app) {
  server.add(
      {"POST", "/api/v1/admin/orders/{id}/ship", Access::admin, "admin", "Mark shipped: {carrier, tracking_number}"},
      [&app](const Req& req, Res& res, const Principal& who) {
        json body;
        auto id = begin_order_route(app, req, res, &body);
        if (!id) return;
        auto carrier = req_string(body, "carrier", 100);
        if (!carrier.ok()) return send_error(res, carrier.status());
        auto tn = req_string(body, "tracking_number", 100);
        if (!tn.ok()) return send_error(res, tn.status());
        if (carrier->empty()) return send_error(res, field_error("carrier", "carrier must not be empty"));
        if (tn->empty()) return send_error(res, field_error("tracking_number", "tracking_number must not be empty"));
        auto d = app.orders->ship(*id, *carrier, *tn, who.actor());
        if (!d.ok()) return send_error(res, d.status());
        send_json(res, 200, order_details_json(*d, true));
      });

  server.add({"POST", "/api/v1/admin/orders/{id}/tracking-events", Access::admin, "admin",
              "Add a tracking event: {status, location, description, occurred_at}"},
             [&app](const Req& req, Res& res, const Principal& who) {
               json body;
               auto id = begin_order_route(app, req, res, &body);
               if (!id) return;
               auto status = req_string(body, "status", 50);
               if (!status.ok()) return send_error(res, status.status());
               if (status->empty()) return send_error(res, field_error("status", "status must not be empty"));
               auto loc = opt_string(body, "location", 200);
               if (!loc.ok()) return send_error(res, loc.status());
               auto desc = opt_string(body, "description", 500);
               if (!desc.ok()) return send_error(res, desc.status());
               auto at = opt_string(body, "occurred_at", 40);
               if (!at.ok()) return send_error(res, at.status());
               int64_t when = now_seconds();
               if (*at) {
                 auto t = parse_iso8601(**at);
                 if (!t) return send_error(res, field_error("occurred_at", "occurred_at must be ISO-8601"));
                 when = *t;
               }
               auto d = app.orders->add_tracking_event(*id, {0, *status, loc->value_or(""), desc->value_or(""), when},
                                                       who.actor());
               if (!d.ok()) return send_error(res, d.status());
               send_json(res, 201, order_details_json(*d, true));
             });

  server.add({"POST", "/api/v1/admin/orders/{id}/deliver", Access::admin, "admin", "Mark delivered"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto id = begin_order_route(app, req, res);
               if (!id) return;
               auto d = app.orders->deliver(*id, who.actor());
               if (!d.ok()) return send_error(res, d.status());
               send_json(res, 200, order_details_json(*d, true));
             });

  server.add({"POST", "/api/v1/admin/orders/{id}/cancel", Access::admin, "admin",
              "Cancel before shipping: full refund; {reason, restock (default true)}"},
             [&app](const Req& req, Res& res, const Principal& who) {
               json body;
               auto id = begin_order_route(app, req, res, &body, /*body_required=*/false);
               if (!id) return;
               auto reason = opt_string(body, "reason", 500);
               if (!reason.ok()) return send_error(res, reason.status());
               auto restock = opt_bool(body, "restock");
               if (!restock.ok()) return send_error(res, restock.status());
               auto d = app.orders->cancel(*id, who.actor(), reason->value_or("cancelled by the shop"),
                                           restock->value_or(true));
               if (!d.ok()) return send_error(res, d.status());
               send_json(res, 200, order_details_json(*d, true));
             });

  server.add({"POST", "/api/v1/admin/orders/{id}/refunds", Access::admin, "admin",
              "Refund: {amount} or {lines: [{product_id, quantity}]}, restock, reason; never more than captured"},
             [&app](const Req& req, Res& res, const Principal& who) {
               json body;
               auto id = begin_order_route(app, req, res, &body);
               if (!id) return;
               RefundSpec spec;
               auto amount = opt_money(body, "amount");
               if (!amount.ok()) return send_error(res, amount.status());
               spec.amount = *amount;
               auto lines = parse_lines(body, "lines");
               if (!lines.ok()) return send_error(res, lines.status());
               spec.lines = *lines;
               if (spec.amount && !spec.lines.empty())
                 return send_error(res, field_error("amount", "give amount or lines, not both"));
               if (!spec.amount && spec.lines.empty())
                 return send_error(res, field_error("amount", "amount or lines is required"));
               if (spec.amount && *spec.amount <= 0)
                 return send_error(res, field_error("amount", "amount must be positive"));
               auto restock = opt_bool(body, "restock");
               if (!restock.ok()) return send_error(res, restock.status());
               spec.restock = restock->value_or(false);
               if (spec.restock && spec.lines.empty())
                 return send_error(res, field_error("restock", "restock needs lines (which items come back)"));
               auto reason = opt_string(body, "reason", 500);
               if (!reason.ok()) return send_error(res, reason.status());
               spec.reason = reason->value_or("");
               auto r = app.orders->refund(*id, spec, who.actor());
               if (!r.ok()) return send_error(res, r.status());
               auto d = app.orders->get(*id);
               json out = {{"refund_id", r->id},  {"order_id", r->order_id}, {"amount", cents_to_json(r->amount)},
                           {"status", r->status}, {"lines", r->lines},       {"restock", r->restock},
                           {"reason", r->reason}};
               if (d.ok()) out["order"] = order_details_json(*d, true);
               send_json(res, 201, out);
             });
}

// A return as the queue shows it: the order and each line named as the
// merchant knows them (number, customer, product), not by ids.
json queued_return_json(Connection& c, const ReturnRecord& r) {
  json rj = return_json(r);
  auto o = order_store::get_order(c, r.order_id);
  if (!o) return rj;
  rj["order_number"] = order_number_text(*o);
  rj["customer_name"] = o->customer_name;
  rj["email"] = o->email;
  rj["currency"] = o->currency;
  for (auto& l : rj["lines"])
    for (const auto& it : o->items)
      if (std::to_string(it.variant_id) == l.value("variant_id", l.value("product_id", ""))) {
        l["name"] = it.name;
        l["sku"] = it.sku;
        l["variant_title"] = it.variant_title;
      }
  return rj;
}

// Returns, and the payment gateway's health.
void register_return_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/admin/returns/{id}", Access::admin, "admin", "One return request, as the queue shows it"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "return");
               if (!id.ok()) return send_error(res, id.status());
               json body;
               Status read = app.db->read([&](Connection& c) {
                 auto r = order_store::get_return(c, *id);
                 if (!r) return Status::NotFound("No return request with that id");
                 body = queued_return_json(c, *r);
                 return Status::Ok();
               });
               if (!read.ok()) return send_error(res, read);
               send_json(res, 200, body);
             });

  server.add({"GET", "/api/v1/admin/returns", Access::admin, "admin", "Return requests; filter: status"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto page = pagination(req);
               if (!page.ok()) return send_error(res, page.status());
               auto status = query(req, "status");
               if (status && *status != "requested" && *status != "approved" && *status != "rejected")
                 return send_error(res, field_error("status", "status must be requested, approved or rejected"));
               int64_t total = 0;
               json items = json::array();
               Status read = app.db->read([&](Connection& c) {
                 for (const auto& r : order_store::list_returns(c, status, page->offset(), page->size, &total))
                   items.push_back(queued_return_json(c, r));
                 return Status::Ok();
               });
               if (!read.ok()) return send_error(res, read);
               send_json(res, 200, {{"returns", items}, {"page", page->page}, {"size", page->size}, {"total", total}});
             });

  server.add({"POST", "/api/v1/admin/returns/{id}/approve", Access::admin, "admin",
              "Approve a return: refunds its lines; {restock (default true)}"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto id = path_id(req, 1, "return");
               if (!id.ok()) return send_error(res, id.status());
               bool restock = true;
               if (!req.body.empty()) {
                 auto body = parse_object(req);
                 if (!body.ok()) return send_error(res, body.status());
                 auto rs = opt_bool(*body, "restock");
                 if (!rs.ok()) return send_error(res, rs.status());
                 if (*rs) restock = **rs;
               }
               auto r = app.orders->decide_return(*id, true, restock, who.actor());
               if (!r.ok()) return send_error(res, r.status());
               send_json(res, 200, return_json(*r));
             });

  server.add({"POST", "/api/v1/admin/returns/{id}/reject", Access::admin, "admin",
              "Reject a return request: {reason} (required; the shopper sees it)"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto id = path_id(req, 1, "return");
               if (!id.ok()) return send_error(res, id.status());
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               auto reason = req_string(*body, "reason", 1000);
               if (!reason.ok()) return send_error(res, reason.status());
               std::string why = *reason;
               while (!why.empty() && std::isspace(static_cast<unsigned char>(why.back()))) why.pop_back();
               if (why.empty()) return send_error(res, field_error("reason", "reason must not be empty"));
               auto r = app.orders->decide_return(*id, false, false, who.actor(), why);
               if (!r.ok()) return send_error(res, r.status());
               send_json(res, 200, return_json(*r));
             });

  server.add(
      {"GET", "/api/v1/admin/payments/status", Access::admin, "admin", "Payment gateway and circuit breaker state"},
      [&app](const Req&, Res& res, const Principal&) {
        auto* b = dynamic_cast<BreakerGateway*>(app.payments.get());
        send_json(res, 200,
                  {{"gateway", app.payments->name()},
                   {"breaker", b ? b->breaker().state() : "none"},
                   {"breaker_opened", b ? b->breaker().opened_count() : 0}});
      });
}

}  // namespace

void register_admin_order_routes(HttpServer& server, App& app) {
  register_order_reading_routes(server, app);
  register_fulfilment_routes(server, app);
  register_return_routes(server, app);
}

}  // namespace shopbox
