#include "email/email.h"

#include "base/clock.h"
#include "base/crypto.h"
#include "email/email_dispatcher.h"

namespace shopbox {

std::string event_template(const std::string& type) {
  static const std::vector<std::pair<std::string, std::string>> table = {
      {"order.created", "order_confirmation"},      {"order.shipped", "order_shipped"},
      {"order.delivered", "order_delivered"},       {"order.cancelled", "order_cancelled"},
      {"refund.created", "refund_issued"},          {"return.requested", "return_received"},
      {"return.decided", "return_update"},          {"account.verify_email", "verify_email"},
      {"account.password_reset", "password_reset"}, {"order.lookup_code", "order_lookup_code"},
      {"wishlist.back_in_stock", "back_in_stock"},  {"wishlist.price_drop", "price_drop"},
      {"cart.abandoned", "cart_reminder"},          {"account.staff_invite", "staff_invite"},
  };
  for (const auto& [event, tpl] : table)
    if (event == type) return tpl;
  return "";
}

Emails::Emails(const Dependencies& deps) : db_(deps.db), config_(deps.config), templates_(deps.config.data_dir) {
  dispatcher_ = std::make_unique<EmailDispatcher>(EmailDispatcher::Dependencies{
      deps.db, deps.mailer, templates_, deps.orders, deps.accounts, deps.cart, deps.config,
      [this](int64_t user_id) { return unsubscribe_url(user_id); }, [this] { return shop_identity(); }});
}

Emails::~Emails() {
  stop();
}

void Emails::start() {
  dispatcher_->start();
}
void Emails::stop() {
  dispatcher_->stop();
}
void Emails::poke() {
  dispatcher_->poke();
}
int Emails::run_once() {
  return dispatcher_->run_once();
}

Result<std::vector<EmailRow>> Emails::list(const std::optional<std::string>& status, int64_t limit, int64_t offset,
                                           int64_t* total) {
  std::vector<EmailRow> rows;
  Status st = db_.read([&](Connection& c) {
    rows = email_store::list_emails(c, status, limit, offset, total);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return rows;
}

Result<EmailRow> Emails::retry(int64_t email_id) {
  std::optional<EmailRow> row;
  Status st = db_.write([&](Connection& c) {
    row = email_store::get_email(c, email_id);
    if (!row) return Status::NotFound("email not found");
    if (outbox::is_private(row->event_type)) {
      auto ev = outbox::get(c, row->event_id);
      auto p = nlohmann::json::parse(ev ? ev->payload : "{}", nullptr, false);
      if (!p.is_object() || (!p.contains("token") && !p.contains("code")))
        return Status::Conflict("secret_removed",
                                "this email's link or code was removed once it was dead-lettered; the shopper asks "
                                "for a new one");
    }
    if (!email_store::requeue(c, email_id, now_millis(), now_seconds()))
      return Status::Conflict("not_retryable", "only a dead email, or one waiting after a failure, can be retried",
                              {{"status", row->status}});
    row = email_store::get_email(c, email_id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  poke();
  return *row;
}

Result<RenderedEmail> Emails::preview(const std::string& name) const {
  if (!EmailTemplates::known(name)) return Status::NotFound("no email template named " + name);
  return templates_.render(name, email_sample_data(name, config_, [this] { return shop_identity(); }));
}

Result<bool> Emails::cart_reminders(int64_t user_id) {
  bool on = false;
  Status st = db_.read([&](Connection& c) {
    on = email_store::cart_reminders(c, user_id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return on;
}

Status Emails::set_cart_reminders(int64_t user_id, bool on) {
  return db_.write([&](Connection& c) {
    email_store::set_cart_reminders(c, user_id, on, now_seconds());
    return Status::Ok();
  });
}

Result<std::string> Emails::unsubscribe_key() {
  std::lock_guard lock(key_mu_);
  if (!key_.empty()) return key_;
  std::string key;
  Status st = db_.write([&](Connection& c) {
    key = email_store::keep_secret(c, "unsubscribe", random_hex(32), now_seconds());
    return Status::Ok();
  });
  if (!st.ok()) return st;
  key_ = key;
  return key_;
}

namespace {
// The token names the user and the list; its MAC proves the shop made it.
std::string unsubscribe_mac(const std::string& key, int64_t user_id) {
  return hmac_sha256_hex(key, "cart_reminders:" + std::to_string(user_id)).substr(0, 32);
}
}  // namespace

Result<std::string> Emails::unsubscribe_url(int64_t user_id) {
  auto key = unsubscribe_key();
  if (!key.ok()) return key.status();
  return config_.public_url + "/api/v1/email/unsubscribe?token=u" + std::to_string(user_id) + "." +
         unsubscribe_mac(*key, user_id);
}

Result<int64_t> Emails::check_unsubscribe_token(const std::string& token) {
  Status invalid(Kind::unauthorized, "invalid_token", "this unsubscribe link is not valid");
  auto dot = token.find('.');
  if (token.size() > 100 || token.empty() || token[0] != 'u' || dot == std::string::npos || dot < 2) return invalid;
  int64_t user_id = 0;
  for (size_t i = 1; i < dot; ++i) {
    if (token[i] < '0' || token[i] > '9' || user_id > 1'000'000'000'000LL) return invalid;
    user_id = user_id * 10 + (token[i] - '0');
  }
  auto key = unsubscribe_key();
  if (!key.ok()) return key.status();
  std::string mac = token.substr(dot + 1);
  std::string want = unsubscribe_mac(*key, user_id);
  if (user_id <= 0 || mac.size() != want.size() || !constant_time_equal(mac, want)) return invalid;
  return user_id;
}

Status Emails::unsubscribe(const std::string& token) {
  auto user = check_unsubscribe_token(token);
  if (!user.ok()) return user.status();
  return set_cart_reminders(*user, false);
}

}  // namespace shopbox
