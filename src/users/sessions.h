// Sessions: a signed-in user's bearer credential.
//
// A token is 256 bits from RAND_bytes ("sbs_" + 64 hex digits), shown to the
// client once; only its SHA-256 is stored. A session ends at expires_at
// (config auth.session_ttl_seconds after sign-in), on logout, or when the
// user changes their password (every other session is revoked).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "config.h"
#include "storage/sqlite.h"
#include "users/user_store.h"

namespace shopbox {

struct NewSession {
  std::string token;  // plain; give it to the client, never store it
  int64_t session_id = 0;
  int64_t expires_at = 0;
};

class Sessions {
 public:
  Sessions(Sqlite& db, const Config& config) : db_(db), config_(config) {}

  // Inside a write transaction (sign-in writes the session with the login).
  NewSession create(Connection& c, int64_t user_id, const std::string& ip, const std::string& user_agent);
  Result<NewSession> create(int64_t user_id, const std::string& ip, const std::string& user_agent);
  // The live session a token names, if any.
  std::optional<Session> resolve(const std::string& token);
  Status revoke(int64_t session_id);
  // Deletes sessions dead for a day or more; returns how many.
  int sweep();

  static constexpr const char* kCookie = "shopbox_session";

 private:
  Sqlite& db_;
  const Config& config_;
};

}  // namespace shopbox
