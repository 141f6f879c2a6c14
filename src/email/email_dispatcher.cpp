#include "email/email_dispatcher.h"

#include <chrono>
#include <cstdio>

#include "base/clock.h"
#include "base/text.h"
#include "cart/cart.h"
#include "email/email.h"
#include "email/email_data.h"
#include "orders/orders.h"
#include "users/accounts.h"

namespace shopbox {
using json = nlohmann::json;

namespace {

// The secrets private events carry (email.h: removed once mailed).
const std::vector<std::string>& email_secret_keys() {
  static const std::vector<std::string> keys = {"token", "code"};
  return keys;
}

std::string email_host(const std::string& url) {
  auto p = url.find("://");
  std::string rest = p == std::string::npos ? url : url.substr(p + 3);
  rest = rest.substr(0, rest.find_first_of("/:?#"));
  return rest.empty() ? "localhost" : rest;
}

std::string email_text_field(const json& p, const char* key) {
  if (!p.is_object() || !p.contains(key)) return "";
  const json& v = p[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return "";
}

// An expiry given as unix seconds or ISO-8601 text; 0 when absent.
int64_t email_expiry(const json& p) {
  if (!p.is_object() || !p.contains("expires_at")) return 0;
  const json& v = p["expires_at"];
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) return parse_iso8601(v.get<std::string>()).value_or(0);
  return 0;
}

std::string email_readable_time(int64_t t) {
  std::string s = iso8601(t);  // 2026-02-09T10:30:00Z
  return s.size() >= 16 ? s.substr(0, 10) + " " + s.substr(11, 5) + " UTC" : s;
}

std::string email_user_name(const User& u) {
  std::string n = trim(u.first_name + " " + u.last_name);
  return n;
}

EmailContent email_skip(std::string why) {
  EmailContent c;
  c.skip = std::move(why);
  return c;
}

}  // namespace

EmailDispatcher::EmailDispatcher(Dependencies deps) : deps_(std::move(deps)) {}

EmailDispatcher::~EmailDispatcher() {
  stop();
}

void EmailDispatcher::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { loop(); });
}

void EmailDispatcher::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EmailDispatcher::poke() {
  {
    std::lock_guard lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

bool EmailDispatcher::stopping() {
  std::lock_guard lock(mu_);
  return stop_;
}

void EmailDispatcher::loop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stop_ || poked_; });
      if (stop_) return;
      poked_ = false;
    }
    try {
      run_once();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "email: %s\n", e.what());
    }
  }
}

int EmailDispatcher::run_once() {
  // Reminders first: the event they append is fanned out and sent in
  // this same run, not a quarter second later.
  remind_abandoned_carts();
  fan_out();
  return send_due();
}

int EmailDispatcher::fan_out() {
  int created = 0;
  Status st = deps_.db.write([&](Connection& c) {
    created = 0;
    int64_t cursor = email_store::cursor(c);
    int64_t now_ms = now_millis(), now = now_seconds();
    for (const auto& ev : outbox::types_after(c, cursor, 500)) {
      std::string tpl = event_template(ev.second);
      if (!tpl.empty() && email_store::insert_email(c, ev.first, ev.second, tpl, now_ms, now)) ++created;
      cursor = ev.first;
    }
    email_store::set_cursor(c, cursor);
    return Status::Ok();
  });
  log_if_failed(st, "email: fanning out new events (the next run retries)");
  return st.ok() ? created : 0;
}

int EmailDispatcher::remind_abandoned_carts() {
  if (deps_.config.abandoned_cart_delay_minutes <= 0) return 0;
  int64_t now = now_seconds();
  if (now < next_cart_scan_) return 0;
  next_cart_scan_ = now + cart_scan_every_seconds;
  std::vector<CartRecord> carts;
  try {
    carts = deps_.cart.idle_user_carts(now - int64_t{deps_.config.abandoned_cart_delay_minutes} * 60, 500);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "email: reading idle carts: %s\n", e.what());
    return 0;
  }
  if (carts.empty()) return 0;
  int appended = 0;
  Status st = deps_.db.write([&](Connection& c) {
    appended = 0;
    for (const auto& cart : carts) {
      int64_t user_id = std::strtoll(cart.owner.c_str() + 2, nullptr, 10);
      if (user_id <= 0 || !email_store::cart_reminders(c, user_id)) continue;
      if (email_store::reminded_cart(c, user_id) >= cart.updated_at) continue;  // once per cart change
      json items = json::array();
      for (const auto& l : cart.items)
        items.push_back({{"product_id", std::to_string(l.product_id)},
                         {"variant_id", std::to_string(l.variant_id)},
                         {"name", l.name},
                         {"selected_options", l.selected_options},
                         {"quantity", l.quantity}});
      email_store::set_reminded_cart(c, user_id, cart.updated_at, now);
      outbox::append(c, "cart.abandoned",
                     {{"user_id", std::to_string(user_id)}, {"cart_updated_at", cart.updated_at}, {"items", items}});
      ++appended;
    }
    return Status::Ok();
  });
  log_if_failed(st, "email: recording cart reminders (the next scan retries)");
  return st.ok() ? appended : 0;
}

