// Customer order routes: checkout (POST /api/v1/orders), order history,
// order details with tracking, cancel before shipping, return requests.
#include "http/routes_orders.h"

#include "app.h"
#include "cart/cart.h"
#include "checkout/checkout.h"
#include "http/checkout_body.h"
#include "http/server.h"
#include "orders/order_json.h"
#include "orders/orders.h"
#include "users/accounts.h"

namespace shopbox {
using namespace http;

namespace http {
// Order ids look like "ord_<shard>_<hex>"; anything else names no order.
Result<std::string> order_path_id(const Req& req, size_t index) {
  if (req.matches.size() <= index) return Status::NotFound("order not found");
  std::string id = req.matches[index].str();
  if (id.size() < 6 || id.size() > 80 || id.rfind("ord_", 0) != 0) return Status::NotFound("order not found");
  for (char ch : id)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-')
      return Status::NotFound("order not found");
  return id;
}

bool answer_if_order_elsewhere(App& app, const std::string& order_id, Res& res);  // routes_cluster.cpp

std::optional<std::string> begin_order_route(App& app, const Req& req, Res& res, json* body, bool body_required) {
  auto id = order_path_id(req, 1);
  if (!id.ok()) {
    send_error(res, id.status());
    return std::nullopt;
  }
  if (answer_if_order_elsewhere(app, *id, res)) return std::nullopt;
  if (!body) return *id;
  if (req.body.empty() && !body_required) {
    *body = json::object();
    return *id;
  }
  auto parsed = parse_object(req);
  if (!parsed.ok()) {
    send_error(res, parsed.status());
    return std::nullopt;
  }
  *body = std::move(*parsed);
  return *id;
}

// Who is checking out: the signed-in user, or a guest with a cart (guest
// checkout on, a valid cart token from X-Cart-Token or the cart cookie).
Result<CheckoutCaller> checkout_caller(App& app, const Req& req, const Principal& who) {
  CheckoutCaller caller;
  caller.client_ip = client_ip(app.config, req);
  if (who.type != Principal::Type::anonymous) {  // an admin API token is no shopper: 403
    if (auto st = need_session(who); !st.ok()) return st;
    caller.user_id = who.user_id;
    if (auto account = app.accounts->get(who.user_id)) caller.account_email = account->email;
    return caller;
  }
  if (!app.config.guest_checkout)
    return Status(Kind::unauthorized, "unauthorized", "sign in to check out (this shop takes no guest orders)");
  std::string token =
      req.has_header("X-Cart-Token") ? req.get_header_value("X-Cart-Token") : cookie(req, "shopbox_cart");
  if (!valid_cart_token(token))
    return Status(Kind::unauthorized, "unauthorized",
                  "sign in, or check out as a guest: name your cart with X-Cart-Token (or the cart cookie) and give "
                  "an email");
  caller.guest_cart = token;
  return caller;
}

// One page of the orders `f` selects, as GET /orders and GET /admin/orders
// answer it.
void send_order_page(App& app, Res& res, OrderFilter f, const Page& page) {
  f.offset = page.offset();
  f.limit = page.size;
  int64_t total = 0;
  auto list = app.orders->list(f, &total);
  if (!list.ok()) return send_error(res, list.status());
  json items = json::array();
  for (const auto& o : *list) items.push_back(order_summary_json(o));
  send_json(res, 200, {{"orders", items}, {"page", page.page}, {"size", page.size}, {"total", total}});
}

// [{variant_id | product_id, quantity}] from a body field.
Result<std::vector<RefundLine>> parse_lines(const json& body, const char* field) {
  std::vector<RefundLine> out;
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array())
    return field_error(field, std::string(field) + " must be an array of {variant_id or product_id, quantity}");
  if (it->size() > Checkout::kMaxLines)
    return field_error(field, "at most " + std::to_string(Checkout::kMaxLines) + " lines (an order has no more)");
  for (const auto& l : *it) {
    if (!l.is_object()) return field_error(field, "each line must be an object");
    // A line names a variant, or a product the order holds once.
    int64_t product = 0, variant = 0;
    if (l.contains("variant_id")) {
      auto vid = json_id(l, "variant_id");
      if (!vid.ok()) return vid.status();
      variant = *vid;
    } else {
      auto pid = json_id(l, "product_id");
      if (!pid.ok()) return pid.status();
      product = *pid;
    }
    auto q = opt_int(l, "quantity", 1, 1'000'000);
    if (!q.ok()) return q.status();
    if (!*q) return field_error("quantity", "quantity is required");
    out.push_back({product, **q, variant});
  }
  return out;
}
}  // namespace http

