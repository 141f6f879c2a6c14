// The outbox and webhook deliveries (500s).
// Schema migrations: never edit one that has shipped, add a new one
// (src/schema.h lists every module's and the version ranges).
#include "events/outbox.h"

namespace shopbox {

const std::vector<Migration>& outbox_migrations() {
  static const std::vector<Migration> migrations = {
      {501, "outbox",
       R"sql(
-- Outbox: events written in the same transaction as the change they
-- describe; a delivery thread posts them to the configured webhook URLs.
CREATE TABLE outbox_events (
  event_id   INTEGER PRIMARY KEY,
  type       TEXT NOT NULL,
  payload    TEXT NOT NULL,
  dispatched INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX idx_outbox_undispatched ON outbox_events(dispatched, event_id);
CREATE TABLE webhook_deliveries (
  delivery_id     INTEGER PRIMARY KEY,
  event_id        INTEGER NOT NULL REFERENCES outbox_events(event_id),
  url             TEXT NOT NULL,
  status          TEXT NOT NULL,                  -- pending, delivered, failed
  attempts        INTEGER NOT NULL DEFAULT 0,
  response_status INTEGER,
  last_error      TEXT NOT NULL DEFAULT '',
  next_attempt_at INTEGER NOT NULL,               -- unix millis
  created_at      INTEGER NOT NULL,
  delivered_at    INTEGER
);
CREATE INDEX idx_webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
)sql"},
  };
  return migrations;
}

}  // namespace shopbox
