// The catalog change feed and replication state (700s).
// Schema migrations: never edit one that has shipped, add a new one
// (src/schema.h lists every module's and the version ranges).
#include "cluster/cluster_store.h"

namespace shopbox {

const std::vector<Migration>& cluster_migrations() {
  static const std::vector<Migration> migrations = {
      {701, "cluster catalog change feed",
       R"sql(
-- Catalog changes in commit order, written in the same transaction as the
-- catalog row (src/cluster/). payload is the entity's JSON snapshot after
-- the change (NULL for a delete). Replicas apply versions > their own.
CREATE TABLE catalog_changes (
  version    INTEGER PRIMARY KEY AUTOINCREMENT,
  entity     TEXT NOT NULL CHECK (entity IN ('product', 'category')),
  entity_id  INTEGER NOT NULL,
  op         TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
  payload    TEXT,
  created_at INTEGER NOT NULL
);
-- Small key/value state: feed_id (this database's feed identity),
-- baseline_done (primary), primary_feed_id and applied_version (replica).
CREATE TABLE cluster_state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO cluster_state(key, value) VALUES ('feed_id', lower(hex(randomblob(8))));
)sql"},
  };
  return migrations;
}

}  // namespace shopbox
