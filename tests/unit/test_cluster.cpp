// Shard identity pieces that need no server: decoding the shard from an
// order id, and the [shard] settings' validation.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "cluster/cluster.h"
#include "config.h"

using namespace shopbox;

TEST_CASE("an order id names its shard", "[unit][cluster]") {
  CHECK(order_shard("ord_s1_0123456789abcdef") == std::optional<std::string>("s1"));
  CHECK(order_shard(new_order_id("eu-2")) == std::optional<std::string>("eu-2"));
  CHECK(new_order_id("s1") != new_order_id("s1"));
  CHECK(order_shard("ord_eu-west-2_ff") == std::optional<std::string>("eu-west-2"));
  CHECK_FALSE(order_shard("ord_").has_value());
  CHECK_FALSE(order_shard("ord_abc").has_value());
  CHECK_FALSE(order_shard("order_s1_abc").has_value());
  CHECK_FALSE(order_shard("").has_value());
}

TEST_CASE("shard settings are validated", "[unit][cluster]") {
  auto with_env = [](const char* name, const char* value) {
    setenv(name, value, 1);
    auto r = load_config("");
    unsetenv(name);
    return r;
  };
  CHECK(load_config("").ok());                            // a single appliance: no token, no primary URL
  CHECK_FALSE(with_env("SHOPBOX_SHARD_ID", "s_1").ok());  // '_' would make order ids ambiguous
  CHECK_FALSE(with_env("SHOPBOX_SHARD_ID", "").ok());
  CHECK_FALSE(with_env("SHOPBOX_SHARD_TOKEN", "short").ok());
  // A replica without the token could not read the primary's feed.
  CHECK_FALSE(with_env("SHOPBOX_SHARD_CATALOG_PRIMARY_URL", "http://10.0.0.1:8080").ok());
  CHECK_FALSE(with_env("SHOPBOX_SHARD_POLL_INTERVAL_MS", "10").ok());
  auto ok = with_env("SHOPBOX_SHARD_TOKEN", "0123456789abcdef0123");
  REQUIRE(ok.ok());
  CHECK(ok->shard_token == "0123456789abcdef0123");
}
