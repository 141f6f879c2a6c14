// Who is calling: resolved once per request from `Authorization: Bearer`
// (admin API token or user session token) or the session cookie, and the
// CSRF rule for cookie-carrying requests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "http/api.h"

namespace shopbox {
struct App;
struct Config;

struct Principal {
  enum class Type { anonymous, user, api_token };
  Type type = Type::anonymous;
  int64_t user_id = 0;      // for Type::user
  std::string role;         // "customer" or "admin"
  bool via_cookie = false;  // cookie-authenticated mutations need a CSRF check

  bool is_admin() const { return role == "admin"; }
  bool signed_in() const { return type == Type::user; }
  // Label for audit records: "user:12", "token:3", "anonymous".
  std::string actor() const;
  int64_t token_id = 0;    // for Type::api_token
  int64_t session_id = 0;  // for Type::user: the session in use
  // For admins (http/permissions.h): "owner", "staff" or "fulfilment" for a
  // staff account and "owner" for an owner API key; "api_key" for a key
  // with scopes. `permissions` is what the role or the key's scopes hold.
  std::string staff_role;
  std::vector<std::string> permissions;
  bool is_owner() const { return is_admin() && staff_role == "owner"; }
  bool can(const std::string& permission) const;
};

namespace http {
// The bearer token of a request, if it has one.
std::string bearer_token(const Req& req);
// The value of cookie `name`, or "" (first occurrence wins).
std::string cookie(const Req& req, const std::string& name);
// True when the request carries any cookie named shopbox_* (session, guest
// cart): what a cross-site request could ride on.
bool has_shopbox_cookie(const Req& req);
// Routes that act for a shopper (their cart, orders, reviews, wishlist)
// need a user session: 401 without credentials, 403 for an admin API token
// (a token is not a shopper).
Status need_session(const Principal& who);
// Resolves the caller. A bearer token is tried as an admin API token, then
// as a session token; without one, the shopbox_session cookie is tried.
// Unknown, expired or revoked credentials give anonymous.
Principal authenticate(App& app, const Req& req);
// The staff-permission check of an Access::admin route (method and path
// template as registered), for a caller already known to be an admin: the
// route's permission from http/permissions.h (owner-only when the route is
// not in the table). 403 forbidden naming the role and the action otherwise.
Status check_admin_permission(const Principal& who, const std::string& method, const std::string& path);

// CSRF defence for state-changing requests (POST/PUT/PATCH/DELETE) that a
// browser could send cross-site with the shop's cookies attached: unless the
// caller authenticated with a bearer token, a request carrying a shopbox
// cookie must come from the shop's own origin (Origin, else Referer, must
// match the Host header or one of auth.allowed_origins). 403 csrf_failed
// otherwise. Requests without cookies are not at risk and pass, except on
// the sign-in routes (`signs_in`: the auth group): there a cross-site form
// needs no cookie to sign the victim in to the attacker's account (login
// CSRF), so an Origin or Referer must be the shop's whenever one is sent,
// and Sec-Fetch-Site must not say cross-site.
Status check_csrf(const Config& config, const Req& req, const Principal& who, bool signs_in = false);

// True when the request came over TLS (directly, or via one of
// server.trusted_proxies that says X-Forwarded-Proto: https): cookies get
// the Secure attribute then.
bool is_https(const Config& config, const Req& req);
// Set-Cookie value for the session cookie (max_age 0 clears it).
std::string session_cookie(const Config& config, const Req& req, const std::string& token, int64_t max_age);
}  // namespace http

}  // namespace shopbox
