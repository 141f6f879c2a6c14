// Flash sales: admin creation, the public sale page, the virtual queue
// (join, status -> position or permission token) and the token holder's
// checkout at the sale price. Rate-limit group "flash" (per user, per IP,
// global token buckets) shields the rest of the shop during a sale.
#include <algorithm>

#include "app.h"
#include "base/clock.h"
#include "catalog/catalog.h"
#include "catalog/variants.h"
#include "flash/flash_sales.h"
#include "http/checkout_body.h"
#include "http/server.h"
#include "users/accounts.h"

namespace shopbox {
using namespace http;

namespace {

std::string sale_state(const FlashSale& s) {
  int64_t now = now_seconds();
  if (now < s.starts_at) return "scheduled";
  if (now >= s.ends_at) return "ended";
  if (s.remaining == 0 && s.held == 0) return "sold_out";
  return "active";
}

json sale_json(App& app, const FlashSale& s) {
  json j = {{"flash_sale_id", id_json(s.id)},
            {"product_id", id_json(s.product_id)},
            {"variant_id", id_json(s.variant_id)},
            {"sale_price", cents_to_json(s.sale_price)},
            {"currency", s.currency},
            {"quantity", s.quantity},
            {"remaining", s.remaining},
            {"held", s.held},
            {"sold", s.sold},
            {"queued", s.queued},
            {"per_user_limit", s.per_user_limit},
            {"starts_at", iso8601(s.starts_at)},
            {"ends_at", iso8601(s.ends_at)},
            {"status", sale_state(s)}};
  if (auto p = app.catalog->product(s.product_id); p.ok()) {
    j["product_name"] = p->name;
    if (const Variant* v = p->variant(s.variant_id)) {
      j["list_price"] = cents_to_json(v->price);
      j["sku"] = v->sku;
      j["variant_title"] = variant_title(*v);
    }
  }
  return j;
}

json status_json(int64_t sale_id, const FlashStatus& s) {
  json j = {{"flash_sale_id", id_json(sale_id)}, {"state", s.state}, {"bought", s.bought}};
  if (s.state == "queued") j["position"] = s.position;
  if (s.state == "granted") {
    j["token"] = s.token;
    j["quantity"] = s.quantity;
    j["expires_at"] = iso8601(s.expires_at);
    j["expires_in_seconds"] = std::max<int64_t>(0, s.expires_at - now_seconds());
  }
  if (!s.last_order_id.empty()) j["order_id"] = s.last_order_id;
  return j;
}

json order_json(const FlashOrder& o) {
  return {{"order_id", o.order_id},
          {"flash_sale_id", id_json(o.sale_id)},
          {"status", o.status},
          {"items", json::array({{{"product_id", id_json(o.product_id)},
                                  {"product_name", o.product_name},
                                  {"quantity", o.quantity},
                                  {"unit_price", cents_to_json(o.unit_price)},
                                  {"subtotal", cents_to_json(o.subtotal)}}})},
          {"summary",
           {{"subtotal", cents_to_json(o.subtotal)},
            {"discount", 0},
            {"tax", cents_to_json(o.tax)},
            {"shipping", cents_to_json(o.shipping)},
            {"total", cents_to_json(o.total)}}},
          {"currency", o.currency},
          {"payment", {{"brand", o.brand}, {"last4", o.last4}}},
          {"shipping_address", o.shipping_address},
          {"created_at", iso8601(o.created_at)}};
}

Result<int64_t> time_field(const json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || !it->is_string())
    return field_error(field, std::string(field) + " is required (ISO 8601, e.g. 2026-02-09T10:30:00Z)");
  auto t = parse_iso8601(it->get<std::string>());
  if (!t) return field_error(field, std::string(field) + " must be an ISO 8601 time such as 2026-02-09T10:30:00Z");
  return *t;
}

}  // namespace

namespace {

// The merchant changes a sale's terms or ends it early.
void register_flash_change_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/admin/flash-sales/{id}", Access::admin, "admin", "One flash sale, as the list shows it"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "flash sale");
               if (!id.ok()) return send_error(res, id.status());
               auto sale = app.flash_sales->get(*id);
               if (!sale.ok()) return send_error(res, sale.status());
               send_json(res, 200, sale_json(app, *sale));
             });
  server.add({"PATCH", "/api/v1/admin/flash-sales/{id}", Access::admin, "admin",
              "Change a flash sale {sale_price?, per_user_limit?, starts_at?, ends_at?}: before it starts any of "
              "them, once it runs only ends_at (409 sale_started, 409 sale_ended)"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "flash sale");
               if (!id.ok()) return send_error(res, id.status());
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (auto st = only_fields(*body, {"sale_price", "per_user_limit", "starts_at", "ends_at"}); !st.ok())
                 return send_error(res, st);
               FlashSaleChange ch;
               auto price = opt_money(*body, "sale_price");
               if (!price.ok()) return send_error(res, price.status());
               ch.sale_price = *price;
               auto limit = opt_int(*body, "per_user_limit", 1, 1000000);
               if (!limit.ok()) return send_error(res, limit.status());
               ch.per_user_limit = *limit;
               for (const char* f : {"starts_at", "ends_at"}) {
                 if (!body->contains(f)) continue;
                 auto t = time_field(*body, f);
                 if (!t.ok()) return send_error(res, t.status());
                 (std::string(f) == "starts_at" ? ch.starts_at : ch.ends_at) = *t;
               }
               if (!ch.sale_price && !ch.per_user_limit && !ch.starts_at && !ch.ends_at)
                 return send_error(res, Status::Invalid("Nothing to change: give sale_price, per_user_limit, "
                                                        "starts_at or ends_at"));
               auto sale = app.flash_sales->change(*id, ch);
               if (!sale.ok()) return send_error(res, sale.status());
               send_json(res, 200, sale_json(app, *sale));
             });

  server.add({"POST", "/api/v1/admin/flash-sales/{id}/end", Access::admin, "admin",
              "End a flash sale now (cancel one not started): unsold units go back to stock once no token holds any"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "flash sale");
               if (!id.ok()) return send_error(res, id.status());
               auto sale = app.flash_sales->end_now(*id);
               if (!sale.ok()) return send_error(res, sale.status());
               send_json(res, 200, sale_json(app, *sale));
             });
}

