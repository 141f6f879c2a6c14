#include "users/api_tokens.h"

#include "base/clock.h"
#include "base/crypto.h"
#include "users/user_store.h"

namespace shopbox {

Result<std::string> create_api_token(Sqlite& db, const std::string& role, const std::string& label) {
  std::string token = "sbx_" + random_hex(32);
  Status st = db.write([&](Connection& c) {
    user_store::insert_api_token(c, sha256_hex(token), role, label, now_seconds());
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return token;
}

Result<std::optional<ApiToken>> find_api_token(Sqlite& db, const std::string& token) {
  std::optional<ApiToken> found;
  Status st = db.read([&](Connection& c) {
    found = user_store::find_api_token(c, sha256_hex(token));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return found;
}

}  // namespace shopbox
