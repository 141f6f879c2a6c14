// The email module from its parts over a real shop's database: templates
// (escaping, data-dir overrides), the MIME builder, events turned into mail
// through a fake Mailer, retries and dead letters, exactly one row per
// event and template, private events kept from webhooks and scrubbed.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "base/clock.h"
#include "base/http_client.h"
#include "cart/cart.h"
#include "email/email.h"
#include "email/email_data.h"
#include "email/email_dispatcher.h"
#include "events/outbox.h"
#include "orders/orders.h"
#include "schema.h"
#include "support/fixtures.h"
#include "support/test_shop.h"
#include "users/accounts.h"

using namespace shopbox;
using shopbox::testing::count_rows;
using shopbox::testing::exec_sql;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {

// Keeps what it is asked to send; fails the next `failures` sends.
class FakeMailer : public Mailer {
 public:
  int failures = 0;
  std::string failure_code = "smtp_failed";
  std::vector<MailMessage> sent;
  int calls = 0;
  Status send(const MailMessage& m) override {
    std::lock_guard lock(mu_);
    ++calls;
    if (failures > 0) {
      --failures;
      return Status(Kind::unavailable, failure_code, "Connection refused");
    }
    auto mime = build_mime(m);
    if (!mime.ok()) return mime.status();
    sent.push_back(m);
    return Status::Ok();
  }

 private:
  std::mutex mu_;
};

// A shop whose own email thread never sends (no smtp_url), and an Emails
// over its services that sends through the fake.
struct EmailRig {
  TestShop shop;
  Config config;
  FakeMailer mailer;
  std::unique_ptr<Emails> emails;
  explicit EmailRig(const std::function<void(Config&)>& tweak = {}) : shop(tweak) {
    config = shop.app().config;
    config.smtp_url = "smtp://mail.invalid:25";
    config.email_backoff_ms = 0;
    config.email_max_attempts = 3;
    config.public_url = "https://shop.example";
    config.shop_name = "Plum & Co";
    emails = std::make_unique<Emails>(Emails::Dependencies{*shop.app().db, mailer, *shop.app().orders,
                                                           *shop.app().accounts, *shop.app().cart, config});
  }
  // Sends what is queued so far (the verification mail of a new account)
  // and forgets it, so a test sees only its own mail.
  void flush() {
    emails->run_once();
    mailer.sent.clear();
    mailer.calls = 0;
  }
  void append(const std::string& type, const json& data) {
    REQUIRE(shop.app()
                .db
                ->write([&](Connection& c) {
                  outbox::append(c, type, data);
                  return Status::Ok();
                })
                .ok());
  }
  std::string one(const std::string& sql) {
    std::string out;
    REQUIRE(shop.app()
                .db
                ->read([&](Connection& c) {
                  auto st = c.prepare(sql.c_str());
                  if (st.step()) out = st.text(0);
                  return Status::Ok();
                })
                .ok());
    return out;
  }
};

std::string header_of(const MailMessage& m, const std::string& name) {
  for (const auto& h : m.headers)
    if (h.first == name) return h.second;
  return "";
}

}  // namespace

TEST_CASE("templates escape values in HTML only and take data-dir overrides", "[email][unit]") {
  testing::TempDir dir;
  EmailTemplates t(dir.path());
  json data = email_sample_data("back_in_stock", Config{});
  data["product_name"] = "<b>Socks</b> & \"more\"";
  data["customer_name"] = "Ann\r\nBcc: x@evil.example";
  auto r = t.render("back_in_stock", data);
  REQUIRE(r.ok());
  CHECK(r->subject == "Back in stock: <b>Socks</b> & \"more\"");
  CHECK(r->text.find("<b>Socks</b> & \"more\" from your wishlist") != std::string::npos);
  CHECK(r->html.find("&lt;b&gt;Socks&lt;/b&gt; &amp; &quot;more&quot;") != std::string::npos);
  CHECK(r->html.find("<b>Socks</b>") == std::string::npos);
  CHECK(r->html.find("<!DOCTYPE html>") == 0);  // in the layout
  CHECK(t.render("no_such_template", data).status().kind() == Kind::not_found);

  std::filesystem::create_directories(dir.path() + "/email-templates");
  std::ofstream(dir.path() + "/email-templates/back_in_stock.subject") << "{{product_name}} is here again";
  std::ofstream(dir.path() + "/email-templates/back_in_stock.txt") << "{{#broken}} never closed";
  auto o = t.render("back_in_stock", data);
  REQUIRE(o.ok());
  CHECK(o->subject == "<b>Socks</b> & \"more\" is here again");
  CHECK(o->text.find("from your wishlist") != std::string::npos);  // the bad override fell back
  bool listed = false;
  for (const auto& info : t.list())
    if (info.name == "back_in_stock") listed = info.overridden == std::vector<std::string>{"subject", "txt"};
  CHECK(listed);
  // Every built-in renders with its sample data.
  for (const auto& name : EmailTemplates::names()) {
    auto s = t.render(name, email_sample_data(name, Config{}));
    CHECK(s.ok());
    if (s.ok()) CHECK_FALSE(s->subject.empty());
  }
}