void register_order_routes(HttpServer& server, App& app) {
  server.add({"POST", "/api/v1/orders", Access::anyone, "checkout",
              "Place an order (Idempotency-Key header required): cart or items, shipping address, payment method; "
              "a guest adds email and names their cart (X-Cart-Token or the cart cookie)"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto caller = checkout_caller(app, req, who);
               if (!caller.ok()) return send_error(res, caller.status());
               auto r = checkout_answer(*app.checkout, *caller, req.get_header_value("Idempotency-Key"), req.body,
                                        app.config.max_quantity_per_line);
               if (r.replayed) res.set_header("Idempotent-Replayed", "true");
               if (r.status == 201 && r.body.contains("order_id"))
                 res.set_header("Location", "/api/v1/orders/" + r.body["order_id"].get<std::string>());
               send_json(res, r.status, r.body);
             });

  server.add({"GET", "/api/v1/orders", Access::user, "checkout", "The signed-in user's orders, newest first"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto page = pagination(req);
               if (!page.ok()) return send_error(res, page.status());
               OrderFilter f;
               f.user_id = who.user_id;
               if (auto s = query(req, "status")) {
                 f.status = parse_order_status(*s);
                 if (!f.status) return send_error(res, field_error("status", "unknown status '" + *s + "'"));
               }
               send_order_page(app, res, f, *page);
             });

  server.add({"GET", "/api/v1/orders/{id}", Access::user, "checkout",
              "An order of the signed-in user: items, totals, payment, shipments with tracking"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto id = begin_order_route(app, req, res);
               if (!id) return;
               auto d = app.orders->get(*id, who.user_id);
               if (!d.ok()) return send_error(res, d.status());
               send_json(res, 200, order_details_json(*d, false));
             });

  server.add({"POST", "/api/v1/orders/{id}/cancel", Access::user, "checkout",
              "Cancel an order before it ships: full refund, items restocked"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               json body;
               auto id = begin_order_route(app, req, res, &body, /*body_required=*/false);
               if (!id) return;
               auto r = opt_string(body, "reason", 500);
               if (!r.ok()) return send_error(res, r.status());
               std::string reason = r->value_or("customer request");
               auto d = app.orders->cancel(*id, who.actor(), reason, true, who.user_id);
               if (!d.ok()) return send_error(res, d.status());
               send_json(res, 200, order_details_json(*d, false));
             });

  server.add({"POST", "/api/v1/orders/{id}/returns", Access::user, "checkout",
              "Request a return of delivered lines: {lines: [{product_id, quantity}], reason}"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               json body;
               auto id = begin_order_route(app, req, res, &body);
               if (!id) return;
               auto lines = parse_lines(body, "lines");
               if (!lines.ok()) return send_error(res, lines.status());
               if (lines->empty()) return send_error(res, field_error("lines", "lines is required"));
               auto reason = opt_string(body, "reason", 1000);
               if (!reason.ok()) return send_error(res, reason.status());
               auto r = app.orders->request_return(*id, who.user_id, *lines, reason->value_or(""));
               if (!r.ok()) return send_error(res, r.status());
               send_json(res, 201, return_request_json(*r));
             });
}

}  // namespace shopbox
