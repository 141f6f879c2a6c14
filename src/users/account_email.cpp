// Accounts by email (accounts.h "by email"): password reset and email
// verification, each a single-use token mailed to the account.
//
// The token leaves the shop only in the mail: the outbox event that asks
// for the mail is private (never sent to webhooks) and the email module
// removes the token from it once the mail is out. Only the token's SHA-256
// is kept in account_tokens.
#include "base/clock.h"
#include "base/crypto.h"
#include "base/text.h"
#include "events/outbox.h"
#include "users/accounts.h"
#include "users/passwords.h"

namespace shopbox {
namespace {

Status invalid_token() {
  return Status(Kind::invalid, "invalid_token", "this link is invalid, used or expired; ask for a new one",
                {{"field", "token"}});
}

// "sbt_" + 64 hex digits (256 bits from RAND_bytes).
std::string new_account_token() {
  return "sbt_" + random_hex(32);
}

std::string display_name(const User& u) {
  std::string name = u.first_name;
  if (!u.last_name.empty()) name += (name.empty() ? "" : " ") + u.last_name;
  return name;
}

// Writes the token row and the event that mails it, in `c`'s transaction;
// `extra` adds fields to the event.
void mail_token(Connection& c, const User& u, const char* purpose, const char* event, int64_t valid_seconds,
                const nlohmann::json& extra = nlohmann::json::object()) {
  int64_t now = now_seconds();
  std::string token = new_account_token();
  user_store::insert_account_token(c, sha256_hex(token), u.id, purpose, u.email, now, now + valid_seconds);
  nlohmann::json payload = {{"user_id", std::to_string(u.id)},
                            {"email", u.email},
                            {"name", display_name(u)},
                            {"token", token},
                            {"expires_at", now + valid_seconds}};
  payload.update(extra);
  outbox::append(c, event, payload);
}

}  // namespace

Status Accounts::request_password_reset(const std::string& raw_email) {
  auto email = normalize_email(raw_email);
  if (!email.ok()) return email.status();  // a malformed address is the caller's typo, not an enumeration
  return db_.write([&](Connection& c) {
    auto u = user_store::find_user_by_email(c, *email);
    if (!u || u->status != "active") return Status::Ok();
    mail_token(c, *u, "password_reset", "account.password_reset", kResetSeconds);
    return Status::Ok();
  });
}

Status Accounts::reset_password(const std::string& token, const std::string& password) {
  if (token.size() != 68 || token.rfind("sbt_", 0) != 0) return invalid_token();
  std::string hash = sha256_hex(token);
  std::optional<user_store::AccountToken> t;
  std::optional<User> u;
  Status read = db_.read([&](Connection& c) {
    t = user_store::find_account_token(c, hash);
    if (t) u = user_store::get_user(c, t->user_id);
    return Status::Ok();
  });
  if (!read.ok()) return read;
  int64_t now = now_seconds();
  if (!t || !u || t->purpose != "password_reset" || t->used_at || t->expires_at <= now || u->status != "active")
    return invalid_token();
  if (auto st = passwords::check_policy(password, "password", u->email); !st.ok()) return st;
  std::string password_hash =
      passwords::hash(password, {config_.password_scrypt_log_n, config_.password_scrypt_r, config_.password_scrypt_p});
  return db_.write([&](Connection& c) {
    // Checked again inside the write: two uses of one link race here.
    auto again = user_store::find_account_token(c, hash);
    if (!again || again->used_at) return invalid_token();
    user_store::update_password(c, u->id, password_hash);
    user_store::use_account_tokens(c, u->id, "password_reset", now);
    user_store::revoke_user_sessions(c, u->id, 0, now);
    outbox::append(c, "account.password_changed", {{"user_id", std::to_string(u->id)}, {"email", u->email}});
    return Status::Ok();
  });
}

Status Accounts::send_staff_invitation(int64_t user_id, const std::string& role, bool set_password) {
  return db_.write([&](Connection& c) {
    auto u = user_store::get_user(c, user_id);
    if (!u) return Status::NotFound("user not found");
    if (set_password) {
      mail_token(c, *u, "password_reset", "account.staff_invite", kInviteSeconds, {{"role", role}});
    } else {
      outbox::append(c, "account.staff_invite",
                     {{"user_id", std::to_string(u->id)},
                      {"email", u->email},
                      {"name", display_name(*u)},
                      {"role", role},
                      {"has_password", true}});
    }
    return Status::Ok();
  });
}

Status Accounts::send_email_verification(int64_t user_id) {
  return db_.write([&](Connection& c) {
    auto u = user_store::get_user(c, user_id);
    if (!u) return Status::NotFound("user not found");
    if (u->email_verified) return Status::Conflict("already_verified", "this email is already verified");
    mail_token(c, *u, "verify_email", "account.verify_email", kVerifySeconds);
    return Status::Ok();
  });
}

Result<User> Accounts::verify_email(const std::string& token) {
  if (token.size() != 68 || token.rfind("sbt_", 0) != 0) return invalid_token();
  std::string hash = sha256_hex(token);
  std::optional<User> out;
  Status st = db_.write([&](Connection& c) {
    auto t = user_store::find_account_token(c, hash);
    int64_t now = now_seconds();
    if (!t || t->purpose != "verify_email" || t->used_at || t->expires_at <= now) return invalid_token();
    auto u = user_store::get_user(c, t->user_id);
    // A token proves the address it was sent to; if the account's email
    // changed since, it proves nothing about the new one.
    if (!u || ascii_lower(u->email) != ascii_lower(t->email)) return invalid_token();
    user_store::set_email_verified(c, u->id, now);
    user_store::use_account_tokens(c, u->id, "verify_email", now);
    u->email_verified = true;
    out = std::move(u);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return *out;
}

}  // namespace shopbox
