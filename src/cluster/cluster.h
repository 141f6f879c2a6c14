// Scale-out (DESIGN.md "Scale-out", docs/scale-out.md): one appliance is one
// shard. This service holds the shard's identity and the catalog
// replication between shards:
//
//  * identity: shard id (it appears in order ids "ord_<shard>_<hex>"),
//    region / stock location, the catalog primary's URL, the shard token;
//  * on the catalog primary: every catalog write (products, categories,
//    prices; never stock, which stays shard-local) appends a versioned
//    snapshot to the change feed in the same SQLite transaction, served by
//    GET /api/v1/cluster/changes to holders of the shard token;
//  * on every other shard: a thread pulls the feed, applies it in version
//    order and idempotently (one transaction per page, the applied version
//    stored with the rows), re-indexes search through the catalog's
//    listeners, refuses catalog writes, and reports lag in /metrics. A
//    replica whose applied version is newer than the primary's (or whose
//    catalog came from a different primary) stops applying and says so in
//    its log, /readyz and /metrics.
//
// Without shard.token this is a single appliance: nothing is recorded and
// no cluster behaviour is visible.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "base/status.h"
#include "cluster/cluster_store.h"
#include "config.h"
#include "storage/sqlite.h"

namespace shopbox {

class Catalog;
class Metrics;
class HttpClient;
struct CatalogChange;

// Order ids name the shard that owns the order: "ord_<shard>_<16 hex>".
// new_order_id() makes one (checkout and flash-sale checkout), order_shard()
// reads the shard back (nullopt: not an order id).
std::string new_order_id(const std::string& shard);
std::optional<std::string> order_shard(const std::string& order_id);

class Cluster {
 public:
  // `http` reaches the catalog primary (a replica's pull feed).
  static Result<std::unique_ptr<Cluster>> open(Sqlite& db, Catalog& catalog, Metrics& metrics, HttpClient& http,
                                               const Config& config);
  ~Cluster();

  bool enabled() const { return !config_.shard_token.empty(); }
  bool is_primary() const { return enabled() && config_.catalog_primary_url.empty(); }
  const std::string& shard_id() const { return config_.shard_id; }
  std::string region() const;
  // URL of a shard named in shard.peers ("" when unknown).
  std::string peer_url(const std::string& shard) const;

  // ---- the primary's feed ----
  // 401 unless `presented` equals the shard token (constant time).
  Status check_token(const std::string& presented) const;
  // One page: {feed_id, shard, latest_version, after, changes: [...]}.
  Result<nlohmann::json> feed_page(int64_t after, int limit);

  // ---- replicas ----
  // Applies one page of the primary's feed (the JSON it served) in version
  // order; versions at or below the applied one are skipped, so applying a
  // page twice changes nothing. Refuses (409 replica_ahead /
  // feed_mismatch) when this shard's catalog is newer than the primary's
  // or came from another primary.
  Status apply_page(const nlohmann::json& page);
  // Forgets what this replica applied and any refusal, so the next poll
  // replays the primary's whole feed over the local catalog rows (snapshots
  // are upserts). For an operator after a refusal (`shopbox cluster resync`).
  static Status resync(Sqlite& db);
  // Starts the pulling thread (replicas only; no-op elsewhere).
  void start();

  // Operator view (GET /api/v1/admin/cluster, /readyz details).
  nlohmann::json status();
  // Non-ok (404 order_on_other_shard naming the shard) when `order_id`
  // belongs to another shard; ok otherwise and always on a single appliance.
  Status locate_order(const std::string& order_id) const;

 private:
  Cluster(Sqlite& db, Catalog& catalog, Metrics& metrics, HttpClient& http, const Config& config);
  Status record(Connection& c, const CatalogChange& change);
  Status baseline();
  Status guard() const;
  void poll_loop();
  // One request to the primary and its page applied; `more` when the page was full.
  Status poll_once(bool& more);
  void register_metrics();
  void set_refused(const Status& why);

  Sqlite& db_;
  Catalog& catalog_;
  Metrics& metrics_;
  HttpClient& http_;
  const Config& config_;
  std::map<std::string, std::string> peers_;

  // Replica state (guarded by mu_).
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
  std::string state_ = "starting";  // primary | single | starting | ok | catching_up | unreachable | error | refused
  std::string last_error_;
  int64_t applied_version_ = 0;
  int64_t primary_version_ = -1;  // -1: not heard from the primary yet
  int64_t behind_since_ = 0;      // created_at of the oldest change not applied yet (0: caught up)
  int64_t last_success_at_ = 0;
  int64_t applied_total_ = 0;
};

}  // namespace shopbox
