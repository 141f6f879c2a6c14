// The users' repository: accounts, sessions, addresses and tokenized
// payment methods, in SQLite. Plain data in, plain data out; validation and
// password hashing live in src/users/. Every function that touches a
// user-owned row takes the owner's user_id and filters on it, so one user
// can never read or change another's rows through this layer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "storage/sqlite.h"
#include "users/api_tokens.h"

namespace shopbox {

// The users' tables (migrations 200-299, src/users/schema.cpp).
const std::vector<Migration>& user_migrations();

struct User {
  int64_t id = 0;
  std::string email;
  std::string password_hash;  // self-describing ("scrypt$...")
  std::string first_name;
  std::string last_name;
  std::optional<std::string> phone;
  std::string role = "customer";  // "customer" or "admin"
  std::string status = "active";  // account_status: "active" or "disabled"
  bool email_verified = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> last_login;
};

struct Session {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string role;  // the user's role, joined in
  int64_t expires_at = 0;
  std::string admin_role;  // the user's staff role, joined in ("" for none)
};

// A staff member as the admin lists them.
struct StaffMember {
  int64_t user_id = 0;
  std::string email;
  std::string first_name;
  std::string last_name;
  std::string admin_role;  // owner | staff | fulfilment
  int64_t created_at = 0;
  std::optional<int64_t> last_login;
};

struct Address {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string name;
  std::string street;
  std::string city;
  std::string state;
  std::string zip;
  std::string country;  // ISO 3166-1 alpha-2, upper case
  std::optional<std::string> phone;
  std::string type = "both";  // "shipping", "billing" or "both"
  bool default_shipping = false;
  bool default_billing = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct PaymentMethod {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string type = "card";
  std::string token;  // the gateway's token; never a card number
  std::string brand;
  std::string last_four;
  int exp_month = 0;
  int exp_year = 0;
  bool is_default = false;
  int64_t created_at = 0;
};

namespace user_store {

// ---- users ----
// Inserts; a duplicate email (compared case-insensitively) is 409 email_taken.
Result<int64_t> insert_user(Connection& c, const User& u);
std::optional<User> get_user(Connection& c, int64_t user_id);
std::optional<User> find_user_by_email(Connection& c, const std::string& email);
// Names and phone (the fields a user may change on their profile).
void update_profile(Connection& c, const User& u);
void update_password(Connection& c, int64_t user_id, const std::string& password_hash);
void update_role(Connection& c, int64_t user_id, const std::string& role);
void touch_login(Connection& c, int64_t user_id, int64_t at);

// ---- sessions (only the SHA-256 of a token is stored) ----
int64_t insert_session(Connection& c, int64_t user_id, const std::string& token_hash, int64_t created_at,
                       int64_t expires_at, const std::string& ip, const std::string& user_agent);
// A live session: not revoked, not expired at `now`, its user active.
std::optional<Session> find_live_session(Connection& c, const std::string& token_hash, int64_t now);
void revoke_session(Connection& c, int64_t session_id, int64_t at);
// Revokes every live session of the user except `keep_session_id` (0: all).
int revoke_user_sessions(Connection& c, int64_t user_id, int64_t keep_session_id, int64_t at);
// Deletes sessions expired or revoked before `before`; returns how many.
int delete_dead_sessions(Connection& c, int64_t before);

// ---- addresses ----
std::vector<Address> list_addresses(Connection& c, int64_t user_id);
std::optional<Address> get_address(Connection& c, int64_t user_id, int64_t address_id);
int64_t insert_address(Connection& c, const Address& a);
void update_address(Connection& c, const Address& a);
bool delete_address(Connection& c, int64_t user_id, int64_t address_id);
// Clears the default flags of the user's other addresses.
void clear_default_shipping(Connection& c, int64_t user_id, int64_t except_id);
void clear_default_billing(Connection& c, int64_t user_id, int64_t except_id);
int64_t count_addresses(Connection& c, int64_t user_id);

// ---- payment methods ----
std::vector<PaymentMethod> list_payment_methods(Connection& c, int64_t user_id);
std::optional<PaymentMethod> get_payment_method(Connection& c, int64_t user_id, int64_t payment_method_id);
int64_t insert_payment_method(Connection& c, const PaymentMethod& p);
bool delete_payment_method(Connection& c, int64_t user_id, int64_t payment_method_id);
void set_default_payment_method(Connection& c, int64_t user_id, int64_t payment_method_id);
int64_t count_payment_methods(Connection& c, int64_t user_id);

// Customer accounts, newest first; `q` (when set) matches email or name
// (case-insensitive substring).
std::vector<User> list_customers(Connection& c, const std::string& q, int64_t offset, int64_t limit, int64_t* total);

// ---- single-use account tokens (password reset, email verification) ----
struct AccountToken {
  int64_t user_id = 0;
  std::string purpose, email;
  int64_t expires_at = 0;
  std::optional<int64_t> used_at;
};
void insert_account_token(Connection& c, const std::string& token_hash, int64_t user_id, const std::string& purpose,
                          const std::string& email, int64_t now, int64_t expires_at);
std::optional<AccountToken> find_account_token(Connection& c, const std::string& token_hash);
// Marks every unused token of the user for `purpose` used (the one just
// used, and older ones still in someone's inbox).
void use_account_tokens(Connection& c, int64_t user_id, const std::string& purpose, int64_t at);
void set_email_verified(Connection& c, int64_t user_id, int64_t at);

// ---- API tokens (users/api_tokens.h) ----
// `scopes_json` nullopt: an owner key (every permission).
int64_t insert_api_token(Connection& c, const std::string& token_hash, const std::string& role, const std::string& label,
                         int64_t now, const std::optional<std::string>& scopes_json = std::nullopt);
std::optional<ApiToken> find_api_token(Connection& c, const std::string& token_hash);  // live (not revoked) only
std::vector<ApiToken> list_api_tokens(Connection& c);                                 // live ones, newest first
std::optional<ApiToken> get_api_token(Connection& c, int64_t token_id);               // live only
void revoke_api_token(Connection& c, int64_t token_id, int64_t at);
void touch_api_token(Connection& c, int64_t token_id, int64_t at);

// ---- staff (users.admin_role) ----
std::vector<StaffMember> list_staff(Connection& c);
std::optional<StaffMember> get_staff(Connection& c, int64_t user_id);
// Gives the user admin access with `admin_role`, or (nullopt) takes it away.
void set_staff_role(Connection& c, int64_t user_id, const std::optional<std::string>& admin_role);
int64_t count_owners(Connection& c);

}  // namespace user_store
}  // namespace shopbox
