// Accounts and sessions over HTTP: register, login, logout, expiry, profile,
// password change, roles and the CSRF rule.
#include <catch2/catch.hpp>

#include "base/clock.h"
#include "support/test_shop.h"
#include "users/accounts.h"

using shopbox::testing::Headers;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {

Headers bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

std::string origin(TestShop& shop) {
  return "http://127.0.0.1:" + std::to_string(shop.port());
}

// The session token from a Set-Cookie header.
std::string cookie_token(const std::string& set_cookie) {
  auto eq = set_cookie.find('=');
  auto semi = set_cookie.find(';');
  return set_cookie.substr(eq + 1, semi - eq - 1);
}

Headers cookie_headers(TestShop& shop, const std::string& token, bool same_origin = true) {
  Headers h{{"Cookie", "shopbox_session=" + token}};
  if (same_origin) h.emplace("Origin", origin(shop));
  return h;
}

}  // namespace

TEST_CASE("register answers a token, the user and an HttpOnly session cookie", "[http][auth]") {
  TestShop shop;
  auto r = shop.post("/api/v1/auth/register", {{"email", "Ada@Example.com"},
                                               {"password", "analytical engine"},
                                               {"first_name", "Ada"},
                                               {"last_name", "Lovelace"}});
  REQUIRE(r.status == 201);
  CHECK(r.body["user"]["email"] == "Ada@Example.com");
  CHECK(r.body["user"]["first_name"] == "Ada");
  CHECK(r.body["user"]["role"] == "customer");
  CHECK(r.body["user"]["user_id"].is_string());
  CHECK_FALSE(r.body["user"].contains("password_hash"));
  std::string token = r.body["token"];
  CHECK(token.size() == 68);  // "sbs_" + 256 bits in hex

  std::string set_cookie = r.header("Set-Cookie");
  CHECK(set_cookie.find("shopbox_session=" + token) == 0);
  CHECK(set_cookie.find("HttpOnly") != std::string::npos);
  CHECK(set_cookie.find("SameSite=Lax") != std::string::npos);
  CHECK(set_cookie.find("Path=/") != std::string::npos);
  CHECK(set_cookie.find("Secure") == std::string::npos);  // plain HTTP here

  auto me = shop.get("/api/v1/me", bearer(token));
  REQUIRE(me.status == 200);
  CHECK(me.body["email"] == "Ada@Example.com");
  auto by_cookie = shop.get("/api/v1/me", cookie_headers(shop, cookie_token(set_cookie), false));
  REQUIRE(by_cookie.status == 200);
  CHECK(by_cookie.body["user_id"] == me.body["user_id"]);

  // Behind a TLS-terminating proxy the cookie is Secure, but only when the
  // proxy is trusted (server.trusted_proxies): anyone can send the header.
  auto spoofed = shop.post("/api/v1/auth/login", {{"email", "ada@example.com"}, {"password", "analytical engine"}},
                           {{"X-Forwarded-Proto", "https"}});
  REQUIRE(spoofed.status == 200);
  CHECK(spoofed.header("Set-Cookie").find("; Secure") == std::string::npos);
}

TEST_CASE("behind a trusted TLS proxy the session and cart cookies are Secure", "[http][auth][security]") {
  TestShop shop([](shopbox::Config& c) { c.trusted_proxies = "127.0.0.1"; });
  shop.register_user("ada@example.com", "analytical engine");
  auto tls = shop.post("/api/v1/auth/login", {{"email", "ada@example.com"}, {"password", "analytical engine"}},
                       {{"X-Forwarded-Proto", "https"}});
  REQUIRE(tls.status == 200);
  CHECK(tls.header("Set-Cookie").find("; Secure") != std::string::npos);
  // The guest cart cookie follows the same rule (it lacked Secure before).
  auto pid = shop.create_product({{"name", "Lamp"}, {"price", 20}}, 5);
  auto cart = shop.post("/api/v1/cart/items", {{"product_id", pid}, {"quantity", 1}}, {{"X-Forwarded-Proto", "https"}});
  REQUIRE(cart.status == 201);
  CHECK(cart.header("Set-Cookie").find("shopbox_cart=") == 0);
  CHECK(cart.header("Set-Cookie").find("; Secure") != std::string::npos);
  auto plain = shop.post("/api/v1/cart/items", {{"product_id", pid}, {"quantity", 1}});
  CHECK(plain.header("Set-Cookie").find("; Secure") == std::string::npos);
}

