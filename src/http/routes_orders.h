// What the customer's and the admin's order routes share
// (routes_orders.cpp defines them, routes_admin_orders.cpp uses them too).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http/api.h"
#include "orders/orders.h"

namespace shopbox {
struct App;

namespace http {

// The first steps of every route under /orders/{id}, in this order: a
// malformed id is 404; an order another shard owns is answered for that
// shard before the body is read, so the owning shard alone judges the body;
// then, when the route takes a body (`body` given), the body must be a JSON
// object, except that with body_required false an empty body stands for {}.
// Returns the order id, or std::nullopt once the request has been answered.
std::optional<std::string> begin_order_route(App& app, const Req& req, Res& res, json* body = nullptr,
                                             bool body_required = true);
// One page of orders matching `f`, as the list routes answer it.
void send_order_page(App& app, Res& res, OrderFilter f, const Page& page);
// Refund or return lines ({product_id, quantity}) from body[field].
Result<std::vector<RefundLine>> parse_lines(const json& body, const char* field);

}  // namespace http
}  // namespace shopbox
