// The email module's rows, in SQLite (migrations 1001-1099,
// src/email/schema.cpp): emails (one per event and template), the fan-out
// cursor, the module's secrets, shoppers' email preferences and the cart
// reminders sent. Plain rows in and out; what is sent when lives in
// email_dispatcher.cpp. Every function runs inside the caller's db.read /
// db.write transaction. The outbox's own rows are read through
// events/outbox.h, not here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/sqlite.h"

namespace shopbox {

// One row of the emails table.
struct EmailRow {
  int64_t id = 0;
  int64_t event_id = 0;
  std::string event_type, template_name, status;  // status: queued, sending, sent, skipped, dead
  int64_t attempts = 0;
  int64_t interrupted = 0;
  int64_t next_attempt_at = 0;  // unix millis
  std::string last_error, recipient, subject, message_id;
  int64_t created_at = 0, updated_at = 0;
  std::optional<int64_t> sent_at;
};

// What one attempt (or the decision not to send) leaves on a row.
struct EmailOutcome {
  int64_t email_id = 0;
  std::string status;
  int64_t attempts = 0;
  int64_t next_attempt_at = 0;
  std::string last_error;
  std::optional<int64_t> sent_at;
};

namespace email_store {

// ---- the fan-out ----
int64_t cursor(Connection& c);
void set_cursor(Connection& c, int64_t last_event_id);
// Inserts a queued row; false when the (event, template) row exists already.
bool insert_email(Connection& c, int64_t event_id, const std::string& event_type, const std::string& template_name,
                  int64_t now_ms, int64_t now);

// ---- sending ----
// Rows to work on at `now_ms`: queued and due, and any left 'sending' (a
// send the shop did not finish), oldest first, at most `limit`.
std::vector<EmailRow> due_emails(Connection& c, int64_t now_ms, int64_t limit);
std::optional<EmailRow> get_email(Connection& c, int64_t email_id);
// 'sending' with the attempt counted and what is about to go out.
void mark_sending(Connection& c, int64_t email_id, int64_t attempts, bool interrupted, const std::string& recipient,
                  const std::string& subject, const std::string& message_id, int64_t now);
void record_outcome(Connection& c, const EmailOutcome& o, int64_t now);
// A dead (or failed, waiting) row queued again from scratch; false when
// the row is in another state.
bool requeue(Connection& c, int64_t email_id, int64_t now_ms, int64_t now);

// ---- the admin log ----
std::vector<EmailRow> list_emails(Connection& c, const std::optional<std::string>& status, int64_t limit,
                                  int64_t offset, int64_t* total);

// ---- secrets, preferences, reminders ----
std::optional<std::string> secret(Connection& c, const std::string& name);
// Stores `value` unless a secret of that name exists; returns the stored one.
std::string keep_secret(Connection& c, const std::string& name, const std::string& value, int64_t now);
bool cart_reminders(Connection& c, int64_t user_id);
void set_cart_reminders(Connection& c, int64_t user_id, bool on, int64_t now);
// The cart change (its updated_at) the user was last reminded of, 0 for none.
int64_t reminded_cart(Connection& c, int64_t user_id);
void set_reminded_cart(Connection& c, int64_t user_id, int64_t cart_updated_at, int64_t now);

}  // namespace email_store
}  // namespace shopbox