// Creating sales, listing them, the queue.
void register_flash_sale_routes(HttpServer& server, App& app) {
  register_flash_change_routes(server, app);
  server.add({"POST", "/api/v1/admin/flash-sales", Access::admin, "admin",
              "Create a flash sale {product_id, sale_price, quantity, starts_at, ends_at, per_user_limit}; the "
              "quantity leaves the product's stock for the sale"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (auto st = only_fields(*body, {"product_id", "variant_id", "sale_price", "quantity", "starts_at",
                                                 "ends_at", "per_user_limit"});
                   !st.ok())
                 return send_error(res, st);
               FlashSaleInput in;
               if (body->contains("variant_id")) {
                 auto vid = json_id(*body, "variant_id");
                 if (!vid.ok()) return send_error(res, vid.status());
                 in.variant_id = *vid;
               }
               if (body->contains("product_id") || !in.variant_id) {
                 auto pid = json_id(*body, "product_id");
                 if (!pid.ok()) return send_error(res, pid.status());
                 in.product_id = *pid;
               }
               auto price = opt_money(*body, "sale_price");
               if (!price.ok()) return send_error(res, price.status());
               if (!*price) return send_error(res, field_error("sale_price", "sale_price is required"));
               in.sale_price = **price;
               auto qty = opt_int(*body, "quantity", 1, 1000000);
               if (!qty.ok()) return send_error(res, qty.status());
               if (!*qty) return send_error(res, field_error("quantity", "quantity is required"));
               in.quantity = **qty;
               auto limit = opt_int(*body, "per_user_limit", 1, 1000000);
               if (!limit.ok()) return send_error(res, limit.status());
               in.per_user_limit = limit->value_or(1);
               auto starts = time_field(*body, "starts_at");
               if (!starts.ok()) return send_error(res, starts.status());
               auto ends = time_field(*body, "ends_at");
               if (!ends.ok()) return send_error(res, ends.status());
               in.starts_at = *starts;
               in.ends_at = *ends;
               auto sale = app.flash_sales->create(in, who.actor());
               if (!sale.ok()) return send_error(res, sale.status());
               send_json(res, 201, sale_json(app, *sale));
             });

  server.add({"GET", "/api/v1/flash-sales", Access::anyone, "flash", "Current and upcoming flash sales"},
             [&app](const Req&, Res& res, const Principal&) {
               json out = json::array();
               for (const auto& s : app.flash_sales->list_current()) out.push_back(sale_json(app, s));
               send_json(res, 200, {{"flash_sales", out}, {"page", 1}, {"size", 100}, {"total", out.size()}});
             });

  server.add({"GET", "/api/v1/flash-sales/{id}", Access::anyone, "flash",
              "A flash sale: price, quantity, remaining, sold, queue length, status"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "flash sale");
               if (!id.ok()) return send_error(res, id.status());
               auto sale = app.flash_sales->get(*id);
               if (!sale.ok()) return send_error(res, sale.status());
               send_json(res, 200, sale_json(app, *sale));
             });

  server.add({"POST", "/api/v1/flash-sales/{id}/join", Access::user, "flash",
              "Join a flash sale's queue {quantity?: default 1, at most the per-user limit}; answers your position "
              "or a permission token"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto id = path_id(req, 1, "flash sale");
               if (!id.ok()) return send_error(res, id.status());
               int64_t quantity = 1;
               if (!req.body.empty()) {
                 auto body = parse_object(req);
                 if (!body.ok()) return send_error(res, body.status());
                 if (auto st = only_fields(*body, {"quantity"}); !st.ok()) return send_error(res, st);
                 auto q = opt_int(*body, "quantity", 1, 1000000);
                 if (!q.ok()) return send_error(res, q.status());
                 quantity = q->value_or(1);
               }
               auto st = app.flash_sales->join(*id, who.user_id, quantity);
               if (!st.ok()) return send_error(res, st.status());
               send_json(res, 200, status_json(*id, *st));
             });
}

