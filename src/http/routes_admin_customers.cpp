// The admin's customers: accounts with what each bought, and guests (who
// bought without an account, known by email). GET /api/v1/admin/customers
// ?type=registered|guest&q=&page=&size=
#include <map>

#include "app.h"
#include "base/clock.h"
#include "base/money.h"
#include "http/server.h"
#include "orders/orders.h"
#include "users/accounts.h"

namespace shopbox {
using namespace http;

namespace {

json customer_row(const std::string& type, const std::string& user_id, const std::string& email,
                  const std::string& name, const CustomerTotals* t, const std::string& currency) {
  return {{"type", type},
          {"user_id", user_id.empty() ? json(nullptr) : json(user_id)},
          {"email", email},
          {"name", name},
          {"orders", t ? t->orders : 0},
          {"total_spent", cents_to_json(t ? t->spent : 0)},
          {"currency", currency},
          {"last_order_at", t && t->last_order_at ? json(iso8601(t->last_order_at)) : json(nullptr)}};
}

void send_registered(App& app, Res& res, const std::string& q, const Page& page) {
  int64_t total = 0;
  auto users = app.accounts->customers(q, page.offset(), page.size, &total);
  if (!users.ok()) return send_error(res, users.status());
  std::vector<int64_t> ids;
  for (const auto& u : *users) ids.push_back(u.id);
  auto totals = app.orders->totals_by_user(ids);
  if (!totals.ok()) return send_error(res, totals.status());
  std::map<int64_t, CustomerTotals> by_user;
  for (const auto& t : *totals) by_user[t.user_id] = t;
  json rows = json::array();
  for (const auto& u : *users) {
    auto it = by_user.find(u.id);
    std::string name = u.first_name + (u.last_name.empty() ? "" : " " + u.last_name);
    json row = customer_row("registered", std::to_string(u.id), u.email, name,
                            it == by_user.end() ? nullptr : &it->second, app.config.currency);
    row["email_verified"] = u.email_verified;
    row["created_at"] = iso8601(u.created_at);
    rows.push_back(std::move(row));
  }
  send_json(res, 200, {{"customers", rows}, {"page", page.page}, {"size", page.size}, {"total", total}});
}

void send_guests(App& app, Res& res, const std::string& q, const Page& page) {
  int64_t total = 0;
  auto guests = app.orders->guest_customers(q, page.offset(), page.size, &total);
  if (!guests.ok()) return send_error(res, guests.status());
  json rows = json::array();
  for (const auto& g : *guests) rows.push_back(customer_row("guest", "", g.email, g.name, &g, app.config.currency));
  send_json(res, 200, {{"customers", rows}, {"page", page.page}, {"size", page.size}, {"total", total}});
}

}  // namespace

void register_admin_customer_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/admin/customers", Access::admin, "admin",
              "Customers: type=registered (accounts, default) or guest (orders without an account, by email); q "
              "matches email or name; each with orders and total spent"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto page = pagination(req);
               if (!page.ok()) return send_error(res, page.status());
               std::string type = query(req, "type").value_or("registered");
               std::string q = query(req, "q").value_or("");
               if (q.size() > 200) return send_error(res, field_error("q", "q is at most 200 characters"));
               if (type == "registered") return send_registered(app, res, q, *page);
               if (type == "guest") return send_guests(app, res, q, *page);
               send_error(res, field_error("type", "type is registered or guest"));
             });
}

}  // namespace shopbox
