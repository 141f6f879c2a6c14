// The audit log of admin writes: who (user:12 / token:3) changed what
// (method, path, target), with what answer, the request body, and the thing
// changed as it was before and after, all with their secrets redacted. The
// HTTP route wrapper records every successful admin POST/PUT/PATCH/DELETE
// after its handler ran (http/server.cpp), so no route can forget to;
// owners (and keys with audit:read) read it through GET /api/v1/admin/audit.
//
// Before and after are what the admin's own GET route for the changed thing
// answered just before and just after the write (the write's path, or the
// nearest parent path with an id: a refund's is its order). They are two
// reads around the write, not one transaction with it: a change another
// request made in between shows in them too. A write with no such GET route
// (creating a product, a bulk stock edit) keeps no before, and its response
// body as after.
//
// Thread rule: stateless functions over the shop's Sqlite; safe from any
// request thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "storage/sqlite.h"

namespace shopbox::audit {

const std::vector<Migration>& migrations();

struct Entry {
  int64_t id = 0;
  int64_t at = 0;
  std::string actor;   // "user:12", "token:3"
  std::string method;  // POST, PUT, PATCH, DELETE
  std::string route;   // the template as registered: /api/v1/admin/products/{id}
  std::string path;    // as requested: /api/v1/admin/products/12
  std::string target;  // the first id in the path ("12"), "" when none
  int status = 0;
  nlohmann::json request;  // the body with secrets redacted (or {"bytes": n} when not JSON)
  nlohmann::json before;   // null: none (created, or nothing to read it through)
  nlohmann::json after;    // null: none (deleted)
};

// One field that differs between before and after, named by its path
// ("price", "variants[1].stock", "address.city"); a missing side is null.
struct Change {
  std::string field;
  nlohmann::json before;
  nlohmann::json after;
};

struct Filter {
  std::string actor;  // exact, "" for any
  std::string path;   // a prefix of the requested path, "" for any
  int64_t since = 0;  // at >= since
  int64_t offset = 0;
  int64_t limit = 20;
};

// Replaces the value of every key that names a secret (password, card
// number, cvc, token, secret, api key, an API key's "key"...) with "[redacted]", at any depth.
nlohmann::json redact(const nlohmann::json& body);
// What the log keeps of a request body: redacted JSON, else its size.
nlohmann::json body_for_log(const std::string& body, const std::string& content_type);
// What the log keeps of a snapshot (a GET route's JSON answer): redacted,
// or just its size when larger than kMaxSnapshotBytes.
inline constexpr size_t kMaxSnapshotBytes = 64 * 1024;
nlohmann::json snapshot_for_log(const std::string& json_text);

// The fields that differ, leaves only, at most `limit` of them, in the
// order they appear. Arrays compare by position. Timestamps the write
// itself bumps (updated_at) count like any other field.
std::vector<Change> changes(const nlohmann::json& before, const nlohmann::json& after, size_t limit = 100);

[[nodiscard]] Status record(Sqlite& db, const Entry& entry);
// Newest first; `total` is how many match.
[[nodiscard]] Result<std::vector<Entry>> list(Sqlite& db, const Filter& filter, int64_t* total);

}  // namespace shopbox::audit