// A shopper's status, checkout and order.
void register_flash_checkout_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/flash-sales/{id}/status", Access::user, "flash",
              "Your place in a flash sale: queued (position), granted (token, valid 5 minutes), purchased, expired, "
              "sold_out, ended"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto id = path_id(req, 1, "flash sale");
               if (!id.ok()) return send_error(res, id.status());
               auto st = app.flash_sales->status(*id, who.user_id);
               if (!st.ok()) return send_error(res, st.status());
               send_json(res, 200, status_json(*id, *st));
             });

  server.add(
      {"POST", "/api/v1/flash-sales/{id}/quote", Access::user, "flash",
       "What checkout will charge: {quantity, shipping_address | shipping_address_id, shipping_method} -> "
       "{subtotal, shipping, tax, taxes, total, shipping_options}"},
      [&app](const Req& req, Res& res, const Principal& who) {
        auto id = path_id(req, 1, "flash sale");
        if (!id.ok()) return send_error(res, id.status());
        auto body = parse_object(req);
        if (!body.ok()) return send_error(res, body.status());
        if (auto st = only_fields(*body, {"quantity", "shipping_address", "shipping_address_id", "shipping_method"});
            !st.ok())
          return send_error(res, st);
        auto quantity = opt_int(*body, "quantity", 1, 1000000);
        if (!quantity.ok()) return send_error(res, quantity.status());
        auto ship = parse_address_choice(*body, "shipping_address", "shipping_address_id");
        if (!ship.ok()) return send_error(res, ship.status());
        auto method = opt_string(*body, "shipping_method", 40);
        if (!method.ok()) return send_error(res, method.status());
        auto q = app.flash_sales->quote(*id, who.user_id, quantity->value_or(1), *ship, method->value_or(""));
        if (!q.ok()) return send_error(res, q.status());
        json options = json::array();
        int64_t now = now_seconds();
        for (const auto& o : q->shipping_options) options.push_back(shipping_option_json(o, now));
        send_json(
            res, 200,
            {{"subtotal", cents_to_json(q->subtotal)},
             {"discount", cents_to_json(q->discount)},
             {"shipping", cents_to_json(q->shipping)},
             {"tax", cents_to_json(q->tax)},
             {"taxes", taxes_json(q->taxes)},
             {"tax_included", cents_to_json(q->tax_included)},
             {"total", cents_to_json(q->total)},
             {"currency", app.config.currency},
             {"shipping_options", options},
             {"shipping_method", q->shipping_method ? shipping_option_json(*q->shipping_method, now) : json(nullptr)}});
      });

  server.add({"POST", "/api/v1/flash-sales/{id}/checkout", Access::user, "flash",
              "Buy at the sale price with your permission token {token, shipping_address | shipping_address_id, "
              "payment_method: {type: card, card_number, exp_month, exp_year, cvc} | payment_method_id}"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto id = path_id(req, 1, "flash sale");
               if (!id.ok()) return send_error(res, id.status());
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               FlashCheckoutInput in;
               auto token = opt_string(*body, "token", 100);
               if (!token.ok()) return send_error(res, token.status());
               if (!*token || (*token)->empty()) return send_error(res, field_error("token", "token is required"));
               in.token = **token;
               // The same address and payment rules as POST /api/v1/orders (http/checkout_body.h).
               auto ship = parse_address_choice(*body, "shipping_address", "shipping_address_id");
               if (!ship.ok()) return send_error(res, ship.status());
               if (ship->empty())
                 return send_error(
                     res, field_error("shipping_address", "shipping_address or shipping_address_id is required"));
               in.shipping = std::move(*ship);
               auto payment = parse_payment_choice(*body);
               if (!payment.ok()) return send_error(res, payment.status());
               if (payment->source == PaymentChoice::Source::wallet)
                 return send_error(res, field_error("payment_method.type", "flash sales take cards (type card)"));
               in.payment = std::move(*payment);
               auto method = opt_string(*body, "shipping_method", 40);
               if (!method.ok()) return send_error(res, method.status());
               in.shipping_method = method->value_or("");
               if (auto account = app.accounts->get(who.user_id)) in.email = account->email;
               auto order = app.flash_sales->checkout(*id, who.user_id, in);
               if (!order.ok()) return send_error(res, order.status());
               send_json(res, 201, order_json(*order));
             });

  server.add({"GET", "/api/v1/me/flash-orders/{order_id}", Access::user, "flash", "One of your flash-sale orders"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               std::string oid = req.matches[1];
               if (oid.size() > 100) return send_error(res, Status::NotFound("order not found"));
               auto order = app.flash_sales->order(oid, who.user_id);
               if (!order.ok()) return send_error(res, order.status());
               send_json(res, 200, order_json(*order));
             });
}

}  // namespace

void register_flash_routes(HttpServer& server, App& app) {
  register_flash_sale_routes(server, app);
  register_flash_checkout_routes(server, app);
}

}  // namespace shopbox
