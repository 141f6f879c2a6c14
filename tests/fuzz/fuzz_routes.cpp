// Fuzz target: the real route handlers with hostile requests.
//
// The shop (App + every route) is opened once over a temporary data dir
// with a few products, a customer and an admin token; each input is one
// request run in-process through HttpServer::dispatch (the same wrapper as
// over the network: auth, CSRF, access, exception guard).
//
// Input layout:
//   byte 0          who calls: 0 anonymous, 1 customer (Bearer), 2 admin
//                   (Bearer), 3 customer by session cookie (+ same Origin)
//   "METHOD TARGET\n"  e.g. "POST /api/v1/cart/items?x=1"
//   "Name: value\n"... headers, up to an empty line
//   the rest           the body
//
// Findings (abort): a crash or sanitizer report, an exception escaping the
// handler, a 500 (bad input must get a clear 4xx, never an internal error),
// an /api/ error without the {"error": {"code", "message"}} shape, a non-JSON
// body labelled application/json.
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "app.h"
#include "fuzz/fuzz_common.h"
#include "http/auth.h"
#include "http/server.h"
#include "users/api_tokens.h"

using namespace shopbox;
using json = nlohmann::json;

namespace {

struct Shop {
  std::unique_ptr<App> app;
  std::unique_ptr<HttpServer> server;
  std::string admin_token, user_token;
};
Shop* shop = nullptr;

http::Res run(const std::string& method, const std::string& target, const std::string& body, int who,
              const httplib::Headers& extra = {}) {
  http::Req req;
  req.method = method;
  req.target = target;
  auto q = target.find('?');
  req.path = httplib::detail::decode_url(target.substr(0, q), false);
  if (q != std::string::npos) httplib::detail::parse_query_text(target.substr(q + 1), req.params);
  req.headers = extra;
  req.remote_addr = "127.0.0.1";
  req.headers.emplace("Host", "127.0.0.1:8080");
  req.headers.emplace("REMOTE_ADDR", "127.0.0.1");
  if (!body.empty() && !req.has_header("Content-Type")) req.headers.emplace("Content-Type", "application/json");
  if (who == 1) req.headers.emplace("Authorization", "Bearer " + shop->user_token);
  if (who == 2) req.headers.emplace("Authorization", "Bearer " + shop->admin_token);
  if (who == 3) {
    req.headers.emplace("Cookie", "shopbox_session=" + shop->user_token);
    req.headers.emplace("Origin", "http://127.0.0.1:8080");
  }
  req.body = body;
  http::Res res;
  if (!shop->server->dispatch(req, res)) res.status = 404;
  return res;
}

void setup_fail(const std::string& what, const http::Res& res) {
  fuzz_fail("setup: " + what + ": " + std::to_string(res.status) + " " + res.body);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  shop = new Shop();
  Config cfg;
  cfg.data_dir = fuzz_temp_dir("routes");
  cfg.threads = 2;
  cfg.lmdb_map_size_mb = 256;
  cfg.sqlite_synchronous = "NORMAL";
  cfg.password_scrypt_log_n = 4;
  cfg.password_scrypt_p = 1;
  cfg.rate_limit_enabled = 0;
  cfg.sweep_interval_seconds = 0;
  cfg.wishlist_watch_seconds = 0;
  cfg.max_orders_per_user_hour = 0;
  cfg.max_orders_per_ip_hour = 0;
  cfg.max_orders_per_card_hour = 0;
  auto app = App::open(cfg);
  if (!app.ok()) fuzz_fail("App::open: " + app.status().message());
  shop->app = std::move(app.value());
  if (auto st = shop->app->recover(); !st.ok()) fuzz_fail("recover: " + st.message());
  shop->server = std::make_unique<HttpServer>(*shop->app);
  register_all_routes(*shop->server, *shop->app);
  auto token = create_api_token(*shop->app->db, "admin", "fuzz");
  if (!token.ok()) fuzz_fail("token: " + token.status().message());
  shop->admin_token = token.value();

  // A small shop for the inputs to act on: ids 1.. exist.
  auto r = run("POST", "/api/v1/admin/categories", R"({"name":"Fuzz"})", 2);
  if (r.status != 201) setup_fail("category", r);
  for (int i = 0; i < 3; ++i) {
    json p = {{"name", "Fuzz product " + std::to_string(i)},
              {"price", 10 + i},
              {"stock", 1000},
              {"brand", "Acme"},
              {"category_id", "1"},
              {"sku", "FZ-" + std::to_string(i)}};
    r = run("POST", "/api/v1/admin/products", p.dump(), 2);
    if (r.status != 201) setup_fail("product", r);
  }
  r = run("POST", "/api/v1/auth/register",
          R"({"email":"fuzz@example.com","password":"fuzz-password-1","first_name":"F","last_name":"Z"})", 0);
  if (r.status != 201) setup_fail("register", r);
  shop->user_token = json::parse(r.body)["token"].get<std::string>();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  int who = data[0] % 4;
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto eol = text.find('\n');
  if (eol == std::string::npos) return 0;
  std::string line = text.substr(0, eol);
  auto sp = line.find(' ');
  if (sp == std::string::npos) return 0;
  std::string method = line.substr(0, sp), target = line.substr(sp + 1);
  if (target.empty() || target[0] != '/') return 0;
  // Routes that would undo the fixture (sign the customer out, change its
  // password) or copy the whole shop per input; their parsing is the same
  // as their neighbours'.
  for (const char* skip :
       {"/api/v1/auth/logout", "/api/v1/me/password", "/api/v1/admin/backup", "/api/v1/admin/search/reindex"})
    if (target.rfind(skip, 0) == 0) return 0;
  httplib::Headers headers;
  size_t pos = eol + 1;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string h = text.substr(pos, end - pos);
    pos = end + 1;
    if (h.empty()) break;
    auto colon = h.find(':');
    if (colon == std::string::npos) continue;
    std::string value = h.substr(colon + 1);
    while (!value.empty() && value[0] == ' ') value.erase(0, 1);
    headers.emplace(h.substr(0, colon), value);
  }
  std::string body = pos < text.size() ? text.substr(pos) : std::string();

  http::Res res = run(method, target, body, who, headers);
  std::string what = method + " " + target + " -> " + std::to_string(res.status) + " " + res.body.substr(0, 300);
  if (res.status == 500) fuzz_fail("internal error: " + what);
  auto ct = res.get_header_value("Content-Type");
  if (ct.rfind("application/json", 0) == 0) {
    json j = json::parse(res.body, nullptr, false);
    if (j.is_discarded()) fuzz_fail("JSON response that does not parse: " + what);
    if (res.status >= 400 && target.rfind("/api/", 0) == 0) {
      if (!j.is_object() || !j.contains("error") || !j["error"].is_object() || !j["error"].contains("code") ||
          !j["error"]["code"].is_string() || !j["error"].contains("message"))
        fuzz_fail("error without the pinned shape: " + what);
    }
  }
  return 0;
}
