// The HTTP server: cpp-httplib plus the conventions every route shares.
//
// Routes are declared with a path template ("/api/v1/products/{id}"), an
// access level, a rate-limit group and a one-line summary. The template
// becomes the regex cpp-httplib matches ({name} captures one segment, in
// order, as req.matches[1..]), the route name in metrics, and an entry in
// /api/v1/openapi.json — so the document lists exactly the routes that exist.
//
// Every handler runs inside a wrapper that authenticates the caller,
// applies the route group's rate limits (429 + Retry-After), refuses
// cross-site cookie-carrying mutations (403 csrf_failed, http/auth.h),
// enforces the access level, catches exceptions (500 JSON, never a crash),
// adds security headers and records latency.
#pragma once

#include <httplib.h>

#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "http/api.h"
#include "http/auth.h"

namespace shopbox {
struct App;

enum class Access { anyone, user, admin };
// What a route's request body is: JSON (415 unless Content-Type says so,
// http/api.h require_json_body), a file taken as it comes (the importer), or
// multipart/form-data (415 otherwise; cpp-httplib parses the parts into
// req.files: picture uploads).
enum class Body { json, file, multipart };

struct RouteInfo {
  std::string method;
  std::string path;  // template with {params}
  Access access = Access::anyone;
  std::string group;  // rate-limit group: "auth", "cart", "checkout", "search", "catalog", "admin", "system"
  std::string summary;
  Body body = Body::json;
  // The largest request body the route takes, in bytes; 0: the server's
  // server.max_body_bytes. A larger one is 413 payload_too_large.
  size_t max_body = 0;
};

using Handler = std::function<void(const http::Req&, http::Res&, const Principal&)>;

class HttpServer {
 public:
  explicit HttpServer(App& app);
  ~HttpServer();

  void add(RouteInfo info, Handler handler);
  const std::vector<RouteInfo>& routes() const { return routes_; }

  // Binds; port 0 picks a free port. Returns the bound port or -1.
  int bind(const std::string& host, int port);
  // Serves until stop(); in-flight requests finish before it returns.
  bool serve();
  void stop();
  httplib::Server& raw() { return *server_; }

  // Runs one request in-process, without a socket (fuzz targets): picks the
  // first route of req.method whose regex matches the whole req.path, as
  // cpp-httplib does, fills req.matches and runs the same wrapped handler
  // (auth, rate limits, CSRF, access, exception guard). Returns false (and
  // leaves res alone) when no route matches.
  bool dispatch(http::Req& req, http::Res& res) const;

 private:
  // Which admin GET route shows what an admin write changes, for the audit
  // log's before and after (audit/audit.h), and the path to call it with.
  struct SnapshotRead {
    const Handler* handler = nullptr;  // nullptr: nothing to read it through
    std::string route;
    std::string path;
  };
  SnapshotRead snapshot_read(const RouteInfo& write, const std::string& path) const;
  nlohmann::json read_snapshot(const SnapshotRead& read, const Principal& who) const;
  // An admin POST/PUT/PATCH/DELETE: the handler between two snapshots, then
  // its audit record.
  void run_admin_write(const RouteInfo& info, const Handler& handler, const http::Req& req, http::Res& res,
                       const Principal& who) const;

  App& app_;
  std::unique_ptr<httplib::Server> server_;
  std::vector<RouteInfo> routes_;
  // The admin GET routes by template. Filled by add() before serving and
  // only read afterwards, so request threads share it without a lock.
  std::map<std::string, Handler> admin_readers_;
  struct Compiled {
    std::string method;
    std::regex pattern;
    std::function<void(const http::Req&, http::Res&)> handler;
  };
  std::vector<Compiled> compiled_;  // for dispatch()
  // cpp-httplib has one body limit for all routes: the largest route's
  // (RouteInfo::max_body) or server.max_body_bytes. A body over it is
  // refused (413) and skipped unread by cpp-httplib; a body over its own
  // route's smaller limit is refused by the route wrapper once read.
  size_t widest_body_ = 0;
  int listen_fd_ = -1;  // the listening socket, captured to widen its backlog
};

// Registers every route of the product (src/http/routes.cpp).
void register_all_routes(HttpServer& server, App& app);

}  // namespace shopbox
