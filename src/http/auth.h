// Who is calling: resolved once per request from `Authorization: Bearer`
// (admin API token or user session token) or the session cookie.
#pragma once

#include <cstdint>
#include <string>

#include "http/api.h"

namespace shopbox {
struct App;

struct Principal {
  enum class Type { anonymous, user, api_token };
  Type type = Type::anonymous;
  int64_t user_id = 0;     // for Type::user
  std::string role;        // "customer" or "admin"
  bool via_cookie = false; // cookie-authenticated mutations need a CSRF check

  bool is_admin() const { return role == "admin"; }
  bool signed_in() const { return type == Type::user; }
  // Label for audit records: "user:12", "token:3", "anonymous".
  std::string actor() const;
  int64_t token_id = 0;    // for Type::api_token
};

namespace http {
// The bearer token of a request, if it has one.
std::string bearer_token(const Req& req);
// Resolves the caller. Unknown or revoked credentials give anonymous.
Principal authenticate(App& app, const Req& req);
}  // namespace http

// Admin API tokens: only the SHA-256 of a token is stored.
namespace api_tokens {
// Creates a token with `role`; returns the plain token (shown once).
Result<std::string> create(App& app, const std::string& role, const std::string& label);
}  // namespace api_tokens

}  // namespace shopbox
