#include "audit/audit.h"

#include <algorithm>
#include <array>
#include <optional>

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
      {1202, "audit log: the changed thing before and after",
       R"sql(
-- NULL when not captured (audit.h: a create has no before, a delete no after).
ALTER TABLE audit_log ADD COLUMN before_json TEXT;
ALTER TABLE audit_log ADD COLUMN after_json TEXT;
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
  static const std::array<const char*, 10> secret = {"password", "passwd", "card_number", "cardnumber", "cvc",
                                                     "cvv",      "token",  "secret",      "api_key",    "apikey"};
  // "key" alone is an API key's one-time secret (POST /admin/api-keys
  // answers it); as a fragment it would hide key_id and every "monkey".
  return k == "key" ||
         std::any_of(secret.begin(), secret.end(), [&](const char* s) { return k.find(s) != std::string::npos; });
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

nlohmann::json snapshot_for_log(const std::string& json_text) {
  if (json_text.size() > kMaxSnapshotBytes) return {{"bytes", json_text.size()}, {"omitted", "too large to keep"}};
  auto parsed = parse_json_text(json_text);
  if (!parsed.ok()) return nullptr;
  return redact(*parsed);
}

namespace {

void collect_changes(const std::string& field, const nlohmann::json& before, const nlohmann::json& after, size_t limit,
                     std::vector<Change>& out) {
  if (out.size() >= limit || before == after) return;
  if (before.is_object() && after.is_object()) {
    auto name = [&](const std::string& key) { return field.empty() ? key : field + "." + key; };
    for (auto it = before.begin(); it != before.end(); ++it) {
      auto other = after.find(it.key());
      collect_changes(name(it.key()), it.value(), other == after.end() ? nlohmann::json() : *other, limit, out);
    }
    for (auto it = after.begin(); it != after.end(); ++it)
      if (!before.contains(it.key())) collect_changes(name(it.key()), nlohmann::json(), it.value(), limit, out);
    return;
  }
  if (before.is_array() && after.is_array()) {
    for (size_t i = 0; i < std::max(before.size(), after.size()); ++i)
      collect_changes(field + "[" + std::to_string(i) + "]", i < before.size() ? before[i] : nlohmann::json(),
                      i < after.size() ? after[i] : nlohmann::json(), limit, out);
    return;
  }
  out.push_back({field, before, after});
}

std::string json_column(const nlohmann::json& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json parse_column(const std::string& text, nlohmann::json fallback) {
  auto v = nlohmann::json::parse(text, nullptr, false);
  return v.is_discarded() ? fallback : v;
}

}  // namespace

std::vector<Change> changes(const nlohmann::json& before, const nlohmann::json& after, size_t limit) {
  std::vector<Change> out;
  // A whole thing created or deleted is one change of the whole.
  if (before.is_null() || after.is_null()) {
    if (before != after) out.push_back({"", before, after});
    return out;
  }
  collect_changes("", before, after, limit, out);
  return out;
}

Status record(Sqlite& db, const Entry& e) {
  auto snapshot = [](const nlohmann::json& v) {
    return v.is_null() ? std::optional<std::string>() : std::optional<std::string>(json_column(v));
  };
  return db.write([&](Connection& c) {
    c.prepare(
         "INSERT INTO audit_log(at, actor, method, route, path, target, status, request_json, before_json, "
         "after_json) VALUES (?,?,?,?,?,?,?,?,?,?)")
        .bind(1, e.at)
        .bind(2, e.actor)
        .bind(3, e.method)
        .bind(4, e.route)
        .bind(5, e.path)
        .bind(6, e.target)
        .bind(7, e.status)
        .bind(8, json_column(e.request))
        .bind(9, snapshot(e.before))
        .bind(10, snapshot(e.after))
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
      "SELECT audit_id, at, actor, method, route, path, target, status, request_json, before_json, after_json "
      "FROM audit_log" +
      kWhere + " ORDER BY audit_id DESC LIMIT ?4 OFFSET ?5";
  Status st = db.read([&](Connection& c) {
    auto count = c.prepare(kCount.c_str());
    count.bind(1, f.actor).bind(2, f.path).bind(3, f.since);
    *total = count.step() ? count.int64(0) : 0;
    auto rows = c.prepare(kRows.c_str());
    rows.bind(1, f.actor).bind(2, f.path).bind(3, f.since).bind(4, f.limit).bind(5, f.offset);
    while (rows.step()) {
      Entry e{rows.int64(0),
              rows.int64(1),
              rows.text(2),
              rows.text(3),
              rows.text(4),
              rows.text(5),
              rows.text(6),
              static_cast<int>(rows.int64(7)),
              parse_column(rows.text(8), nlohmann::json::object()),
              rows.is_null(9) ? nlohmann::json() : parse_column(rows.text(9), nullptr),
              rows.is_null(10) ? nlohmann::json() : parse_column(rows.text(10), nullptr)};
      out.push_back(std::move(e));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace shopbox::audit
