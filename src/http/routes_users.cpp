// Accounts and sessions: register, login, logout, the signed-in user's
// profile and password. Addresses and payment methods live under /me too.
//
// Login answers {"token", "user"} and sets the HttpOnly session cookie
// (DESIGN.md "Auth"); API clients send the token as a bearer token.
#include <set>

#include "app.h"
#include "base/clock.h"
#include "base/text.h"
#include "cart/cart.h"
#include "http/rate_limit.h"
#include "http/server.h"
#include "payments/gateway.h"
#include "users/accounts.h"
#include "users/addresses.h"
#include "users/payment_methods.h"
#include "users/sessions.h"

namespace shopbox {
using namespace http;

namespace {

// /me routes need a user session (an admin API token is not a user).
void rate_limited(Res& res, int64_t retry_after) {
  res.set_header("Retry-After", std::to_string(retry_after));
  send_error(res, Status(Kind::rate_limited, "rate_limited", "too many sign-in attempts; retry later",
                         {{"retry_after_seconds", retry_after}}));
}

// Moves the guest cart named by the request (cookie shopbox_cart or header
// X-Cart-Token) into the user's cart after sign-in.
void merge_guest_cart(App& app, const Req& req, int64_t user_id) {
  std::string guest = cookie(req, "shopbox_cart");
  if (guest.empty()) guest = req.get_header_value("X-Cart-Token");
  if (!valid_cart_token(guest)) return;
  // Best effort: signing in must not fail because a guest cart could not move.
  (void)app.cart->merge("g:" + guest, "u:" + std::to_string(user_id));
}

void send_signed_in(App& app, const Req& req, Res& res, int status, const SignIn& s) {
  res.set_header("Set-Cookie", session_cookie(app.config, req, s.session.token, app.config.session_ttl_seconds));
  res.set_header("Cache-Control", "no-store");
  send_json(res, status,
            {{"token", s.session.token}, {"expires_at", iso8601(s.session.expires_at)}, {"user", user_json(s.user)}});
}

}  // namespace

namespace {

// Register, sign in, sign out.
void register_sign_in_routes(HttpServer& server, App& app) {
  server.add({"POST", "/api/v1/auth/register", Access::anyone, "auth",
              "Create a customer account {email, password, first_name, last_name, phone?}; answers {token, user} "
              "and sets the session cookie"},
             [&app](const Req& req, Res& res, const Principal&) {
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               // A typo ("frist_name") or a try at {"role": "admin"} is a 400, never ignored.
               if (auto st = only_fields(*body, {"email", "password", "first_name", "last_name", "phone"}); !st.ok())
                 return send_error(res, st);
               RegisterInput in;
               auto email = opt_string(*body, "email", 1000);
               if (!email.ok()) return send_error(res, email.status());
               auto password = opt_string(*body, "password", 1000);
               if (!password.ok()) return send_error(res, password.status());
               auto first = opt_string(*body, "first_name", 1000);
               if (!first.ok()) return send_error(res, first.status());
               auto last = opt_string(*body, "last_name", 1000);
               if (!last.ok()) return send_error(res, last.status());
               auto phone = opt_string(*body, "phone", 1000);
               if (!phone.ok()) return send_error(res, phone.status());
               if (!*email) return send_error(res, field_error("email", "email is required"));
               if (!*password) return send_error(res, field_error("password", "password is required"));
               in.email = **email;
               in.password = **password;
               in.first_name = first->value_or("");
               in.last_name = last->value_or("");
               if (*phone && !(*phone)->empty()) in.phone = **phone;
               // Registration costs a password hash: count it like a login attempt per IP.
               if (int64_t wait = app.rate_limiter->take("login:ip:" + client_ip(app.config, req),
                                                         app.rate_limiter->login_per_ip()))
                 return rate_limited(res, wait);
               auto signed_in =
                   app.accounts->register_user(in, client_ip(app.config, req), req.get_header_value("User-Agent"));
               if (!signed_in.ok()) return send_error(res, signed_in.status());
               merge_guest_cart(app, req, signed_in->user.id);
               send_signed_in(app, req, res, 201, *signed_in);
             });

  server.add(
      {"POST", "/api/v1/auth/login", Access::anyone, "auth",
       "Sign in {email, password}; answers {token, user} and sets the session cookie"},
      [&app](const Req& req, Res& res, const Principal&) {
        auto body = parse_object(req);
        if (!body.ok()) return send_error(res, body.status());
        if (auto st = only_fields(*body, {"email", "password"}); !st.ok()) return send_error(res, st);
        auto email = opt_string(*body, "email", 1000);
        if (!email.ok()) return send_error(res, email.status());
        auto password = opt_string(*body, "password", 1000);
        if (!password.ok()) return send_error(res, password.status());
        if (!*email || (*email)->empty()) return send_error(res, field_error("email", "email is required"));
        if (!*password || (*password)->empty()) return send_error(res, field_error("password", "password is required"));
        // Attempts are limited per account and per address, before any work.
        std::string ip = client_ip(app.config, req);
        if (int64_t wait = app.rate_limiter->take("login:ip:" + ip, app.rate_limiter->login_per_ip()))
          return rate_limited(res, wait);
        auto norm = normalize_email(**email);
        std::string account = ascii_lower(norm.ok() ? *norm : **email);
        // Per account from this address, then per account from everywhere
        // (higher): ten wrong guesses from a stranger lock the stranger out,
        // not the owner signing in from their own address.
        if (int64_t wait =
                app.rate_limiter->take("login:acct:" + account + "|ip:" + ip, app.rate_limiter->login_per_account()))
          return rate_limited(res, wait);
        if (int64_t wait = app.rate_limiter->take("login:acct:" + account, app.rate_limiter->login_per_account_total()))
          return rate_limited(res, wait);
        auto signed_in = app.accounts->login(**email, **password, ip, req.get_header_value("User-Agent"));
        if (!signed_in.ok()) return send_error(res, signed_in.status());
        merge_guest_cart(app, req, signed_in->user.id);
        send_signed_in(app, req, res, 200, *signed_in);
      });

  server.add({"POST", "/api/v1/auth/logout", Access::anyone, "auth",
              "Sign out: revokes the session in use and clears the cookie"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (who.signed_in())
                 if (auto st = app.sessions->revoke(who.session_id); !st.ok()) return send_error(res, st);
               res.set_header("Set-Cookie", session_cookie(app.config, req, "", 0));
               send_json(res, 200, {{"signed_out", who.signed_in()}});
             });
}

// The signed-in user: profile and password.
void register_profile_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/me", Access::user, "auth", "The signed-in user"},
             [&app](const Req&, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto u = app.accounts->get(who.user_id);
               if (!u) return send_error(res, Status::NotFound("user not found"));
               res.set_header("Cache-Control", "no-store");
               send_json(res, 200, user_json(*u));
             });

