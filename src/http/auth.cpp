#include "http/auth.h"

#include "app.h"
#include "base/clock.h"
#include "base/crypto.h"

namespace shopbox {

std::string Principal::actor() const {
  switch (type) {
    case Type::user: return "user:" + std::to_string(user_id);
    case Type::api_token: return "token:" + std::to_string(token_id);
    case Type::anonymous: break;
  }
  return "anonymous";
}

namespace http {

std::string bearer_token(const Req& req) {
  auto h = req.get_header_value("Authorization");
  static const std::string prefix = "Bearer ";
  if (h.size() > prefix.size() && h.compare(0, prefix.size(), prefix) == 0) return h.substr(prefix.size());
  return {};
}

Principal authenticate(App& app, const Req& req) {
  Principal who;
  std::string token = bearer_token(req);
  if (token.empty() || token.size() > 200) return who;
  std::string hash = sha256_hex(token);
  app.db->read([&](Connection& c) {
    auto st = c.prepare("SELECT token_id, role FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL");
    st.bind(1, hash);
    if (st.step()) {
      who.type = Principal::Type::api_token;
      who.token_id = st.int64(0);
      who.role = st.text(1);
    }
    return Status::Ok();
  });
  return who;
}

}  // namespace http

namespace api_tokens {
Result<std::string> create(App& app, const std::string& role, const std::string& label) {
  std::string token = "sbx_" + random_hex(32);
  Status st = app.db->write([&](Connection& c) {
    c.prepare("INSERT INTO api_tokens(token_hash, role, label, created_at) VALUES (?,?,?,?)")
        .bind(1, sha256_hex(token))
        .bind(2, role)
        .bind(3, label)
        .bind(4, now_seconds())
        .exec();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return token;
}
}  // namespace api_tokens

}  // namespace shopbox
