#include "http/api.h"

#include <charconv>

#include "base/json_text.h"
#include "base/text.h"
#include "config.h"

namespace shopbox::http {

void send_json(Res& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void send_error(Res& res, const Status& st) {
  send_json(res, http_status(st), error_body(st));
}

Status require_json_body(const Req& req) {
  if (req.body.empty()) return Status::Ok();
  std::string type = req.get_header_value("Content-Type");
  if (trim(ascii_lower(type.substr(0, type.find(';')))) == "application/json") return Status::Ok();
  return Status(Kind::unsupported, "unsupported_media_type", "send the request body as Content-Type: application/json",
                {{"content_type", req.get_header_value("Content-Type").substr(0, 100)}});
}

namespace {

std::string csp_with(const std::string& scripts, const std::string& connect, const std::string& frames) {
  return "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; script-src 'self'" +
         scripts + "; connect-src 'self'" + connect + "; frame-src 'self'" + frames +
         "; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
}

// "https://js.stripe.com/v3/" -> "https://js.stripe.com"; "" for no URL.
std::string url_origin(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  auto path = url.find('/', scheme + 3);
  return url.substr(0, path);
}

}  // namespace

void security_headers(Res& res) {
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "strict-origin-when-cross-origin");
  res.set_header("X-Frame-Options", "DENY");
  if (!res.has_header("Content-Security-Policy")) res.set_header("Content-Security-Policy", csp_with("", "", ""));
  res.set_header("Cross-Origin-Opener-Policy", "same-origin");
}

std::string storefront_csp(const Config& config) {
  if (config.payment_gateway != "stripe") return csp_with("", "", "");
  std::string js = url_origin(config.stripe_js_url);
  if (js.empty()) return csp_with("", "", "");
  // Stripe's documented policy for Stripe.js and Elements: scripts and
  // frames from js.stripe.com, 3-D Secure frames from hooks.stripe.com,
  // calls to api.stripe.com. A test stand-in serves all three itself.
  if (js == "https://js.stripe.com")
    return csp_with(" https://js.stripe.com https://*.js.stripe.com", " https://api.stripe.com",
                    " https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com");
  return csp_with(" " + js, " " + js, " " + js);
}

Result<json> parse_object(const Req& req) {
  if (req.body.empty()) return Status(Kind::invalid, "invalid_json", "request body must be a JSON object");
  auto parsed = parse_json_text(req.body);
  if (!parsed.ok())
    return Status(Kind::invalid, "invalid_json", "request body: " + parsed.status().message(),
                  parsed.status().details());
  if (!parsed->is_object()) return Status(Kind::invalid, "invalid_json", "request body must be a JSON object");
  return std::move(*parsed);
}

std::optional<int64_t> parse_id(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

Result<int64_t> path_id(const Req& req, size_t index, const char* what) {
  if (req.matches.size() <= index) return Status::NotFound(std::string(what) + " not found");
  auto id = parse_id(req.matches[index].str());
  if (!id) return Status::NotFound(std::string(what) + " not found");
  return *id;
}

Result<int64_t> json_id(const json& obj, const char* field) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return field_error(field, std::string(field) + " is required");
  std::optional<int64_t> id;
  if (it->is_string()) id = parse_id(it->get<std::string>());
  if (it->is_number_integer() && it->get<int64_t>() > 0) id = it->get<int64_t>();
  if (!id) return field_error(field, std::string(field) + " must be an id (a string of digits)");
  return *id;
}

json id_json(int64_t id) {
  return std::to_string(id);
}

Result<std::optional<std::string>> opt_string(const json& obj, const char* field, size_t max_len) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return field_error(field, std::string(field) + " must be a string");
  auto s = it->get<std::string>();
  if (s.size() > max_len)
    return field_error(field, std::string(field) + " is too long (max " + std::to_string(max_len) + ")");
  return std::optional<std::string>(std::move(s));
}

Result<std::string> req_string(const json& obj, const char* field, size_t max_len) {
  auto r = opt_string(obj, field, max_len);
  if (!r.ok()) return r.status();
  if (!r.value() || r.value()->empty()) return field_error(field, std::string(field) + " is required");
  return *r.value();
}

Result<std::optional<int64_t>> opt_int(const json& obj, const char* field, int64_t min, int64_t max) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number_integer()) return field_error(field, std::string(field) + " must be an integer");
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    return field_error(field, std::string(field) + " is out of range");
  int64_t v = it->get<int64_t>();
  if (v < min || v > max)
    return field_error(field,
                       std::string(field) + " must be between " + std::to_string(min) + " and " + std::to_string(max));
  return std::optional<int64_t>(v);
}

