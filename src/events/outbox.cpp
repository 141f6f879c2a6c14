#include "events/outbox.h"

#include <chrono>

#include "base/clock.h"
#include "base/crypto.h"
#include "base/http_client.h"
#include "events/outbox_store.h"

namespace shopbox {
using json = nlohmann::json;

namespace outbox {
int64_t append(Connection& c, const std::string& type, const json& data) {
  return outbox_store::insert_event(c, type, data.dump(), now_seconds());
}

std::string event_body(int64_t event_id, const std::string& type, const std::string& payload, int64_t created_at) {
  json data = json::parse(payload, nullptr, false);
  if (data.is_discarded()) data = json::object();
  return json{
      {"id", "evt_" + std::to_string(event_id)}, {"type", type}, {"created_at", iso8601(created_at)}, {"data", data}}
      .dump();
}
bool is_private(const std::string& type) {
  return type.rfind("account.", 0) == 0 || type == "order.lookup_code";
}

std::vector<std::pair<int64_t, std::string>> types_after(Connection& c, int64_t after_id, int64_t limit) {
  return outbox_store::event_types_after(c, after_id, limit);
}

std::optional<Event> get(Connection& c, int64_t event_id) {
  auto row = outbox_store::get_event(c, event_id);
  if (!row) return std::nullopt;
  return Event{row->id, row->type, row->payload, row->created_at};
}

void scrub(Connection& c, int64_t event_id, const std::vector<std::string>& keys) {
  auto row = outbox_store::get_event(c, event_id);
  if (!row) return;
  json data = json::parse(row->payload, nullptr, false);
  if (!data.is_object()) return;
  bool changed = false;
  for (const auto& k : keys) changed = data.erase(k) > 0 || changed;
  if (changed) outbox_store::set_payload(c, event_id, data.dump());
}
}  // namespace outbox

WebhookDispatcher::WebhookDispatcher(Sqlite& db, HttpClient& http, const Config& config)
    : db_(db), http_(http), config_(config) {}
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

int WebhookDispatcher::run_once() {
  auto targets = urls();
  // Fan out new events (or just mark them when no URL is configured). A
  // failed step is retried by the next run: events stay undispatched and
  // deliveries pending until their writes commit.
  Status fanned = db_.write([&](Connection& c) {
    std::vector<int64_t> ids = outbox_store::undispatched_events(c);
    int64_t now = now_millis();
    for (int64_t id : ids) {
      // A private event's secret is for its one recipient, never a merchant's endpoint.
      bool deliver = !outbox::is_private(outbox_store::event_type(c, id));
      for (const auto& u : targets)
        if (deliver) outbox_store::insert_delivery(c, id, u, now, now_seconds());
      outbox_store::mark_dispatched(c, id);
    }
    return Status::Ok();
  });

  log_if_failed(fanned, "webhooks: fanning out new events (the next run retries)");
  std::vector<DueDelivery> due;
  Status read = db_.read([&](Connection& c) {
    due = outbox_store::due_deliveries(c, now_millis());
    return Status::Ok();
  });
  log_if_failed(read, "webhooks: reading due deliveries (the next run retries)");

  for (const auto& d : due) {
    std::string body = outbox::event_body(d.event_id, d.type, d.payload, d.created_at);
    int status = 0;
    std::string error;
    OutboundRequest post;
    post.method = "POST";
    post.url = d.url;
    post.headers = {{"X-Shopbox-Event", d.type},
                    {"X-Shopbox-Delivery", std::to_string(d.id)},
                    {"X-Shopbox-Signature", "sha256=" + hmac_sha256_hex(config_.webhook_secret, body)}};
    post.body = body;
    auto answer = http_.send(post);
    if (answer.ok())
      status = answer->status;
    else
      error = answer.status().code() == "invalid_url" ? "invalid URL" : answer.status().message();
    int64_t attempts = d.attempts + 1;
    bool ok = status >= 200 && status < 300;
    std::string next_status = ok ? "delivered" : attempts >= config_.webhook_max_attempts ? "failed" : "pending";
    int64_t backoff = static_cast<int64_t>(config_.webhook_backoff_ms) << std::min<int64_t>(attempts - 1, 20);
    if (!ok && error.empty()) error = "HTTP " + std::to_string(status);
    // If this write fails the delivery stays due and is sent again: at
    // least once; receivers de-duplicate by the body's event id ("evt_N").
    log_if_failed(db_.write([&](Connection& c) {
      DeliveryAttempt a;
      a.delivery_id = d.id;
      a.status = next_status;
      a.attempts = attempts;
      a.response_status = status == 0 ? std::optional<int64_t>() : std::optional<int64_t>(status);
      a.last_error = ok ? std::string() : error;
      a.next_attempt_at = now_millis() + backoff;
      a.delivered_at = ok ? std::optional<int64_t>(now_seconds()) : std::optional<int64_t>();
      outbox_store::record_attempt(c, a);
      return Status::Ok();
    }),
                  "webhooks: recording a delivery attempt");
  }
  return static_cast<int>(due.size());
}

}  // namespace shopbox