TEST_CASE("only the hash of a session token and of a password is stored", "[http][auth]") {
  TestShop shop;
  auto a = shop.register_user("hash@example.com", "secret password 1");
  int sessions_with_plain_token = 0;
  std::string stored_hash;
  REQUIRE(shop.app()
              .db
              ->read([&](shopbox::Connection& c) {
                auto st = c.prepare("SELECT COUNT(*) FROM sessions WHERE token_hash = ?");
                st.bind(1, a.token);
                if (st.step()) sessions_with_plain_token = static_cast<int>(st.int64(0));
                auto u = c.prepare("SELECT password_hash FROM users WHERE email = 'hash@example.com'");
                if (u.step()) stored_hash = u.text(0);
                return shopbox::Status::Ok();
              })
              .ok());
  CHECK(sessions_with_plain_token == 0);
  CHECK(stored_hash.rfind("scrypt$ln=10$r=8$p=1$", 0) == 0);
  CHECK(stored_hash.find("secret password 1") == std::string::npos);
}

TEST_CASE("duplicate email is 409 regardless of case and spaces", "[http][auth]") {
  TestShop shop;
  shop.register_user("dup@example.com");
  for (std::string email : {"dup@example.com", "DUP@Example.COM", "  dup@example.com "}) {
    auto r = shop.post("/api/v1/auth/register", {{"email", email}, {"password", "another password"}});
    INFO(email);
    CHECK(r.status == 409);
    CHECK(r.body["error"]["code"] == "email_taken");
  }
}

TEST_CASE("register rejects bad input with a 400 naming the field and creates nothing", "[http][auth]") {
  TestShop shop;
  struct Case {
    json body;
    std::string field;
  };
  std::vector<Case> cases = {
      {{{"password", "plum-tree-42"}}, "email"},
      {{{"email", "x@example.com"}}, "password"},
      {{{"email", "not-an-email"}, {"password", "plum-tree-42"}}, "email"},
      {{{"email", "a@b"}, {"password", "plum-tree-42"}}, "email"},
      {{{"email", "two@@example.com"}, {"password", "plum-tree-42"}}, "email"},
      {{{"email", "sp ace@example.com"}, {"password", "plum-tree-42"}}, "email"},
      {{{"email", 42}, {"password", "plum-tree-42"}}, "email"},
      {{{"email", "x@example.com"}, {"password", "short"}}, "password"},
      {{{"email", "x@example.com"}, {"password", std::string(257, 'p')}}, "password"},
      {{{"email", "x@example.com"}, {"password", "        "}}, "password"},
      {{{"email", "x@example.com"}, {"password", 12345678}}, "password"},
      {{{"email", "x@example.com"}, {"password", "plum-tree-42"}, {"first_name", std::string(101, 'a')}}, "first_name"},
      {{{"email", "x@example.com"}, {"password", "plum-tree-42"}, {"last_name", "bad\nname"}}, "last_name"},
      {{{"email", "x@example.com"}, {"password", "plum-tree-42"}, {"phone", "call me maybe"}}, "phone"},
  };
  for (auto& c : cases) {
    auto r = shop.post("/api/v1/auth/register", c.body);
    INFO(c.body.dump().substr(0, 120));
    CHECK(r.status == 400);
    CHECK(r.body["error"]["details"]["field"] == c.field);
  }
  CHECK(shop.post_raw("/api/v1/auth/register", "{not json").status == 400);
  CHECK(shop.post_raw("/api/v1/auth/register", "[1,2]").status == 400);
  CHECK(shop.post_raw("/api/v1/auth/register", "").status == 400);
  // Nothing was created: the email is still free.
  CHECK(shop.post("/api/v1/auth/login", {{"email", "x@example.com"}, {"password", "plum-tree-42"}}).status == 401);
  CHECK(shop.post("/api/v1/auth/register", {{"email", "x@example.com"}, {"password", "plum-tree-42"}}).status == 201);
}

