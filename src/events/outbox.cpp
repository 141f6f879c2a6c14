#include "events/outbox.h"

#include <httplib.h>

#include <chrono>

#include "base/clock.h"
#include "base/crypto.h"

namespace shopbox {
using json = nlohmann::json;

namespace outbox {
int64_t append(Connection& c, const std::string& type, const json& data) {
  c.prepare("INSERT INTO outbox_events(type, payload, created_at) VALUES (?,?,?)")
      .bind(1, type)
      .bind(2, data.dump())
      .bind(3, now_seconds())
      .exec();
  return c.last_insert_id();
}

std::string event_body(int64_t event_id, const std::string& type, const std::string& payload, int64_t created_at) {
  json data = json::parse(payload, nullptr, false);
  if (data.is_discarded()) data = json::object();
  return json{
      {"id", "evt_" + std::to_string(event_id)}, {"type", type}, {"created_at", iso8601(created_at)}, {"data", data}}
      .dump();
}
}  // namespace outbox

WebhookDispatcher::WebhookDispatcher(Sqlite& db, const Config& config) : db_(db), config_(config) {}
WebhookDispatcher::~WebhookDispatcher() {
  stop();
}

void WebhookDispatcher::start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { loop(); });
}

void WebhookDispatcher::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookDispatcher::poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

std::vector<std::string> WebhookDispatcher::urls() const {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : config_.webhook_urls + ",") {
    if (ch == ',' || ch == ' ') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(ch);
    }
  }
  return out;
}

void WebhookDispatcher::loop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return stop_ || poked_; });
      if (stop_) return;
      poked_ = false;
    }
    try {
      run_once();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "webhooks: %s\n", e.what());
    }
  }
}

namespace {
struct Due {
  int64_t id, event_id;
  std::string url, type, payload;
  int64_t attempts, created_at;
};

// Splits "http://host:port/path" into a base and a path for httplib.
bool split_url(const std::string& url, std::string& base, std::string& path) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return false;
  auto slash = url.find('/', scheme + 3);
  base = slash == std::string::npos ? url : url.substr(0, slash);
  path = slash == std::string::npos ? "/" : url.substr(slash);
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}
}  // namespace

int WebhookDispatcher::run_once() {
  auto targets = urls();
  // Fan out new events (or just mark them when no URL is configured). A
  // failed step is retried by the next run: events stay undispatched and
  // deliveries pending until their writes commit.
  Status fanned = db_.write([&](Connection& c) {
    std::vector<int64_t> ids;
    {
      auto st = c.prepare("SELECT event_id FROM outbox_events WHERE dispatched = 0 ORDER BY event_id LIMIT 500");
      while (st.step()) ids.push_back(st.int64(0));
    }
    int64_t now = now_millis();
    for (int64_t id : ids) {
      for (const auto& u : targets)
        c.prepare(
             "INSERT INTO webhook_deliveries(event_id, url, status, next_attempt_at, created_at) VALUES "
             "(?,?,'pending',?,?)")
            .bind(1, id)
            .bind(2, u)
            .bind(3, now)
            .bind(4, now_seconds())
            .exec();
      c.prepare("UPDATE outbox_events SET dispatched = 1 WHERE event_id = ?").bind(1, id).exec();
    }
    return Status::Ok();
  });

  log_if_failed(fanned, "webhooks: fanning out new events (the next run retries)");
  std::vector<Due> due;
  Status read = db_.read([&](Connection& c) {
    auto st = c.prepare(
        "SELECT d.delivery_id, d.event_id, d.url, e.type, e.payload, d.attempts, e.created_at FROM webhook_deliveries "
        "d "
        "JOIN outbox_events e ON e.event_id = d.event_id WHERE d.status = 'pending' AND d.next_attempt_at <= ? "
        "ORDER BY d.next_attempt_at LIMIT 50");
    st.bind(1, now_millis());
    while (st.step())
      due.push_back({st.int64(0), st.int64(1), st.text(2), st.text(3), st.text(4), st.int64(5), st.int64(6)});
    return Status::Ok();
  });
  log_if_failed(read, "webhooks: reading due deliveries (the next run retries)");

  for (const auto& d : due) {
    std::string body = outbox::event_body(d.event_id, d.type, d.payload, d.created_at);
    int status = 0;
    std::string error;
    std::string base, path;
    if (!split_url(d.url, base, path)) {
      error = "invalid URL";
    } else {
      httplib::Client cli(base);
      cli.set_connection_timeout(3, 0);
      cli.set_read_timeout(5, 0);
      cli.set_write_timeout(5, 0);
      httplib::Headers h = {{"X-Shopbox-Event", d.type},
                            {"X-Shopbox-Delivery", std::to_string(d.id)},
                            {"X-Shopbox-Signature", "sha256=" + hmac_sha256_hex(config_.webhook_secret, body)}};
      auto r = cli.Post(path.c_str(), h, body, "application/json");
      if (r)
        status = r->status;
      else
        error = httplib::to_string(r.error());
    }
    int64_t attempts = d.attempts + 1;
    bool ok = status >= 200 && status < 300;
    std::string next_status = ok ? "delivered" : attempts >= config_.webhook_max_attempts ? "failed" : "pending";
    int64_t backoff = static_cast<int64_t>(config_.webhook_backoff_ms) << std::min<int64_t>(attempts - 1, 20);
    if (!ok && error.empty()) error = "HTTP " + std::to_string(status);
    // If this write fails the delivery stays due and is sent again: at
    // least once; receivers de-duplicate by the body's event id ("evt_N").
    log_if_failed(db_.write([&](Connection& c) {
      c.prepare(
           "UPDATE webhook_deliveries SET status = ?, attempts = ?, response_status = ?, last_error = ?, "
           "next_attempt_at = ?, delivered_at = ? WHERE delivery_id = ?")
          .bind(1, next_status)
          .bind(2, attempts)
          .bind(3, status == 0 ? std::optional<int64_t>() : std::optional<int64_t>(status))
          .bind(4, ok ? std::string() : error)
          .bind(5, now_millis() + backoff)
          .bind(6, ok ? std::optional<int64_t>(now_seconds()) : std::optional<int64_t>())
          .bind(7, d.id)
          .exec();
      return Status::Ok();
    }),
                  "webhooks: recording a delivery attempt");
  }
  return static_cast<int>(due.size());
}

}  // namespace shopbox