TEST_CASE("the MIME builder: CRLF, encoded words, quoted-printable, no header injection", "[email][unit]") {
  MailMessage m;
  m.from = {"Plum & Co", "shop@plum.example"};
  m.to = {"Zoë Łukasz", "zoe@example.com"};
  m.reply_to = "help@plum.example";
  m.subject = "Votre commande n° 1001 est confirmée — merci beaucoup pour votre achat chez nous";
  m.text = "Line one\n.starts with a dot\nTotal: 84.99 = paid \nCafé";
  m.html = "<p>Caf\xc3\xa9 = " + std::string(100, 'x') + "</p>";
  m.message_id = "email-7.42@plum.example";
  m.date = 1770633000;
  m.headers = {{"X-Shopbox-Email", "7"}};
  auto mime = build_mime(m);
  REQUIRE(mime.ok());
  const std::string& s = *mime;
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\n') REQUIRE((i > 0 && s[i - 1] == '\r'));
  CHECK(s.find("Date: Mon, 09 Feb 2026 10:30:00 +0000\r\n") != std::string::npos);
  CHECK(s.find("From: \"Plum & Co\" <shop@plum.example>\r\n") != std::string::npos);
  CHECK(s.find("To: =?UTF-8?B?") != std::string::npos);
  CHECK(s.find("Subject: =?UTF-8?B?") != std::string::npos);
  CHECK(s.find("\r\n =?UTF-8?B?") != std::string::npos);  // a long subject is folded
  CHECK(s.find("Message-ID: <email-7.42@plum.example>\r\n") != std::string::npos);
  CHECK(s.find("Reply-To: help@plum.example\r\n") != std::string::npos);
  CHECK(s.find("X-Shopbox-Email: 7\r\n") != std::string::npos);
  CHECK(s.find("Content-Type: multipart/alternative; boundary=\"=_shopbox_") != std::string::npos);
  CHECK(s.find("Content-Transfer-Encoding: quoted-printable") != std::string::npos);
  CHECK(s.find("\r\n=2Estarts with a dot") != std::string::npos);
  CHECK(s.find("84.99 =3D paid=20\r\n") != std::string::npos);
  CHECK(s.find("Caf=C3=A9") != std::string::npos);
  // Every body line fits SMTP's limit: quoted-printable keeps lines to 76.
  size_t longest = 0;
  for (size_t start = s.find("\r\n\r\n") + 4; start < s.size();) {
    size_t end = s.find("\r\n", start);
    if (end == std::string::npos) end = s.size();
    longest = std::max(longest, end - start);
    start = end + 2;
  }
  CHECK(longest <= 76);
  CHECK(s.find("=\r\n") != std::string::npos);  // the 100 x's were soft-wrapped
  // Header injection: any CR or LF in a header value is refused.
  MailMessage bad = m;
  bad.subject = "Hello\r\nBcc: victim@example.com";
  CHECK(build_mime(bad).status().kind() == Kind::invalid);
  bad = m;
  bad.to.name = "Eve\nBcc: victim@example.com";
  CHECK_FALSE(build_mime(bad).ok());
  bad = m;
  bad.to.address = "eve@example.com>\r\nBcc: victim@example.com";
  CHECK_FALSE(build_mime(bad).ok());
  bad = m;
  bad.headers = {{"List-Unsubscribe", "<https://x>\r\nBcc: v@example.com"}};
  CHECK_FALSE(build_mime(bad).ok());
  auto parsed = parse_mail_address("\"Plum Shop\" <shop@plum.example>");
  REQUIRE(parsed.ok());
  CHECK(parsed->name == "Plum Shop");
  CHECK(parsed->address == "shop@plum.example");
  CHECK_FALSE(parse_mail_address("not an address").ok());
}

