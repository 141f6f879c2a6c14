// HTTP conventions shared by every route (DESIGN.md "API conventions").
//
//  * Errors: {"error": {"code", "message", "details"}} with the status from
//    http_status() (base/status.h). send_error() is the only way routes report failure.
//  * Bodies: JSON objects; parse_object() rejects anything else with 400.
//  * Ids: JSON strings; path ids must be positive decimal integers.
//  * Lists: page (1-based) and size (default 20, max 100); anything else 400.
//  * Money: decimal major units in JSON and query strings.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/money.h"
#include "base/request_fields.h"
#include "base/status.h"

namespace shopbox {
struct Config;
}

namespace shopbox::http {

using json = nlohmann::json;
using Req = httplib::Request;
using Res = httplib::Response;

void send_json(Res& res, int status, const json& body);
void send_error(Res& res, const Status& st);

// The request body as a JSON object, or 400 invalid_json / invalid_request.
// Nested deeper than kMaxJsonDepth is 400 invalid_json too (base/json_text.h).
Result<json> parse_object(const Req& req);
// 415 unsupported_media_type unless a non-empty body says Content-Type:
// application/json. The server checks it before any JSON route runs: a
// cross-site HTML form can only send form or text/plain bodies, so this
// also keeps forms from reaching the JSON API (login CSRF).
Status require_json_body(const Req& req);
// The security headers of every response, API and storefront alike. A
// response that already has a Content-Security-Policy keeps it.
void security_headers(Res& res);
// The storefront page's Content-Security-Policy: the API's own policy,
// plus Stripe.js's origins when the Stripe gateway takes the cards (its
// card fields are frames served by Stripe, its calls go to Stripe's API).
std::string storefront_csp(const Config& config);

// Positive integer id from a path capture (req.matches[index]) or a JSON
// value (a string "123" or a number). 404 for a malformed path id (a path
// naming no resource), 400 for a malformed body field.
Result<int64_t> path_id(const Req& req, size_t index, const char* what);
std::optional<int64_t> parse_id(std::string_view text);
Result<int64_t> json_id(const json& obj, const char* field);
json id_json(int64_t id);  // "123"

// Typed field readers for request bodies. A missing optional field gives
// std::nullopt; a present field of the wrong type is a 400 naming it.
Result<std::optional<std::string>> opt_string(const json& obj, const char* field, size_t max_len = 10000);
Result<std::string> req_string(const json& obj, const char* field, size_t max_len = 10000);
Result<std::optional<int64_t>> opt_int(const json& obj, const char* field, int64_t min, int64_t max);
Result<std::optional<Cents>> opt_money(const json& obj, const char* field);
Result<std::optional<bool>> opt_bool(const json& obj, const char* field);

struct Page {
  int page = 1;
  int size = 20;
  int64_t offset() const { return static_cast<int64_t>(page - 1) * size; }
};
Result<Page> pagination(const Req& req, int default_size = 20, int max_size = 100);
// A query parameter that must be a non-negative money amount, if present.
Result<std::optional<Cents>> query_money(const Req& req, const char* name);
Result<std::optional<int64_t>> query_int(const Req& req, const char* name, int64_t min, int64_t max);
std::optional<std::string> query(const Req& req, const char* name);

// The list filters GET /api/v1/products (browse) and GET /api/v1/search
// share, parsed and checked once: page and size, min_price / max_price
// (major units, min <= max), rating (1-5: average at least), brand
// (comma-separated names, at most 50). Each bad value is a 400 naming it.
struct BrowseFilters {
  Page page;
  std::optional<Cents> min_price, max_price;
  std::optional<int> min_rating;
  std::vector<std::string> brands;
};
Result<BrowseFilters> parse_browse_filters(const Req& req);

// The client's address for rate limits and fraud checks. The peer, unless
// the peer is one of server.trusted_proxies: then the right-most
// X-Forwarded-For entry that is not a trusted proxy. Never the left-most:
// the client writes that one itself, and a proxy appends after it.
std::string client_ip(const Config& config, const Req& req);
// True when `addr` is listed in server.trusted_proxies.
bool is_trusted_proxy(const Config& config, std::string_view addr);
bool is_loopback(std::string_view addr);

}  // namespace shopbox::http
