#include "http/auth.h"

#include <algorithm>
#include <cstring>

#include "app.h"
#include "base/clock.h"
#include "base/crypto.h"
#include "base/text.h"
#include "config.h"
#include "http/permissions.h"
#include "users/api_tokens.h"
#include "users/sessions.h"

namespace shopbox {

std::string Principal::actor() const {
  switch (type) {
    case Type::user:
      return "user:" + std::to_string(user_id);
    case Type::api_token:
      return "token:" + std::to_string(token_id);
    case Type::anonymous:
      break;
  }
  return "anonymous";
}

bool Principal::can(const std::string& permission) const {
  if (!is_admin()) return false;
  if (permission == permissions::kOwnerOnly) return is_owner();
  if (permission == permissions::kAnyStaff) return true;
  return std::find(permissions.begin(), permissions.end(), permission) != permissions.end();
}

namespace http {
namespace {

// "https://Shop.Example:443/path" -> {"https", "shop.example"}; the default
// port of the scheme is dropped. Empty scheme when `url` is not absolute.
std::pair<std::string, std::string> origin_parts(const std::string& url) {
  auto sep = url.find("://");
  if (sep == std::string::npos) return {};
  std::string scheme = ascii_lower(url.substr(0, sep));
  if (scheme != "http" && scheme != "https") return {};
  auto rest = url.substr(sep + 3);
  auto end = rest.find_first_of("/?#");
  std::string authority = ascii_lower(rest.substr(0, end));
  if (authority.empty() || authority.find('@') != std::string::npos) return {};
  if (scheme == "http" && authority.size() > 3 && authority.compare(authority.size() - 3, 3, ":80") == 0)
    authority.resize(authority.size() - 3);
  if (scheme == "https" && authority.size() > 4 && authority.compare(authority.size() - 4, 4, ":443") == 0)
    authority.resize(authority.size() - 4);
  return {scheme, authority};
}

bool is_mutating(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

bool origin_allowed(const Config& config, const Req& req, const std::string& origin_url) {
  auto [scheme, authority] = origin_parts(origin_url);
  if (scheme.empty()) return false;
  std::string host = ascii_lower(req.get_header_value("Host"));
  for (const char* port : {":80", ":443"}) {
    size_t n = std::strlen(port);
    if (host.size() > n && host.compare(host.size() - n, n, port) == 0) host.resize(host.size() - n);
  }
  if (!host.empty() && authority == host) return true;
  // Configured extra origins, compared in the same normalised form.
  for (const auto& item : split_list(config.allowed_origins)) {
    auto allowed = origin_parts(item);
    if (!allowed.first.empty() && allowed.first == scheme && allowed.second == authority) return true;
  }
  return false;
}

}  // namespace

std::string bearer_token(const Req& req) {
  auto h = req.get_header_value("Authorization");
  static const std::string prefix = "Bearer ";
  if (h.size() > prefix.size() && h.compare(0, prefix.size(), prefix) == 0) return h.substr(prefix.size());
  return {};
}

namespace {
// Calls visit(name, value) for each cookie of the request's Cookie headers,
// in order, until it returns true. Values lose surrounding quotes.
template <typename Visit>
void each_cookie(const Req& req, Visit visit) {
  auto range = req.headers.equal_range("Cookie");
  for (auto it = range.first; it != range.second; ++it) {
    std::string_view h = it->second;
    size_t pos = 0;
    while (pos < h.size()) {
      size_t end = h.find(';', pos);
      if (end == std::string_view::npos) end = h.size();
      std::string_view pair = h.substr(pos, end - pos);
      pos = end + 1;
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      size_t eq = pair.find('=');
      std::string_view name = pair.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
      while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      if (visit(name, value, eq != std::string_view::npos)) return;
    }
  }
}
}  // namespace

std::string cookie(const Req& req, const std::string& name) {
  std::string found;
  each_cookie(req, [&](std::string_view n, std::string_view v, bool has_value) {
    if (!has_value || n != name) return false;
    found = v;
    return true;
  });
  return found;
}

bool has_shopbox_cookie(const Req& req) {
  bool found = false;
  each_cookie(req, [&](std::string_view n, std::string_view, bool) { return found = n.substr(0, 8) == "shopbox_"; });
  return found;
}

Status need_session(const Principal& who) {
  if (who.signed_in()) return Status::Ok();
  if (who.type == Principal::Type::anonymous) return Status(Kind::unauthorized, "unauthorized", "sign in required");
  return Status(Kind::forbidden, "forbidden", "this route needs a user session, not an API token");
}

Principal authenticate(App& app, const Req& req) {
  Principal who;
  std::string token = bearer_token(req);
  bool via_cookie = false;
  if (token.empty()) {
    token = cookie(req, Sessions::kCookie);
    via_cookie = true;
  }
  if (token.empty() || token.size() > 200) return who;

  if (!via_cookie && token.compare(0, 4, "sbs_") != 0) {
    // A failed lookup leaves the caller anonymous: access is refused, never granted.
    auto found = find_api_token(*app.db, token);
    if (!found.ok()) {
      log_if_failed(found.status(), "auth: looking up an API token");
    } else if (*found) {
      who.type = Principal::Type::api_token;
      who.token_id = (*found)->id;
      who.role = (*found)->role;
      if ((*found)->owner) {
        who.staff_role = "owner";
        who.permissions = *permissions::role_permissions("owner");
      } else {
        who.staff_role = "api_key";
        who.permissions = (*found)->scopes;
      }
    }
    return who;
  }
  if (auto s = app.sessions->resolve(token)) {
    who.type = Principal::Type::user;
    who.user_id = s->user_id;
    who.role = s->role;
    who.session_id = s->id;
    who.via_cookie = via_cookie;
    if (who.is_admin()) {
      // An admin account without a staff role predates staff roles (or was
      // made by `shopbox user --admin`, the operator): it is an owner.
      who.staff_role = s->admin_role.empty() ? "owner" : s->admin_role;
      // An unknown stored role grants nothing.
      who.permissions = permissions::role_permissions(who.staff_role).value_or(std::vector<std::string>{});
    }
  }
  return who;
}

Status check_admin_permission(const Principal& who, const std::string& method, const std::string& path) {
  std::string needed = permissions::required_permission(method, path);
  if (who.can(needed)) return Status::Ok();
  std::string action = permissions::action_words(needed);
  std::string message = who.type == Principal::Type::api_token && who.staff_role == "api_key"
                            ? "This API key cannot " + action
                            : "Your role (" + who.staff_role + ") cannot " + action;
  return Status(Kind::forbidden, "forbidden", message,
                {{"permission", needed}, {"role", who.staff_role}});
}

Status check_csrf(const Config& config, const Req& req, const Principal& who, bool signs_in) {
  if (!is_mutating(req.method)) return Status::Ok();
  // A bearer credential is never attached by the browser on its own.
  if (who.type != Principal::Type::anonymous && !who.via_cookie) return Status::Ok();
  bool cookie = has_shopbox_cookie(req);
  if (!cookie && !signs_in) return Status::Ok();
  std::string source;
  if (req.has_header("Origin")) {
    source = req.get_header_value("Origin");
  } else if (req.has_header("Referer")) {
    source = req.get_header_value("Referer");
  } else if (std::string site = req.get_header_value("Sec-Fetch-Site"); site == "same-origin") {
    return Status::Ok();
  } else if (!cookie) {
    // Signing in without a cookie and without any origin header: not a
    // browser (curl, an app), unless the browser says it is cross-site.
    if (site.empty() || site == "none") return Status::Ok();
    return Status(Kind::forbidden, "csrf_failed", "cross-site sign-in refused",
                  {{"sec_fetch_site", site.substr(0, 50)}});
  }
  if (source.empty())
    return Status(Kind::forbidden, "csrf_failed",
                  "a request with the shop's cookies must carry an Origin or Referer header from the shop");
  if (!origin_allowed(config, req, source))
    return Status(Kind::forbidden, "csrf_failed", "cross-site request refused: origin does not match the shop",
                  {{"origin", source.substr(0, 200)}});
  return Status::Ok();
}

bool is_https(const Config& config, const Req& req) {
  if (!config.tls_cert.empty()) return true;
  // Only a trusted proxy's word counts (server.trusted_proxies), as for
  // X-Forwarded-For: anyone else could claim https.
  return is_trusted_proxy(config, req.remote_addr) && ascii_lower(req.get_header_value("X-Forwarded-Proto")) == "https";
}

std::string session_cookie(const Config& config, const Req& req, const std::string& token, int64_t max_age) {
  std::string c = std::string(Sessions::kCookie) + "=" + token +
                  "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age < 0 ? 0 : max_age);
  if (is_https(config, req)) c += "; Secure";
  return c;
}

}  // namespace http

}  // namespace shopbox
