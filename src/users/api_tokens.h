// Staff API tokens ("sbx_<64 hex>"): bearer tokens for scripts and the
// admin (`shopbox token create`, the admin's API keys page). Only the
// SHA-256 of a token is stored, so a stolen database holds no usable token;
// creating one returns the token once. Revoked tokens are never found.
//
// A token is either an owner key (no scopes stored: every permission, the
// CLI's and the tokens made before scopes existed) or holds exactly its
// scopes, permission names from http/permissions.h (checked by the caller:
// this module does not know the HTTP layer's table).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "storage/sqlite.h"

namespace shopbox {

struct ApiToken {
  int64_t id = 0;
  std::string role;  // "admin"
  bool owner = true;  // no scopes stored: every permission
  std::vector<std::string> scopes;
  std::string label;
  int64_t created_at = 0;
  std::optional<int64_t> last_used_at;
};

// Creates an owner token with `role`; returns the plain token (shown once).
[[nodiscard]] Result<std::string> create_api_token(Sqlite& db, const std::string& role, const std::string& label);
// Creates an admin key holding exactly `scopes`; the plain token (shown
// once) and the stored key.
struct NewApiKey {
  std::string token;
  ApiToken key;
};
[[nodiscard]] Result<NewApiKey> create_scoped_api_key(Sqlite& db, const std::string& label,
                                                       const std::vector<std::string>& scopes);
// The live token with this text, nullopt when there is none. Notes its use
// (at most once a minute).
[[nodiscard]] Result<std::optional<ApiToken>> find_api_token(Sqlite& db, const std::string& token);
// Live tokens, newest first (never their secret: only its hash is stored).
[[nodiscard]] Result<std::vector<ApiToken>> list_api_tokens(Sqlite& db);
// Revokes a live token at once; 404 when there is none with that id.
[[nodiscard]] Status revoke_api_token(Sqlite& db, int64_t token_id);

}  // namespace shopbox