int EmailDispatcher::send_due() {
  // No server configured: rows wait, queued, until there is one.
  if (deps_.config.smtp_url.empty()) return 0;
  std::vector<EmailRow> due;
  Status read = deps_.db.read([&](Connection& c) {
    due = email_store::due_emails(c, now_millis(), 20);
    return Status::Ok();
  });
  log_if_failed(read, "email: reading due emails (the next run retries)");
  int sent = 0;
  for (const auto& row : due) {
    if (stopping()) break;
    sent += send_one(row);
  }
  return sent;
}

void EmailDispatcher::record(const EmailRow& row, const EmailOutcome& outcome, bool scrub_secret) {
  log_if_failed(deps_.db.write([&](Connection& c) {
    email_store::record_outcome(c, outcome, now_seconds());
    if (scrub_secret) outbox::scrub(c, row.event_id, email_secret_keys());
    return Status::Ok();
  }),
                "email: recording an attempt (a row left 'sending' is sent again)");
}

int EmailDispatcher::send_one(const EmailRow& row) {
  std::optional<outbox::Event> ev;
  Status read = deps_.db.read([&](Connection& c) {
    ev = outbox::get(c, row.event_id);
    return Status::Ok();
  });
  if (!read.ok()) {
    log_if_failed(read, "email: reading an event (the next run retries)");
    return 0;
  }
  bool secret = outbox::is_private(row.event_type);
  EmailOutcome out{row.id, "skipped", row.attempts, row.next_attempt_at, "", std::nullopt};
  if (!ev) {
    out.last_error = "the event is gone";
    record(row, out, false);
    return 0;
  }
  auto content = content_for(*ev);
  Result<RenderedEmail> rendered = Status::Internal("not rendered");
  if (content.ok() && content->skip.empty()) rendered = deps_.templates.render(row.template_name, content->data);
  Status ready = !content.ok() ? content.status() : !rendered.ok() ? rendered.status() : Status::Ok();
  if (content.ok() && !content->skip.empty()) {
    out.last_error = content->skip;
    record(row, out, secret);
    return 0;
  }
  MailMessage msg;
  if (ready.ok()) msg = message_for(row, *content, *rendered);
  // The attempt is counted, and the row marked 'sending', before the server
  // sees anything: a row found 'sending' later is one the shop did not
  // finish (email.h).
  out.attempts = row.attempts + 1;
  if (ready.ok()) {
    Status marked = deps_.db.write([&](Connection& c) {
      email_store::mark_sending(c, row.id, out.attempts, row.status == "sending", msg.to.address, msg.subject,
                                msg.message_id, now_seconds());
      return Status::Ok();
    });
    if (!marked.ok()) {
      log_if_failed(marked, "email: marking an email sending (the next run retries)");
      return 0;
    }
    ready = deps_.mailer.send(msg);
  }
  if (ready.ok()) {
    out.status = "sent";
    out.sent_at = now_seconds();
    record(row, out, secret);
    return 1;
  }
  // A refusal for good (a 5xx, a malformed address) is dead at once.
  bool permanent = ready.code() == "smtp_rejected" || ready.kind() == Kind::invalid;
  bool dead = permanent || out.attempts >= deps_.config.email_max_attempts;
  int64_t backoff = static_cast<int64_t>(deps_.config.email_backoff_ms) << std::min<int64_t>(out.attempts - 1, 20);
  out.status = dead ? "dead" : "queued";
  out.next_attempt_at = now_millis() + backoff;
  out.last_error = ready.message().substr(0, 500);
  std::fprintf(stderr, "email: %s %s (attempt %lld): %s\n", row.template_name.c_str(),
               dead ? "dead-lettered" : "failed", static_cast<long long>(out.attempts), out.last_error.c_str());
  record(row, out, secret && dead);
  return 1;
}

