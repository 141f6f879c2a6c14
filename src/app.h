// The composition root: configuration, the databases and every service,
// built once at start-up (App::open) with exactly what each one needs. The
// HTTP layer and the CLI work through it; no module sees it (the build
// refuses: docs/architecture.md).
//
// Dependency direction: cli/, http/, ops/ -> app -> modules (catalog/,
// inventory/, ...) -> storage/, search/ -> base/.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/metrics.h"
#include "base/status.h"
#include "config.h"
#include "storage/lmdb.h"
#include "storage/sqlite.h"

namespace shopbox {

class Catalog;
class Inventory;
class PaymentGateway;
class Sessions;
class Accounts;
class Addresses;
class PaymentMethods;
class Reviews;
class Wishlist;
class Recommendations;
class FlashSales;
namespace http {
class RateLimiter;
}
class Cart;
class Checkout;
class Orders;
class WebhookDispatcher;
class Mailer;  // [email]
class Emails;  // [email]
class ProductSearch;
class Cluster;
class HttpClient;
class Pricing;
class Settings;  // [settings]

struct App {
  Config config;
  std::unique_ptr<Sqlite> db;  // catalog, users, orders (data_dir/shop.db)
  std::unique_ptr<Lmdb> kv;    // inventory, reservations, carts (data_dir/kv/)
  Metrics metrics;
  std::unique_ptr<HttpClient> http;  // outbound HTTP (webhooks, the catalog feed): base/http_client.h

  std::unique_ptr<Inventory> inventory;
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<PaymentGateway> payments;         // the configured gateway behind a circuit breaker
  std::unique_ptr<Sessions> sessions;               // src/users/sessions.h
  std::unique_ptr<Accounts> accounts;               // src/users/accounts.h
  std::unique_ptr<http::RateLimiter> rate_limiter;  // src/http/rate_limit.h
  std::unique_ptr<Addresses> addresses;             // src/users/addresses.h
  std::unique_ptr<PaymentMethods> payment_methods;  // src/users/payment_methods.h
  std::unique_ptr<Settings> settings;  // [settings] src/settings/settings.h: name, logo, policy pages
  std::unique_ptr<Pricing> pricing;                 // src/pricing/pricing_service.h: discounts, shipping, tax
  std::unique_ptr<Cart> cart;
  std::unique_ptr<Orders> orders;
  std::unique_ptr<Checkout> checkout;
  std::unique_ptr<WebhookDispatcher> webhooks;       // outbox delivery thread (started by recover())
  std::unique_ptr<ProductSearch> search;             // Xapian index following the catalog (data_dir/search/)
  std::unique_ptr<Reviews> reviews;                  // src/reviews/reviews.h
  std::unique_ptr<Wishlist> wishlist;                // src/wishlist/wishlist.h
  std::unique_ptr<Recommendations> recommendations;  // src/recommendations/recommendations.h
  std::unique_ptr<FlashSales> flash_sales;           // src/flash/flash_sales.h
  std::unique_ptr<Cluster> cluster;                  // src/cluster/cluster.h: shard identity, catalog replication
  // [email] SMTP (email/mailer.h) and the outbox-driven email service with
  // its sending thread (email/email.h; started by recover()). Last, so it
  // stops first: it reads orders, accounts and carts.
  std::unique_ptr<Mailer> mailer;
  std::unique_ptr<Emails> emails;

  // Opens (creating if needed) the data directory and wires the services.
  static Result<std::unique_ptr<App>> open(const Config& config);
  // Runs start-up recovery (expired reservations, interrupted checkouts...).
  Status recover();
  ~App();

 private:
  App() = default;
  // Background sweeper (expired reservations and carts), started by
  // recover() every Config::sweep_interval_seconds, stopped in ~App.
  void start_sweeper();
  void sweep_once();
  std::thread sweeper_;
  std::mutex sweeper_mu_;
  std::condition_variable sweeper_cv_;
  bool sweeper_stop_ = false;
};

}  // namespace shopbox
