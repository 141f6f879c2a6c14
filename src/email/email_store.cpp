#include "email/email_store.h"

#include "storage/rows.h"

namespace shopbox::email_store {

namespace {

constexpr const char* kEmailColumns =
    "email_id, event_id, event_type, template, status, attempts, interrupted, next_attempt_at, last_error, "
    "recipient, subject, message_id, created_at, updated_at, sent_at";

EmailRow read_email_row(Statement& st) {
  Columns row(st);
  EmailRow e;
  e.id = row.int64();
  e.event_id = row.int64();
  e.event_type = row.text();
  e.template_name = row.text();
  e.status = row.text();
  e.attempts = row.int64();
  e.interrupted = row.int64();
  e.next_attempt_at = row.int64();
  e.last_error = row.text();
  e.recipient = row.text();
  e.subject = row.text();
  e.message_id = row.text();
  e.created_at = row.int64();
  e.updated_at = row.int64();
  e.sent_at = row.opt_int64();
  row.done();
  return e;
}

std::string email_select(const char* rest) {
  return std::string("SELECT ") + kEmailColumns + " FROM emails " + rest;
}

}  // namespace

int64_t cursor(Connection& c) {
  auto st = c.prepare("SELECT last_event_id FROM email_cursor WHERE id = 1");
  return st.step() ? st.int64(0) : 0;
}

void set_cursor(Connection& c, int64_t last_event_id) {
  c.prepare(
       "INSERT INTO email_cursor(id, last_event_id) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET last_event_id = "
       "excluded.last_event_id")
      .bind(1, last_event_id)
      .exec();
}

bool insert_email(Connection& c, int64_t event_id, const std::string& event_type, const std::string& template_name,
                  int64_t now_ms, int64_t now) {
  c.prepare(
       "INSERT INTO emails(event_id, event_type, template, status, next_attempt_at, created_at, updated_at) "
       "VALUES (?,?,?,'queued',?,?,?) ON CONFLICT(event_id, template) DO NOTHING")
      .bind(1, event_id)
      .bind(2, event_type)
      .bind(3, template_name)
      .bind(4, now_ms)
      .bind(5, now)
      .bind(6, now)
      .exec();
  return c.changes() > 0;
}

std::vector<EmailRow> due_emails(Connection& c, int64_t now_ms, int64_t limit) {
  static const std::string sql = email_select(
      "WHERE status = 'sending' OR (status = 'queued' AND next_attempt_at <= ?1) ORDER BY next_attempt_at, email_id "
      "LIMIT ?2");
  auto st = c.prepare(sql.c_str());
  st.bind(1, now_ms).bind(2, limit);
  return all_rows(st, read_email_row);
}

std::optional<EmailRow> get_email(Connection& c, int64_t email_id) {
  static const std::string sql = email_select("WHERE email_id = ?");
  auto st = c.prepare(sql.c_str());
  st.bind(1, email_id);
  return first_row(st, read_email_row);
}

void mark_sending(Connection& c, int64_t email_id, int64_t attempts, bool interrupted, const std::string& recipient,
                  const std::string& subject, const std::string& message_id, int64_t now) {
  c.prepare(
       "UPDATE emails SET status = 'sending', attempts = ?, interrupted = interrupted + ?, recipient = ?, "
       "subject = ?, message_id = ?, updated_at = ? WHERE email_id = ?")
      .bind(1, attempts)
      .bind(2, interrupted ? 1 : 0)
      .bind(3, recipient)
      .bind(4, subject)
      .bind(5, message_id)
      .bind(6, now)
      .bind(7, email_id)
      .exec();
}

void record_outcome(Connection& c, const EmailOutcome& o, int64_t now) {
  c.prepare(
       "UPDATE emails SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, sent_at = ?, "
       "updated_at = ? WHERE email_id = ?")
      .bind(1, o.status)
      .bind(2, o.attempts)
      .bind(3, o.next_attempt_at)
      .bind(4, o.last_error)
      .bind(5, o.sent_at)
      .bind(6, now)
      .bind(7, o.email_id)
      .exec();
}

bool requeue(Connection& c, int64_t email_id, int64_t now_ms, int64_t now) {
  c.prepare(
       "UPDATE emails SET status = 'queued', attempts = 0, next_attempt_at = ?, updated_at = ? "
       "WHERE email_id = ? AND (status = 'dead' OR (status = 'queued' AND attempts > 0))")
      .bind(1, now_ms)
      .bind(2, now)
      .bind(3, email_id)
      .exec();
  return c.changes() > 0;
}

std::vector<EmailRow> list_emails(Connection& c, const std::optional<std::string>& status, int64_t limit,
                                  int64_t offset, int64_t* total) {
  auto n = c.prepare("SELECT count(*) FROM emails WHERE ?1 IS NULL OR status = ?1");
  n.bind(1, status);
  *total = n.step() ? n.int64(0) : 0;
  static const std::string sql =
      email_select("WHERE ?1 IS NULL OR status = ?1 ORDER BY email_id DESC LIMIT ?2 OFFSET ?3");
  auto st = c.prepare(sql.c_str());
  st.bind(1, status).bind(2, limit).bind(3, offset);
  return all_rows(st, read_email_row);
}

std::optional<std::string> secret(Connection& c, const std::string& name) {
  auto st = c.prepare("SELECT value FROM email_secrets WHERE name = ?");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

std::string keep_secret(Connection& c, const std::string& name, const std::string& value, int64_t now) {
  c.prepare("INSERT INTO email_secrets(name, value, created_at) VALUES (?,?,?) ON CONFLICT(name) DO NOTHING")
      .bind(1, name)
      .bind(2, value)
      .bind(3, now)
      .exec();
  return secret(c, name).value_or(value);
}

bool cart_reminders(Connection& c, int64_t user_id) {
  auto st = c.prepare("SELECT cart_reminders FROM email_preferences WHERE user_id = ?");
  st.bind(1, user_id);
  return st.step() && st.int64(0) != 0;
}

void set_cart_reminders(Connection& c, int64_t user_id, bool on, int64_t now) {
  c.prepare(
       "INSERT INTO email_preferences(user_id, cart_reminders, updated_at) VALUES (?,?,?) ON CONFLICT(user_id) "
       "DO UPDATE SET cart_reminders = excluded.cart_reminders, updated_at = excluded.updated_at")
      .bind(1, user_id)
      .bind(2, on ? 1 : 0)
      .bind(3, now)
      .exec();
}

int64_t reminded_cart(Connection& c, int64_t user_id) {
  auto st = c.prepare("SELECT cart_updated_at FROM email_cart_reminders WHERE user_id = ?");
  st.bind(1, user_id);
  return st.step() ? st.int64(0) : 0;
}

void set_reminded_cart(Connection& c, int64_t user_id, int64_t cart_updated_at, int64_t now) {
  c.prepare(
       "INSERT INTO email_cart_reminders(user_id, cart_updated_at, reminded_at) VALUES (?,?,?) ON CONFLICT(user_id) "
       "DO UPDATE SET cart_updated_at = excluded.cart_updated_at, reminded_at = excluded.reminded_at")
      .bind(1, user_id)
      .bind(2, cart_updated_at)
      .bind(3, now)
      .exec();
}

}  // namespace shopbox::email_store
