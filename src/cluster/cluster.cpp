#include "cluster/cluster.h"

#include <chrono>
#include <cstdio>
#include <limits>

#include "base/clock.h"
#include "base/crypto.h"
#include "base/http_client.h"
#include "base/json_text.h"
#include "base/metrics.h"
#include "catalog/catalog.h"
#include "catalog/catalog_replica.h"

namespace shopbox {
using json = nlohmann::json;

std::string new_order_id(const std::string& shard) {
  return "ord_" + shard + "_" + random_hex(8);
}

std::optional<std::string> order_shard(const std::string& order_id) {
  if (order_id.rfind("ord_", 0) != 0) return std::nullopt;
  size_t last = order_id.rfind('_');
  if (last == std::string::npos || last <= 4) return std::nullopt;
  return order_id.substr(4, last - 4);
}

namespace {

std::map<std::string, std::string> parse_peers(const std::string& text) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t eq = item.find('=');
    if (eq != std::string::npos) {
      auto trim = [](std::string s) {
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(s.begin());
        while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
        return s;
      };
      std::string k = trim(item.substr(0, eq)), v = trim(item.substr(eq + 1));
      while (!v.empty() && v.back() == '/') v.pop_back();
      if (!k.empty() && !v.empty()) out[k] = v;
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

Cluster::Cluster(Sqlite& db, Catalog& catalog, Metrics& metrics, HttpClient& http, const Config& config)
    : db_(db),
      catalog_(catalog),
      metrics_(metrics),
      http_(http),
      config_(config),
      peers_(parse_peers(config.shard_peers)) {}

Result<std::unique_ptr<Cluster>> Cluster::open(Sqlite& db, Catalog& catalog, Metrics& metrics, HttpClient& http,
                                               const Config& config) {
  std::unique_ptr<Cluster> c(new Cluster(db, catalog, metrics, http, config));
  if (!c->enabled()) {
    c->state_ = "single";
    return c;
  }
  if (c->is_primary()) {
    c->state_ = "primary";
    if (auto st = c->baseline(); !st.ok()) return st;
    Cluster* self = c.get();
    catalog.set_change_recorder([self](Connection& conn, const CatalogChange& ch) { return self->record(conn, ch); });
  } else {
    Status st = db.read([&](Connection& conn) {
      if (auto v = cluster_store::get_state(conn, "applied_version")) c->applied_version_ = std::stoll(*v);
      if (auto why = cluster_store::get_state(conn, "refused")) {
        c->state_ = "refused";
        c->last_error_ = *why;
        std::fprintf(stderr, "cluster: REFUSING catalog replication (since an earlier run): %s\n", why->c_str());
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    Cluster* self = c.get();
    catalog.set_write_guard([self] { return self->guard(); });
  }
  c->register_metrics();
  return c;
}

Cluster::~Cluster() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string Cluster::region() const {
  return config_.shard_region.empty() ? config_.warehouse_location : config_.shard_region;
}

std::string Cluster::peer_url(const std::string& shard) const {
  if (shard == config_.shard_id) return "";
  auto it = peers_.find(shard);
  return it == peers_.end() ? "" : it->second;
}

Status Cluster::guard() const {
  return Status(Kind::conflict, "not_catalog_primary",
                "shard " + config_.shard_id + " is not the catalog primary: send catalog writes to the primary at " +
                    config_.catalog_primary_url,
                {{"shard", config_.shard_id}, {"catalog_primary_url", config_.catalog_primary_url}});
}

// ---- primary ----

Status Cluster::record(Connection& c, const CatalogChange& change) {
  CatalogRowSnapshot row = catalog_snapshot(c, change);
  cluster_store::append(c, row.entity, row.id, row.payload ? "upsert" : "delete", row.payload);
  return Status::Ok();
}

// A catalog that existed before this shard became the primary goes into
// the feed once, as snapshots (parents before children, then products).
Status Cluster::baseline() {
  return db_.write([&](Connection& c) {
    if (cluster_store::get_state(c, "baseline_done")) return Status::Ok();
    size_t categories = 0, products = 0;
    for_each_catalog_snapshot(c, [&](const CatalogRowSnapshot& row) {
      cluster_store::append(c, row.entity, row.id, "upsert", row.payload);
      ++(row.entity == "category" ? categories : products);
    });
    if (categories + products > 0)
      std::fprintf(stderr, "cluster: catalog primary %s: %zu categories and %zu products put into the change feed\n",
                   config_.shard_id.c_str(), categories, products);
    cluster_store::set_state(c, "baseline_done", std::to_string(now_seconds()));
    return Status::Ok();
  });
}

Status Cluster::check_token(const std::string& presented) const {
  if (!enabled())
    return Status(Kind::not_found, "cluster_disabled",
                  "this appliance is not part of a cluster (shard.token is empty)");
  // Hash both sides so the comparison is constant-time whatever the lengths.
  if (presented.empty() || !constant_time_equal(sha256_hex(presented), sha256_hex(config_.shard_token)))
    return Status(Kind::unauthorized, "invalid_shard_token", "X-Shopbox-Shard-Token is missing or wrong");
  return Status::Ok();
}

Result<json> Cluster::feed_page(int64_t after, int limit) {
  if (!is_primary())
    return Status(
        Kind::conflict, "not_catalog_primary",
        "shard " + config_.shard_id + " is not the catalog primary; its feed is at " + config_.catalog_primary_url,
        {{"catalog_primary_url", config_.catalog_primary_url}});
  json page;
  Status st = db_.read([&](Connection& c) {
    auto changes = cluster_store::changes_after(c, after, limit);
    json items = json::array();
    for (const auto& f : changes) {
      json item = {{"version", f.version},
                   {"entity", f.entity},
                   {"id", std::to_string(f.entity_id)},
                   {"op", f.op},
                   {"created_at", f.created_at}};
      item["data"] = f.payload ? json::parse(*f.payload) : json(nullptr);
      items.push_back(std::move(item));
    }
    page = {{"feed_id", cluster_store::get_state(c, "feed_id").value_or("")},
            {"shard", config_.shard_id},
            {"latest_version", cluster_store::latest_version(c)},
            {"after", after},
            {"limit", limit},
            {"changes", std::move(items)}};
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return page;
}

// ---- replica ----

Status Cluster::resync(Sqlite& db) {
  return db.write([](Connection& c) {
    cluster_store::delete_state(c, "applied_version");
    cluster_store::delete_state(c, "primary_feed_id");
    cluster_store::delete_state(c, "refused");
    return Status::Ok();
  });
}

void Cluster::set_refused(const Status& why) {
  bool first;
  {
    std::lock_guard<std::mutex> lock(mu_);
    first = state_ != "refused" || last_error_ != why.message();
    state_ = "refused";
    last_error_ = why.message();
  }
  if (first) std::fprintf(stderr, "cluster: REFUSING catalog replication: %s\n", why.message().c_str());
}

Status Cluster::apply_page(const json& page) {
  if (!page.is_object() || !page.contains("changes") || !page["changes"].is_array() ||
      !page.contains("latest_version") || !page.contains("feed_id"))
    return Status::Invalid("the primary's answer is not a change-feed page");
  const int64_t latest = page["latest_version"].get<int64_t>();
  const std::string feed_id = page["feed_id"].get<std::string>();
  std::vector<CatalogChange> notes;
  int64_t applied = 0;
  int64_t applied_now = 0;
  Status refusal;
  Status st = db_.write([&](Connection& c) {
    applied = std::stoll(cluster_store::get_state(c, "applied_version").value_or("0"));
    // A refusal sticks (across restarts) until an operator runs
    // `shopbox cluster resync`: once diverged, a primary that later passes
    // this version would otherwise look like a match.
    if (auto why = cluster_store::get_state(c, "refused")) {
      refusal =
          Status(Kind::conflict, "replica_ahead", *why, {{"applied_version", applied}, {"primary_version", latest}});
      return Status::Ok();
    }
    auto known_feed = cluster_store::get_state(c, "primary_feed_id");
    if (known_feed && *known_feed != feed_id) {
      refusal =
          Status(Kind::conflict, "feed_mismatch",
                 "this shard's catalog was replicated from feed " + *known_feed + " but the primary now serves feed " +
                     feed_id + " (a different or re-created primary); not applying",
                 {{"local_feed_id", *known_feed}, {"primary_feed_id", feed_id}});
    } else if (applied > latest) {
      refusal = Status(Kind::conflict, "replica_ahead",
                       "local catalog version " + std::to_string(applied) + " is newer than the primary's " +
                           std::to_string(latest) + " (was the primary restored from an older backup?); not applying",
                       {{"applied_version", applied}, {"primary_version", latest}});
    }
    if (!refusal.ok()) {
      cluster_store::set_state(c, "refused", refusal.message());
      return Status::Ok();
    }
    int64_t v = applied;
    for (const auto& ch : page["changes"]) {
      int64_t version = ch.at("version").get<int64_t>();
      if (version <= v) {
        if (version <= applied) continue;  // already applied: idempotent
        return Status::Invalid("change feed out of order at version " + std::to_string(version));
      }
      if (auto a = apply_catalog_change(c, ch, notes); !a.ok())
        return Status(a.kind(), a.code(), "applying catalog change " + std::to_string(version) + ": " + a.message(),
                      a.details());
      v = version;
      ++applied_now;
    }
    if (v > latest) return Status::Invalid("the primary's page goes past its own latest version");
    if (!known_feed) cluster_store::set_state(c, "primary_feed_id", feed_id);
    cluster_store::set_state(c, "applied_version", std::to_string(v));
    applied = v;
    return Status::Ok();
  });
  if (!refusal.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    primary_version_ = latest;
    return refusal;
  }
  if (!st.ok()) return st;
  for (const auto& n : notes) catalog_.replicated(n);
  if (applied_now > 0) metrics_.inc("shopbox_cluster_changes_applied_total", {}, static_cast<double>(applied_now));
  std::lock_guard<std::mutex> lock(mu_);
  applied_version_ = applied;
  primary_version_ = latest;
  applied_total_ += applied_now;
  last_success_at_ = now_seconds();
  // How long the oldest change we do not have yet has waited.
  behind_since_ = 0;
  if (applied < latest) {
    for (const auto& ch : page["changes"])
      if (ch.at("version").get<int64_t>() > applied) {
        behind_since_ = ch.at("created_at").get<int64_t>();
        break;
      }
    if (behind_since_ == 0) behind_since_ = last_success_at_;
  }
  if (state_ != "refused") state_ = applied < latest ? "catching_up" : "ok";
  last_error_.clear();
  return Status::Ok();
}

Status Cluster::poll_once(bool& more) {
  more = false;
  int64_t after;
  {
    std::lock_guard<std::mutex> lock(mu_);
    after = applied_version_;
  }
  const int limit = 500;
  std::string primary = config_.catalog_primary_url;
  while (!primary.empty() && primary.back() == '/') primary.pop_back();
  OutboundRequest get;
  get.url = primary + "/api/v1/cluster/changes?after=" + std::to_string(after) + "&limit=" + std::to_string(limit);
  get.headers = {{"X-Shopbox-Shard-Token", config_.shard_token}, {"X-Shopbox-Shard", config_.shard_id}};
  get.connect_timeout_ms = 2000;
  get.read_timeout_ms = 30000;  // a page of 500 changes from a busy primary
  auto res = http_.send(get);
  if (!res.ok()) {
    metrics_.inc("shopbox_cluster_poll_errors_total", {{"reason", "unreachable"}});
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != "refused") state_ = "unreachable";
    last_error_ = "catalog primary " + config_.catalog_primary_url + " unreachable: " + res.status().message();
    return Status(Kind::unavailable, "primary_unreachable", last_error_);
  }
  // A peer's reply is untrusted text too: the same nesting limit as requests.
  auto parsed = parse_json_text(res->body);
  json body = parsed.ok() ? std::move(*parsed) : json();
  if (res->status != 200) {
    metrics_.inc("shopbox_cluster_poll_errors_total", {{"reason", "http_" + std::to_string(res->status)}});
    std::string msg =
        body.is_object() && body.contains("error") ? body["error"].value("message", "") : res->body.substr(0, 200);
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ != "refused") state_ = "error";
    last_error_ = "catalog primary answered " + std::to_string(res->status) + ": " + msg;
    return Status(Kind::unavailable, "primary_error", last_error_);
  }
  Status st;
  try {
    st = apply_page(body);
  } catch (const std::exception& e) {
    st = Status::Invalid(std::string("malformed change-feed page: ") + e.what());
  }
  if (st.code() == "replica_ahead" || st.code() == "feed_mismatch") {
    metrics_.inc("shopbox_cluster_poll_errors_total", {{"reason", st.code()}});
    set_refused(st);
    return st;
  }
  if (!st.ok()) {
    metrics_.inc("shopbox_cluster_poll_errors_total", {{"reason", "apply"}});
    std::lock_guard<std::mutex> lock(mu_);
    state_ = "error";
    if (last_error_ != st.message()) std::fprintf(stderr, "cluster: replication error: %s\n", st.message().c_str());
    last_error_ = st.message();
    return st;
  }
  more = body["changes"].size() >= static_cast<size_t>(limit);
  return Status::Ok();
}

void Cluster::start() {
  if (!enabled() || is_primary() || thread_.joinable()) return;
  thread_ = std::thread([this] { poll_loop(); });
}

void Cluster::poll_loop() {
  while (true) {
    bool more = false;
    // A failed poll is recorded in status() and the metrics by poll_once
    // itself; the loop just tries again after the interval.
    (void)poll_once(more);
    std::unique_lock<std::mutex> lock(mu_);
    if (stop_) return;
    if (more && state_ != "refused") continue;
    cv_.wait_for(lock, std::chrono::milliseconds(config_.shard_poll_interval_ms), [this] { return stop_; });
    if (stop_) return;
  }
}

void Cluster::register_metrics() {
  metrics_.gauge("shopbox_cluster_is_primary", "1 on the catalog primary, 0 on replicas",
                 [this] { return is_primary() ? 1.0 : 0.0; });
  if (is_primary()) {
    metrics_.gauge("shopbox_cluster_feed_version", "newest version in this primary's catalog change feed", [this] {
      int64_t v = 0;
      Status read = db_.read([&](Connection& c) {
        v = cluster_store::latest_version(c);
        return Status::Ok();
      });
      // NaN: Prometheus' "no value" when the feed cannot be read.
      return read.ok() ? static_cast<double>(v) : std::numeric_limits<double>::quiet_NaN();
    });
    return;
  }
  metrics_.gauge("shopbox_cluster_applied_version", "newest catalog change applied on this replica", [this] {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<double>(applied_version_);
  });
  metrics_.gauge("shopbox_cluster_primary_version",
                 "the primary's newest catalog version at the last poll (-1: not yet)", [this] {
                   std::lock_guard<std::mutex> lock(mu_);
                   return static_cast<double>(primary_version_);
                 });
  metrics_.gauge(
      "shopbox_cluster_replication_lag_versions", "catalog changes on the primary not applied here yet", [this] {
        std::lock_guard<std::mutex> lock(mu_);
        return primary_version_ < 0 ? 0.0
                                    : static_cast<double>(std::max<int64_t>(0, primary_version_ - applied_version_));
      });
  metrics_.gauge("shopbox_cluster_replication_lag_seconds",
                 "age of the oldest catalog change not applied here (0: caught up)", [this] {
                   std::lock_guard<std::mutex> lock(mu_);
                   return behind_since_ == 0 ? 0.0
                                             : static_cast<double>(std::max<int64_t>(0, now_seconds() - behind_since_));
                 });
  metrics_.gauge("shopbox_cluster_last_sync_age_seconds",
                 "seconds since the last successful poll of the primary (-1: never)", [this] {
                   std::lock_guard<std::mutex> lock(mu_);
                   return last_success_at_ == 0 ? -1.0 : static_cast<double>(now_seconds() - last_success_at_);
                 });
  metrics_.gauge("shopbox_cluster_replication_refused",
                 "1 when this replica refuses the primary's feed (it is ahead, or another feed)", [this] {
                   std::lock_guard<std::mutex> lock(mu_);
                   return state_ == "refused" ? 1.0 : 0.0;
                 });
}

json Cluster::status() {
  json peers = json::object();
  for (const auto& [k, v] : peers_) peers[k] = v;
  json out = {{"shard", config_.shard_id},
              {"region", region()},
              {"cluster", enabled()},
              {"role", !enabled()     ? "single"
                       : is_primary() ? "catalog_primary"
                                      : "replica"},
              {"catalog_primary_url", config_.catalog_primary_url},
              {"peers", peers}};
  if (!enabled()) return out;
  if (is_primary()) {
    int64_t v = 0;
    Status read = db_.read([&](Connection& c) {
      v = cluster_store::latest_version(c);
      return Status::Ok();
    });
    out["feed_version"] = read.ok() ? json(v) : json(nullptr);
    out["state"] = read.ok() ? "primary" : "error";
    if (!read.ok()) out["last_error"] = read.message();
    return out;
  }
  std::lock_guard<std::mutex> lock(mu_);
  out["state"] = state_;
  out["applied_version"] = applied_version_;
  out["primary_version"] = primary_version_ < 0 ? json(nullptr) : json(primary_version_);
  out["lag_versions"] =
      primary_version_ < 0 ? json(nullptr) : json(std::max<int64_t>(0, primary_version_ - applied_version_));
  out["lag_seconds"] = behind_since_ == 0 ? 0 : std::max<int64_t>(0, now_seconds() - behind_since_);
  out["last_sync_at"] = last_success_at_ == 0 ? json(nullptr) : json(iso8601(last_success_at_));
  out["changes_applied"] = applied_total_;
  if (!last_error_.empty()) out["message"] = last_error_;
  return out;
}

Status Cluster::locate_order(const std::string& order_id) const {
  if (!enabled()) return Status::Ok();
  auto shard = order_shard(order_id);
  if (!shard || shard->empty() || *shard == config_.shard_id) return Status::Ok();
  json details = {{"order_id", order_id}, {"shard", *shard}};
  std::string url = peer_url(*shard);
  if (!url.empty()) details["shard_url"] = url;
  return Status(Kind::not_found, "order_on_other_shard",
                "order " + order_id + " lives on shard " + *shard + " (this is shard " + config_.shard_id +
                    "); send X-Shopbox-Shard: " + *shard + " through the router, or ask that shard",
                details);
}

}  // namespace shopbox
