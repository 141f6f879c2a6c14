// Catalog replication between shards and order location (src/cluster/,
// docs/scale-out.md): the primary's change feed (auth, order, same
// transaction as the write), replicas following it (apply, re-index,
// refuse writes, lag metrics), idempotent apply, the newer-than-primary
// refusal, and order ids that name their shard.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "catalog/product_search.h"
#include "cluster/cluster.h"
#include "cluster/cluster_store.h"
#include "support/test_shop.h"

using namespace shopbox;
using namespace shopbox::testing;

namespace {

const std::string kShardToken = "test-shard-token-0123456789abcdef";
const Headers kFeedAuth = {{"X-Shopbox-Shard-Token", kShardToken}};

void primary_config(Config& c) {
  c.shard_id = "s1";
  c.shard_token = kShardToken;
}

// A replica of the primary on `*port` (read at every (re)start).
std::function<void(Config&)> replica_config(const int* port, const std::string& id = "s2", int poll_ms = 50) {
  return [port, id, poll_ms](Config& c) {
    c.shard_id = id;
    c.shard_token = kShardToken;
    c.catalog_primary_url = "http://127.0.0.1:" + std::to_string(*port);
    c.shard_poll_interval_ms = poll_ms;
    c.shard_peers = "s1=http://127.0.0.1:" + std::to_string(*port) + ",s3=http://shard3.example:8080";
  };
}

// Polls `pred` for up to `seconds`.
template <typename F>
bool eventually(F pred, double seconds = 10) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int>(seconds * 1000));
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return pred();
}

json feed(TestShop& shop, int64_t after = 0, int limit = 500) {
  std::string path = "/api/v1/cluster/changes?after=";
  path += std::to_string(after);
  path += "&limit=";
  path += std::to_string(limit);
  auto r = shop.get(path, kFeedAuth);
  REQUIRE(r.status == 200);
  return r.body;
}