Result<std::optional<Cents>> opt_money(const json& obj, const char* field) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<Cents>();
  if (!it->is_number() && !it->is_string()) return field_error(field, std::string(field) + " must be a number");
  auto c = cents_from_json(*it);
  if (!c) return field_error(field, std::string(field) + " must be an amount with at most two decimals");
  if (*c < 0) return field_error(field, std::string(field) + " must not be negative");
  return std::optional<Cents>(*c);
}

Result<std::optional<bool>> opt_bool(const json& obj, const char* field) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) return field_error(field, std::string(field) + " must be true or false");
  return std::optional<bool>(it->get<bool>());
}

std::optional<std::string> query(const Req& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  return req.get_param_value(name);
}

Result<std::optional<int64_t>> query_int(const Req& req, const char* name, int64_t min, int64_t max) {
  auto v = query(req, name);
  if (!v) return std::optional<int64_t>();
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (v->empty() || ec != std::errc() || p != v->data() + v->size() || n < min || n > max)
    return field_error(
        name, std::string(name) + " must be an integer between " + std::to_string(min) + " and " + std::to_string(max));
  return std::optional<int64_t>(n);
}

Result<Page> pagination(const Req& req, int default_size, int max_size) {
  Page p;
  p.size = default_size;
  auto page = query_int(req, "page", 1, 1'000'000);
  if (!page.ok()) return page.status();
  auto size = query_int(req, "size", 1, max_size);
  if (!size.ok()) return size.status();
  if (*page) p.page = static_cast<int>(**page);
  if (*size) p.size = static_cast<int>(**size);
  return p;
}

Result<std::optional<Cents>> query_money(const Req& req, const char* name) {
  auto v = query(req, name);
  if (!v) return std::optional<Cents>();
  auto c = parse_cents(*v);
  if (!c || *c < 0) return field_error(name, std::string(name) + " must be a non-negative amount like 49.99");
  return std::optional<Cents>(*c);
}

bool is_trusted_proxy(const Config& config, std::string_view addr) {
  if (config.trusted_proxies.empty()) return false;
  for (const auto& p : split_list(config.trusted_proxies))
    if (p == addr) return true;
  return false;
}

std::string client_ip(const Config& config, const Req& req) {
  if (!is_trusted_proxy(config, req.remote_addr)) return req.remote_addr;
  // Every X-Forwarded-For header, in order, as one list: a proxy appends
  // (HAProxy's `option forwardfor` adds its own header after the client's).
  std::vector<std::string> hops;
  auto range = req.headers.equal_range("X-Forwarded-For");
  for (auto it = range.first; it != range.second; ++it)
    for (auto& hop : split_list(it->second)) hops.push_back(std::move(hop));
  // Right to left: the first hop no trusted proxy vouches for is the client.
  // Entries left of it are whatever the client wrote, so they never count.
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (it->size() >= 64) return req.remote_addr;  // not an address
    if (!is_trusted_proxy(config, *it)) return *it;
  }
  return hops.empty() ? req.remote_addr : hops.front();
}

bool is_loopback(std::string_view addr) {
  return addr == "::1" || addr.substr(0, 4) == "127." || addr == "::ffff:127.0.0.1";
}

Result<BrowseFilters> parse_browse_filters(const Req& req) {
  BrowseFilters f;
  auto page = pagination(req);
  if (!page.ok()) return page.status();
  f.page = *page;
  auto minp = query_money(req, "min_price");
  if (!minp.ok()) return minp.status();
  auto maxp = query_money(req, "max_price");
  if (!maxp.ok()) return maxp.status();
  f.min_price = *minp;
  f.max_price = *maxp;
  if (f.min_price && f.max_price && *f.min_price > *f.max_price)
    return field_error("min_price", "min_price must not exceed max_price");
  auto rating = query_int(req, "rating", 1, 5);
  if (!rating.ok()) return rating.status();
  if (*rating) f.min_rating = static_cast<int>(**rating);
  if (auto brand = query(req, "brand"); brand && !brand->empty()) {
    if (brand->size() > 2000) return field_error("brand", "brand is too long");
    size_t start = 0;
    while (start <= brand->size()) {
      size_t comma = brand->find(',', start);
      std::string b = brand->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!b.empty()) f.brands.push_back(b);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (f.brands.size() > 50) return field_error("brand", "at most 50 brands");
  }
  return f;
}

}  // namespace shopbox::http