  server.add({"PATCH", "/api/v1/me", Access::user, "auth",
              "Change the signed-in user's profile {first_name?, last_name?, phone? (null clears)}"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (auto st = only_fields(*body, {"first_name", "last_name", "phone"}); !st.ok())
                 return send_error(res, st);
               ProfileChange change;
               auto first = opt_string(*body, "first_name", 1000);
               if (!first.ok()) return send_error(res, first.status());
               auto last = opt_string(*body, "last_name", 1000);
               if (!last.ok()) return send_error(res, last.status());
               auto phone = opt_string(*body, "phone", 1000);
               if (!phone.ok()) return send_error(res, phone.status());
               change.first_name = *first;
               change.last_name = *last;
               change.set_phone = body->contains("phone");
               if (*phone && !(*phone)->empty()) change.phone = **phone;
               auto u = app.accounts->update_profile(who.user_id, change);
               if (!u.ok()) return send_error(res, u.status());
               send_json(res, 200, user_json(*u));
             });

  server.add({"POST", "/api/v1/me/password", Access::user, "auth",
              "Change password {current_password, new_password}; signs out every other session"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               auto current = opt_string(*body, "current_password", 1000);
               if (!current.ok()) return send_error(res, current.status());
               auto next = opt_string(*body, "new_password", 1000);
               if (!next.ok()) return send_error(res, next.status());
               if (!*current || (*current)->empty())
                 return send_error(res, field_error("current_password", "current_password is required"));
               if (!*next) return send_error(res, field_error("new_password", "new_password is required"));
               // A wrong current password is a guess: limit it like a login.
               if (int64_t wait = app.rate_limiter->take("login:acct:u" + std::to_string(who.user_id),
                                                         app.rate_limiter->login_per_account()))
                 return rate_limited(res, wait);
               auto st = app.accounts->change_password(who.user_id, who.session_id, **current, **next);
               if (!st.ok()) return send_error(res, st);
               send_json(res, 200, {{"password_changed", true}});
             });

  // ---- addresses ----
}

// Saved addresses.
void register_address_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/me/addresses", Access::user, "auth", "The signed-in user's addresses"},
             [&app](const Req&, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               json items = json::array();
               for (const auto& a : app.addresses->list(who.user_id)) items.push_back(address_json(a));
               send_json(res, 200, {{"addresses", items}, {"total", items.size()}});
             });

  server.add({"POST", "/api/v1/me/addresses", Access::user, "auth",
              "Save an address {name, street, city, state?, zip?, country (2 letters), phone?, address_type "
              "(shipping|billing|both), is_default?}"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               auto in = address_input_from_json(*body);
               if (!in.ok()) return send_error(res, in.status());
               auto a = app.addresses->create(who.user_id, *in);
               if (!a.ok()) return send_error(res, a.status());
               send_json(res, 201, address_json(*a));
             });

  server.add({"GET", "/api/v1/me/addresses/{id}", Access::user, "auth", "One of the signed-in user's addresses"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto id = path_id(req, 1, "address");
               if (!id.ok()) return send_error(res, id.status());
               auto a = app.addresses->get(who.user_id, *id);
               if (!a.ok()) return send_error(res, a.status());
               send_json(res, 200, address_json(*a));
             });

  server.add({"PATCH", "/api/v1/me/addresses/{id}", Access::user, "auth",
              "Change an address (any address field; is_default_shipping / is_default_billing move the default)"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto id = path_id(req, 1, "address");
               if (!id.ok()) return send_error(res, id.status());
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               auto in = address_input_from_json(*body);
               if (!in.ok()) return send_error(res, in.status());
               auto a = app.addresses->update(who.user_id, *id, *in);
               if (!a.ok()) return send_error(res, a.status());
               send_json(res, 200, address_json(*a));
             });

  server.add({"DELETE", "/api/v1/me/addresses/{id}", Access::user, "auth", "Delete an address"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto id = path_id(req, 1, "address");
               if (!id.ok()) return send_error(res, id.status());
               if (auto st = app.addresses->remove(who.user_id, *id); !st.ok()) return send_error(res, st);
               res.status = 204;
             });

  // ---- payment methods ----
}

