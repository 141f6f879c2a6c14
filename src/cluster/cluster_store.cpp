#include "cluster/cluster_store.h"

#include "base/clock.h"

namespace shopbox::cluster_store {

int64_t append(Connection& c, const std::string& entity, int64_t entity_id, const std::string& op,
               const std::optional<std::string>& payload) {
  c.prepare("INSERT INTO catalog_changes(entity, entity_id, op, payload, created_at) VALUES (?,?,?,?,?)")
      .bind(1, entity)
      .bind(2, entity_id)
      .bind(3, op)
      .bind(4, payload)
      .bind(5, now_seconds())
      .exec();
  return c.last_insert_id();
}

std::vector<FeedChange> changes_after(Connection& c, int64_t after, int limit) {
  auto st = c.prepare(
      "SELECT version, entity, entity_id, op, payload, created_at FROM catalog_changes WHERE version > ? "
      "ORDER BY version LIMIT ?");
  st.bind(1, after).bind(2, static_cast<int64_t>(limit));
  std::vector<FeedChange> out;
  while (st.step()) {
    FeedChange f;
    f.version = st.int64(0);
    f.entity = st.text(1);
    f.entity_id = st.int64(2);
    f.op = st.text(3);
    f.payload = st.opt_text(4);
    f.created_at = st.int64(5);
    out.push_back(std::move(f));
  }
  return out;
}

int64_t latest_version(Connection& c) {
  auto st = c.prepare("SELECT COALESCE(MAX(version), 0) FROM catalog_changes");
  st.step();
  return st.int64(0);
}

std::optional<std::string> get_state(Connection& c, const std::string& key) {
  auto st = c.prepare("SELECT value FROM cluster_state WHERE key = ?");
  st.bind(1, key);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

void set_state(Connection& c, const std::string& key, const std::string& value) {
  c.prepare("INSERT INTO cluster_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .bind(1, key)
      .bind(2, value)
      .exec();
}

void delete_state(Connection& c, const std::string& key) {
  c.prepare("DELETE FROM cluster_state WHERE key = ?").bind(1, key).exec();
}

}  // namespace shopbox::cluster_store
