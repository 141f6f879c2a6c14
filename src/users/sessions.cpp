#include "users/sessions.h"

#include "base/clock.h"
#include "base/crypto.h"

namespace shopbox {

NewSession Sessions::create(Connection& c, int64_t user_id, const std::string& ip, const std::string& user_agent) {
  NewSession s;
  s.token = "sbs_" + random_hex(32);
  int64_t now = now_seconds();
  s.expires_at = now + config_.session_ttl_seconds;
  s.session_id =
      user_store::insert_session(c, user_id, sha256_hex(s.token), now, s.expires_at, ip, user_agent.substr(0, 200));
  return s;
}

Result<NewSession> Sessions::create(int64_t user_id, const std::string& ip, const std::string& user_agent) {
  NewSession out;
  Status st = db_.write([&](Connection& c) {
    out = create(c, user_id, ip, user_agent);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

std::optional<Session> Sessions::resolve(const std::string& token) {
  // Tokens we issue have a fixed shape; anything else is not worth a query.
  if (token.size() != 68 || token.compare(0, 4, "sbs_") != 0) return std::nullopt;
  std::optional<Session> out;
  std::string hash = sha256_hex(token);
  int64_t now = now_seconds();
  log_if_failed(db_.read([&](Connection& c) {
    out = user_store::find_live_session(c, hash, now);
    return Status::Ok();
  }),
                "sessions: resolve (read as empty)");
  return out;
}

Status Sessions::revoke(int64_t session_id) {
  return db_.write([&](Connection& c) {
    user_store::revoke_session(c, session_id, now_seconds());
    return Status::Ok();
  });
}

int Sessions::sweep() {
  int n = 0;
  log_if_failed(db_.write([&](Connection& c) {
    n = user_store::delete_dead_sessions(c, now_seconds() - 24 * 3600);
    return Status::Ok();
  }),
                "sessions: sweep (not written; the next run retries)");
  return n;
}

}  // namespace shopbox