MailMessage EmailDispatcher::message_for(const EmailRow& row, const EmailContent& content, const RenderedEmail& r) {
  const Config& cfg = deps_.config;
  std::string host = email_host(cfg.public_url);
  MailMessage m;
  auto from = parse_mail_address(cfg.email_from);
  m.from = from.ok()
               ? *from
               : MailAddress{deps_.shop_identity ? deps_.shop_identity().name : cfg.shop_name, "no-reply@" + host};
  if (auto reply = parse_mail_address(cfg.email_reply_to); reply.ok()) m.reply_to = reply->address;
  m.to = content.to;
  m.subject = r.subject;
  m.text = r.text;
  m.html = r.html;
  // Deterministic: the same for every attempt of this row.
  m.message_id = "email-" + std::to_string(row.id) + "." + std::to_string(row.event_id) + "@" + host;
  m.date = now_seconds();
  m.headers = {{"X-Shopbox-Email", std::to_string(row.id)}, {"Auto-Submitted", "auto-generated"}};
  m.headers.insert(m.headers.end(), content.headers.begin(), content.headers.end());
  return m;
}

Result<EmailContent> EmailDispatcher::content_for(const outbox::Event& ev) {
  json p = json::parse(ev.payload, nullptr, false);
  if (!p.is_object()) return email_skip("the event's payload is not an object");
  Result<EmailContent> c = Status::Internal("no content");
  if (ev.type.rfind("order.", 0) == 0 && ev.type != "order.lookup_code")
    c = order_content(ev.type, p);
  else if (ev.type.rfind("refund.", 0) == 0 || ev.type.rfind("return.", 0) == 0)
    c = order_content(ev.type, p);
  else if (outbox::is_private(ev.type))
    c = account_content(ev.type, p);
  else
    c = user_content(ev.type, p);
  if (c.ok()) add_shop_data(c->data, deps_.config, deps_.shop_identity);
  return c;
}

std::string EmailDispatcher::order_url(const Order& o) {
  // A guest has no account to sign in to: the signed link opens the order.
  if (o.user_id == 0) {
    auto url = deps_.orders.guest_order_url(o);
    if (url.ok()) return *url;
  }
  return deps_.config.public_url + "/orders/" + o.id;
}

Result<EmailContent> EmailDispatcher::order_content(const std::string& type, const json& p) {
  auto d = deps_.orders.get(email_text_field(p, "order_id"));
  if (!d.ok()) {
    if (d.status().kind() == Kind::not_found) return email_skip("the order is gone");
    return d.status();
  }
  const Order& o = d->order;
  if (o.email.empty()) return email_skip("the order has no email address");
  EmailContent c;
  c.to = {o.customer_name, o.email};
  c.data = order_email_data(o, order_url(o));
  json& data = c.data;
  if (type == "order.shipped") {
    data["carrier"] = email_text_field(p, "carrier");
    data["tracking_number"] = email_text_field(p, "tracking_number");
    data["tracking_url"] = tracking_url(email_text_field(p, "carrier"), email_text_field(p, "tracking_number"));
  } else if (type == "order.cancelled") {
    auto cents = p.contains("refunded") ? cents_from_json(p["refunded"]) : std::nullopt;
    data["refunded"] = email_money(cents.value_or(0), o.currency);
    data["has_refund"] = cents.value_or(0) > 0;
  } else if (type == "refund.created") {
    std::string id = email_text_field(p, "refund_id");
    for (const auto& r : d->refunds)
      if (r.id == id && r.reason.rfind("cancelled: ", 0) == 0)
        return email_skip("part of a cancellation: the cancellation email says it");
    data["amount"] = email_money_json(p.value("amount", json(0)), p.value("currency", o.currency));
    data["lines"] = email_lines(p.value("lines", json::array()), o);
    data["has_lines"] = !data["lines"].empty();
  } else if (type == "return.requested" || type == "return.decided") {
    data["return_id"] = "#" + email_text_field(p, "return_id");
    data["lines"] = email_lines(p.value("lines", json::array()), o);
    std::string status = email_text_field(p, "status");
    data["status"] = status;
    data["approved"] = status == "approved";
    data["rejected"] = status == "rejected";
    data["reason"] = email_text_field(p, "reason");
  }
  return c;
}

