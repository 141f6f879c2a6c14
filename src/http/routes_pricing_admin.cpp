// The merchant's pricing rules: discounts (codes and automatic
// promotions) and shipping zones with their methods and tax rates
// (docs/pricing.md "Admin API"). The shapes and their checks are
// pricing/rules_json.h; the service checks zones against each other.
#include <algorithm>

#include "app.h"
#include "base/text.h"
#include "http/server.h"
#include "pricing/pricing_service.h"
#include "pricing/rules_json.h"

namespace shopbox {
using namespace http;

namespace {

// A discount with its usage counts, as every discount route answers.
void send_admin_discount(App& app, Res& res, int status, const Discount& d) {
  auto u = app.pricing->usage(d.id);
  if (!u.ok()) return send_error(res, u.status());
  send_json(res, status, discount_json(d, *u));
}

// ?q= matches a code or a name, in any case.
bool admin_discount_matches(const Discount& d, const std::string& needle) {
  if (needle.empty()) return true;
  if (d.code && ascii_lower(*d.code).find(needle) != std::string::npos) return true;
  return ascii_lower(d.name).find(needle) != std::string::npos;
}

void admin_list_discounts(App& app, const Req& req, Res& res) {
  auto page = pagination(req);
  if (!page.ok()) return send_error(res, page.status());
  const std::string q = ascii_lower(trim(query(req, "q").value_or("")));
  if (q.size() > 200) return send_error(res, field_error("q", "q is too long (at most 200 characters)"));
  std::optional<bool> automatic;
  if (auto a = query(req, "automatic")) {
    if (*a != "true" && *a != "false")
      return send_error(res, field_error("automatic", "automatic must be true or false"));
    automatic = *a == "true";
  }
  auto all = app.pricing->list_discounts(automatic.value_or(false));
  if (!all.ok()) return send_error(res, all.status());
  std::vector<const Discount*> matching;
  for (const auto& d : *all)
    if ((!automatic || *automatic == !d.code.has_value()) && admin_discount_matches(d, q)) matching.push_back(&d);
  json discounts = json::array();
  const size_t from = std::min(matching.size(), static_cast<size_t>(page->offset()));
  const size_t to = std::min(matching.size(), from + static_cast<size_t>(page->size));
  for (size_t i = from; i < to; ++i) {
    auto u = app.pricing->usage(matching[i]->id);
    if (!u.ok()) return send_error(res, u.status());
    discounts.push_back(discount_json(*matching[i], *u));
  }
  send_json(res, 200,
            {{"discounts", discounts}, {"page", page->page}, {"size", page->size}, {"total", matching.size()}});
}

void register_discount_admin_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/admin/discounts", Access::admin, "admin",
              "Discounts, newest first, with their usage; ?q= (code or name), ?automatic=true|false, page, size"},
             [&app](const Req& req, Res& res, const Principal&) { admin_list_discounts(app, req, res); });

  server.add({"POST", "/api/v1/admin/discounts", Access::admin, "admin",
              "Create a discount {name, type, code? (absent or null: automatic), percent_bp, amount, buy_quantity, "
              "get_quantity, scope, scope_ids, min_subtotal, min_quantity, starts_at, ends_at, first_order_only, "
              "customer_ids, usage_limit, per_customer_limit, combinable, active}"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               Discount d;
               if (auto st = apply_discount_json(*body, d, true); !st.ok()) return send_error(res, st);
               auto created = app.pricing->create_discount(d);
               if (!created.ok()) return send_error(res, created.status());
               send_admin_discount(app, res, 201, *created);
             });

  server.add({"GET", "/api/v1/admin/discounts/{id}", Access::admin, "admin", "One discount with its usage"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "discount");
               if (!id.ok())
                 return send_error(res, Status(Kind::not_found, "discount_not_found", "discount not found"));
               auto d = app.pricing->discount(*id);
               if (!d.ok()) return send_error(res, d.status());
               send_admin_discount(app, res, 200, *d);
             });

  server.add({"PATCH", "/api/v1/admin/discounts/{id}", Access::admin, "admin",
              "Change some fields of a discount (\"code\": null makes it automatic)"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "discount");
               if (!id.ok())
                 return send_error(res, Status(Kind::not_found, "discount_not_found", "discount not found"));
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               auto d = app.pricing->discount(*id);
               if (!d.ok()) return send_error(res, d.status());
               if (auto st = apply_discount_json(*body, *d, false); !st.ok()) return send_error(res, st);
               auto updated = app.pricing->update_discount(*d);
               if (!updated.ok()) return send_error(res, updated.status());
               send_admin_discount(app, res, 200, *updated);
             });

  server.add({"DELETE", "/api/v1/admin/discounts/{id}", Access::admin, "admin",
              "Delete a discount (409 discount_in_use while a checkout holds a use); past uses stay as history"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "discount");
               if (!id.ok())
                 return send_error(res, Status(Kind::not_found, "discount_not_found", "discount not found"));
               if (auto st = app.pricing->delete_discount(*id); !st.ok()) return send_error(res, st);
               res.status = 204;
             });
}