TEST_CASE("tracking links for the known carriers, the number alone otherwise", "[email][unit]") {
  CHECK(tracking_url("UPS", "1Z999AA10123456784") == "https://www.ups.com/track?tracknum=1Z999AA10123456784");
  CHECK(tracking_url("usps", "9400 1000").find("https://tools.usps.com/") == 0);
  CHECK(tracking_url("FedEx", "12345").find("https://www.fedex.com/") == 0);
  CHECK(tracking_url("DHL Express", "12345").find("https://www.dhl.com/") == 0);
  CHECK(tracking_url("Acme Couriers", "12345").empty());
}

TEST_CASE("a password reset is mailed once, kept from webhooks and scrubbed", "[email][unit]") {
  EmailRig rig;
  rig.append("account.password_reset", {{"user_id", "5"},
                                        {"email", "ann@example.com"},
                                        {"name", "Ann"},
                                        {"token", "tok-secret-123"},
                                        {"expires_at", now_seconds() + 1800}});
  rig.append("order.paid", {{"order_id", "ord_x"}});  // no template: no row
  CHECK(rig.emails->run_once() == 1);
  REQUIRE(rig.mailer.sent.size() == 1);
  const MailMessage& m = rig.mailer.sent[0];
  CHECK(m.to.address == "ann@example.com");
  CHECK(m.subject == "Reset your Plum & Co password");
  CHECK(m.text.find("https://shop.example/account/reset-password?token=tok-secret-123") != std::string::npos);
  CHECK(m.text.find("30 minutes") != std::string::npos);
  CHECK(m.message_id.find("@shop.example") != std::string::npos);
  CHECK_FALSE(header_of(m, "X-Shopbox-Email").empty());
  CHECK(rig.one("SELECT status FROM emails") == "sent");
  CHECK(count_rows(rig.shop, "SELECT count(*) FROM emails") == 1);
  // The token is gone from the database once the mail is out.
  CHECK(rig.one("SELECT payload FROM outbox_events WHERE type = 'account.password_reset'").find("tok-secret") ==
        std::string::npos);
  CHECK(rig.emails->run_once() == 0);
  CHECK(rig.mailer.sent.size() == 1);

  // Fan-out again from the start: still one row per event and template.
  exec_sql(rig.shop, "UPDATE email_cursor SET last_event_id = 0");
  CHECK(rig.emails->dispatcher().fan_out() == 0);
  CHECK(count_rows(rig.shop, "SELECT count(*) FROM emails") == 1);
}

TEST_CASE("private events never reach merchant webhooks", "[email][webhooks][unit]") {
  testing::TempDir dir;
  auto db = std::move(Sqlite::open(dir.path() + "/shop.db", all_migrations()).value());
  Config config;
  config.webhook_urls = "https://merchant.example/hooks";
  config.webhook_secret = "whsec_unit_0123456789";
  config.webhook_backoff_ms = 0;
  class Net : public HttpClient {
   public:
    std::vector<OutboundRequest> sent;
    Result<OutboundResponse> send(const OutboundRequest& r) override {
      sent.push_back(r);
      return OutboundResponse{200, "{}"};
    }
  } net;
  WebhookDispatcher dispatcher(*db, net, config);
  REQUIRE(db->write([&](Connection& c) {
              outbox::append(c, "account.verify_email", {{"email", "a@example.com"}, {"token", "t"}});
              outbox::append(c, "order.lookup_code", {{"email", "a@example.com"}, {"code", "123456"}});
              outbox::append(c, "order.paid", {{"order_id", "ord_1"}});
              return Status::Ok();
            }).ok());
  CHECK(dispatcher.run_once() == 1);
  REQUIRE(net.sent.size() == 1);
  CHECK(net.sent[0].body.find("order.paid") != std::string::npos);
  CHECK(outbox::is_private("account.password_reset"));
  CHECK(outbox::is_private("order.lookup_code"));
  CHECK_FALSE(outbox::is_private("order.created"));
}

