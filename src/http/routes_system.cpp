// Operational routes: health, readiness, metrics, the OpenAPI document,
// generated product images and the embedded storefront files.
#include <regex>

#include "app.h"
#include "base/crypto.h"
#include "catalog/catalog.h"
#include "catalog/product_image.h"
#include "cluster/cluster.h"
#include "http/server.h"
#include "http/storefront_pages.h"
#include "web_assets.h"

namespace shopbox {
using namespace http;

namespace {
json openapi_document(const HttpServer& server) {
  json paths = json::object();
  for (const auto& r : server.routes()) {
    std::string method = r.method;
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    json op = {{"summary", r.summary}, {"tags", json::array({r.group})}};
    json params = json::array();
    static const std::regex param(R"(\{([a-z_]+)\})");
    for (std::sregex_iterator it(r.path.begin(), r.path.end(), param), end; it != end; ++it)
      params.push_back(
          {{"name", (*it)[1].str()}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    if (!params.empty()) op["parameters"] = params;
    if (r.access != Access::anyone) op["security"] = json::array({{{"bearer", json::array()}}});
    json responses = {{"200", {{"description", "OK"}}}, {"default", {{"$ref", "#/components/responses/Error"}}}};
    if (r.method == "POST") responses["201"] = {{"description", "Created"}};
    if (r.method == "DELETE") responses["204"] = {{"description", "Deleted"}};
    op["responses"] = responses;
    if (r.method == "POST" || r.method == "PUT" || r.method == "PATCH")
      op["requestBody"] = {{"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}};
    if (r.body == Body::multipart)  // picture uploads (routes_images.cpp): form parts
      op["requestBody"] = {
          {"content",
           {{"multipart/form-data",
             {{"schema",
               {{"type", "object"},
                {"properties",
                 {{"file", {{"type", "array"}, {"items", {{"type", "string"}, {"format", "binary"}}}}},
                  {"alt", {{"type", "string"}}}}}}}}}}}};
    paths[r.path][method] = op;
  }
  return {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "shopbox API"},
        {"version", "1.0.0"},
        {"description", "Catalog, search, carts, checkout and orders of a shopbox shop."}}},
      {"paths", paths},
      {"components",
       {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
        {"schemas",
         {{"Error",
           {{"type", "object"},
            {"properties",
             {{"error",
               {{"type", "object"},
                {"properties",
                 {{"code", {{"type", "string"}}},
                  {"message", {{"type", "string"}}},
                  {"details", {{"type", "object"}}}}}}}}}}}}},
        {"responses",
         {{"Error",
           {{
                "description",
                "Error",
            },
            {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}}}}}}},
  };
}
// Who may read /metrics (they tell an outsider the shop's order volume and
// error rates): the machine itself or a trusted proxy, asking directly (not
// forwarding someone else: client_ip() is then the outsider), an admin, or
// a scraper holding server.metrics_token.
bool may_read_metrics(const Config& config, const Req& req, const Principal& who) {
  if (who.is_admin()) return true;
  std::string client = client_ip(config, req);
  if (client == req.remote_addr && (is_loopback(client) || is_trusted_proxy(config, client))) return true;
  std::string token = bearer_token(req);
  return !config.metrics_token.empty() && token.size() == config.metrics_token.size() &&
         constant_time_equal(token, config.metrics_token);
}

}  // namespace

void register_system_routes(HttpServer& server, App& app) {
  server.add({"GET", "/healthz", Access::anyone, "system", "Liveness: the process answers"},
             [](const Req&, Res& res, const Principal&) {
               send_json(res, 200, {{"status", "ok"}});
             });

  server.add({"GET", "/readyz", Access::anyone, "system", "Readiness: storage answers"},
             [&app](const Req&, Res& res, const Principal&) {
               Status st = app.db->ping();
               if (!st.ok()) return send_error(res, Status(Kind::unavailable, "not_ready", st.message()));
               json body = {{"status", "ready"}, {"shard", app.config.shard_id}};
               // Cluster details (replication state, lag, a refusal and why);
               // a refusing replica stays in rotation: its users' carts and
               // orders live only there (docs/scale-out.md).
               if (app.cluster && app.cluster->enabled()) body["cluster"] = app.cluster->status();
               send_json(res, 200, body);
             });

  server.add(
      {"GET", "/metrics", Access::anyone, "system",
       "Prometheus metrics: loopback, a trusted proxy, an admin, or Authorization: Bearer <server.metrics_token>"},
      [&app](const Req& req, Res& res, const Principal& who) {
        if (!may_read_metrics(app.config, req, who))
          return send_error(res, Status(Kind::forbidden, "forbidden",
                                        "metrics are served to loopback, trusted proxies, admins, or with "
                                        "server.metrics_token as a bearer token"));
        res.set_content(app.metrics.render(), "text/plain; version=0.0.4");
      });

  server.add({"GET", "/api/v1/openapi.json", Access::anyone, "system", "This document"},
             [&server](const Req&, Res& res, const Principal&) { send_json(res, 200, openapi_document(server)); });

  server.add(
      {"GET", "/images/products/{id}/{file}", Access::anyone, "catalog", "Generated product image (SVG)"},
      [&app](const Req& req, Res& res, const Principal&) {
        auto id = path_id(req, 1, "image");
        if (!id.ok()) return send_error(res, id.status());
        std::string file = req.matches[2].str();
        int n = 0;
        if (std::sscanf(file.c_str(), "%d.svg", &n) != 1 || n < 1 || n > 20 || file != std::to_string(n) + ".svg")
          return send_error(res, Status::NotFound("image not found"));
        auto p = app.catalog->product(*id);
        if (!p.ok()) return send_error(res, Status::NotFound("image not found"));
        res.set_header("Cache-Control", "public, max-age=86400");
        res.set_content(product_svg(*p, n), "image/svg+xml");
      });

  // Crawler files and the rendered product, category and search pages
  // (http/storefront_pages.h): registered before the static-file route
  // below, which would otherwise take their paths.
  storefront::register_storefront_routes(server, app);

  // The storefront: embedded files; any other path without a dot is a
  // page of the app, rendered by storefront::send_page (the shell with its
  // head and fallback content; 404 for a path no app route takes).
  auto serve_asset = [&app](const Req& req, Res& res, const Principal&) {
    const WebAsset* asset = req.path == "/index.html" ? nullptr : find_web_asset(req.path);
    if (asset) {
      res.set_header("Cache-Control", "public, max-age=300");
      return res.set_content(std::string(asset->data, asset->size), asset->content_type);
    }
    if (req.path != "/index.html" && req.path.find('.') != std::string::npos)
      return send_error(res, Status::NotFound("no such file"));
    storefront::send_page(app, req, res);
  };
  server.add({"GET", "/", Access::anyone, "web", "Storefront"}, serve_asset);
  server.raw().Get(R"(/(?!api/|images/)[A-Za-z0-9_./-]*)", [&app, serve_asset](const Req& req, Res& res) {
    auto start = std::chrono::steady_clock::now();
    serve_asset(req, res, Principal{});
    // Deep links (/p/1) and assets get the API's header set: one policy.
    security_headers(res);
    app.metrics.observe_request("GET", "/{static}", res.status,
                                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  });
}

}  // namespace shopbox
