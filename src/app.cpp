#include "app.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/http_client.h"
#include "cart/cart.h"
#include "catalog/catalog.h"
#include "catalog/product_search.h"
#include "checkout/checkout.h"
#include "cluster/cluster.h"
#include "email/email.h"  // [email]
#include "events/outbox.h"
#include "flash/flash_sales.h"
#include "http/rate_limit.h"
#include "inventory/inventory.h"
#include "orders/order_json.h"
#include "orders/orders.h"
#include "payments/circuit_breaker.h"
#include "payments/stripe_gateway.h"
#include "payments/test_gateway.h"
#include "pricing/pricing_service.h"
#include "recommendations/recommendations.h"
#include "reviews/reviews.h"
#include "schema.h"
#include "settings/settings.h"  // [settings]
#include "users/accounts.h"
#include "users/addresses.h"
#include "users/payment_methods.h"
#include "users/sessions.h"
#include "wishlist/wishlist.h"

namespace shopbox {
namespace {

// The data dir holds orders, addresses and password hashes: 0750, and the
// SQLite files 0640, whatever the umask (main() also sets umask 027 for
// everything else). SQLite gives its -wal and -shm files the mode of the
// database file, so creating shop.db 0640 before SQLite does covers them;
// chmod also tightens files an older version left 0644. Best effort: a
// read-only data dir is reported by the writability check below.
void restrict_data_dir(const std::string& dir) {
  ::chmod(dir.c_str(), 0750);
  std::string db = dir + "/shop.db";
  int fd = ::open(db.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd >= 0) ::close(fd);
  for (const char* suffix : {"", "-wal", "-shm"}) ::chmod((db + suffix).c_str(), 0640);
}

}  // namespace

Result<std::unique_ptr<App>> App::open(const Config& config) {
  std::unique_ptr<App> app(new App());
  app->config = config;
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Status::Invalid("cannot create data dir " + config.data_dir + ": " + ec.message());
  restrict_data_dir(config.data_dir);
  // SQLite would only say "unable to open database file" (or open read-only
  // and fail later): name the cause. A read-only data dir (EROFS, or no
  // write permission) stops start-up with this message.
  if (::access(config.data_dir.c_str(), W_OK) != 0) {
    int err = errno;
    return Status(Kind::unavailable, err == EROFS ? "storage_read_only" : "storage_unavailable",
                  "cannot write to data dir " + config.data_dir + ": " + std::strerror(err) +
                      (err == EROFS ? " (the filesystem is mounted read-only)" : "") +
                      "; shopbox needs a writable data dir");
  }

  auto db = Sqlite::open(config.data_dir + "/shop.db", all_migrations(), config.sqlite_synchronous);
  if (!db.ok()) return db.status();
  app->db = std::move(db.value());

  std::vector<std::string> kv_dbs = kInventoryDbs;
  kv_dbs.insert(kv_dbs.end(), kCartDbs.begin(), kCartDbs.end());
  kv_dbs.insert(kv_dbs.end(), kFlashDbs.begin(), kFlashDbs.end());
  auto kv = Lmdb::open(config.data_dir + "/kv", config.lmdb_map_size_mb * 1024 * 1024, kv_dbs);
  if (!kv.ok()) return kv.status();
  app->kv = std::move(kv.value());

  app->http = make_http_client();
  // A cluster's shards each number their own orders: say which one ("S2-1001").
  show_shard_in_order_numbers(!app->config.shard_token.empty());
  app->inventory = std::make_unique<Inventory>(*app->kv, app->config);
  app->catalog = std::make_unique<Catalog>(*app->db, *app->inventory, app->config);
  auto search = ProductSearch::open(*app->db, *app->inventory, *app->catalog, config.data_dir);
  if (!search.ok()) return search.status();
  app->search = std::move(search.value());
  // The configured gateway (config.cpp allows test and stripe), behind the
  // circuit breaker either way.
  std::unique_ptr<PaymentGateway> gateway;
  if (app->config.payment_gateway == "stripe")
    gateway = make_stripe_gateway(*app->db, *app->http, app->config);
  else
    gateway =
        std::make_unique<TestGateway>(*app->db, app->config.gateway_test_latency_ms, app->config.gateway_timeout_ms);
  app->payments = std::make_unique<BreakerGateway>(std::move(gateway), app->config.breaker_failure_threshold,
                                                   app->config.breaker_cooldown_ms);
  app->sessions = std::make_unique<Sessions>(*app->db, app->config);
  app->accounts = std::make_unique<Accounts>(*app->db, *app->sessions, app->config);
  auto limiter = http::RateLimiter::create(app->config);
  if (!limiter.ok()) return limiter.status();
  app->rate_limiter = std::move(limiter.value());
  app->addresses = std::make_unique<Addresses>(*app->db);
  app->settings = std::make_unique<Settings>(*app->db, app->config);  // [settings]
  app->payment_methods = std::make_unique<PaymentMethods>(*app->db, *app->payments);
  // First-order discounts ask the orders whether the customer bought before.
  App* self = app.get();
  auto has_ordered = [self](int64_t user_id) {
    auto placed = self->orders->count_placed_since("user_id", std::to_string(user_id), 0);
    return placed.ok() && *placed > 0;
  };
  app->pricing = std::make_unique<Pricing>(*app->db, app->config, has_ordered);
  app->cart = std::make_unique<Cart>(*app->kv, *app->catalog, *app->inventory, *app->pricing, app->config);
  app->orders = std::make_unique<Orders>(*app->db, *app->inventory, *app->payments, app->config);
  app->checkout = std::make_unique<Checkout>(
      Checkout::Dependencies{*app->db, *app->inventory, *app->catalog, *app->cart, *app->payments, *app->orders,
                             *app->addresses, *app->payment_methods, *app->pricing, app->config});
  app->webhooks = std::make_unique<WebhookDispatcher>(*app->db, *app->http, app->config);
  app->mailer = std::make_unique<SmtpMailer>(app->config);  // [email]
  app->emails = std::make_unique<Emails>(
      Emails::Dependencies{*app->db, *app->mailer, *app->orders, *app->accounts, *app->cart, app->config});  // [email]
  // [settings] Emails carry the merchant's name, logo and contact footer.
  app->emails->set_shop_identity([self] {
    auto s = self->settings->current();
    return ShopIdentity{s->name, s->logo_url, s->contact_email, s->postal_address};
  });
  app->reviews = std::make_unique<Reviews>(*app->db, *app->catalog);
  app->wishlist = std::make_unique<Wishlist>(*app->db, *app->catalog, app->config);
  app->recommendations = std::make_unique<Recommendations>(*app->db, *app->catalog);
  app->flash_sales = std::make_unique<FlashSales>(
      FlashSales::Dependencies{*app->db, *app->kv, *app->catalog, *app->inventory, *app->payments, *app->addresses,
                               *app->payment_methods, *app->pricing, app->config});
  auto cluster = Cluster::open(*app->db, *app->catalog, app->metrics, *app->http, app->config);
  if (!cluster.ok()) return cluster.status();
  app->cluster = std::move(cluster.value());
  return app;
}

Status App::recover() {
  sessions->sweep();  // expired and revoked sessions older than a day
  // Interrupted checkouts first (before any sweeper expires their
  // reservations), then interrupted refunds.
  auto rep = checkout->recover();
  int refunds = orders->recover();
  if (rep.finished + rep.compensated + refunds > 0)
    std::fprintf(stderr, "recovery: %d checkouts finished, %d compensated, %d refunds completed\n", rep.finished,
                 rep.compensated, refunds);
  checkout->purge_idempotency();
  // Stock held by reservations that expired while the shop was down goes
  // back before the first request is served.
  sweep_once();
  start_sweeper();
  webhooks->start();
  emails->start();                                            // [email]
  search->start();                                            // writer thread; reconciles the index with SQLite
  wishlist->start_watcher();                                  // restock / price-drop notifications
  recommendations->start();                                   // recently-viewed flushes, order co-occurrence catch-up
  cluster->start();                                           // replicas: pull the catalog primary's change feed
  if (auto st = flash_sales->recover(); !st.ok()) return st;  // interrupted flash-sale checkouts
  return Status::Ok();
}

void App::sweep_once() {
  // Stale checkouts first: their compensation releases reservations that
  // the expiry pass would otherwise return without settling the charge.
  if (checkout) checkout->recover_stale(Checkout::kStaleAttemptSeconds);
  // Payments still waiting for the shopper (3-D Secure) are settled before
  // their reservations lapse.
  if (checkout) checkout->settle_stale_payments();
  if (inventory) inventory->sweep_expired();
  if (cart) cart->sweep_expired();
}

void App::start_sweeper() {
  if (sweeper_.joinable() || config.sweep_interval_seconds <= 0) return;
  sweeper_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(sweeper_mu_);
    while (!sweeper_stop_) {
      sweeper_cv_.wait_for(lock, std::chrono::seconds(config.sweep_interval_seconds));
      if (sweeper_stop_) break;
      lock.unlock();
      sweep_once();
      lock.lock();
    }
  });
}

App::~App() {
  {
    std::lock_guard<std::mutex> lock(sweeper_mu_);
    sweeper_stop_ = true;
  }
  sweeper_cv_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
  if (emails) emails->stop();  // [email] before the services it reads go
}

}  // namespace shopbox
