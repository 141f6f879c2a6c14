// Staff API tokens ("sbx_<64 hex>"): bearer tokens with a role, for scripts
// and the admin (`shopbox token create`). Only the SHA-256 of a token is
// stored, so a stolen database holds no usable token; create() returns the
// token once. Revoked tokens are never found.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "storage/sqlite.h"

namespace shopbox {

struct ApiToken {
  int64_t id = 0;
  std::string role;  // "admin"
};

// Creates a token with `role`; returns the plain token (shown once).
[[nodiscard]] Result<std::string> create_api_token(Sqlite& db, const std::string& role, const std::string& label);
// The live token with this text, nullopt when there is none.
[[nodiscard]] Result<std::optional<ApiToken>> find_api_token(Sqlite& db, const std::string& token);

}  // namespace shopbox
