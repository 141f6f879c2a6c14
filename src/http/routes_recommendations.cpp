// Recommendations: per product ({also_bought, similar}) and the signed-in
// user's personal row ({recommended, recently_viewed}).
#include "app.h"
#include "catalog/product_json.h"
#include "http/server.h"
#include "recommendations/recommendations.h"

namespace shopbox {
using namespace http;

namespace {

json products_json(const std::vector<RecommendedProduct>& list) {
  json out = json::array();
  for (const auto& r : list) out.push_back(product_summary_json(r.product, r.stock));
  return out;
}

}  // namespace

void register_recommendation_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/products/{id}/recommendations", Access::anyone, "catalog",
              "Customers who bought this also bought, and similar products (limit, default 10, max 50); out-of-stock "
              "and already-bought products left out"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto id = path_id(req, 1, "product");
               if (!id.ok()) return send_error(res, id.status());
               auto limit = query_int(req, "limit", 1, 50);
               if (!limit.ok()) return send_error(res, limit.status());
               int n = static_cast<int>(limit->value_or(10));
               int64_t viewer = who.signed_in() ? who.user_id : 0;
               auto also = app.recommendations->also_bought(*id, viewer, n);
               if (!also.ok()) return send_error(res, also.status());
               auto similar = app.recommendations->similar(*id, viewer, n);
               if (!similar.ok()) return send_error(res, similar.status());
               send_json(res, 200,
                         {{"product_id", id_json(*id)},
                          {"also_bought", products_json(*also)},
                          {"similar", products_json(*similar)}});
             });

  server.add({"GET", "/api/v1/me/recommendations", Access::user, "catalog",
              "Your personal row (from your purchases and the categories you browse) and your recently viewed "
              "products (limit, default 10, max 50)"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (!who.signed_in())
                 return send_error(
                     res, Status(Kind::forbidden, "forbidden", "this route needs a user session, not an API token"));
               auto limit = query_int(req, "limit", 1, 50);
               if (!limit.ok()) return send_error(res, limit.status());
               int n = static_cast<int>(limit->value_or(10));
               send_json(res, 200,
                         {{"recommended", products_json(app.recommendations->personal(who.user_id, n))},
                          {"recently_viewed", products_json(app.recommendations->recently_viewed(who.user_id, n))}});
             });
}

}  // namespace shopbox
