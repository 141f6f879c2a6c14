// Configuration: built-in defaults < config file (TOML) < environment
// (SHOPBOX_*) < command-line flags. Every business rule that a merchant
// may want to change (tax, shipping, TTLs, limits) lives here, once.
#pragma once

#include <cstdint>
#include <string>

#include "base/money.h"
#include "base/status.h"

namespace shopbox {

struct Config {
  // [server]
  std::string listen = "127.0.0.1";
  int port = 8080;
  int threads = 64;                   // worker pool; keep-alive connections each hold one
  int keep_alive_timeout_seconds = 5;
  int keep_alive_max_count = 1000;
  size_t max_body_bytes = 1 << 20;    // 1 MiB
  int read_timeout_seconds = 10;
  int write_timeout_seconds = 10;
  std::string tls_cert;               // both set: serve HTTPS
  std::string tls_key;

  // [storage]
  std::string data_dir = "./shopbox-data";
  size_t lmdb_map_size_mb = 4096;
  std::string sqlite_synchronous = "FULL";

  // [shop]
  std::string shop_name = "shopbox";
  std::string currency = "USD";
  std::string warehouse_location = "US-EAST-1";
  int64_t tax_rate_bp = 900;                 // 9.00 % in basis points
  Cents free_shipping_threshold = 5000;      // free when (subtotal - discount) > this
  Cents flat_shipping = 599;
  std::string estimated_delivery = "2-3 business days";
  int delivery_days = 3;
  int64_t low_stock_threshold = 10;

  // [inventory] / [cart]
  int reservation_ttl_seconds = 600;         // 10 minutes
  int cart_ttl_seconds = 30 * 24 * 3600;     // 30 days
  int max_quantity_per_line = 999;

  // [auth]
  int session_ttl_seconds = 14 * 24 * 3600;

  // [payments]
  std::string payment_gateway = "test";
  int gateway_timeout_ms = 3000;
  int gateway_test_latency_ms = 0;           // test gateway: simulated latency per call
  int breaker_failure_threshold = 5;         // consecutive gateway failures that open the breaker
  int breaker_cooldown_ms = 10000;           // how long it stays open before a probe

  // [shard]
  std::string shard_id = "s1";
  std::string catalog_primary_url;           // empty: this shard is the primary
};

// Reads `path` (if non-empty) over the defaults, then SHOPBOX_* variables.
// A missing file named explicitly is an error; unknown keys are errors too,
// so a typo in the config never silently does nothing.
Result<Config> load_config(const std::string& path);

// The commented default config file (packaging and `shopbox init` write it).
std::string default_config_toml();

}  // namespace shopbox
