// Admin inventory routes: set or adjust stock, read the audit log.
#include "app.h"
#include "base/clock.h"
#include "catalog/catalog.h"
#include "http/server.h"
#include "inventory/inventory.h"

namespace shopbox {
using namespace http;

static json stock_json(int64_t product_id, const StockLevel& s) {
  return {{"product_id", std::to_string(product_id)}, {"total", s.total},           {"reserved", s.reserved},
          {"available", s.available()},               {"low_stock_threshold", s.low_stock_threshold}};
}

void register_inventory_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/admin/inventory/{id}", Access::admin, "admin", "Stock level of a product"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "product");
               if (!id.ok()) return send_error(res, id.status());
               if (auto p = app.catalog->product(*id); !p.ok()) return send_error(res, p.status());
               send_json(res, 200, stock_json(*id, app.inventory->level(*id)));
             });

  server.add({"PUT", "/api/v1/admin/inventory/{id}", Access::admin, "admin", "Set the total stock on hand: {total, reason}"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto id = path_id(req, 1, "product");
               if (!id.ok()) return send_error(res, id.status());
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               auto total = opt_int(*body, "total", 0, 1'000'000'000);
               if (!total.ok()) return send_error(res, total.status());
               if (!*total) return send_error(res, field_error("total", "total is required"));
               auto reason = opt_string(*body, "reason", 200);
               if (!reason.ok()) return send_error(res, reason.status());
               if (auto p = app.catalog->product(*id); !p.ok()) return send_error(res, p.status());
               auto level = app.inventory->set_total(*id, **total, who.actor(), reason->value_or("stock count"));
               if (!level.ok()) return send_error(res, level.status());
               send_json(res, 200, stock_json(*id, *level));
             });

  server.add({"PATCH", "/api/v1/admin/inventory/{id}", Access::admin, "admin", "Adjust stock by a delta: {delta, reason}"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto id = path_id(req, 1, "product");
               if (!id.ok()) return send_error(res, id.status());
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               auto delta = opt_int(*body, "delta", -1'000'000'000, 1'000'000'000);
               if (!delta.ok()) return send_error(res, delta.status());
               if (!*delta) return send_error(res, field_error("delta", "delta is required"));
               auto reason = opt_string(*body, "reason", 200);
               if (!reason.ok()) return send_error(res, reason.status());
               if (auto p = app.catalog->product(*id); !p.ok()) return send_error(res, p.status());
               auto level = app.inventory->adjust(*id, **delta, who.actor(), reason->value_or("adjustment"));
               if (!level.ok()) return send_error(res, level.status());
               send_json(res, 200, stock_json(*id, *level));
             });

  server.add({"GET", "/api/v1/admin/inventory/{id}/audit", Access::admin, "admin", "Stock audit log of a product, newest first"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto id = path_id(req, 1, "product");
               if (!id.ok()) return send_error(res, id.status());
               auto page = pagination(req, 50, 100);
               if (!page.ok()) return send_error(res, page.status());
               if (auto p = app.catalog->product(*id); !p.ok()) return send_error(res, p.status());
               auto all = app.inventory->audit(*id, 100000);
               json items = json::array();
               for (size_t i = page->offset(); i < all.size() && items.size() < static_cast<size_t>(page->size); ++i) {
                 const auto& a = all[i];
                 items.push_back({{"seq", a.seq}, {"action", a.action}, {"quantity_change", a.quantity_change},
                                  {"before_available", a.before_available}, {"after_available", a.after_available},
                                  {"before_total", a.before_total}, {"after_total", a.after_total},
                                  {"reason", a.reason}, {"actor", a.actor}, {"at", iso8601(a.at)}});
               }
               send_json(res, 200, {{"items", items}, {"page", page->page}, {"size", page->size}, {"total", all.size()}});
             });
}

}  // namespace shopbox
