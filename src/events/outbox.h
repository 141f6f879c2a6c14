// Outbox and webhooks.
//
// outbox::append() writes an event row inside the caller's SQLite
// transaction, so an event exists exactly when the change it describes was
// committed (order.created, order.paid, order.shipped, order.cancelled,
// refund.created, inventory.low, ...).
//
// WebhookDispatcher runs one background thread: it fans each new event out
// to every configured URL (Config::webhook_urls, comma-separated) as a
// delivery row, and POSTs due deliveries with
//   X-Shopbox-Event: <type>, X-Shopbox-Delivery: <id>,
//   X-Shopbox-Signature: sha256=<hex HMAC-SHA256(secret, body)>
// A 2xx answer is delivered; anything else is retried with exponential
// backoff (base * 2^(attempt-1)) until Config::webhook_max_attempts (>= 5),
// then failed. The delivery log is GET /api/v1/admin/webhooks/deliveries.
// Private events (outbox::is_private) are never fanned out to webhooks.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <thread>
#include <vector>

#include "config.h"
#include "storage/sqlite.h"

namespace shopbox {

class HttpClient;

// The outbox's tables (migrations 500-599, src/events/schema.cpp).
const std::vector<Migration>& outbox_migrations();

namespace outbox {
// Appends an event in the caller's transaction; returns its id.
int64_t append(Connection& c, const std::string& type, const nlohmann::json& data);
// The JSON body posted for an event.
std::string event_body(int64_t event_id, const std::string& type, const std::string& payload, int64_t created_at);

// ---- for other consumers of the outbox (src/email/) ----
// Private events carry a secret meant for one person (a sign-in token, a
// lookup code: "account.*", "order.lookup_code"); they are never posted to
// merchant webhooks.
bool is_private(const std::string& type);
struct Event {
  int64_t id = 0;
  std::string type, payload;  // payload: JSON text
  int64_t created_at = 0;
};
// Ids and types of the events after `after_id`, oldest first, at most
// `limit` (a consumer keeps its own cursor).
std::vector<std::pair<int64_t, std::string>> types_after(Connection& c, int64_t after_id, int64_t limit);
std::optional<Event> get(Connection& c, int64_t event_id);
// Removes `keys` from an event's payload: a secret once it has served.
void scrub(Connection& c, int64_t event_id, const std::vector<std::string>& keys);
}  // namespace outbox

class WebhookDispatcher {
 public:
  // Deliveries go out through `http` (base/http_client.h).
  WebhookDispatcher(Sqlite& db, HttpClient& http, const Config& config);
  ~WebhookDispatcher();
  void start();
  void stop();
  // Wakes the thread (new events); tests call it to avoid waiting.
  void poke();
  // One pass: fan out new events, send due deliveries. Returns deliveries tried.
  int run_once();

 private:
  void loop();
  std::vector<std::string> urls() const;
  Sqlite& db_;
  HttpClient& http_;
  const Config& config_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool poked_ = false;
};

}  // namespace shopbox
