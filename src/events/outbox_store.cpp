#include "events/outbox_store.h"

#include "storage/rows.h"

namespace shopbox::outbox_store {

namespace {

DueDelivery read_due(Statement& st) {
  Columns row(st);
  DueDelivery d;
  d.id = row.int64();
  d.event_id = row.int64();
  d.url = row.text();
  d.type = row.text();
  d.payload = row.text();
  d.attempts = row.int64();
  d.created_at = row.int64();
  row.done();
  return d;
}

}  // namespace

int64_t insert_event(Connection& c, const std::string& type, const std::string& payload, int64_t now) {
  c.prepare("INSERT INTO outbox_events(type, payload, created_at) VALUES (?,?,?)")
      .bind(1, type)
      .bind(2, payload)
      .bind(3, now)
      .exec();
  return c.last_insert_id();
}

std::string event_type(Connection& c, int64_t event_id) {
  auto st = c.prepare("SELECT type FROM outbox_events WHERE event_id = ?");
  st.bind(1, event_id);
  return st.step() ? st.text(0) : std::string();
}

std::optional<EventRow> get_event(Connection& c, int64_t event_id) {
  auto st = c.prepare("SELECT event_id, type, payload, created_at FROM outbox_events WHERE event_id = ?");
  st.bind(1, event_id);
  if (!st.step()) return std::nullopt;
  return EventRow{st.int64(0), st.text(1), st.text(2), st.int64(3)};
}

std::vector<std::pair<int64_t, std::string>> event_types_after(Connection& c, int64_t after_id, int64_t limit) {
  auto st = c.prepare("SELECT event_id, type FROM outbox_events WHERE event_id > ? ORDER BY event_id LIMIT ?");
  st.bind(1, after_id).bind(2, limit);
  std::vector<std::pair<int64_t, std::string>> out;
  while (st.step()) out.emplace_back(st.int64(0), st.text(1));
  return out;
}

void set_payload(Connection& c, int64_t event_id, const std::string& payload) {
  c.prepare("UPDATE outbox_events SET payload = ? WHERE event_id = ?").bind(1, payload).bind(2, event_id).exec();
}

std::vector<int64_t> undispatched_events(Connection& c) {
  auto st = c.prepare("SELECT event_id FROM outbox_events WHERE dispatched = 0 ORDER BY event_id LIMIT 500");
  std::vector<int64_t> ids;
  while (st.step()) ids.push_back(st.int64(0));
  return ids;
}

void insert_delivery(Connection& c, int64_t event_id, const std::string& url, int64_t due_at, int64_t now) {
  c.prepare(
       "INSERT INTO webhook_deliveries(event_id, url, status, next_attempt_at, created_at) VALUES "
       "(?,?,'pending',?,?)")
      .bind(1, event_id)
      .bind(2, url)
      .bind(3, due_at)
      .bind(4, now)
      .exec();
}

void mark_dispatched(Connection& c, int64_t event_id) {
  c.prepare("UPDATE outbox_events SET dispatched = 1 WHERE event_id = ?").bind(1, event_id).exec();
}

std::vector<DueDelivery> due_deliveries(Connection& c, int64_t now_ms) {
  auto st = c.prepare(
      "SELECT d.delivery_id, d.event_id, d.url, e.type, e.payload, d.attempts, e.created_at FROM webhook_deliveries "
      "d "
      "JOIN outbox_events e ON e.event_id = d.event_id WHERE d.status = 'pending' AND d.next_attempt_at <= ? "
      "ORDER BY d.next_attempt_at LIMIT 50");
  st.bind(1, now_ms);
  return all_rows(st, read_due);
}

void record_attempt(Connection& c, const DeliveryAttempt& a) {
  c.prepare(
       "UPDATE webhook_deliveries SET status = ?, attempts = ?, response_status = ?, last_error = ?, "
       "next_attempt_at = ?, delivered_at = ? WHERE delivery_id = ?")
      .bind(1, a.status)
      .bind(2, a.attempts)
      .bind(3, a.response_status)
      .bind(4, a.last_error)
      .bind(5, a.next_attempt_at)
      .bind(6, a.delivered_at)
      .bind(7, a.delivery_id)
      .exec();
}

std::vector<DeliveryRow> list_deliveries(Connection& c, const std::optional<std::string>& status, int64_t limit,
                                         int64_t offset, int64_t* total) {
  const char* where = status ? "WHERE d.status = ?1 " : "WHERE ?1 IS NULL ";
  auto n = c.prepare((std::string("SELECT count(*) FROM webhook_deliveries d ") + where).c_str());
  n.bind(1, status);
  *total = n.step() ? n.int64(0) : 0;
  auto st = c.prepare(
      (std::string("SELECT d.delivery_id, d.event_id, e.type, d.url, d.status, d.attempts, d.response_status, "
                   "d.last_error, d.next_attempt_at, d.created_at, d.delivered_at FROM webhook_deliveries d "
                   "JOIN outbox_events e ON e.event_id = d.event_id ") +
       where + "ORDER BY d.delivery_id DESC LIMIT ?2 OFFSET ?3")
          .c_str());
  st.bind(1, status).bind(2, limit).bind(3, offset);
  std::vector<DeliveryRow> rows;
  while (st.step()) {
    Columns row(st);
    DeliveryRow d;
    d.id = row.int64();
    d.event_id = row.int64();
    d.event_type = row.text();
    d.url = row.text();
    d.status = row.text();
    d.attempts = row.int64();
    d.response_status = row.opt_int64();
    d.last_error = row.text();
    d.next_attempt_at = row.int64();
    d.created_at = row.int64();
    d.delivered_at = row.opt_int64();
    row.done();
    rows.push_back(std::move(d));
  }
  return rows;
}

std::vector<EventRow> list_events(Connection& c, const std::optional<std::string>& type, int64_t limit, int64_t offset,
                                  int64_t* total) {
  auto n = c.prepare("SELECT count(*) FROM outbox_events WHERE ?1 IS NULL OR type = ?1");
  n.bind(1, type);
  *total = n.step() ? n.int64(0) : 0;
  auto st = c.prepare(
      "SELECT event_id, type, payload, created_at FROM outbox_events WHERE ?1 IS NULL OR type = ?1 "
      "ORDER BY event_id DESC LIMIT ?2 OFFSET ?3");
  st.bind(1, type).bind(2, limit).bind(3, offset);
  std::vector<EventRow> rows;
  while (st.step()) rows.push_back({st.int64(0), st.text(1), st.text(2), st.int64(3)});
  return rows;
}

}  // namespace shopbox::outbox_store
