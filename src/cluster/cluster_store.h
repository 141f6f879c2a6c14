// The catalog change feed and the cluster's small key/value state, in
// SQLite (migration 701). Plain rows in and out; what goes into a payload
// and how a replica applies it live in src/cluster/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "storage/sqlite.h"

namespace shopbox {

// The cluster's tables (migrations 700-799, src/cluster/schema.cpp).
const std::vector<Migration>& cluster_migrations();

struct FeedChange {
  int64_t version = 0;
  std::string entity;  // "product" | "category"
  int64_t entity_id = 0;
  std::string op;                      // "upsert" | "delete"
  std::optional<std::string> payload;  // JSON snapshot after the change; none for a delete
  int64_t created_at = 0;
};

namespace cluster_store {

// Appends one change; returns its version (strictly increasing, never reused).
int64_t append(Connection& c, const std::string& entity, int64_t entity_id, const std::string& op,
               const std::optional<std::string>& payload);
// Changes with version > after, oldest first, at most limit.
std::vector<FeedChange> changes_after(Connection& c, int64_t after, int limit);
// The newest version (0 when the feed is empty).
int64_t latest_version(Connection& c);

std::optional<std::string> get_state(Connection& c, const std::string& key);
void set_state(Connection& c, const std::string& key, const std::string& value);
void delete_state(Connection& c, const std::string& key);

}  // namespace cluster_store
}  // namespace shopbox
