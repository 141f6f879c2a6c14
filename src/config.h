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
  int threads = 64;  // worker pool; keep-alive connections each hold one
  int keep_alive_timeout_seconds = 5;
  int keep_alive_max_count = 1000;
  size_t max_body_bytes = 1 << 20;  // 1 MiB
  int read_timeout_seconds = 10;
  int write_timeout_seconds = 10;
  std::string tls_cert;  // both set: serve HTTPS
  std::string tls_key;
  // Addresses of the reverse proxies (HAProxy) whose X-Forwarded-For and
  // X-Forwarded-Proto are believed, comma-separated. Empty (the default):
  // the peer is the client, whatever the headers say (http/api.h).
  std::string trusted_proxies;
  // Bearer token that may read /metrics from anywhere (Prometheus); without
  // it only loopback, a trusted proxy itself and admins may.
  std::string metrics_token;

  // [storage]
  std::string data_dir = "./shopbox-data";
  size_t lmdb_map_size_mb = 4096;
  std::string sqlite_synchronous = "FULL";
  std::string backup_dir;  // where `shopbox backup` without DIR and the admin route write

  // [shop]
  std::string shop_name = "shopbox";
  // The shop's address as shoppers reach it (links in emails, canonical
  // URLs); no trailing slash.
  std::string public_url = "http://localhost:8080";
  std::string currency = "USD";
  std::string warehouse_location = "US-EAST-1";
  // Where the shop is: a cart without an address is priced (shipping and
  // tax estimated) for this destination.
  std::string shop_country = "US";
  std::string shop_state;
  // The pricing of a shop with no shipping zone (pricing.h default_zone);
  // once the merchant defines zones, their methods and rates apply instead.
  int64_t tax_rate_bp = 900;             // 9.00 % in basis points
  Cents free_shipping_threshold = 5000;  // free when (subtotal - discount) > this
  Cents flat_shipping = 599;
  std::string estimated_delivery = "2-3 business days";
  int delivery_days = 3;
  int64_t low_stock_threshold = 10;

  // [catalog]
  int max_options_per_product = 3;     // Shopify's limit; 1..3 (three option columns)
  int max_variants_per_product = 100;  // an admin editor and a product page stay usable

  // [inventory] / [cart]
  int reservation_ttl_seconds = 600;      // 10 minutes
  int cart_ttl_seconds = 30 * 24 * 3600;  // 30 days
  int max_quantity_per_line = 999;
  int sweep_interval_seconds = 30;  // expired reservations and carts; 0: only at start-up

  // [auth]
  int session_ttl_seconds = 14 * 24 * 3600;
  // scrypt cost for new password hashes (N = 2^log_n). Existing hashes keep
  // the cost they were made with. Tests lower it to stay fast.
  int password_scrypt_log_n = 15;
  int password_scrypt_r = 8;
  int password_scrypt_p = 3;
  // Extra origins ("https://shop.example.com", comma-separated) accepted by
  // the CSRF check besides the request's own Host.
  std::string allowed_origins;

  // [rate_limit] per route group: "<per user> <per IP> <global>", each
  // "N/s", "N/min", "N/h", "N/15min" or "off". Signed-in callers use the
  // per-user bucket and the per-IP one; guests the per-IP one.
  int rate_limit_enabled = 1;
  std::string rate_limit_auth = "60/min 1200/min 200/s";
  std::string rate_limit_cart = "120/min 6000/min 2000/s";
  std::string rate_limit_checkout = "20/min 1000/min 200/s";
  std::string rate_limit_search = "120/min 6000/min 2000/s";
  std::string rate_limit_catalog = "600/min 30000/min 5000/s";
  std::string rate_limit_admin = "1200/min 12000/min 2000/s";
  std::string rate_limit_default = "300/min 15000/min 3000/s";  // any other group but "system"
  // Login attempts per email from one client address, and per email from
  // every address together (a higher ceiling): a stranger's wrong guesses
  // use up their own bucket, not the owner's.
  std::string rate_limit_login_per_account = "10/15min";
  std::string rate_limit_login_per_account_total = "100/15min";
  std::string rate_limit_login_per_ip = "100/min";
  int64_t rate_limit_max_buckets = 100000;  // memory bound

  // [payments]
  std::string payment_gateway = "test";
  int gateway_timeout_ms = 3000;
  int gateway_test_latency_ms = 0;    // test gateway: simulated latency per call
  int breaker_failure_threshold = 5;  // consecutive gateway failures that open the breaker
  int breaker_cooldown_ms = 10000;    // how long it stays open before a probe
  // gateway = "stripe" (payments/stripe_gateway.h, docs/payments.md):
  std::string stripe_secret_key;                            // sk_test_... / sk_live_... (or a restricted rk_ key)
  std::string stripe_publishable_key;                       // pk_...: given to the storefront for Stripe.js
  std::string stripe_webhook_secret;                        // whsec_...: checks the Stripe-Signature of webhooks
  std::string stripe_api_base = "https://api.stripe.com";   // tests point it at the local fake
  std::string stripe_js_url = "https://js.stripe.com/v3/";  // the storefront loads Stripe.js from here

  // [email] transactional email over SMTP (src/email/, docs/email.md).
  // Empty smtp_url: no email is sent (events still queue, so mail goes out
  // once it is configured).
  std::string smtp_url;  // smtp://host:25, smtp://host:587 (STARTTLS), smtps://host:465
  std::string smtp_username;
  std::string smtp_password;
  std::string email_from;       // "Shop <shop@example.com>"; empty: no-reply@<public_url host>
  std::string email_reply_to;   // empty: no Reply-To
  int email_max_attempts = 8;   // tries before an email goes to the dead-letter list
  int email_backoff_ms = 2000;  // first retry delay; doubles each try
  // Abandoned-cart reminders (opt-in per shopper): sent this long after a
  // signed-in shopper's cart was last touched; 0: never.
  int abandoned_cart_delay_minutes = 0;

  // [images] uploaded product pictures (src/catalog/product_image.h,
  // docs/images.md): limits checked from the file's header before any
  // pixel is decoded.
  int image_max_upload_mb = 10;    // one file
  int image_max_megapixels = 40;   // width x height
  int image_max_side_px = 12'000;  // either side

  // [checkout] fraud velocity checks (orders in the last hour; 0 = off)
  int max_orders_per_user_hour = 50;
  int max_orders_per_ip_hour = 2000;  // loose: many shoppers share an office/carrier IP
  int max_orders_per_card_hour = 50;
  int idempotency_retention_hours = 24;  // Idempotency-Key records kept at least this long
  // Guest checkout (an email and an address, no account); 0: shoppers must sign in.
  int guest_checkout = 1;
  // The fraud velocity rule for guests: orders per email per hour (0 = off).
  int max_orders_per_email_hour = 20;
  // Readable order numbers start here (the first order is #1001).
  int64_t first_order_number = 1001;

  // [webhooks]
  std::string webhook_urls;       // comma-separated URLs receiving outbox events
  std::string webhook_secret;     // HMAC-SHA256 key for X-Shopbox-Signature
  int webhook_max_attempts = 8;   // tries before a delivery is marked failed
  int webhook_backoff_ms = 1000;  // first retry delay; doubles each try

  // [shard]
  std::string shard_id = "s1";
  std::string catalog_primary_url;  // empty: this shard is the primary
  // Catalog replication and order location (src/cluster/, docs/scale-out.md).
  // Empty token: a single appliance, no cluster routes or replication.
  std::string shard_token;            // shared secret of the shards' change feed
  std::string shard_region;           // this shard's stock location (empty: shop.warehouse_location)
  std::string shard_peers;            // "s1=http://10.0.0.1:8080,s2=..." (names the shard of an order)
  int shard_poll_interval_ms = 1000;  // how often a replica asks the primary for changes

  // [wishlist]
  int wishlist_watch_seconds = 30;  // how often wished products are checked for restocks (0: off)

  // [flash]
  int flash_token_ttl_seconds = 300;  // a flash-sale permission token's lifetime (5 minutes)
  // Flash-sale join/status/checkout: per user, per IP, global (polling
  // every second for a few minutes fits the per-user bucket).
  std::string rate_limit_flash = "300/min 60000/min 5000/s";
};

// Reads `path` (if non-empty) over the defaults, then SHOPBOX_* variables.
// A missing file named explicitly is an error; unknown keys are errors too,
// so a typo in the config never silently does nothing.
Result<Config> load_config(const std::string& path);

// The commented default config file (packaging and `shopbox init` write it).
std::string default_config_toml();

}  // namespace shopbox
