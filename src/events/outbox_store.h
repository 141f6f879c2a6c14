// The outbox's rows, in SQLite: events (outbox_events) and their webhook
// deliveries (webhook_deliveries), migrations 500-599
// (src/events/schema.cpp). Plain rows in and out; what is posted where and
// when to retry live in outbox.cpp.
// Every function runs inside the caller's db.read / db.write transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/sqlite.h"

namespace shopbox {

// A pending delivery that is due, with its event.
struct DueDelivery {
  int64_t id = 0;
  int64_t event_id = 0;
  std::string url, type, payload;
  int64_t attempts = 0;    // made so far
  int64_t created_at = 0;  // the event's
};

// The outcome of one delivery attempt.
struct DeliveryAttempt {
  int64_t delivery_id = 0;
  std::string status;  // pending, delivered, failed
  int64_t attempts = 0;
  std::optional<int64_t> response_status;  // none when no HTTP answer came
  std::string last_error;
  int64_t next_attempt_at = 0;  // unix millis
  std::optional<int64_t> delivered_at;
};

// One row of the delivery log (GET /api/v1/admin/webhooks/deliveries).
struct DeliveryRow {
  int64_t id = 0, event_id = 0;
  std::string event_type, url, status;
  int64_t attempts = 0;
  std::optional<int64_t> response_status;
  std::string last_error;
  int64_t next_attempt_at = 0;  // unix millis
  int64_t created_at = 0;
  std::optional<int64_t> delivered_at;
};

// One outbox event (GET /api/v1/admin/webhooks/events).
struct EventRow {
  int64_t id = 0;
  std::string type, payload;
  int64_t created_at = 0;
};

namespace outbox_store {

// Appends an event (its payload as JSON text); returns its id.
int64_t insert_event(Connection& c, const std::string& type, const std::string& payload, int64_t now);
// An event's type ("" when there is none).
std::string event_type(Connection& c, int64_t event_id);
std::optional<EventRow> get_event(Connection& c, int64_t event_id);
// Ids and types of events after `after_id`, oldest first, at most `limit`.
std::vector<std::pair<int64_t, std::string>> event_types_after(Connection& c, int64_t after_id, int64_t limit);
void set_payload(Connection& c, int64_t event_id, const std::string& payload);
// Events not fanned out yet, oldest first, at most 500.
std::vector<int64_t> undispatched_events(Connection& c);
// A pending delivery of an event to one URL, first due at `due_at` (millis).
void insert_delivery(Connection& c, int64_t event_id, const std::string& url, int64_t due_at, int64_t now);
void mark_dispatched(Connection& c, int64_t event_id);
// Pending deliveries due at `now_ms`, soonest first, at most 50.
std::vector<DueDelivery> due_deliveries(Connection& c, int64_t now_ms);
void record_attempt(Connection& c, const DeliveryAttempt& a);

// Newest first; `status` (pending, delivered, failed) filters when set.
std::vector<DeliveryRow> list_deliveries(Connection& c, const std::optional<std::string>& status, int64_t limit,
                                         int64_t offset, int64_t* total);
// Newest first; `type` filters when set.
std::vector<EventRow> list_events(Connection& c, const std::optional<std::string>& type, int64_t limit, int64_t offset,
                                  int64_t* total);

}  // namespace outbox_store
}  // namespace shopbox
