// Fuzz target: what the HTTP layer reads from headers, cookies and query
// strings, without a shop: cookie(), bearer_token(), has_shopbox_cookie(),
// client_ip() (X-Forwarded-For), the CSRF origin check, is_https(),
// session_cookie(), query-string decoding, pagination/query_int/query_money,
// parse_id, parse_cents, and the rate-limit specs.
//
// Input: "Name: value\n" header lines, an empty line, then a query string.
// Findings: crashes, sanitizer reports, exceptions, and broken promises:
// a parsed amount that does not print back the same, a page size over 100.
#include <httplib.h>

#include <string>

#include "base/money.h"
#include "config.h"
#include "fuzz/fuzz_common.h"
#include "http/api.h"
#include "http/auth.h"
#include "http/rate_limit.h"

using namespace shopbox;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  http::Req req;
  req.method = size > 0 && (data[0] & 1) ? "POST" : "GET";
  req.remote_addr = size > 1 && (data[1] & 1) ? "127.0.0.1" : "203.0.113.9";
  size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) break;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value[0] == ' ') value.erase(0, 1);
    req.headers.emplace(line.substr(0, colon), value);
  }
  std::string query = pos < text.size() ? text.substr(pos) : std::string();
  httplib::detail::parse_query_text(query, req.params);

  Config config;
  config.allowed_origins = "https://shop.example.com, http://localhost:3000";
  config.trusted_proxies = "127.0.0.1, 10.0.0.1";
  (void)http::bearer_token(req);
  std::string session = http::cookie(req, "shopbox_session");
  (void)http::cookie(req, "shopbox_cart");
  bool has = http::has_shopbox_cookie(req);
  if (!session.empty() && !has) fuzz_fail("a shopbox_session cookie that has_shopbox_cookie() does not see");
  std::string ip = http::client_ip(config, req);
  if (ip.size() > 64) fuzz_fail("client_ip longer than 64: " + ip);
  Principal who;
  who.type = Principal::Type::user;
  who.via_cookie = true;
  (void)http::check_csrf(config, req, who);
  (void)http::is_https(config, req);
  (void)http::session_cookie(config, req, "tok", 3600);

  auto page = http::pagination(req);
  if (page.ok() && (page->size < 1 || page->size > 100 || page->page < 1)) fuzz_fail("pagination out of bounds");
  for (const char* name : {"min_price", "max_price"}) {
    auto m = http::query_money(req, name);
    if (m.ok() && *m) {
      auto again = parse_cents(format_cents(**m));
      if (!again || *again != **m) fuzz_fail("amount does not survive format/parse: " + std::to_string(**m));
    }
  }
  (void)http::query_int(req, "min_rating", 1, 5);
  for (const auto& [k, v] : req.params) {
    (void)http::parse_id(v);
    if (auto c = parse_cents(v)) {
      if (*c > kMaxCents || *c < -kMaxCents) fuzz_fail("parse_cents beyond kMaxCents: " + v);
      auto j = cents_to_json(*c);
      auto back = cents_from_json(j);
      if (!back || *back != *c) fuzz_fail("cents do not survive the JSON round trip: " + v);
    }
    (void)http::parse_rate(v);
    (void)http::parse_group_limits(v);
  }
  return 0;
}
