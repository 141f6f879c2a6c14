#include "audit/audit.h"

#include <algorithm>
#include <array>

#include "base/json_text.h"
#include "base/text.h"

namespace shopbox::audit {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> list = {
      {1201, "audit log of admin writes",
       R"sql(
-- One row per successful admin write (http/server.cpp records them).
-- request_json holds the request body with secrets redacted.
CREATE TABLE audit_log (
  audit_id     INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,
  actor        TEXT NOT NULL,
  method       TEXT NOT NULL,
  route        TEXT NOT NULL,
  path         TEXT NOT NULL,
  target       TEXT NOT NULL DEFAULT '',
  status       INTEGER NOT NULL,
  request_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX idx_audit_log_at ON audit_log(at);
CREATE INDEX idx_audit_log_actor ON audit_log(actor, at);
)sql"},
  };
  return list;
}

namespace {

// Key fragments that mark a secret. Compared on the lower-cased key with
// '-' and ' ' folded to '_', so "Card-Number" and "cardNumber" both count.
bool audit_key_is_secret(const std::string& key) {
  std::string k = ascii_lower(key);
  std::replace(k.begin(), k.end(), '-', '_');
  std::replace(k.begin(), k.end(), ' ', '_');
  static const std::array<const char*, 10> secret = {"password", "passwd",  "card_number", "cardnumber", "cvc",
                                                     "cvv",      "token",   "secret",      "api_key",    "apikey"};
  return std::any_of(secret.begin(), secret.end(), [&](const char* s) { return k.find(s) != std::string::npos; });
}

}  // namespace

nlohmann::json redact(const nlohmann::json& body) {
  if (body.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = body.begin(); it != body.end(); ++it)
      out[it.key()] = audit_key_is_secret(it.key()) ? nlohmann::json("[redacted]") : redact(it.value());
    return out;
  }
  if (body.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : body) out.push_back(redact(v));
    return out;
  }
  return body;
}

nlohmann::json body_for_log(const std::string& body, const std::string& content_type) {
  if (body.empty()) return nlohmann::json::object();
  if (content_type.find("json") != std::string::npos) {
    // Depth-bounded: a route that takes no body succeeds whatever was sent,
    // and a deeply nested one must not overflow the stack here (nor in redact()).
    auto parsed = parse_json_text(body);
    if (parsed.ok()) return redact(*parsed);
  }
  // A file or a form upload: its size says enough, and keeps the log small.
  return {{"bytes", body.size()}, {"content_type", content_type.substr(0, 100)}};
}

Status record(Sqlite& db, const Entry& e) {
  return db.write([&](Connection& c) {
    c.prepare(
         "INSERT INTO audit_log(at, actor, method, route, path, target, status, request_json) "
         "VALUES (?,?,?,?,?,?,?,?)")
        .bind(1, e.at)
        .bind(2, e.actor)
        .bind(3, e.method)
        .bind(4, e.route)
        .bind(5, e.path)
        .bind(6, e.target)
        .bind(7, e.status)
        .bind(8, e.request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        .exec();
    return Status::Ok();
  });
}

Result<std::vector<Entry>> list(Sqlite& db, const Filter& f, int64_t* total) {
  std::vector<Entry> out;
  // substr() rather than LIKE: a '%' or '_' in the filter is a character.
  static const std::string kWhere =
      " WHERE (?1 = '' OR actor = ?1) AND (?2 = '' OR substr(path, 1, length(?2)) = ?2) AND at >= ?3";
  static const std::string kCount = "SELECT COUNT(*) FROM audit_log" + kWhere;
  static const std::string kRows =
      "SELECT audit_id, at, actor, method, route, path, target, status, request_json FROM audit_log" + kWhere +
      " ORDER BY audit_id DESC LIMIT ?4 OFFSET ?5";
  Status st = db.read([&](Connection& c) {
    auto count = c.prepare(kCount.c_str());
    count.bind(1, f.actor).bind(2, f.path).bind(3, f.since);
    *total = count.step() ? count.int64(0) : 0;
    auto rows = c.prepare(kRows.c_str());
    rows.bind(1, f.actor).bind(2, f.path).bind(3, f.since).bind(4, f.limit).bind(5, f.offset);
    while (rows.step()) {
      Entry e{rows.int64(0), rows.int64(1), rows.text(2), rows.text(3), rows.text(4), rows.text(5), rows.text(6),
              static_cast<int>(rows.int64(7)), nlohmann::json::parse(rows.text(8), nullptr, false)};
      if (e.request.is_discarded()) e.request = nlohmann::json::object();
      out.push_back(std::move(e));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace shopbox::audit