// Saved cards.
void register_payment_method_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/me/payment-methods", Access::user, "auth",
              "The signed-in user's saved cards (brand, last four, expiry; never the number)"},
             [&app](const Req&, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               json items = json::array();
               for (const auto& p : app.payment_methods->list(who.user_id)) items.push_back(payment_method_json(p));
               send_json(res, 200, {{"payment_methods", items}, {"total", items.size()}});
             });

  server.add({"POST", "/api/v1/me/payment-methods", Access::user, "auth",
              "Save a card {card_number, exp_month, exp_year, cvc, is_default?}: tokenized by the payment gateway; "
              "only token, brand, last four and expiry are kept"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (auto st = only_fields(*body, {"type", "card_number", "exp_month", "exp_year", "cvc", "is_default"});
                   !st.ok())
                 return send_error(res, st);
               auto type = opt_string(*body, "type", 20);
               if (!type.ok()) return send_error(res, type.status());
               if (*type && **type != "card")
                 return send_error(res, field_error("type", "only type \"card\" can be saved"));
               auto number = opt_string(*body, "card_number", 40);
               if (!number.ok()) return send_error(res, number.status());
               if (!*number || (*number)->empty())
                 return send_error(res, field_error("card_number", "card_number is required"));
               auto month = opt_int(*body, "exp_month", 1, 12);
               if (!month.ok()) return send_error(res, month.status());
               if (!*month) return send_error(res, field_error("exp_month", "exp_month is required"));
               auto year = opt_int(*body, "exp_year", 0, 9999);
               if (!year.ok()) return send_error(res, year.status());
               if (!*year) return send_error(res, field_error("exp_year", "exp_year is required"));
               auto cvc = opt_string(*body, "cvc", 8);
               if (!cvc.ok()) return send_error(res, cvc.status());
               if (!*cvc || (*cvc)->empty())
                 return send_error(res, field_error("cvc", "cvc is required (a string of digits)"));
               auto make_default = opt_bool(*body, "is_default");
               if (!make_default.ok()) return send_error(res, make_default.status());
               CardInput card{**number, static_cast<int>(**month), static_cast<int>(**year), **cvc};
               auto p = app.payment_methods->add(who.user_id, card, make_default->value_or(false));
               card.number.assign(card.number.size(), '0');
               if (!p.ok()) return send_error(res, p.status());
               send_json(res, 201, payment_method_json(*p));
             });

  server.add({"PATCH", "/api/v1/me/payment-methods/{id}", Access::user, "auth",
              "Make a saved card the default {is_default: true}"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto id = path_id(req, 1, "payment method");
               if (!id.ok()) return send_error(res, id.status());
               auto body = parse_object(req);
               if (!body.ok()) return send_error(res, body.status());
               if (auto st = only_fields(*body, {"is_default"}); !st.ok()) return send_error(res, st);
               auto make_default = opt_bool(*body, "is_default");
               if (!make_default.ok()) return send_error(res, make_default.status());
               if (!*make_default || !**make_default)
                 return send_error(res,
                                   field_error("is_default", "is_default: true is the only change a saved card takes"));
               auto p = app.payment_methods->set_default(who.user_id, *id);
               if (!p.ok()) return send_error(res, p.status());
               send_json(res, 200, payment_method_json(*p));
             });

  server.add({"DELETE", "/api/v1/me/payment-methods/{id}", Access::user, "auth", "Delete a saved card"},
             [&app](const Req& req, Res& res, const Principal& who) {
               if (auto st = need_session(who); !st.ok()) return send_error(res, st);
               auto id = path_id(req, 1, "payment method");
               if (!id.ok()) return send_error(res, id.status());
               if (auto st = app.payment_methods->remove(who.user_id, *id); !st.ok()) return send_error(res, st);
               res.status = 204;
             });
}

}  // namespace

void register_user_routes(HttpServer& server, App& app) {
  register_sign_in_routes(server, app);
  register_profile_routes(server, app);
  register_address_routes(server, app);
  register_payment_method_routes(server, app);
}

}  // namespace shopbox