TEST_CASE("login answers {token, user}; wrong password and unknown email look the same", "[http][auth]") {
  TestShop shop;
  shop.register_user("login@example.com", "right password");
  auto ok = shop.post("/api/v1/auth/login", {{"email", "LOGIN@example.com"}, {"password", "right password"}});
  REQUIRE(ok.status == 200);
  CHECK(ok.body["token"].is_string());
  CHECK(ok.body["user"]["email"] == "login@example.com");
  CHECK(ok.body["user"]["last_login"].is_string());
  CHECK(ok.header("Set-Cookie").find("shopbox_session=" + ok.body["token"].get<std::string>()) == 0);

  auto wrong = shop.post("/api/v1/auth/login", {{"email", "login@example.com"}, {"password", "wrong password"}});
  CHECK(wrong.status == 401);
  CHECK(wrong.body["error"]["code"] == "invalid_credentials");
  auto unknown = shop.post("/api/v1/auth/login", {{"email", "nobody@example.com"}, {"password", "right password"}});
  CHECK(unknown.status == 401);
  CHECK(unknown.body["error"] == wrong.body["error"]);
  CHECK(wrong.header("Set-Cookie").empty());

  CHECK(shop.post("/api/v1/auth/login", {{"email", "login@example.com"}}).status == 400);
  CHECK(shop.post("/api/v1/auth/login", {{"password", "right password"}}).status == 400);
  CHECK(shop.post("/api/v1/auth/login", {{"email", "login@example.com"}, {"password", json::array()}}).status == 400);
  // A form body is not JSON: 415 (test_security.cpp has the login-CSRF case).
  CHECK(shop.post_raw("/api/v1/auth/login", "email=a&password=b", {}, "application/x-www-form-urlencoded").status ==
        415);
}

TEST_CASE("logout revokes the session and clears the cookie; other sessions live on", "[http][auth]") {
  TestShop shop;
  auto a = shop.register_user("bye@example.com");
  auto second = shop.post("/api/v1/auth/login", {{"email", "bye@example.com"}, {"password", "plum-tree-42"}});
  REQUIRE(second.status == 200);
  std::string other = second.body["token"];

  auto out = shop.post("/api/v1/auth/logout", json::object(), a.auth);
  REQUIRE(out.status == 200);
  CHECK(out.body["signed_out"] == true);
  CHECK(out.header("Set-Cookie").find("shopbox_session=;") == 0);
  CHECK(out.header("Set-Cookie").find("Max-Age=0") != std::string::npos);
  auto me = shop.get("/api/v1/me", a.auth);
  CHECK(me.status == 401);
  CHECK(me.body["error"]["code"] == "unauthorized");
  CHECK(shop.get("/api/v1/me", bearer(other)).status == 200);
  // Logging out again (or anonymously) is harmless.
  CHECK(shop.post("/api/v1/auth/logout", json::object(), a.auth).body["signed_out"] == false);
  CHECK(shop.post("/api/v1/auth/logout", json::object()).status == 200);
}

TEST_CASE("sessions expire after auth.session_ttl_seconds", "[http][auth]") {
  TestShop shop([](shopbox::Config& c) { c.session_ttl_seconds = 3600; });
  auto a = shop.register_user("ttl@example.com");
  CHECK(shop.get("/api/v1/me", a.auth).status == 200);
  shopbox::set_clock_offset(3599);
  CHECK(shop.get("/api/v1/me", a.auth).status == 200);
  shopbox::set_clock_offset(3601);
  CHECK(shop.get("/api/v1/me", a.auth).status == 401);
  // Signing in again works at the new time.
  CHECK(shop.post("/api/v1/auth/login", {{"email", "ttl@example.com"}, {"password", "plum-tree-42"}}).status == 200);
  shopbox::set_clock_offset(0);
}

TEST_CASE("sessions survive a restart; garbage tokens are anonymous", "[http][auth]") {
  TestShop shop;
  auto a = shop.register_user("restart@example.com");
  shop.restart();
  CHECK(shop.get("/api/v1/me", a.auth).status == 200);
  for (std::string t :
       std::vector<std::string>{"", "sbs_", "sbs_" + std::string(64, '0'), std::string(500, 'x'), "sbx_nope"})
    CHECK(shop.get("/api/v1/me", bearer(t)).status == 401);
  CHECK(shop.get("/api/v1/me", {{"Cookie", "shopbox_session=sbs_bogus"}}).status == 401);
  CHECK(shop.get("/api/v1/me", {{"Authorization", "Basic dXNlcjpwYXNz"}}).status == 401);
}