Status admin_zone_path_not_found() {
  return Status(Kind::not_found, "shipping_zone_not_found", "shipping zone not found");
}

void register_zone_admin_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/admin/shipping-zones", Access::admin, "admin",
              "Shipping zones by position; default_zone: the zone from the config that applies while none is stored"},
             [&app](const Req&, Res& res, const Principal&) {
               auto zones = app.pricing->zones();
               if (!zones.ok()) return send_error(res, zones.status());
               json list = json::array();
               for (const auto& z : *zones) list.push_back(zone_json(z));
               json fallback = zones->empty() ? zone_json(default_zone(app.config)) : json(nullptr);
               send_json(res, 200, {{"zones", list}, {"default_zone", fallback}});
             });

  server.add({"POST", "/api/v1/admin/shipping-zones", Access::admin, "admin",
              "Create a shipping zone {name, regions: [{country, state?, zip_prefix?}], methods: [{id?, name, type, "
              "price, free_over?, tiers?, min_days, max_days}], tax_rates: [{name, rate_bp, category_id?}], "
              "tax_shipping, prices_include_tax, position}"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               ShippingZone z;
               if (auto st = apply_zone_json(*body, z, true); !st.ok()) return send_error(res, st);
               auto created = app.pricing->create_zone(z);
               if (!created.ok()) return send_error(res, created.status());
               send_json(res, 201, zone_json(*created));
             });

  server.add({"GET", "/api/v1/admin/shipping-zones/{id}", Access::admin, "admin", "One shipping zone"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "shipping zone");
               if (!id.ok()) return send_error(res, admin_zone_path_not_found());
               auto z = app.pricing->zone(*id);
               if (!z.ok()) return send_error(res, z.status());
               send_json(res, 200, zone_json(*z));
             });

  server.add({"PATCH", "/api/v1/admin/shipping-zones/{id}", Access::admin, "admin",
              "Change some fields of a shipping zone (regions, methods and tax_rates are replaced whole)"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "shipping zone");
               if (!id.ok()) return send_error(res, admin_zone_path_not_found());
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               auto z = app.pricing->zone(*id);
               if (!z.ok()) return send_error(res, z.status());
               if (auto st = apply_zone_json(*body, *z, false); !st.ok()) return send_error(res, st);
               auto updated = app.pricing->update_zone(*z);
               if (!updated.ok()) return send_error(res, updated.status());
               send_json(res, 200, zone_json(*updated));
             });

  server.add({"DELETE", "/api/v1/admin/shipping-zones/{id}", Access::admin, "admin", "Delete a shipping zone"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "shipping zone");
               if (!id.ok()) return send_error(res, admin_zone_path_not_found());
               if (auto st = app.pricing->delete_zone(*id); !st.ok()) return send_error(res, st);
               res.status = 204;
             });
}

}  // namespace

void register_pricing_admin_routes(HttpServer& server, App& app) {
  register_discount_admin_routes(server, app);
  register_zone_admin_routes(server, app);
}

}  // namespace shopbox
