// The email module's tables (1001-1099).
// Schema migrations: never edit one that has shipped, add a new one
// (src/schema.h lists every module's and the version ranges).
#include "email/email.h"

namespace shopbox {

const std::vector<Migration>& email_migrations() {
  static const std::vector<Migration> migrations = {
      {1001, "emails",
       R"sql(
-- One row per (outbox event, template): the idempotency record that makes
-- each event's mail go out once (email/email.h says how, and its limit).
CREATE TABLE emails (
  email_id        INTEGER PRIMARY KEY,
  event_id        INTEGER NOT NULL,
  event_type      TEXT NOT NULL,
  template        TEXT NOT NULL,
  status          TEXT NOT NULL,               -- queued, sending, sent, skipped, dead
  attempts        INTEGER NOT NULL DEFAULT 0,
  interrupted     INTEGER NOT NULL DEFAULT 0,  -- times the shop stopped while it was 'sending'
  next_attempt_at INTEGER NOT NULL,            -- unix millis
  last_error      TEXT NOT NULL DEFAULT '',
  recipient       TEXT NOT NULL DEFAULT '',
  subject         TEXT NOT NULL DEFAULT '',
  message_id      TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  sent_at         INTEGER,
  UNIQUE(event_id, template)
);
CREATE INDEX idx_emails_due ON emails(status, next_attempt_at);
-- The last outbox event the fan-out considered. An existing shop starts
-- after its newest event: upgrading must not mail years of old orders.
CREATE TABLE email_cursor (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  last_event_id INTEGER NOT NULL
);
INSERT INTO email_cursor(id, last_event_id) SELECT 1, COALESCE(MAX(event_id), 0) FROM outbox_events;
-- Keys made on first use (RAND_bytes): the unsubscribe links' HMAC key.
CREATE TABLE email_secrets (
  name       TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
-- What a shopper chose to receive beyond transactional mail.
CREATE TABLE email_preferences (
  user_id        INTEGER PRIMARY KEY,
  cart_reminders INTEGER NOT NULL DEFAULT 0,
  updated_at     INTEGER NOT NULL
);
-- The cart change a reminder was sent for: one reminder per change.
CREATE TABLE email_cart_reminders (
  user_id         INTEGER PRIMARY KEY,
  cart_updated_at INTEGER NOT NULL,
  reminded_at     INTEGER NOT NULL
);
)sql"},
  };
  return migrations;
}

}  // namespace shopbox