double metric(TestShop& shop, const std::string& name) {
  auto text = shop.get("/metrics").text;
  size_t at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -12345;
  return std::stod(text.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("the change feed needs the shard token", "[http][cluster]") {
  TestShop primary(primary_config);
  auto none = primary.get("/api/v1/cluster/changes");
  CHECK(none.status == 401);
  CHECK(none.body["error"]["code"] == "invalid_shard_token");
  auto wrong = primary.get("/api/v1/cluster/changes", {{"X-Shopbox-Shard-Token", kShardToken + "x"}});
  CHECK(wrong.status == 401);
  auto shorter = primary.get("/api/v1/cluster/changes", {{"X-Shopbox-Shard-Token", kShardToken.substr(0, 10)}});
  CHECK(shorter.status == 401);
  // An admin session is not a shard token.
  CHECK(primary.get("/api/v1/cluster/changes", primary.admin()).status == 401);

  auto ok = primary.get("/api/v1/cluster/changes", kFeedAuth);
  REQUIRE(ok.status == 200);
  CHECK(ok.body["latest_version"] == 0);
  CHECK(ok.body["changes"].empty());
  CHECK(ok.body["shard"] == "s1");
  CHECK(ok.body["feed_id"].get<std::string>().size() == 16);

  CHECK(primary.get("/api/v1/cluster/changes?after=-1", kFeedAuth).status == 400);
  CHECK(primary.get("/api/v1/cluster/changes?after=x", kFeedAuth).status == 400);
  CHECK(primary.get("/api/v1/cluster/changes?limit=0", kFeedAuth).status == 400);
  CHECK(primary.get("/api/v1/cluster/changes?limit=1001", kFeedAuth).status == 400);

  // A single appliance (no shard token) has no feed at all.
  TestShop single;
  auto r = single.get("/api/v1/cluster/changes", kFeedAuth);
  CHECK(r.status == 404);
  CHECK(r.body["error"]["code"] == "cluster_disabled");
}

TEST_CASE("catalog writes go into the feed in order, in the same transaction", "[http][cluster]") {
  TestShop primary(primary_config);
  std::string cat = primary.create_category("Audio");
  std::string pid = primary.create_product(
      {{"name", "Studio Headphones"}, {"price", 99.99}, {"sku", "HP-1"}, {"category_id", cat}}, 7);
  REQUIRE(primary.patch("/api/v1/admin/products/" + pid, {{"price", 79.99}}, primary.admin()).status == 200);
  // A failed write (duplicate SKU) records nothing.
  auto dup =
      primary.post("/api/v1/admin/products", {{"name", "Other"}, {"price", 1}, {"sku", "HP-1"}}, primary.admin());
  REQUIRE(dup.status == 409);
  std::string gone = primary.create_product({{"name", "Short-lived"}, {"price", 5}}, 0);
  REQUIRE(primary.del("/api/v1/admin/products/" + gone, primary.admin()).status == 204);

  json f = feed(primary);
  REQUIRE(f["latest_version"] == 5);
  const json& ch = f["changes"];
  REQUIRE(ch.size() == 5);
  for (size_t i = 0; i < ch.size(); ++i) CHECK(ch[i]["version"] == static_cast<int64_t>(i + 1));
  CHECK(ch[0]["entity"] == "category");
  CHECK(ch[0]["data"]["name"] == "Audio");
  CHECK(ch[1]["entity"] == "product");
  CHECK(ch[1]["id"] == pid);
  CHECK(ch[1]["op"] == "upsert");
  CHECK(ch[1]["data"]["price_cents"] == 9999);
  CHECK(ch[1]["data"]["category_id"] == std::stoll(cat));
  CHECK(ch[2]["data"]["price_cents"] == 7999);  // the price change
  CHECK(ch[3]["id"] == gone);
  CHECK(ch[4]["id"] == gone);
  CHECK(ch[4]["op"] == "delete");
  CHECK(ch[4]["data"].is_null());
  // Stock is shard-local: the snapshot carries none.
  CHECK_FALSE(ch[1]["data"].contains("stock"));

  json later = feed(primary, 3);
  REQUIRE(later["changes"].size() == 2);
  CHECK(later["changes"][0]["version"] == 4);
  CHECK(feed(primary, 0, 2)["changes"].size() == 2);
  CHECK(feed(primary, 5)["changes"].empty());

  // The metric follows the feed.
  CHECK(metric(primary, "shopbox_cluster_feed_version") == 5);
}

TEST_CASE("a replica follows the primary, re-indexes search and refuses catalog writes", "[http][cluster]") {
  TestShop primary(primary_config);
  std::string cat = primary.create_category("Lighting");
  std::string lamp = primary.create_product({{"name", "Brass Desk Lamp"}, {"price", 45.00}, {"category_id", cat}}, 3);
  int port = primary.port();
  TestShop replica(replica_config(&port));

  // Catches up on what existed before it started.
  REQUIRE(eventually([&] { return replica.get("/api/v1/products/" + lamp).status == 200; }));
  auto p = replica.get("/api/v1/products/" + lamp);
  CHECK(p.body["name"] == "Brass Desk Lamp");
  CHECK(replica.get("/api/v1/categories/" + cat).status == 200);

  // New products become searchable there.
  std::string zebra =
      primary.create_product({{"name", "Zebra Floor Lamp"}, {"price", 120.00}, {"category_id", cat}}, 2);
  REQUIRE(eventually([&] {
    replica.app().search->flush(2000);
    auto s = replica.get("/api/v1/search?q=zebra");
    return s.status == 200 && s.body["total"] == 1 && s.body["products"][0]["product_id"] == zebra;
  }));

  // Price changes and deletes follow.
  REQUIRE(primary.patch("/api/v1/admin/products/" + lamp, {{"price", 39.50}}, primary.admin()).status == 200);
  REQUIRE(primary.del("/api/v1/admin/products/" + zebra, primary.admin()).status == 204);
  REQUIRE(eventually([&] { return replica.get("/api/v1/products/" + zebra).status == 404; }));
  CHECK(replica.get("/api/v1/products/" + lamp).body["price"]["amount"] == 39.5);

  // Catalog writes on a replica are refused, naming the primary.
  auto w = replica.post("/api/v1/admin/products", {{"name", "Rogue"}, {"price", 1}}, replica.admin());
  CHECK(w.status == 409);
  CHECK(w.body["error"]["code"] == "not_catalog_primary");
  CHECK(w.body["error"]["details"]["catalog_primary_url"] == "http://127.0.0.1:" + std::to_string(port));
  CHECK(replica.post("/api/v1/admin/categories", {{"name", "Rogue"}}, replica.admin()).status == 409);
  CHECK(replica.patch("/api/v1/admin/products/" + lamp, {{"price", 1}}, replica.admin()).status == 409);
  CHECK(replica.get("/api/v1/products/" + lamp).body["price"]["amount"] == 39.5);

  // Lag is reported, and is zero once caught up.
  int64_t latest = feed(primary)["latest_version"].get<int64_t>();
  REQUIRE(
      eventually([&] { return metric(replica, "shopbox_cluster_applied_version") == static_cast<double>(latest); }));
  CHECK(metric(replica, "shopbox_cluster_replication_lag_versions") == 0);
  CHECK(metric(replica, "shopbox_cluster_replication_lag_seconds") == 0);
  CHECK(metric(replica, "shopbox_cluster_replication_refused") == 0);
  auto ready = replica.get("/readyz");
  CHECK(ready.status == 200);
  CHECK(ready.body["cluster"]["role"] == "replica");
  CHECK(ready.body["cluster"]["state"] == "ok");
  auto st = replica.get("/api/v1/admin/cluster", replica.admin());
  REQUIRE(st.status == 200);
  CHECK(st.body["shard"] == "s2");
  CHECK(st.body["applied_version"] == latest);
  CHECK(replica.get("/api/v1/admin/cluster").status == 401);

  // A replica that was down catches up after its restart.
  port = primary.port();
  std::string later = primary.create_product({{"name", "Paper Lantern"}, {"price", 9.99}}, 1);
  replica.restart();
  REQUIRE(eventually([&] { return replica.get("/api/v1/products/" + later).status == 200; }));
}

TEST_CASE("applying a feed page twice changes nothing", "[http][cluster]") {
  TestShop primary(primary_config);
  std::string cat = primary.create_category("Kitchen");
  std::string sub = primary.create_category("Knives", cat);
  primary.create_product({{"name", "Chef Knife"}, {"price", 60}, {"category_id", sub}}, 1);
  std::string pan = primary.create_product({{"name", "Pan"}, {"price", 30}, {"category_id", cat}}, 1);
  REQUIRE(primary.patch("/api/v1/admin/categories/" + sub, {{"name", "Blades"}}, primary.admin()).status == 200);
  json page = feed(primary);

  int dead_port = 1;  // nothing listens: the replica's own thread only fails to connect
  TestShop replica(replica_config(&dead_port, "s2", 600000));
  Cluster& cluster = *replica.app().cluster;
  REQUIRE(cluster.apply_page(page).ok());
  auto first = replica.get("/api/v1/products?size=100").body;
  auto cats = replica.get("/api/v1/categories").body;
  REQUIRE(first["total"] == 2);

  REQUIRE(cluster.apply_page(page).ok());  // same page again
  CHECK(replica.get("/api/v1/products?size=100").body == first);
  CHECK(replica.get("/api/v1/categories").body == cats);
  CHECK(cluster.status()["applied_version"] == page["latest_version"]);

  // Even replayed from scratch (snapshots are upserts): same rows, no duplicates.
  REQUIRE(Cluster::resync(*replica.app().db).ok());
  REQUIRE(cluster.apply_page(page).ok());
  CHECK(replica.get("/api/v1/products?size=100").body == first);
  CHECK(replica.get("/api/v1/categories").body == cats);
  CHECK(replica.get("/api/v1/products/" + pan).body["name"] == "Pan");

  // A page out of order is refused whole.
  json bad = page;
  bad["changes"] = json::array({page["changes"][1], page["changes"][0]});
  REQUIRE(Cluster::resync(*replica.app().db).ok());
  CHECK_FALSE(cluster.apply_page(bad).ok());
}

TEST_CASE("a replica newer than the primary refuses and says so", "[http][cluster]") {
  TestShop primary(primary_config);
  std::string first = primary.create_product({{"name", "First Product"}, {"price", 10}}, 1);
  int port = primary.port();
  TestShop replica(replica_config(&port));
  REQUIRE(eventually([&] { return replica.get("/api/v1/products/" + first).status == 200; }));

  // As if the primary had been restored from an older backup.
  REQUIRE(replica.app()
              .db
              ->write([](Connection& c) {
                cluster_store::set_state(c, "applied_version", "50");
                return Status::Ok();
              })
              .ok());
  REQUIRE(eventually([&] { return replica.get("/readyz").body["cluster"]["state"] == "refused"; }));
  auto ready = replica.get("/readyz");
  CHECK(ready.status == 200);  // it still serves its own users' carts and orders
  std::string msg = ready.body["cluster"]["message"];
  CHECK(msg.find("newer than the primary") != std::string::npos);
  CHECK(msg.find("50") != std::string::npos);
  CHECK(metric(replica, "shopbox_cluster_replication_refused") == 1);

  // Nothing more is applied, even after a restart. Each refused poll is
  // counted, so "not applied" is checked after the replica has asked the
  // primary again, not after a guessed pause.
  auto refused_polls = [&] { return metric(replica, "shopbox_cluster_poll_errors_total{reason=\"replica_ahead\"}"); };
  std::string second = primary.create_product({{"name", "Second Product"}, {"price", 10}}, 1);
  double before = refused_polls();
  REQUIRE(before >= 1);
  REQUIRE(eventually([&] { return refused_polls() >= before + 2; }));
  CHECK(replica.get("/api/v1/products/" + second).status == 404);
  replica.restart();
  REQUIRE(eventually([&] { return refused_polls() >= 2; }));  // counters start again at a restart
  CHECK(replica.get("/api/v1/products/" + second).status == 404);
  CHECK(replica.get("/readyz").body["cluster"]["state"] == "refused");

  // The operator's way out: resync replays the primary's feed.
  replica.app().cluster.reset();  // stop the pulling thread before touching its state
  REQUIRE(Cluster::resync(*replica.app().db).ok());
  replica.restart();
  REQUIRE(eventually([&] { return replica.get("/api/v1/products/" + second).status == 200; }));
  CHECK(metric(replica, "shopbox_cluster_replication_refused") == 0);
}

TEST_CASE("order ids name their shard", "[http][cluster]") {
  int dead_port = 1;
  TestShop s2(replica_config(&dead_port, "s2", 600000));
  auto user = s2.register_user("shopper@example.com");
  auto r = s2.get("/api/v1/orders/ord_s3_0123456789abcdef", user.auth);
  CHECK(r.status == 404);
  CHECK(r.body["error"]["code"] == "order_on_other_shard");
  CHECK(r.body["error"]["details"]["shard"] == "s3");
  CHECK(r.body["error"]["details"]["shard_url"] == "http://shard3.example:8080");
  CHECK(r.header("X-Shopbox-Shard") == "s3");
  // Its own ids: the usual answer.
  auto own = s2.get("/api/v1/orders/ord_s2_0123456789abcdef", user.auth);
  CHECK(own.status == 404);
  CHECK(own.body["error"]["code"] == "not_found");
  // Admin routes too.
  CHECK(s2.get("/api/v1/admin/orders/ord_s1_0123456789abcdef", s2.admin()).body["error"]["code"] ==
        "order_on_other_shard");

  auto loc = s2.get("/api/v1/cluster/orders/ord_s3_0123456789abcdef/shard");
  REQUIRE(loc.status == 200);
  CHECK(loc.body["shard"] == "s3");
  CHECK(loc.body["local"] == false);
  CHECK(s2.get("/api/v1/cluster/orders/nope/shard").status == 404);

  // A single appliance answers as it always did.
  TestShop single;
  auto u = single.register_user("solo@example.com");
  auto plain = single.get("/api/v1/orders/ord_s9_0123456789abcdef", u.auth);
  CHECK(plain.status == 404);
  CHECK(plain.body["error"]["code"] == "not_found");
  CHECK(plain.header("X-Shopbox-Shard").empty());
}