TEST_CASE("failures are retried with backoff, then dead-lettered; an admin retry sends", "[email][unit]") {
  EmailRig rig;
  auto user = rig.shop.register_user("wish@example.com");
  rig.flush();
  REQUIRE(rig.one("SELECT count(*) FROM emails WHERE template = 'back_in_stock'") == "0");
  rig.config.email_backoff_ms = 60000;
  rig.append(
      "wishlist.back_in_stock",
      {{"user_id", user.user_id}, {"product_id", "11"}, {"name", "Trail Socks"}, {"currency", "USD"}, {"price", 12.5}});
  rig.mailer.failures = 10;
  CHECK(rig.emails->run_once() == 1);
  CHECK(rig.one("SELECT status || ':' || attempts FROM emails WHERE template = 'back_in_stock'") == "queued:1");
  int64_t wait =
      std::stoll(rig.one("SELECT next_attempt_at FROM emails WHERE template = 'back_in_stock'")) - now_millis();
  CHECK(wait > 50000);                 // email_backoff_ms * 2^0
  CHECK(rig.emails->run_once() == 0);  // not due yet
  exec_sql(rig.shop, "UPDATE emails SET next_attempt_at = 0");
  CHECK(rig.emails->run_once() == 1);
  wait = std::stoll(rig.one("SELECT next_attempt_at FROM emails WHERE template = 'back_in_stock'")) - now_millis();
  CHECK(wait > 110000);  // doubled
  exec_sql(rig.shop, "UPDATE emails SET next_attempt_at = 0");
  CHECK(rig.emails->run_once() == 1);
  CHECK(rig.one("SELECT status || ':' || attempts FROM emails WHERE template = 'back_in_stock'") == "dead:3");
  CHECK(rig.one("SELECT last_error FROM emails WHERE template = 'back_in_stock'") == "Connection refused");
  CHECK(rig.emails->run_once() == 0);

  rig.mailer.failures = 0;
  int64_t id = std::stoll(rig.one("SELECT email_id FROM emails WHERE template = 'back_in_stock'"));
  auto again = rig.emails->retry(id);
  REQUIRE(again.ok());
  CHECK(again->status == "queued");
  CHECK(rig.emails->run_once() == 1);
  REQUIRE(rig.mailer.sent.size() == 1);
  CHECK(rig.mailer.sent[0].to.address == "wish@example.com");
  CHECK(rig.mailer.sent[0].subject == "Back in stock: Trail Socks");
  CHECK(rig.mailer.sent[0].text.find("$12.50") != std::string::npos);
  CHECK(rig.emails->retry(id).status().code() == "not_retryable");
  CHECK(rig.emails->retry(999999).status().kind() == Kind::not_found);
}

TEST_CASE("a 5xx is dead at once; a dead private email cannot be retried", "[email][unit]") {
  EmailRig rig;
  rig.mailer.failures = 1;
  rig.mailer.failure_code = "smtp_rejected";
  rig.append("account.verify_email", {{"user_id", "5"},
                                      {"email", "bob@example.com"},
                                      {"name", "Bob"},
                                      {"token", "verify-secret"},
                                      {"expires_at", now_seconds() + 86400}});
  CHECK(rig.emails->run_once() == 1);
  CHECK(rig.one("SELECT status FROM emails") == "dead");
  CHECK(rig.one("SELECT payload FROM outbox_events").find("verify-secret") == std::string::npos);
  int64_t id = std::stoll(rig.one("SELECT email_id FROM emails"));
  CHECK(rig.emails->retry(id).status().code() == "secret_removed");
  // An expired link is not mailed at all.
  rig.append("account.verify_email", {{"email", "late@example.com"}, {"token", "old"}, {"expires_at", 1}});
  CHECK(rig.emails->run_once() == 0);
  CHECK(rig.one("SELECT status FROM emails WHERE email_id > " + std::to_string(id)) == "skipped");
}

TEST_CASE("nothing is sent without an SMTP server; rows wait queued", "[email][unit]") {
  EmailRig rig;
  rig.config.smtp_url = "";
  rig.append("account.password_reset", {{"email", "ann@example.com"}, {"token", "t"}});
  CHECK(rig.emails->run_once() == 0);
  CHECK(rig.mailer.calls == 0);
  CHECK(rig.one("SELECT status FROM emails") == "queued");
}

