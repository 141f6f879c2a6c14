// Accounts: registration, sign-in, profile and password changes.
//
// Emails are unique case-insensitively and kept as typed (trimmed).
// Passwords are hashed with scrypt (users/passwords.h). Signing in with an
// unknown email or a wrong password gives the same 401 after the same work,
// so responses do not reveal which emails have accounts.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/status.h"
#include "config.h"
#include "storage/sqlite.h"
#include "users/sessions.h"
#include "users/user_store.h"

namespace shopbox {

struct RegisterInput {
  std::string email;
  std::string password;
  std::string first_name;
  std::string last_name;
  std::optional<std::string> phone;
  std::string role = "customer";
  // An account without a password: nobody signs in to it until a password
  // reset sets one (the demo's reviewers). `password` is then ignored.
  bool without_password = false;
};

struct ProfileChange {
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  bool set_phone = false;  // phone present in the request (null clears it)
  std::optional<std::string> phone;
};

struct SignIn {
  User user;
  NewSession session;
};

class Accounts {
 public:
  Accounts(Sqlite& db, Sessions& sessions, const Config& config) : db_(db), sessions_(sessions), config_(config) {}

  // Creates a customer account and signs it in. 400 on bad input, 409
  // email_taken when the email has an account.
  Result<SignIn> register_user(const RegisterInput& in, const std::string& ip, const std::string& user_agent);
  // Creates an account without a session (the CLI); `in.role` may be admin.
  Result<User> create_user(const RegisterInput& in);
  // 401 invalid_credentials for an unknown email, a wrong password or a
  // disabled account.
  Result<SignIn> login(const std::string& email, const std::string& password, const std::string& ip,
                       const std::string& user_agent);
  std::optional<User> get(int64_t user_id);
  Result<User> update_profile(int64_t user_id, const ProfileChange& change);
  // Checks the current password (403 wrong_password), stores the new
  // one and revokes every other session of the user.
  Status change_password(int64_t user_id, int64_t keep_session_id, const std::string& current, const std::string& next);
  Status set_role(int64_t user_id, const std::string& role);

  // Customer accounts for the admin (newest first; `q` matches email or name).
  Result<std::vector<User>> customers(const std::string& q, int64_t offset, int64_t limit, int64_t* total);

  // ---- by email (account_email.cpp) ----
  // A password reset: when `email` names an active account, a single-use
  // token valid kResetSeconds is mailed (account.password_reset, a private
  // outbox event). Ok whether or not the account exists, so the answer
  // tells nobody which emails have accounts.
  [[nodiscard]] Status request_password_reset(const std::string& email);
  // Sets the password the token was sent for, uses up every reset token of
  // the account and revokes all its sessions. 400 invalid_token for an
  // unknown, used or expired token; the password policy as at sign-up.
  [[nodiscard]] Status reset_password(const std::string& token, const std::string& password);
  // Mails a verification link to the account's email (account.verify_email).
  [[nodiscard]] Status send_email_verification(int64_t user_id);
  // Marks the email the token was sent to verified (400 invalid_token);
  // returns the account. The caller gives it the guest orders of that email.
  [[nodiscard]] Result<User> verify_email(const std::string& token);
  // Tells a new staff member they may now run the shop as `role`
  // (account.staff_invite). An account made for the invitation has no
  // password: its mail carries a single-use password token valid
  // kInviteSeconds (a reset token, so the reset page sets it); an existing
  // account's mail just points at the admin.
  [[nodiscard]] Status send_staff_invitation(int64_t user_id, const std::string& role, bool set_password);
  static constexpr int64_t kResetSeconds = 30 * 60;
  static constexpr int64_t kVerifySeconds = 3 * 24 * 3600;
  static constexpr int64_t kInviteSeconds = 7 * 24 * 3600;

 private:
  // Records the sign-in and opens a session for `user`.
  Result<SignIn> sign_in(const User& user, const std::string& ip, const std::string& user_agent);

  Sqlite& db_;
  Sessions& sessions_;
  const Config& config_;
};

// Validation shared with the HTTP layer (400 naming the field).
Result<std::string> normalize_email(const std::string& email);
Status check_name(const std::string& value, const char* field, size_t max_len = 100);
Status check_phone(const std::string& value, const char* field = "phone");

// The public shape of a user (never the password hash).
nlohmann::json user_json(const User& u);

}  // namespace shopbox