Result<EmailContent> EmailDispatcher::account_content(const std::string& type, const json& p) {
  int64_t expires = email_expiry(p);
  if (expires > 0 && expires <= now_seconds()) return email_skip("the link or code expired before it could be sent");
  EmailContent c;
  c.to = {email_text_field(p, "name"), email_text_field(p, "email")};
  if (c.to.address.empty()) return email_skip("the event names no email address");
  std::string secret = email_text_field(p, type == "order.lookup_code" ? "code" : "token");
  // A staff invitation to an account that has a password carries no secret.
  bool needs_secret = !(type == "account.staff_invite" && p.value("has_password", false));
  if (secret.empty() && needs_secret) return email_skip("the secret was already removed");
  c.data = {{"customer_name", c.to.name.empty() ? "there" : c.to.name},
            {"email", c.to.address},
            {"expires", expires > 0 ? email_readable_time(expires) : std::string("it is used")}};
  const std::string& base = deps_.config.public_url;
  if (type == "account.verify_email") {
    c.data["link"] = base + "/account/verify-email?token=" + email_url_encode(secret);
  } else if (type == "account.password_reset") {
    c.data["link"] = base + "/account/reset-password?token=" + email_url_encode(secret);
  } else if (type == "account.staff_invite") {
    std::string role = email_text_field(p, "role");
    c.data["role"] = role;
    c.data["owner"] = role == "owner";
    c.data["staff"] = role == "staff";
    c.data["fulfilment"] = role == "fulfilment";
    c.data["set_password"] = !secret.empty();
    c.data["link"] =
        secret.empty() ? base + "/admin" : base + "/account/reset-password?token=" + email_url_encode(secret);
    c.data["admin_link"] = base + "/admin";
  } else {
    c.data["code"] = secret;
    std::string number = email_text_field(p, "order_number");
    c.data["order_number"] = number.empty() || number[0] == '#' ? number : "#" + number;
  }
  return c;
}

Result<EmailContent> EmailDispatcher::user_content(const std::string& type, const json& p) {
  int64_t user_id = std::strtoll(email_text_field(p, "user_id").c_str(), nullptr, 10);
  auto user = user_id > 0 ? deps_.accounts.get(user_id) : std::nullopt;
  if (!user || user->email.empty()) return email_skip("the user is gone");
  if (user->status != "active") return email_skip("the account is disabled");
  EmailContent c;
  c.to = {email_user_name(*user), user->email};
  c.data = {{"customer_name", c.to.name.empty() ? "there" : c.to.name}, {"email", user->email}};
  const std::string& base = deps_.config.public_url;
  if (type == "cart.abandoned") {
    json items = json::array();
    for (const auto& l : p.value("items", json::array())) {
      json opts = l.value("selected_options", json::object());
      std::string text;
      if (opts.is_object())
        for (const auto& [k, v] : opts.items())
          text += (text.empty() ? "" : ", ") + k + ": " + (v.is_string() ? v.get<std::string>() : v.dump());
      items.push_back(
          {{"name", l.value("name", "")}, {"options", text}, {"quantity", l.value("quantity", json(1)).dump()}});
    }
    auto unsub = deps_.unsubscribe_url(user_id);
    if (!unsub.ok()) return unsub.status();
    bool opted_in = false;
    Status r = deps_.db.read([&](Connection& conn) {
      opted_in = email_store::cart_reminders(conn, user_id);
      return Status::Ok();
    });
    if (!r.ok()) return r;
    if (!opted_in) return email_skip("the shopper turned cart reminders off");
    c.data["items"] = items;
    c.data["cart_url"] = base + "/cart";
    c.data["unsubscribe_url"] = *unsub;
    // RFC 8058 one-click unsubscribe: the mail client POSTs to the link.
    c.headers = {{"List-Unsubscribe", "<" + *unsub + ">"}, {"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"}};
    return c;
  }
  // wishlist.back_in_stock, wishlist.price_drop
  std::string currency = p.value("currency", deps_.config.currency);
  c.data["product_name"] = email_text_field(p, "name");
  c.data["product_url"] = base + "/p/" + email_text_field(p, "product_id");
  c.data["price"] = email_money_json(p.value("price", json(nullptr)), currency);
  c.data["old_price"] = email_money_json(p.value("old_price", json(nullptr)), currency);
  c.data["new_price"] = email_money_json(p.value("new_price", json(nullptr)), currency);
  return c;
}

}  // namespace shopbox