TEST_CASE("order events become order emails for the order's address", "[email][unit]") {
  EmailRig rig;
  auto& app = rig.shop.app();
  std::string pid = rig.shop.create_product({{"name", "Merino <Sweater>"}, {"price", 84.99}}, 5);
  auto user = rig.shop.register_user("buyer@example.com");
  rig.flush();
  testing::Headers h = user.auth;
  h.emplace("Idempotency-Key", "email-order-1");
  auto placed = rig.shop.post("/api/v1/orders",
                              {{"items", {{{"product_id", pid}, {"quantity", 2}}}},
                               {"shipping_address", testing::address()},
                               {"payment_method", testing::card()}},
                              h);
  REQUIRE(placed.status == 201);
  std::string order_id = placed.body["order_id"];
  // The recipient is the order's email (checkout fills it in for accounts).
  exec_sql(rig.shop, "UPDATE orders SET email = 'buyer@example.com' WHERE email = ''");
  CHECK(rig.emails->run_once() == 1);
  REQUIRE(rig.mailer.sent.size() == 1);
  const MailMessage& m = rig.mailer.sent[0];
  CHECK(m.to.address == "buyer@example.com");
  auto order = app.orders->get(order_id);
  REQUIRE(order.ok());
  std::string number = email_order_number(order->order);
  CHECK(m.subject.find(number) != std::string::npos);
  CHECK(m.text.find("Merino <Sweater> x 2 @ $84.99 = $169.98") != std::string::npos);
  CHECK(m.html.find("Merino &lt;Sweater&gt;") != std::string::npos);
  CHECK(m.text.find("Total: " + email_money(order->order.total, "USD")) != std::string::npos);
  CHECK(m.text.find("123 Main St") != std::string::npos);

  REQUIRE(app.orders->ship(order_id, "UPS", "1Z999AA10123456784", "admin").ok());
  REQUIRE(app.orders->deliver(order_id, "admin").ok());
  RefundSpec spec;
  spec.amount = 1000;
  spec.reason = "a scratch";
  REQUIRE(app.orders->refund(order_id, spec, "admin").ok());
  CHECK(rig.emails->run_once() == 3);
  REQUIRE(rig.mailer.sent.size() == 4);
  CHECK(rig.mailer.sent[1].subject == "Order " + number + " has shipped");
  CHECK(rig.mailer.sent[1].text.find("https://www.ups.com/track?tracknum=1Z999AA10123456784") != std::string::npos);
  CHECK(rig.mailer.sent[2].subject == "Order " + number + " was delivered");
  CHECK(rig.mailer.sent[3].subject == "Refund of $10.00 for order " + number);

  // An order without an email address gets no mail: the row is skipped.
  exec_sql(rig.shop, "UPDATE orders SET email = ''");
  REQUIRE(app.orders->refund(order_id, spec, "admin").ok());
  CHECK(rig.emails->run_once() == 0);
  CHECK(rig.one("SELECT status || ':' || last_error FROM emails ORDER BY email_id DESC") ==
        "skipped:the order has no email address");
}

