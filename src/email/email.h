// Email: transactional mail over SMTP, driven by the outbox.
//
// What it owns: the emails table (one row per outbox event and template:
// the idempotency record), the fan-out cursor, shoppers' email preferences
// (cart reminders), the cart reminders sent, and the unsubscribe key
// (migrations 1001-1099, src/email/schema.cpp; rows in email_store.h). It
// reads orders through Orders, users through Accounts, carts through Cart,
// and events through events/outbox.h; it never writes their rows, except
// scrubbing the secret out of a private event once its mail is done.
//
// How an event becomes mail (email_dispatcher.h, one background thread):
//   1. fan-out: in one transaction, every outbox event after the cursor
//      that has a template (event_template()) gets a 'queued' row, and the
//      cursor moves past it. UNIQUE(event_id, template) makes a second
//      fan-out of the same event a no-op, so each event is considered once.
//   2. send: a due row is rendered (recipient and details read now, through
//      Orders/Accounts; no recipient: 'skipped'), then marked 'sending' in a
//      commit of its own (attempts + 1), then handed to the SMTP server,
//      then marked 'sent' (or 'queued' with backoff, or 'dead').
//   3. a failure is retried after email_backoff_ms * 2^(attempts-1) until
//      email_max_attempts, then the row is 'dead' (the dead-letter list,
//      GET /api/v1/admin/emails?status=dead; POST .../{id}/retry queues it
//      again). A 5xx answer (the server refuses the message for good) is
//      dead at once.
//
// Exactly once, and its one limit: a row becomes 'sent' only after the
// server's 250, and nothing else sends it again, so a kill -9 anywhere
// before the message reached the server, or after 'sent' committed, sends
// it exactly once. A kill between the server accepting the message (its
// 250) and the commit of 'sent' cannot be told apart from a kill just
// before the server accepted it: the row is found 'sending' at restart,
// counted in `interrupted`, and sent again with the same Message-ID (at
// least once, never lost). That window is one SQLite commit after the
// reply arrives (about a millisecond on this disk; the connection is kept
// open, so no QUIT round trip sits in it). Clients that de-duplicate by
// Message-ID show one message. Every email carries X-Shopbox-Email: <row id>.
//
// Private events (outbox::is_private: account.*, order.lookup_code) carry
// a secret (a token or a code); once their mail is sent, skipped or dead,
// the secret is removed from the event's payload, so the database keeps no
// live token. A dead private email cannot be retried (409): the shopper
// asks for a new link.
//
// With an empty smtp_url nothing is sent and rows wait 'queued'.
//
// Thread rule: Emails and its dispatcher may be called from any thread;
// the dispatcher's thread is the only one that sends (start/stop join it).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "config.h"
#include "email/email_store.h"
#include "email/mailer.h"
#include "email/templates.h"
#include "storage/sqlite.h"

namespace shopbox {

class Orders;
class Accounts;
class Cart;
class EmailDispatcher;

// The email module's tables (migrations 1001-1099, src/email/schema.cpp).
const std::vector<Migration>& email_migrations();

// The template an outbox event's mail uses; "" when the event sends none.
std::string event_template(const std::string& event_type);

class Emails {
 public:
  struct Dependencies {
    Sqlite& db;
    Mailer& mailer;
    Orders& orders;
    Accounts& accounts;
    Cart& cart;
    const Config& config;
  };
  explicit Emails(const Dependencies& deps);
  ~Emails();

  // The sending thread (email_dispatcher.h).
  void start();
  void stop();
  void poke();
  // One pass (tests): fan out, remind abandoned carts, send what is due.
  int run_once();
  EmailDispatcher& dispatcher() { return *dispatcher_; }
  const EmailTemplates& templates() const { return templates_; }

  // ---- admin ----
  Result<std::vector<EmailRow>> list(const std::optional<std::string>& status, int64_t limit, int64_t offset,
                                     int64_t* total);
  // A dead email (or one waiting after failures) queued again now. 404 when
  // missing, 409 when sent, skipped or sending, or when its secret is gone.
  Result<EmailRow> retry(int64_t email_id);
  // The template rendered with sample data.
  Result<RenderedEmail> preview(const std::string& name) const;

  // Where emails take the shop's name, logo and contact from (the
  // settings); set once at start-up, before start(). Unset: the config
  // file's name.
  void set_shop_identity(ShopIdentitySource source) { shop_identity_ = std::move(source); }
  ShopIdentity shop_identity() const {
    return shop_identity_ ? shop_identity_() : ShopIdentity{config_.shop_name, "", "", ""};
  }

  // ---- shoppers ----
  [[nodiscard]] Result<bool> cart_reminders(int64_t user_id);
  [[nodiscard]] Status set_cart_reminders(int64_t user_id, bool on);
  // The one-click unsubscribe link of a user's cart reminders.
  Result<std::string> unsubscribe_url(int64_t user_id);
  // The user a token names (401 invalid_token when it is not one of ours).
  Result<int64_t> check_unsubscribe_token(const std::string& token);
  // Turns the token's reminders off (idempotent).
  [[nodiscard]] Status unsubscribe(const std::string& token);

 private:
  Result<std::string> unsubscribe_key();
  Sqlite& db_;
  const Config& config_;
  EmailTemplates templates_;
  std::unique_ptr<EmailDispatcher> dispatcher_;
  std::mutex key_mu_;
  std::string key_;  // the unsubscribe HMAC key, read once
  ShopIdentitySource shop_identity_;
};

}  // namespace shopbox