TEST_CASE("PATCH /me changes names and phone, and nothing else", "[http][auth]") {
  TestShop shop;
  auto a = shop.register_user("profile@example.com");
  auto r = shop.patch("/api/v1/me", {{"first_name", "Grace"}, {"last_name", "Hopper"}, {"phone", "+1 (555) 010-0199"}},
                      a.auth);
  REQUIRE(r.status == 200);
  CHECK(r.body["first_name"] == "Grace");
  CHECK(r.body["phone"] == "+1 (555) 010-0199");

  for (json bad : {json{{"role", "admin"}}, json{{"email", "new@example.com"}}, json{{"first_name", 7}},
                   json{{"phone", "abc"}}, json{{"last_name", std::string(101, 'x')}}, json{{"password", "x"}}}) {
    auto b = shop.patch("/api/v1/me", bad, a.auth);
    INFO(bad.dump());
    CHECK(b.status == 400);
  }
  auto me = shop.get("/api/v1/me", a.auth);
  CHECK(me.body["role"] == "customer");
  CHECK(me.body["email"] == "profile@example.com");
  CHECK(me.body["first_name"] == "Grace");

  CHECK(shop.patch("/api/v1/me", {{"phone", nullptr}}, a.auth).body["phone"].is_null());
  CHECK(shop.patch("/api/v1/me", {{"first_name", "X"}}).status == 401);
  // An admin API token is not a user.
  CHECK(shop.get("/api/v1/me", shop.admin()).status == 403);
}

TEST_CASE("changing the password checks the old one and signs out other sessions", "[http][auth]") {
  TestShop shop;
  auto a = shop.register_user("pw@example.com", "old password");
  auto other = shop.post("/api/v1/auth/login", {{"email", "pw@example.com"}, {"password", "old password"}});
  REQUIRE(other.status == 200);

  auto wrong =
      shop.post("/api/v1/me/password", {{"current_password", "not it"}, {"new_password", "new password"}}, a.auth);
  CHECK(wrong.status == 403);
  CHECK(wrong.body["error"]["code"] == "wrong_password");
  auto weak =
      shop.post("/api/v1/me/password", {{"current_password", "old password"}, {"new_password", "short"}}, a.auth);
  CHECK(weak.status == 400);
  CHECK(weak.body["error"]["details"]["field"] == "new_password");
  CHECK(shop.post("/api/v1/me/password", {{"new_password", "new password"}}, a.auth).status == 400);
  CHECK(shop.post("/api/v1/me/password", {{"current_password", "old password"}}, a.auth).status == 400);
  // Nothing changed so far.
  CHECK(shop.get("/api/v1/me", bearer(other.body["token"])).status == 200);

  auto ok = shop.post("/api/v1/me/password", {{"current_password", "old password"}, {"new_password", "new password"}},
                      a.auth);
  REQUIRE(ok.status == 200);
  CHECK(shop.get("/api/v1/me", a.auth).status == 200);                       // this session stays
  CHECK(shop.get("/api/v1/me", bearer(other.body["token"])).status == 401);  // others are revoked
  CHECK(shop.post("/api/v1/auth/login", {{"email", "pw@example.com"}, {"password", "old password"}}).status == 401);
  CHECK(shop.post("/api/v1/auth/login", {{"email", "pw@example.com"}, {"password", "new password"}}).status == 200);
}

TEST_CASE("admin routes accept an admin user session as well as admin API tokens", "[http][auth]") {
  TestShop shop;
  shopbox::RegisterInput in;
  in.email = "boss@example.com";
  in.password = "admin password";
  in.role = "admin";
  REQUIRE(shop.app().accounts->create_user(in).ok());
  auto login = shop.post("/api/v1/auth/login", {{"email", "boss@example.com"}, {"password", "admin password"}});
  REQUIRE(login.status == 200);
  CHECK(login.body["user"]["role"] == "admin");
  auto admin = bearer(login.body["token"]);
  auto cat = shop.post("/api/v1/admin/categories", {{"name", "Tools"}}, admin);
  CHECK(cat.status == 201);

  auto customer = shop.register_user("shopper@example.com");
  auto denied = shop.post("/api/v1/admin/categories", {{"name", "Nope"}}, customer.auth);
  CHECK(denied.status == 403);
  CHECK(denied.body["error"]["code"] == "forbidden");
  CHECK(shop.post("/api/v1/admin/categories", {{"name", "Nope"}}).status == 401);
  // The foundation's admin API tokens still work.
  CHECK(shop.post("/api/v1/admin/categories", {{"name", "Garden"}}, shop.admin()).status == 201);
  // Registration can never create an admin: an unknown field is a 400.
  auto sneaky = shop.post("/api/v1/auth/register",
                          {{"email", "sneaky@example.com"}, {"password", "plum-tree-42"}, {"role", "admin"}});
  REQUIRE(sneaky.status == 400);
  CHECK(sneaky.body["error"]["details"]["field"] == "role");
  CHECK(shop.post("/api/v1/auth/login", {{"email", "sneaky@example.com"}, {"password", "plum-tree-42"}}).status == 401);
}