TEST_CASE("abandoned carts: opted-in shoppers get one reminder per cart change, with one-click unsubscribe",
          "[email][unit]") {
  testing::ClockReset reset;
  EmailRig rig([](Config& c) { c.abandoned_cart_delay_minutes = 30; });
  rig.emails->dispatcher().cart_scan_every_seconds = 0;
  std::string pid = rig.shop.create_product({{"name", "Trail Socks"}, {"price", 12.5}}, 5);
  auto user = rig.shop.register_user("cart@example.com");
  auto other = rig.shop.register_user("nope@example.com");
  rig.flush();
  for (const auto* who : {&user, &other}) {
    int status = rig.shop.post("/api/v1/cart/items", {{"product_id", pid}, {"quantity", 2}}, who->auth).status;
    REQUIRE((status == 200 || status == 201));
  }
  REQUIRE(rig.shop.put("/api/v1/me/email-preferences", {{"cart_reminders", true}}, user.auth).status == 200);
  CHECK(rig.shop.get("/api/v1/me/email-preferences", user.auth).body["cart_reminders"] == true);
  CHECK(rig.emails->run_once() == 0);  // not idle long enough
  set_clock_offset(31 * 60);
  CHECK(rig.emails->run_once() == 1);
  REQUIRE(rig.mailer.sent.size() == 1);
  const MailMessage& m = rig.mailer.sent[0];
  CHECK(m.to.address == "cart@example.com");
  CHECK(m.text.find("Trail Socks x 2") != std::string::npos);
  std::string unsub = header_of(m, "List-Unsubscribe");
  CHECK(header_of(m, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click");
  REQUIRE(unsub.find("<https://shop.example/api/v1/email/unsubscribe?token=") == 0);
  std::string token = unsub.substr(unsub.find("token=") + 6);
  token.pop_back();
  CHECK(m.text.find(token) != std::string::npos);
  CHECK(rig.emails->run_once() == 0);  // once per cart change

  // The link works without signing in; a forged one does not.
  CHECK(rig.shop.get("/api/v1/email/unsubscribe?token=" + token).status == 200);
  CHECK(rig.shop
            .post_raw("/api/v1/email/unsubscribe?token=u1.00", "List-Unsubscribe=One-Click", {},
                      "application/x-www-form-urlencoded")
            .status == 400);
  auto r = rig.shop.post_raw("/api/v1/email/unsubscribe?token=" + token, "List-Unsubscribe=One-Click", {},
                             "application/x-www-form-urlencoded");
  CHECK(r.status == 200);
  CHECK(rig.shop.get("/api/v1/me/email-preferences", user.auth).body["cart_reminders"] == false);
}

TEST_CASE("the admin email log, template list and preview", "[email][unit]") {
  TestShop shop;
  auto list = shop.get("/api/v1/admin/emails?status=dead", shop.admin());
  CHECK(list.status == 200);
  CHECK(list.body["emails"].is_array());
  CHECK(shop.get("/api/v1/admin/emails?status=bogus", shop.admin()).status == 400);
  CHECK(shop.get("/api/v1/admin/emails").status == 401);
  auto templates = shop.get("/api/v1/admin/email-templates", shop.admin());
  REQUIRE(templates.status == 200);
  CHECK(templates.body["templates"].size() == EmailTemplates::names().size() + 1);
  auto html = shop.get("/api/v1/admin/email-templates/order_confirmation/preview", shop.admin());
  CHECK(html.status == 200);
  CHECK(html.text.find("Merino Crew Sweater") != std::string::npos);
  auto text = shop.get("/api/v1/admin/email-templates/order_shipped/preview?format=text", shop.admin());
  CHECK(text.text.find("https://www.ups.com/track") != std::string::npos);
  CHECK(shop.get("/api/v1/admin/email-templates/nope/preview", shop.admin()).status == 404);
  CHECK(shop.post("/api/v1/admin/emails/12345/retry", json::object(), shop.admin()).status == 404);
}

TEST_CASE("a staff invitation says the role and, for a new account, how to set its password", "[email][unit]") {
  EmailRig rig;
  rig.append("account.staff_invite", {{"user_id", "7"},
                                      {"email", "pat@example.com"},
                                      {"name", "Pat"},
                                      {"role", "fulfilment"},
                                      {"token", "tok-invite-456"},
                                      {"expires_at", now_seconds() + 7 * 24 * 3600}});
  rig.append("account.staff_invite",
             {{"user_id", "8"}, {"email", "lee@example.com"}, {"name", ""}, {"role", "owner"}, {"has_password", true}});
  CHECK(rig.emails->run_once() == 2);
  REQUIRE(rig.mailer.sent.size() == 2);
  const MailMessage& fresh =
      rig.mailer.sent[0].to.address == "pat@example.com" ? rig.mailer.sent[0] : rig.mailer.sent[1];
  const MailMessage& known = &fresh == &rig.mailer.sent[0] ? rig.mailer.sent[1] : rig.mailer.sent[0];
  CHECK(fresh.subject == "You can now help run Plum & Co");
  CHECK(fresh.text.find("as fulfilment: you can see and ship orders") != std::string::npos);
  CHECK(fresh.text.find("https://shop.example/account/reset-password?token=tok-invite-456") != std::string::npos);
  CHECK(fresh.html.find("Choose your password") != std::string::npos);
  CHECK(known.to.address == "lee@example.com");
  CHECK(known.text.find("as an owner: you can do everything") != std::string::npos);
  CHECK(known.text.find("https://shop.example/admin") != std::string::npos);
  CHECK(known.text.find("reset-password") == std::string::npos);
  // The token is gone from the database once the mail is out.
  CHECK(count_rows(rig.shop, "SELECT count(*) FROM outbox_events WHERE payload LIKE '%tok-invite-456%'") == 0);
}
