// Routes that work through the shopper's inbox: password reset, email
// verification, and finding a guest's order (by number, email and a mailed
// code, or by the signed link of the confirmation email).
//
// None of them tells a stranger whether an email has an account or an
// order: a request for a reset or a code always answers 202, and every
// failed lookup is the same 404. Each is rate-limited per client address
// and per email, like sign-in.
#include "app.h"
#include "base/text.h"
#include "http/api.h"
#include "http/rate_limit.h"
#include "http/routes_orders.h"
#include "http/server.h"
#include "orders/order_json.h"
#include "orders/orders.h"
#include "users/accounts.h"

namespace shopbox {
using namespace http;

namespace {

void too_many_tries(Res& res, int64_t retry_after) {
  res.set_header("Retry-After", std::to_string(retry_after));
  send_error(res, Status(Kind::rate_limited, "rate_limited", "too many tries; retry later",
                         {{"retry_after_seconds", retry_after}}));
}

// The sign-in limits (per IP, then per email from this IP): a reset or a
// code costs a mail, so it is counted like a login attempt.
bool limited_like_login(App& app, const Req& req, Res& res, const std::string& what, const std::string& email) {
  std::string ip = client_ip(app.config, req);
  if (int64_t wait = app.rate_limiter->take(what + ":ip:" + ip, app.rate_limiter->login_per_ip())) {
    too_many_tries(res, wait);
    return true;
  }
  if (int64_t wait = app.rate_limiter->take(what + ":acct:" + ascii_lower(email) + "|ip:" + ip,
                                            app.rate_limiter->login_per_account())) {
    too_many_tries(res, wait);
    return true;
  }
  return false;
}

Result<std::string> required_string(const json& body, const char* field, size_t max_len) {
  auto v = opt_string(body, field, max_len);
  if (!v.ok()) return v.status();
  if (!*v || (*v)->empty()) return field_error(field, std::string(field) + " is required");
  return **v;
}

void register_password_routes(HttpServer& server, App& app) {
  server.add({"POST", "/api/v1/auth/password-reset", Access::anyone, "auth",
              "Ask for a password reset {email}: always 202; an account with that email gets a link valid 30 "
              "minutes"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (auto st = only_fields(*body, {"email"}); !st.ok()) return send_error(res, st);
               auto email = required_string(*body, "email", 1000);
               if (!email.ok()) return send_error(res, email.status());
               if (limited_like_login(app, req, res, "reset", *email)) return;
               if (auto st = app.accounts->request_password_reset(*email); !st.ok()) return send_error(res, st);
               send_json(
                   res, 202,
                   {{"accepted", true}, {"message", "if an account uses this email, a reset link is on its way"}});
             });

  server.add({"POST", "/api/v1/auth/password-reset/confirm", Access::anyone, "auth",
              "Set a new password with the emailed token {token, password}; signs out every session"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (auto st = only_fields(*body, {"token", "password"}); !st.ok()) return send_error(res, st);
               auto token = required_string(*body, "token", 200);
               if (!token.ok()) return send_error(res, token.status());
               auto password = required_string(*body, "password", 1000);
               if (!password.ok()) return send_error(res, password.status());
               if (int64_t wait = app.rate_limiter->take("reset-confirm:ip:" + client_ip(app.config, req),
                                                         app.rate_limiter->login_per_ip()))
                 return too_many_tries(res, wait);
               if (auto st = app.accounts->reset_password(*token, *password); !st.ok()) return send_error(res, st);
               res.set_header("Cache-Control", "no-store");
               send_json(res, 200, {{"reset", true}});
             });
}

void register_verification_routes(HttpServer& server, App& app) {
  server.add({"POST", "/api/v1/auth/verify-email", Access::anyone, "auth",
              "Confirm an account's email with the emailed token {token}; the account then owns the guest orders "
              "placed with that email"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (auto st = only_fields(*body, {"token"}); !st.ok()) return send_error(res, st);
               auto token = required_string(*body, "token", 200);
               if (!token.ok()) return send_error(res, token.status());
               if (int64_t wait = app.rate_limiter->take("verify:ip:" + client_ip(app.config, req),
                                                         app.rate_limiter->login_per_ip()))
                 return too_many_tries(res, wait);
               auto user = app.accounts->verify_email(*token);
               if (!user.ok()) return send_error(res, user.status());
               auto claimed = app.orders->claim_guest_orders(user->email, user->id);
               if (!claimed.ok()) return send_error(res, claimed.status());
               send_json(res, 200,
                         {{"verified", true},
                          {"user", user_json(*user)},
                          {"claimed_orders", static_cast<int64_t>(claimed->size())}});
             });

  server.add({"POST", "/api/v1/me/verify-email", Access::user, "auth",
              "Send the signed-in account a new email verification link"},
             [&app](const Req&, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               if (int64_t wait = app.rate_limiter->take("verify-send:user:" + std::to_string(who.user_id),
                                                         app.rate_limiter->login_per_account()))
                 return too_many_tries(res, wait);
               if (auto st = app.accounts->send_email_verification(who.user_id); !st.ok()) return send_error(res, st);
               send_json(res, 202, {{"accepted", true}});
             });
}

void register_lookup_routes(HttpServer& server, App& app) {
  server.add({"POST", "/api/v1/orders/lookup", Access::anyone, "auth",
              "Email a one-time code that opens an order {order_number, email}: always 202"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (auto st = only_fields(*body, {"order_number", "email"}); !st.ok()) return send_error(res, st);
               auto number = required_string(*body, "order_number", 40);
               if (!number.ok()) return send_error(res, number.status());
               auto email = required_string(*body, "email", 1000);
               if (!email.ok()) return send_error(res, email.status());
               if (limited_like_login(app, req, res, "lookup", *email)) return;
               if (auto st = app.orders->send_lookup_code(*number, *email); !st.ok()) return send_error(res, st);
               send_json(res, 202,
                         {{"accepted", true},
                          {"message", "if the order number and email match, a code is on its way (valid 15 minutes)"}});
             });

  server.add({"GET", "/api/v1/orders/lookup", Access::anyone, "auth",
              "Open an order without an account: ?order_number=&email=&code= (the emailed code), or ?order_id=&token= "
              "(the link in the confirmation email)"},
             [&app](const Req& req, Res& res, const Principal&) {
               if (int64_t wait = app.rate_limiter->take("lookup-open:ip:" + client_ip(app.config, req),
                                                         app.rate_limiter->login_per_ip()))
                 return too_many_tries(res, wait);
               res.set_header("Cache-Control", "no-store");
               auto id = query(req, "order_id");
               auto token = query(req, "token");
               Result<OrderDetails> d = Status::NotFound("no order matches");
               if (id && token) {
                 d = app.orders->lookup_by_link(*id, *token);
               } else {
                 auto number = query(req, "order_number");
                 auto email = query(req, "email");
                 auto code = query(req, "code");
                 if (!number || !email || !code)
                   return send_error(
                       res, field_error("order_number", "give order_number, email and code, or order_id and token"));
                 d = app.orders->lookup_by_code(*number, *email, *code);
               }
               if (!d.ok()) return send_error(res, d.status());
               send_json(res, 200, order_details_json(*d, false));
             });

  server.add({"POST", "/api/v1/orders/lookup/returns", Access::anyone, "auth",
              "A guest requests a return: {order_id, token (the signed link's), lines: [{variant_id, quantity}], "
              "reason}"},
             [&app](const Req& req, Res& res, const Principal&) {
               // Tries count against the same limit as opening the order: a
               // wrong token is the same 404 either way.
               if (int64_t wait = app.rate_limiter->take("lookup-open:ip:" + client_ip(app.config, req),
                                                         app.rate_limiter->login_per_ip()))
                 return too_many_tries(res, wait);
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (auto st = only_fields(*body, {"order_id", "token", "lines", "reason"}); !st.ok())
                 return send_error(res, st);
               auto id = required_string(*body, "order_id", 80);
               if (!id.ok()) return send_error(res, id.status());
               auto token = required_string(*body, "token", 200);
               if (!token.ok()) return send_error(res, token.status());
               auto lines = parse_lines(*body, "lines");
               if (!lines.ok()) return send_error(res, lines.status());
               if (lines->empty()) return send_error(res, field_error("lines", "lines is required"));
               auto reason = opt_string(*body, "reason", 1000);
               if (!reason.ok()) return send_error(res, reason.status());
               auto r = app.orders->request_guest_return(*id, *token, *lines, reason->value_or(""));
               if (!r.ok()) return send_error(res, r.status());
               send_json(res, 201, return_request_json(*r));
             });
}

}  // namespace

void register_account_email_routes(HttpServer& server, App& app) {
  register_password_routes(server, app);
  register_verification_routes(server, app);
  register_lookup_routes(server, app);
}

}  // namespace shopbox
