#include "users/api_tokens.h"

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/crypto.h"
#include "users/user_store.h"

namespace shopbox {

namespace {
// How stale last_used_at may get before a use writes it again.
constexpr int64_t kTouchSeconds = 60;
}  // namespace

Result<std::string> create_api_token(Sqlite& db, const std::string& role, const std::string& label) {
  std::string token = "sbx_" + random_hex(32);
  Status st = db.write([&](Connection& c) {
    user_store::insert_api_token(c, sha256_hex(token), role, label, now_seconds());
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return token;
}

Result<NewApiKey> create_scoped_api_key(Sqlite& db, const std::string& label, const std::vector<std::string>& scopes) {
  NewApiKey out;
  out.token = "sbx_" + random_hex(32);
  out.key.role = "admin";
  out.key.owner = false;
  out.key.scopes = scopes;
  out.key.label = label;
  out.key.created_at = now_seconds();
  std::string scopes_json = nlohmann::json(scopes).dump();
  Status st = db.write([&](Connection& c) {
    out.key.id = user_store::insert_api_token(c, sha256_hex(out.token), "admin", label, out.key.created_at, scopes_json);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::optional<ApiToken>> find_api_token(Sqlite& db, const std::string& token) {
  std::optional<ApiToken> found;
  Status st = db.read([&](Connection& c) {
    found = user_store::find_api_token(c, sha256_hex(token));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  int64_t now = now_seconds();
  if (found && (!found->last_used_at || *found->last_used_at < now - kTouchSeconds)) {
    // Best effort: a key that cannot be marked used still works.
    log_if_failed(db.write([&](Connection& c) {
      user_store::touch_api_token(c, found->id, now);
      return Status::Ok();
    }),
                  "api tokens: noting a key's use");
  }
  return found;
}

Result<std::vector<ApiToken>> list_api_tokens(Sqlite& db) {
  std::vector<ApiToken> out;
  Status st = db.read([&](Connection& c) {
    out = user_store::list_api_tokens(c);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Status revoke_api_token(Sqlite& db, int64_t token_id) {
  return db.write([&](Connection& c) {
    if (!user_store::get_api_token(c, token_id)) return Status::NotFound("API key not found (or already revoked)");
    user_store::revoke_api_token(c, token_id, now_seconds());
    return Status::Ok();
  });
}

}  // namespace shopbox
