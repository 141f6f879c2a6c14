// Email routes: the admin's email log, dead letters and retry, template
// list and preview; a shopper's email preferences; the one-click
// unsubscribe link of cart reminders (src/email/email.h).
#include "app.h"
#include "base/clock.h"
#include "base/text.h"
#include "email/email.h"
#include "http/server.h"

namespace shopbox {
using namespace http;

namespace {

json email_row_json(const EmailRow& e) {
  return {{"email_id", std::to_string(e.id)},
          {"event_id", "evt_" + std::to_string(e.event_id)},
          {"event_type", e.event_type},
          {"template", e.template_name},
          {"status", e.status},
          {"recipient", e.recipient},
          {"subject", e.subject},
          {"message_id", e.message_id},
          {"attempts", e.attempts},
          {"interrupted", e.interrupted},
          {"last_error", e.last_error},
          {"next_attempt_at", e.status == "queued" ? json(iso8601(e.next_attempt_at / 1000)) : json(nullptr)},
          {"created_at", iso8601(e.created_at)},
          {"sent_at", e.sent_at ? json(iso8601(*e.sent_at)) : json(nullptr)}};
}

void send_email_page(Res& res, int status, const std::string& shop, const std::string& title,
                     const std::string& body_html) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
      "content=\"width=device-width\"><title>" +
          markup_escape(title) + " · " + markup_escape(shop) +
          "</title></head><body style=\"font-family:Helvetica,Arial,sans-serif;max-width:520px;"
          "margin:48px auto;padding:0 16px;color:#18181b\"><h1 style=\"font-size:22px\">" +
          markup_escape(title) + "</h1>" + body_html + "</body></html>",
      "text/html; charset=utf-8");
}

void register_email_admin_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/admin/emails", Access::admin, "admin",
              "Email log, newest first; filter: status (queued, sending, sent, skipped, dead: the dead letters)"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto page = pagination(req);
               if (!page.ok()) return send_error(res, page.status());
               auto status = query(req, "status");
               if (status && *status != "queued" && *status != "sending" && *status != "sent" && *status != "skipped" &&
                   *status != "dead")
                 return send_error(res, field_error("status", "status must be queued, sending, sent, skipped or dead"));
               int64_t total = 0;
               auto rows = app.emails->list(status, page->size, page->offset(), &total);
               if (!rows.ok()) return send_error(res, rows.status());
               json items = json::array();
               for (const auto& e : *rows) items.push_back(email_row_json(e));
               send_json(res, 200, {{"emails", items}, {"page", page->page}, {"size", page->size}, {"total", total}});
             });

  server.add(
      {"POST", "/api/v1/admin/emails/{id}/retry", Access::admin, "admin", "Queue a dead (or failing) email again, now"},
      [&app](const Req& req, Res& res, const Principal&) {
        auto id = path_id(req, 1, "email");
        if (!id.ok()) return send_error(res, id.status());
        auto row = app.emails->retry(*id);
        if (!row.ok()) return send_error(res, row.status());
        send_json(res, 200, email_row_json(*row));
      });

  server.add({"GET", "/api/v1/admin/email-templates", Access::admin, "admin",
              "Email templates and which parts the data dir overrides"},
             [&app](const Req&, Res& res, const Principal&) {
               json items = json::array();
               for (const auto& t : app.emails->templates().list())
                 items.push_back({{"name", t.name}, {"overridden", !t.overridden.empty()}, {"parts", t.overridden}});
               send_json(res, 200, {{"templates", items}, {"directory", app.emails->templates().dir()}});
             });

  server.add(
      {"GET", "/api/v1/admin/email-templates/{name}/preview", Access::admin, "admin",
       "A template rendered with sample data; format=html (default), text or json"},
      [&app](const Req& req, Res& res, const Principal&) {
        std::string name = req.matches[1];
        auto format = query(req, "format").value_or("html");
        if (format != "html" && format != "text" && format != "json")
          return send_error(res, field_error("format", "format must be html, text or json"));
        auto r = app.emails->preview(name);
        if (!r.ok()) return send_error(res, r.status());
        if (format == "json")
          return send_json(res, 200, {{"name", name}, {"subject", r->subject}, {"text", r->text}, {"html", r->html}});
        res.status = 200;
        if (format == "html")
          res.set_content(r->html, "text/html; charset=utf-8");
        else
          res.set_content("Subject: " + r->subject + "\n\n" + r->text, "text/plain; charset=utf-8");
      });
}

void register_email_shopper_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/me/email-preferences", Access::user, "auth",
              "Which optional emails the signed-in user gets (cart_reminders)"},
             [&app](const Req&, Res& res, const Principal& who) {
               auto on = app.emails->cart_reminders(who.user_id);
               if (!on.ok()) return send_error(res, on.status());
               send_json(res, 200, {{"cart_reminders", *on}});
             });

  server.add({"PUT", "/api/v1/me/email-preferences", Access::user, "auth",
              "Opt in or out of optional emails: {cart_reminders: bool}"},
             [&app](const Req& req, Res& res, const Principal& who) {
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (Status st = only_fields(*body, {"cart_reminders"}); !st.ok()) return send_error(res, st);
               auto on = opt_bool(*body, "cart_reminders");
               if (!on.ok()) return send_error(res, on.status());
               if (!*on) return send_error(res, field_error("cart_reminders", "cart_reminders is required"));
               if (Status st = app.emails->set_cart_reminders(who.user_id, **on); !st.ok()) return send_error(res, st);
               send_json(res, 200, {{"cart_reminders", **on}});
             });

  // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to the
  // List-Unsubscribe URL, without cookies; a person opening the link gets
  // a page with a button (GET must not unsubscribe: link scanners open it).
  server.add({"GET", "/api/v1/email/unsubscribe", Access::anyone, "system",
              "The unsubscribe page of a cart-reminder email (token from the email)"},
             [&app](const Req& req, Res& res, const Principal&) {
               std::string token = query(req, "token").value_or("");
               const std::string& shop = app.config.shop_name;
               if (!app.emails->check_unsubscribe_token(token).ok())
                 return send_email_page(res, 400, shop, "This link is not valid",
                                        "<p>The unsubscribe link is incomplete or was not made by this shop.</p>");
               send_email_page(res, 200, shop, "Stop cart reminders?",
                               "<p>You will no longer get emails about items left in your cart. Order emails keep "
                               "coming.</p><form method=\"post\" action=\"/api/v1/email/unsubscribe?token=" +
                                   markup_escape(token) +
                                   "\"><button type=\"submit\" style=\"padding:10px 18px\">Unsubscribe</button>"
                                   "</form>");
             });

  server.add({"POST", "/api/v1/email/unsubscribe", Access::anyone, "system",
              "One-click unsubscribe from cart reminders (RFC 8058; token from the email)", Body::file},
             [&app](const Req& req, Res& res, const Principal&) {
               const std::string& shop = app.config.shop_name;
               Status st = app.emails->unsubscribe(query(req, "token").value_or(""));
               if (st.kind() == Kind::unauthorized)
                 return send_email_page(res, 400, shop, "This link is not valid",
                                        "<p>The unsubscribe link is incomplete or was not made by this shop.</p>");
               if (!st.ok()) return send_error(res, st);
               send_email_page(res, 200, shop, "You are unsubscribed",
                               "<p>You will no longer get cart reminders. You can turn them back on in your "
                               "account.</p>");
             });
}

}  // namespace

void register_email_routes(HttpServer& server, App& app) {
  register_email_admin_routes(server, app);
  register_email_shopper_routes(server, app);
}

}  // namespace shopbox