TEST_CASE("CSRF: cookie-carrying mutations must come from the shop's origin", "[http][auth][csrf]") {
  TestShop shop([](shopbox::Config& c) { c.allowed_origins = "https://shop.example.com"; });
  auto reg = shop.post("/api/v1/auth/register", {{"email", "csrf@example.com"}, {"password", "plum-tree-42"}});
  REQUIRE(reg.status == 201);
  std::string token = reg.body["token"];
  Headers foreign{{"Cookie", "shopbox_session=" + token}, {"Origin", "https://evil.example"}};

  auto r = shop.patch("/api/v1/me", {{"first_name", "Pwned"}}, foreign);
  CHECK(r.status == 403);
  CHECK(r.body["error"]["code"] == "csrf_failed");
  // No Origin and no Referer: refused too.
  CHECK(shop.patch("/api/v1/me", {{"first_name", "Pwned"}}, {{"Cookie", "shopbox_session=" + token}}).status == 403);
  // A foreign Referer, a look-alike host, "null": refused.
  for (std::string bad :
       std::vector<std::string>{"http://127.0.0.1:1", "http://127.0.0.1.", "null",
                                "http://127.0.0.1:" + std::to_string(shop.port()) + ".evil.example"}) {
    INFO(bad);
    CHECK(shop.patch("/api/v1/me", {{"first_name", "Pwned"}}, {{"Cookie", "shopbox_session=" + token}, {"Origin", bad}})
              .status == 403);
  }
  CHECK(shop.post("/api/v1/auth/logout", json::object(), foreign).status == 403);
  CHECK(shop.get("/api/v1/me", bearer(token)).body["first_name"] == "");  // unchanged, still signed in

  // Same origin (Origin or Referer) passes; so does a configured origin.
  CHECK(shop.patch("/api/v1/me", {{"first_name", "A"}}, cookie_headers(shop, token)).status == 200);
  CHECK(shop.patch("/api/v1/me", {{"first_name", "B"}},
                   {{"Cookie", "shopbox_session=" + token}, {"Referer", origin(shop) + "/account"}})
            .status == 200);
  CHECK(shop.patch("/api/v1/me", {{"first_name", "C"}},
                   {{"Cookie", "shopbox_session=" + token}, {"Origin", "https://shop.example.com"}})
            .status == 200);
  // Reads are not at risk.
  CHECK(shop.get("/api/v1/me", foreign).status == 200);
  // A bearer-authenticated request is exempt, cookie or not.
  Headers with_bearer = foreign;
  with_bearer.emplace("Authorization", "Bearer " + token);
  CHECK(shop.patch("/api/v1/me", {{"first_name", "D"}}, with_bearer).status == 200);
  // The guest cart cookie counts too: a cross-site login with it is refused.
  auto guest = shop.post("/api/v1/auth/login", {{"email", "csrf@example.com"}, {"password", "plum-tree-42"}},
                         {{"Cookie", "shopbox_cart=abc123"}, {"Origin", "https://evil.example"}});
  CHECK(guest.status == 403);
  // Without any shopbox cookie a cross-site sign-in is still refused: it
  // would sign the victim's browser in to the attacker's account (login CSRF).
  CHECK(shop.post("/api/v1/auth/login", {{"email", "csrf@example.com"}, {"password", "plum-tree-42"}},
                  {{"Origin", "https://evil.example"}})
            .status == 403);
  // Other routes without a cookie carry no ambient authority and pass.
  CHECK(shop.post("/api/v1/cart/items", {{"product_id", "999"}, {"quantity", 1}}, {{"Origin", "https://evil.example"}})
            .status == 404);
}
