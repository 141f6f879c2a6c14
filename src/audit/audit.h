// The audit log of admin writes: who (user:12 / token:3) changed what
// (method, path, target), with what answer, and the request body with its
// secrets redacted. The HTTP route wrapper records every successful admin
// POST/PUT/PATCH/DELETE after its handler ran (http/server.cpp), so no
// route can forget to; owners (and keys with audit:read) read it through
// GET /api/v1/admin/audit.
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
};

struct Filter {
  std::string actor;   // exact, "" for any
  std::string path;    // a prefix of the requested path, "" for any
  int64_t since = 0;   // at >= since
  int64_t offset = 0;
  int64_t limit = 20;
};

// Replaces the value of every key that names a secret (password, card
// number, cvc, token, secret, api key...) with "[redacted]", at any depth.
nlohmann::json redact(const nlohmann::json& body);
// What the log keeps of a request body: redacted JSON, else its size.
nlohmann::json body_for_log(const std::string& body, const std::string& content_type);

[[nodiscard]] Status record(Sqlite& db, const Entry& entry);
// Newest first; `total` is how many match.
[[nodiscard]] Result<std::vector<Entry>> list(Sqlite& db, const Filter& filter, int64_t* total);

}  // namespace shopbox::audit
