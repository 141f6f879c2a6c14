#include "config.h"

#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <variant>
#include <vector>

#include "base/text.h"
#include "config_file.h"

namespace shopbox {
namespace {

// One row per setting: where it lives in the file, its SHOPBOX_* variable,
// and the field it fills. Adding a setting means adding one row here.
struct Setting {
  const char* section;
  const char* key;
  std::variant<std::string Config::*, int Config::*, int64_t Config::*, size_t Config::*> field;
  const char* help;
};

const std::vector<Setting>& settings() {
  static const std::vector<Setting> rows = {
      {"server", "listen", &Config::listen, "address to listen on"},
      {"server", "port", &Config::port, "TCP port"},
      {"server", "threads", &Config::threads, "worker threads (each keep-alive connection holds one)"},
      {"server", "keep_alive_timeout_seconds", &Config::keep_alive_timeout_seconds, "idle keep-alive timeout"},
      {"server", "keep_alive_max_count", &Config::keep_alive_max_count, "requests per keep-alive connection"},
      {"server", "max_body_bytes", &Config::max_body_bytes, "largest request body (413 above)"},
      {"server", "read_timeout_seconds", &Config::read_timeout_seconds, "socket read timeout"},
      {"server", "write_timeout_seconds", &Config::write_timeout_seconds, "socket write timeout"},
      {"server", "tls_cert", &Config::tls_cert, "PEM certificate; with tls_key serves HTTPS"},
      {"server", "tls_key", &Config::tls_key, "PEM private key"},
      {"server", "trusted_proxies", &Config::trusted_proxies,
       "proxy addresses whose X-Forwarded-For/-Proto are believed (comma-separated; empty: none)"},
      {"server", "metrics_token", &Config::metrics_token,
       "bearer token for /metrics from other hosts (without it: loopback, trusted proxies, admins)"},
      {"storage", "data_dir", &Config::data_dir, "where SQLite, LMDB and the search index live"},
      {"storage", "lmdb_map_size_mb", &Config::lmdb_map_size_mb, "LMDB map size (upper bound, sparse)"},
      {"storage", "sqlite_synchronous", &Config::sqlite_synchronous, "FULL (durable) or NORMAL"},
      {"storage", "backup_dir", &Config::backup_dir,
       "default directory for `shopbox backup` and POST /api/v1/admin/backup"},
      {"shop", "name", &Config::shop_name, "shop name shown in the storefront"},
      {"shop", "currency", &Config::currency, "ISO currency code"},
      {"shop", "warehouse_location", &Config::warehouse_location, "this shard's stock location"},
      {"shop", "country", &Config::shop_country,
       "the shop's country (ISO 3166-1 alpha-2): carts without an address are priced for it"},
      {"shop", "state", &Config::shop_state,
       "the shop's state or region (ISO 3166-2 without the country), may be empty"},
      {"shop", "tax_rate_bp", &Config::tax_rate_bp,
       "tax in basis points (900 = 9 %) while no shipping zone is defined (then zones hold the rates)"},
      {"shop", "free_shipping_threshold_cents", &Config::free_shipping_threshold,
       "free shipping above this while no shipping zone is defined"},
      {"shop", "flat_shipping_cents", &Config::flat_shipping,
       "shipping below the threshold while no shipping zone is defined"},
      {"shop", "estimated_delivery", &Config::estimated_delivery,
       "unused: product pages show the delivery days of the cheapest shipping method (kept so old files load)"},
      {"shop", "delivery_days", &Config::delivery_days, "days added for an order's estimated delivery"},
      {"shop", "public_url", &Config::public_url, "the shop's public address, for links in emails (no trailing /)"},
      {"shop", "low_stock_threshold", &Config::low_stock_threshold, "default low-stock alert level"},
      {"catalog", "max_options_per_product", &Config::max_options_per_product,
       "options a product may have (1..3: Size, Color, Material)"},
      {"catalog", "max_variants_per_product", &Config::max_variants_per_product,
       "variants a product may have (1..1000)"},
      {"inventory", "reservation_ttl_seconds", &Config::reservation_ttl_seconds, "checkout reservation lifetime"},
      {"inventory", "sweep_interval_seconds", &Config::sweep_interval_seconds,
       "how often expired reservations and carts are swept (0: start-up only)"},
      {"cart", "ttl_seconds", &Config::cart_ttl_seconds, "cart lifetime, renewed on activity"},
      {"cart", "max_quantity_per_line", &Config::max_quantity_per_line, "largest quantity of one product"},
      {"auth", "session_ttl_seconds", &Config::session_ttl_seconds, "session lifetime"},
      {"auth", "password_scrypt_log_n", &Config::password_scrypt_log_n,
       "scrypt cost of new password hashes: N = 2^log_n"},
      {"auth", "password_scrypt_r", &Config::password_scrypt_r, "scrypt block size r"},
      {"auth", "password_scrypt_p", &Config::password_scrypt_p, "scrypt parallelism p"},
      {"auth", "allowed_origins", &Config::allowed_origins, "extra origins the CSRF check accepts (comma-separated)"},
      {"wishlist", "watch_seconds", &Config::wishlist_watch_seconds,
       "how often wished items are checked for restocks and price drops (0: off)"},
      {"flash", "token_ttl_seconds", &Config::flash_token_ttl_seconds, "flash-sale permission token lifetime"},
      {"rate_limit", "flash", &Config::rate_limit_flash,
       "flash-sale join, status and checkout: per user, per IP, global"},
      {"rate_limit", "enabled", &Config::rate_limit_enabled, "1: enforce rate limits, 0: off"},
      {"rate_limit", "auth", &Config::rate_limit_auth, "login, register, account: per user, per IP, global"},
      {"rate_limit", "cart", &Config::rate_limit_cart, "cart routes: per user, per IP, global"},
      {"rate_limit", "checkout", &Config::rate_limit_checkout, "checkout and orders: per user, per IP, global"},
      {"rate_limit", "search", &Config::rate_limit_search, "search routes: per user, per IP, global"},
      {"rate_limit", "catalog", &Config::rate_limit_catalog, "catalog browsing: per user, per IP, global"},
      {"rate_limit", "admin", &Config::rate_limit_admin, "admin API: per caller, per IP, global"},
      {"rate_limit", "default", &Config::rate_limit_default, "every other route group except system"},
      {"rate_limit", "login_per_account", &Config::rate_limit_login_per_account,
       "login attempts per email from one client address"},
      {"rate_limit", "login_per_account_total", &Config::rate_limit_login_per_account_total,
       "login attempts per email from all addresses together"},
      {"rate_limit", "login_per_ip", &Config::rate_limit_login_per_ip, "login attempts per client IP"},
      {"rate_limit", "max_buckets", &Config::rate_limit_max_buckets, "most client buckets kept in memory"},
      {"payments", "gateway", &Config::payment_gateway, "payment gateway: test or stripe"},
      {"payments", "stripe_secret_key", &Config::stripe_secret_key, "Stripe secret key (sk_...)"},
      {"payments", "stripe_publishable_key", &Config::stripe_publishable_key,
       "Stripe publishable key (pk_...), given to Stripe.js in the storefront"},
      {"payments", "stripe_webhook_secret", &Config::stripe_webhook_secret,
       "Stripe webhook signing secret (whsec_...)"},
      {"payments", "stripe_api_base", &Config::stripe_api_base, "Stripe API base URL (tests: the local fake)"},
      {"payments", "stripe_js_url", &Config::stripe_js_url, "where the storefront loads Stripe.js from"},
      {"payments", "gateway_timeout_ms", &Config::gateway_timeout_ms, "gateway call timeout"},
      {"payments", "test_latency_ms", &Config::gateway_test_latency_ms,
       "test gateway: simulated latency per call (>= timeout: times out)"},
      {"payments", "breaker_failure_threshold", &Config::breaker_failure_threshold,
       "consecutive gateway failures that open the circuit breaker"},
      {"payments", "breaker_cooldown_ms", &Config::breaker_cooldown_ms,
       "circuit breaker open time before a half-open probe"},
      {"email", "smtp_url", &Config::smtp_url, "SMTP server: smtp://host:587 or smtps://host:465; empty: no mail"},
      {"email", "smtp_username", &Config::smtp_username, "SMTP user (empty: no AUTH)"},
      {"email", "smtp_password", &Config::smtp_password, "SMTP password"},
      {"email", "from", &Config::email_from, "From address of the shop's email"},
      {"email", "reply_to", &Config::email_reply_to, "Reply-To address (empty: none)"},
      {"email", "max_attempts", &Config::email_max_attempts, "send tries before an email is dead-lettered"},
      {"email", "backoff_ms", &Config::email_backoff_ms, "first retry delay in ms; doubles each try"},
      {"email", "abandoned_cart_delay_minutes", &Config::abandoned_cart_delay_minutes,
       "remind opted-in shoppers of a cart untouched this long (0: off)"},
      {"images", "max_upload_mb", &Config::image_max_upload_mb, "largest picture file one upload may be (MB)"},
      {"images", "max_megapixels", &Config::image_max_megapixels,
       "largest picture in pixels (width x height, in millions), read from the header before decoding"},
      {"images", "max_side_px", &Config::image_max_side_px, "longest side of a picture in pixels"},
      {"checkout", "max_orders_per_user_hour", &Config::max_orders_per_user_hour,
       "fraud velocity: orders per user per hour (0 = off)"},
      {"checkout", "max_orders_per_ip_hour", &Config::max_orders_per_ip_hour,
       "fraud velocity: orders per client IP per hour (0 = off)"},
      {"checkout", "max_orders_per_card_hour", &Config::max_orders_per_card_hour,
       "fraud velocity: orders per card per hour (0 = off)"},
      {"checkout", "idempotency_retention_hours", &Config::idempotency_retention_hours,
       "Idempotency-Key records are kept at least this long"},
      {"checkout", "guest_checkout", &Config::guest_checkout, "1: guests check out with an email; 0: sign-in required"},
      {"checkout", "max_orders_per_email_hour", &Config::max_orders_per_email_hour,
       "fraud velocity: orders per guest email per hour (0 = off)"},
      {"checkout", "first_order_number", &Config::first_order_number, "the first readable order number"},
      {"webhooks", "urls", &Config::webhook_urls, "comma-separated URLs that receive outbox events"},
      {"webhooks", "secret", &Config::webhook_secret, "HMAC-SHA256 key of the X-Shopbox-Signature header"},
      {"webhooks", "max_attempts", &Config::webhook_max_attempts, "delivery tries before giving up (>= 5)"},
      {"webhooks", "backoff_ms", &Config::webhook_backoff_ms, "first retry delay in ms; doubles each try"},
      {"shard", "id", &Config::shard_id, "this shard's id (appears in order ids)"},
      {"shard", "catalog_primary_url", &Config::catalog_primary_url, "empty on the catalog primary"},
      {"shard", "token", &Config::shard_token,
       "shared secret of the catalog change feed; empty: single appliance, no cluster"},
      {"shard", "region", &Config::shard_region,
       "this shard's stock location / region (empty: shop.warehouse_location)"},
      {"shard", "peers", &Config::shard_peers,
       "other shards, \"s2=http://host:port,s3=...\", to name where an order lives"},
      {"shard", "poll_interval_ms", &Config::shard_poll_interval_ms,
       "how often a replica pulls catalog changes from the primary"},
  };
  return rows;
}

std::string env_name(const Setting& s) {
  std::string n = std::string("SHOPBOX_") + s.section + "_" + s.key;
  return ascii_upper(n);
}

Status assign_text(Config& cfg, const Setting& s, const std::string& text, const std::string& origin) {
  return std::visit(
      [&](auto member) -> Status {
        using T = std::remove_reference_t<decltype(cfg.*member)>;
        if constexpr (std::is_same_v<T, std::string>) {
          cfg.*member = text;
        } else {
          char* end = nullptr;
          errno = 0;
          long long v = std::strtoll(text.c_str(), &end, 10);
          if (text.empty() || *end != '\0' || errno != 0 || v < 0)
            return Status::Invalid(origin + ": expected a non-negative integer, got '" + text + "'");
          cfg.*member = static_cast<T>(v);
        }
        return Status::Ok();
      },
      s.field);
}

Status validate(const Config& c) {
  if (c.port < 0 || c.port > 65535) return Status::Invalid("server.port must be 0..65535");
  if (c.threads < 1 || c.threads > 1024) return Status::Invalid("server.threads must be 1..1024");
  if (!valid_currency(c.currency)) return Status::Invalid("shop.currency must be a 3-letter ISO code");
  if (c.tax_rate_bp > 10000) return Status::Invalid("shop.tax_rate_bp must be 0..10000");
  if (c.sqlite_synchronous != "FULL" && c.sqlite_synchronous != "NORMAL" && c.sqlite_synchronous != "EXTRA")
    return Status::Invalid("storage.sqlite_synchronous must be FULL, NORMAL or EXTRA");
  if (c.tls_cert.empty() != c.tls_key.empty()) return Status::Invalid("server.tls_cert and tls_key go together");
  if (c.reservation_ttl_seconds < 1) return Status::Invalid("inventory.reservation_ttl_seconds must be >= 1");
  if (c.session_ttl_seconds < 60) return Status::Invalid("auth.session_ttl_seconds must be >= 60");
  if (c.password_scrypt_log_n < 1 || c.password_scrypt_log_n > 20 || c.password_scrypt_r < 1 ||
      c.password_scrypt_r > 32 || c.password_scrypt_p < 1 || c.password_scrypt_p > 16)
    return Status::Invalid("auth.password_scrypt_*: log_n 1..20, r 1..32, p 1..16");
  if (c.rate_limit_max_buckets < 100) return Status::Invalid("rate_limit.max_buckets must be >= 100");
  if (c.max_options_per_product < 1 || c.max_options_per_product > 3)
    return Status::Invalid("catalog.max_options_per_product must be 1..3");
  if (c.max_variants_per_product < 1 || c.max_variants_per_product > 1000)
    return Status::Invalid("catalog.max_variants_per_product must be 1..1000");
  if (c.max_quantity_per_line < 1) return Status::Invalid("cart.max_quantity_per_line must be >= 1");
  if (c.cart_ttl_seconds < 60) return Status::Invalid("cart.ttl_seconds must be >= 60");
  // An empty key would sign every webhook with a key anyone can guess:
  // receivers could not tell the shop's events from forged ones.
  if (!c.webhook_urls.empty() && c.webhook_secret.size() < 16)
    return Status::Invalid(
        "webhooks.urls is set, so webhooks.secret must be set too (at least 16 characters): receivers check the "
        "X-Shopbox-Signature with it");
  if (!c.metrics_token.empty() && c.metrics_token.size() < 16)
    return Status::Invalid("server.metrics_token must be at least 16 characters");
  if (c.payment_gateway != "test" && c.payment_gateway != "stripe")
    return Status::Invalid("payments.gateway must be test or stripe");
  if (c.payment_gateway == "stripe" &&
      (c.stripe_secret_key.empty() || c.stripe_publishable_key.empty() || c.stripe_webhook_secret.empty()))
    return Status::Invalid(
        "payments.gateway = stripe needs stripe_secret_key, stripe_publishable_key and stripe_webhook_secret");
  if (c.public_url.rfind("http://", 0) != 0 && c.public_url.rfind("https://", 0) != 0)
    return Status::Invalid("shop.public_url must start with http:// or https://");
  // Upper bounds: a decoded picture is width x height x 4 bytes in memory.
  if (c.image_max_upload_mb < 1 || c.image_max_upload_mb > 100)
    return Status::Invalid("images.max_upload_mb must be 1..100");
  if (c.image_max_megapixels < 1 || c.image_max_megapixels > 250)
    return Status::Invalid("images.max_megapixels must be 1..250");
  if (c.image_max_side_px < 320 || c.image_max_side_px > 65'000)
    return Status::Invalid("images.max_side_px must be 320..65000");
  if (c.email_max_attempts < 1) return Status::Invalid("email.max_attempts must be >= 1");
  if (c.webhook_max_attempts < 5) return Status::Invalid("webhooks.max_attempts must be >= 5");
  if (c.idempotency_retention_hours < 24) return Status::Invalid("checkout.idempotency_retention_hours must be >= 24");
  if (c.shard_id.empty() || c.shard_id.size() > 32 ||
      c.shard_id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") !=
          std::string::npos)
    return Status::Invalid("shard.id must be 1..32 characters of A-Z, a-z, 0-9 and '-' (it appears in order ids)");
  if (!c.catalog_primary_url.empty() && c.shard_token.empty())
    return Status::Invalid("shard.catalog_primary_url needs shard.token (the primary's change feed is authenticated)");
  if (!c.shard_token.empty() && c.shard_token.size() < 16)
    return Status::Invalid("shard.token must be at least 16 characters");
  if (c.shard_poll_interval_ms < 50 || c.shard_poll_interval_ms > 600000)
    return Status::Invalid("shard.poll_interval_ms must be 50..600000");
  return Status::Ok();
}

}  // namespace

static Status apply_config_toml(Config& cfg, std::string_view text, const std::string& origin) {
  toml::table tbl;
  try {
    tbl = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << origin << ":" << e.source().begin.line << ": " << e.description();
    return Status::Invalid(msg.str());
  }
  for (auto&& [section, node] : tbl) {
    auto* sec = node.as_table();
    if (!sec)
      return Status::Invalid(origin + ": top-level key '" + std::string(section.str()) + "' must be a [section]");
    for (auto&& [key, value] : *sec) {
      const Setting* found = nullptr;
      for (const auto& s : settings())
        if (section.str() == s.section && key.str() == s.key) found = &s;
      std::string where = origin + ": " + std::string(section.str()) + "." + std::string(key.str());
      if (!found) return Status::Invalid(where + " is not a known setting");
      std::string text_value;
      // Check the type before reading: toml++'s value<int64_t>() converts a
      // float such as 4e96 with undefined behaviour (a fuzz finding).
      if (value.is_string())
        text_value = value.as_string()->get();
      else if (value.is_integer())
        text_value = std::to_string(value.as_integer()->get());
      else
        return Status::Invalid(where + " has the wrong type");
      if (auto st = assign_text(cfg, *found, text_value, where); !st.ok()) return st;
    }
  }
  return Status::Ok();
}

Result<Config> parse_config_toml(std::string_view text, const std::string& origin) {
  Config cfg;
  if (auto st = apply_config_toml(cfg, text, origin); !st.ok()) return st;
  if (auto st = validate(cfg); !st.ok()) return st;
  return cfg;
}

Result<Config> load_config(const std::string& path) {
  Config cfg;
  if (!path.empty()) {
    if (!std::filesystem::exists(path)) return Status::Invalid("config file not found: " + path);
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::Invalid("cannot read config file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    if (auto st = apply_config_toml(cfg, text.str(), path); !st.ok()) return st;
  }
  for (const auto& s : settings()) {
    std::string name = env_name(s);
    if (const char* v = std::getenv(name.c_str())) {
      if (auto st = assign_text(cfg, s, v, name); !st.ok()) return st;
    }
  }
  if (const char* d = std::getenv("SHOPBOX_DATA_DIR")) cfg.data_dir = d;
  if (const char* p = std::getenv("SHOPBOX_PORT")) {
    if (auto st = assign_text(cfg, settings()[1], p, "SHOPBOX_PORT"); !st.ok()) return st;
  }
  if (auto st = validate(cfg); !st.ok()) return st;
  return cfg;
}

// Shipping zones, tax rates and discounts live in the shop's database (the
// admin edits them); the config only prices a shop that has none. The
// commented file shows what to create, with rates that are examples only.
static const char* kPricingExamples = R"(
# ---- Shipping zones, tax rates and discounts ----
# These are not set here: create them in the admin (/admin/shipping,
# /admin/tax, /admin/discounts) or with the API (docs/pricing.md). Until a
# zone exists, every address is served by one zone built from [shop] above
# (tax_rate_bp, flat_shipping_cents, free_shipping_threshold_cents).
# Tax rates are the merchant's responsibility: the examples below are
# illustrations, not tax advice. POST /api/v1/admin/shipping-zones with:
#
#   US states with a sales tax (the state's rate; books at a reduced rate):
#   {"name": "Washington", "regions": [{"country": "US", "state": "WA"}],
#    "tax_rates": [{"name": "WA sales tax", "rate_bp": 650}], "tax_shipping": true,
#    "methods": [{"id": "wa-standard", "name": "Standard", "type": "free_over",
#                 "price": 5.99, "free_over": 50, "min_days": 3, "max_days": 5}]}
#
#   US states without sales tax:
#   {"name": "No sales tax", "regions": [{"country": "US", "state": "OR"},
#    {"country": "US", "state": "MT"}, {"country": "US", "state": "NH"},
#    {"country": "US", "state": "DE"}], "tax_rates": [],
#    "methods": [{"id": "notax-ground", "name": "Ground", "type": "weight",
#                 "tiers": [{"up_to_grams": 1000, "price": 4.99},
#                           {"up_to_grams": 5000, "price": 8.99}],
#                 "min_days": 4, "max_days": 7}]}
#
#   An EU zone whose prices include VAT:
#   {"name": "European Union", "regions": [{"country": "DE"}, {"country": "FR"}],
#    "prices_include_tax": true, "tax_shipping": true,
#    "tax_rates": [{"name": "VAT", "rate_bp": 2000}],
#    "methods": [{"id": "eu-standard", "name": "Standard", "type": "flat",
#                 "price": 14.99, "min_days": 5, "max_days": 10}]}
#
#   Everywhere else: {"name": "Rest of the world", "regions": [{"country": "*"}], ...}
)";

std::string default_config_toml() {
  Config defaults;
  std::ostringstream out;
  out << "# shopbox configuration. Every setting can also be given as an environment\n"
         "# variable SHOPBOX_<SECTION>_<KEY> (e.g. SHOPBOX_SERVER_PORT) or a flag.\n";
  std::string current;
  for (const auto& s : settings()) {
    if (current != s.section) {
      current = s.section;
      out << "\n[" << current << "]\n";
    }
    out << "# " << s.help << "\n# " << s.key << " = ";
    std::visit(
        [&](auto member) {
          using T = std::remove_reference_t<decltype(defaults.*member)>;
          if constexpr (std::is_same_v<T, std::string>)
            out << '"' << defaults.*member << '"';
          else
            out << defaults.*member;
        },
        s.field);
    out << "\n";
  }
  out << kPricingExamples;
  return out.str();
}

}  // namespace shopbox
