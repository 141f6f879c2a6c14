// Cluster routes (docs/scale-out.md):
//   GET /api/v1/cluster/changes?after=&limit=   the catalog primary's change
//       feed, for other shards holding the shard token (X-Shopbox-Shard-Token)
//   GET /api/v1/cluster/orders/{id}/shard       which shard an order lives on
//   GET /api/v1/admin/cluster                   this shard's identity and
//       replication state, for operators
#include "app.h"
#include "cluster/cluster.h"
#include "http/rate_limit.h"
#include "http/server.h"

namespace shopbox {
using namespace http;

namespace http {
// Order routes call this first: on a shard that does not own the order,
// answer 404 order_on_other_shard naming the owner (and X-Shopbox-Shard).
bool answer_if_order_elsewhere(App& app, const std::string& order_id, Res& res) {
  if (!app.cluster) return false;
  Status st = app.cluster->locate_order(order_id);
  if (st.ok()) return false;
  res.set_header("X-Shopbox-Shard", st.details().value("shard", ""));
  send_error(res, st);
  return true;
}
}  // namespace http

void register_cluster_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/cluster/changes", Access::anyone, "system",
              "Catalog change feed of the primary (X-Shopbox-Shard-Token): changes after a version, oldest first"},
             [&app](const Req& req, Res& res, const Principal&) {
               // A wrong token is a guess at the shard secret: failures count
               // like sign-in attempts of the caller's address, and once those
               // run out even the right token waits (no oracle while limited).
               const std::string bucket = "shard-token:ip:" + client_ip(app.config, req);
               const Rate& rate = app.rate_limiter->login_per_ip();
               if (int64_t wait = app.rate_limiter->peek(bucket, rate)) {
                 res.set_header("Retry-After", std::to_string(wait));
                 return send_error(res, Status(Kind::rate_limited, "rate_limited",
                                               "too many wrong shard tokens from this address; retry later",
                                               {{"retry_after_seconds", wait}}));
               }
               if (auto st = app.cluster->check_token(req.get_header_value("X-Shopbox-Shard-Token")); !st.ok()) {
                 if (st.code() == "invalid_shard_token") (void)app.rate_limiter->take(bucket, rate);
                 return send_error(res, st);
               }
               auto after = query_int(req, "after", 0, INT64_MAX);
               if (!after.ok()) return send_error(res, after.status());
               auto limit = query_int(req, "limit", 1, 1000);
               if (!limit.ok()) return send_error(res, limit.status());
               auto page = app.cluster->feed_page(after->value_or(0), static_cast<int>(limit->value_or(500)));
               if (!page.ok()) return send_error(res, page.status());
               send_json(res, 200, *page);
             });

  server.add({"GET", "/api/v1/cluster/orders/{id}/shard", Access::anyone, "system",
              "Which shard an order id lives on (decoded from the id)"},
             [&app](const Req& req, Res& res, const Principal&) {
               std::string id = req.matches[1].str();
               auto shard = order_shard(id);
               if (!shard || shard->empty() || id.size() > 80)
                 return send_error(res, Status::NotFound("not an order id (expected ord_<shard>_<hex>)"));
               json body = {{"order_id", id}, {"shard", *shard}, {"local", *shard == app.config.shard_id}};
               std::string url = app.cluster->peer_url(*shard);
               if (!url.empty()) body["shard_url"] = url;
               send_json(res, 200, body);
             });

  server.add({"GET", "/api/v1/admin/cluster", Access::admin, "admin",
              "This shard: id, region, role, catalog primary, replication state and lag"},
             [&app](const Req&, Res& res, const Principal&) { send_json(res, 200, app.cluster->status()); });
}

}  // namespace shopbox
