#include "users/user_store.h"

#include <nlohmann/json.hpp>

#include "storage/rows.h"

namespace shopbox::user_store {
namespace {

#define USER_COLS                                                                                       \
  "user_id, email, password_hash, first_name, last_name, phone, role, account_status, email_verified, " \
  "created_at, updated_at, last_login"

User read_user(Statement& st) {
  Columns row(st);
  User u;
  u.id = row.int64();
  u.email = row.text();
  u.password_hash = row.text();
  u.first_name = row.text();
  u.last_name = row.text();
  u.phone = row.opt_text();
  u.role = row.text();
  u.status = row.text();
  u.email_verified = row.int64() != 0;
  u.created_at = row.int64();
  u.updated_at = row.int64();
  u.last_login = row.opt_int64();
  row.done();
  return u;
}

#define ADDRESS_COLS                                                                    \
  "address_id, user_id, name, street, city, state, zip, country, phone, address_type, " \
  "is_default_shipping, is_default_billing, created_at, updated_at"

Address read_address(Statement& st) {
  Columns row(st);
  Address a;
  a.id = row.int64();
  a.user_id = row.int64();
  a.name = row.text();
  a.street = row.text();
  a.city = row.text();
  a.state = row.text();
  a.zip = row.text();
  a.country = row.text();
  a.phone = row.opt_text();
  a.type = row.text();
  a.default_shipping = row.int64() != 0;
  a.default_billing = row.int64() != 0;
  a.created_at = row.int64();
  a.updated_at = row.int64();
  row.done();
  return a;
}

#define PAYMENT_COLS                                                                         \
  "payment_method_id, user_id, method_type, payment_token, brand, last_four, expiry_month, " \
  "expiry_year, is_default, created_at"

PaymentMethod read_payment(Statement& st) {
  Columns row(st);
  PaymentMethod p;
  p.id = row.int64();
  p.user_id = row.int64();
  p.type = row.text();
  p.token = row.text();
  p.brand = row.text();
  p.last_four = row.text();
  p.exp_month = static_cast<int>(row.int64());
  p.exp_year = static_cast<int>(row.int64());
  p.is_default = row.int64() != 0;
  p.created_at = row.int64();
  row.done();
  return p;
}

// Binds an address's own fields to parameters 1..10 (insert and update
// list them in the same order).
Statement& bind_address_fields(Statement& st, const Address& a) {
  return st.bind(1, a.name)
      .bind(2, a.street)
      .bind(3, a.city)
      .bind(4, a.state)
      .bind(5, a.zip)
      .bind(6, a.country)
      .bind(7, a.phone)
      .bind(8, a.type)
      .bind(9, a.default_shipping ? 1 : 0)
      .bind(10, a.default_billing ? 1 : 0);
}

}  // namespace

// ---- users ----

Result<int64_t> insert_user(Connection& c, const User& u) {
  if (find_user_by_email(c, u.email))
    return Status::Conflict("email_taken", "an account with this email already exists");
  try {
    c.prepare(
         "INSERT INTO users(email, password_hash, first_name, last_name, phone, role, account_status, "
         "email_verified, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)")
        .bind(1, u.email)
        .bind(2, u.password_hash)
        .bind(3, u.first_name)
        .bind(4, u.last_name)
        .bind(5, u.phone)
        .bind(6, u.role)
        .bind(7, u.status)
        .bind(8, u.email_verified ? 1 : 0)
        .bind(9, u.created_at)
        .bind(10, u.updated_at)
        .exec();
  } catch (const SqliteError& e) {
    if (e.is_constraint()) return Status::Conflict("email_taken", "an account with this email already exists");
    throw;
  }
  return c.last_insert_id();
}

std::optional<User> get_user(Connection& c, int64_t user_id) {
  auto st = c.prepare("SELECT " USER_COLS " FROM users WHERE user_id = ?");
  st.bind(1, user_id);
  return first_row(st, read_user);
}

std::optional<User> find_user_by_email(Connection& c, const std::string& email) {
  // The column is COLLATE NOCASE, so this compares case-insensitively and
  // uses the unique index.
  auto st = c.prepare("SELECT " USER_COLS " FROM users WHERE email = ?");
  st.bind(1, email);
  return first_row(st, read_user);
}

void update_profile(Connection& c, const User& u) {
  c.prepare("UPDATE users SET first_name = ?, last_name = ?, phone = ?, updated_at = ? WHERE user_id = ?")
      .bind(1, u.first_name)
      .bind(2, u.last_name)
      .bind(3, u.phone)
      .bind(4, u.updated_at)
      .bind(5, u.id)
      .exec();
}

void update_password(Connection& c, int64_t user_id, const std::string& password_hash) {
  c.prepare("UPDATE users SET password_hash = ? WHERE user_id = ?").bind(1, password_hash).bind(2, user_id).exec();
}

void update_role(Connection& c, int64_t user_id, const std::string& role) {
  // A role set this way (the CLI) carries no staff role: an admin made so is an owner.
  c.prepare("UPDATE users SET role = ?, admin_role = NULL WHERE user_id = ?").bind(1, role).bind(2, user_id).exec();
}

void touch_login(Connection& c, int64_t user_id, int64_t at) {
  c.prepare("UPDATE users SET last_login = ? WHERE user_id = ?").bind(1, at).bind(2, user_id).exec();
}

// ---- sessions ----

int64_t insert_session(Connection& c, int64_t user_id, const std::string& token_hash, int64_t created_at,
                       int64_t expires_at, const std::string& ip, const std::string& user_agent) {
  c.prepare("INSERT INTO sessions(user_id, token_hash, created_at, expires_at, ip, user_agent) VALUES (?,?,?,?,?,?)")
      .bind(1, user_id)
      .bind(2, token_hash)
      .bind(3, created_at)
      .bind(4, expires_at)
      .bind(5, ip)
      .bind(6, user_agent)
      .exec();
  return c.last_insert_id();
}

std::optional<Session> find_live_session(Connection& c, const std::string& token_hash, int64_t now) {
  auto st = c.prepare(
      "SELECT s.session_id, s.user_id, u.role, s.expires_at, u.admin_role FROM sessions s "
      "JOIN users u ON u.user_id = s.user_id "
      "WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.account_status = 'active'");
  st.bind(1, token_hash).bind(2, now);
  if (!st.step()) return std::nullopt;
  return Session{st.int64(0), st.int64(1), st.text(2), st.int64(3), st.opt_text(4).value_or("")};
}

void revoke_session(Connection& c, int64_t session_id, int64_t at) {
  c.prepare("UPDATE sessions SET revoked_at = ? WHERE session_id = ? AND revoked_at IS NULL")
      .bind(1, at)
      .bind(2, session_id)
      .exec();
}

int revoke_user_sessions(Connection& c, int64_t user_id, int64_t keep_session_id, int64_t at) {
  c.prepare("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND session_id != ? AND revoked_at IS NULL")
      .bind(1, at)
      .bind(2, user_id)
      .bind(3, keep_session_id)
      .exec();
  return c.changes();
}

int delete_dead_sessions(Connection& c, int64_t before) {
  c.prepare("DELETE FROM sessions WHERE expires_at < ?1 OR revoked_at < ?1").bind(1, before).exec();
  return c.changes();
}

// ---- addresses ----

std::vector<Address> list_addresses(Connection& c, int64_t user_id) {
  auto st = c.prepare("SELECT " ADDRESS_COLS " FROM user_addresses WHERE user_id = ? ORDER BY address_id");
  st.bind(1, user_id);
  return all_rows(st, read_address);
}

std::optional<Address> get_address(Connection& c, int64_t user_id, int64_t address_id) {
  auto st = c.prepare("SELECT " ADDRESS_COLS " FROM user_addresses WHERE user_id = ? AND address_id = ?");
  st.bind(1, user_id).bind(2, address_id);
  return first_row(st, read_address);
}

int64_t insert_address(Connection& c, const Address& a) {
  auto st = c.prepare(
      "INSERT INTO user_addresses(name, street, city, state, zip, country, phone, address_type, is_default_shipping, "
      "is_default_billing, created_at, updated_at, user_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  bind_address_fields(st, a).bind(11, a.created_at).bind(12, a.updated_at).bind(13, a.user_id).exec();
  return c.last_insert_id();
}

void update_address(Connection& c, const Address& a) {
  auto st = c.prepare(
      "UPDATE user_addresses SET name = ?, street = ?, city = ?, state = ?, zip = ?, country = ?, phone = ?, "
      "address_type = ?, is_default_shipping = ?, is_default_billing = ?, updated_at = ? "
      "WHERE address_id = ? AND user_id = ?");
  bind_address_fields(st, a).bind(11, a.updated_at).bind(12, a.id).bind(13, a.user_id).exec();
}

bool delete_address(Connection& c, int64_t user_id, int64_t address_id) {
  c.prepare("DELETE FROM user_addresses WHERE user_id = ? AND address_id = ?")
      .bind(1, user_id)
      .bind(2, address_id)
      .exec();
  return c.changes() > 0;
}

void clear_default_shipping(Connection& c, int64_t user_id, int64_t except_id) {
  c.prepare("UPDATE user_addresses SET is_default_shipping = 0 WHERE user_id = ? AND address_id != ?")
      .bind(1, user_id)
      .bind(2, except_id)
      .exec();
}

void clear_default_billing(Connection& c, int64_t user_id, int64_t except_id) {
  c.prepare("UPDATE user_addresses SET is_default_billing = 0 WHERE user_id = ? AND address_id != ?")
      .bind(1, user_id)
      .bind(2, except_id)
      .exec();
}

int64_t count_addresses(Connection& c, int64_t user_id) {
  auto st = c.prepare("SELECT COUNT(*) FROM user_addresses WHERE user_id = ?");
  st.bind(1, user_id);
  return st.step() ? st.int64(0) : 0;
}

// ---- payment methods ----

std::vector<PaymentMethod> list_payment_methods(Connection& c, int64_t user_id) {
  auto st = c.prepare("SELECT " PAYMENT_COLS " FROM payment_methods WHERE user_id = ? ORDER BY payment_method_id");
  st.bind(1, user_id);
  return all_rows(st, read_payment);
}

std::optional<PaymentMethod> get_payment_method(Connection& c, int64_t user_id, int64_t payment_method_id) {
  auto st = c.prepare("SELECT " PAYMENT_COLS " FROM payment_methods WHERE user_id = ? AND payment_method_id = ?");
  st.bind(1, user_id).bind(2, payment_method_id);
  return first_row(st, read_payment);
}

int64_t insert_payment_method(Connection& c, const PaymentMethod& p) {
  c.prepare(
       "INSERT INTO payment_methods(user_id, method_type, payment_token, brand, last_four, expiry_month, "
       "expiry_year, is_default, created_at) VALUES (?,?,?,?,?,?,?,?,?)")
      .bind(1, p.user_id)
      .bind(2, p.type)
      .bind(3, p.token)
      .bind(4, p.brand)
      .bind(5, p.last_four)
      .bind(6, p.exp_month)
      .bind(7, p.exp_year)
      .bind(8, p.is_default ? 1 : 0)
      .bind(9, p.created_at)
      .exec();
  return c.last_insert_id();
}

bool delete_payment_method(Connection& c, int64_t user_id, int64_t payment_method_id) {
  c.prepare("DELETE FROM payment_methods WHERE user_id = ? AND payment_method_id = ?")
      .bind(1, user_id)
      .bind(2, payment_method_id)
      .exec();
  return c.changes() > 0;
}

void set_default_payment_method(Connection& c, int64_t user_id, int64_t payment_method_id) {
  // Two statements: the partial unique index allows one default per user
  // and SQLite checks it row by row.
  c.prepare("UPDATE payment_methods SET is_default = 0 WHERE user_id = ? AND is_default = 1").bind(1, user_id).exec();
  c.prepare("UPDATE payment_methods SET is_default = 1 WHERE user_id = ? AND payment_method_id = ?")
      .bind(1, user_id)
      .bind(2, payment_method_id)
      .exec();
}

int64_t count_payment_methods(Connection& c, int64_t user_id) {
  auto st = c.prepare("SELECT COUNT(*) FROM payment_methods WHERE user_id = ?");
  st.bind(1, user_id);
  return st.step() ? st.int64(0) : 0;
}

int64_t insert_api_token(Connection& c, const std::string& token_hash, const std::string& role, const std::string& label,
                         int64_t now, const std::optional<std::string>& scopes_json) {
  c.prepare("INSERT INTO api_tokens(token_hash, role, label, created_at, scopes) VALUES (?,?,?,?,?)")
      .bind(1, token_hash)
      .bind(2, role)
      .bind(3, label)
      .bind(4, now)
      .bind(5, scopes_json)
      .exec();
  return c.last_insert_id();
}

namespace {
#define API_TOKEN_COLS "token_id, role, scopes, label, created_at, last_used_at"

ApiToken read_api_token(Statement& st) {
  ApiToken t;
  t.id = st.int64(0);
  t.role = st.text(1);
  if (auto scopes = st.opt_text(2)) {
    t.owner = false;
    // Written by create_scoped_api_key only; anything unreadable grants nothing.
    auto parsed = nlohmann::json::parse(*scopes, nullptr, false);
    if (parsed.is_array())
      for (const auto& s : parsed)
        if (s.is_string()) t.scopes.push_back(s.get<std::string>());
  }
  t.label = st.text(3);
  t.created_at = st.int64(4);
  t.last_used_at = st.opt_int64(5);
  return t;
}
}  // namespace

std::optional<ApiToken> find_api_token(Connection& c, const std::string& token_hash) {
  auto st = c.prepare("SELECT " API_TOKEN_COLS " FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL");
  st.bind(1, token_hash);
  if (!st.step()) return std::nullopt;
  return read_api_token(st);
}

std::vector<ApiToken> list_api_tokens(Connection& c) {
  auto st = c.prepare("SELECT " API_TOKEN_COLS " FROM api_tokens WHERE revoked_at IS NULL ORDER BY token_id DESC");
  std::vector<ApiToken> out;
  while (st.step()) out.push_back(read_api_token(st));
  return out;
}

std::optional<ApiToken> get_api_token(Connection& c, int64_t token_id) {
  auto st = c.prepare("SELECT " API_TOKEN_COLS " FROM api_tokens WHERE token_id = ? AND revoked_at IS NULL");
  st.bind(1, token_id);
  if (!st.step()) return std::nullopt;
  return read_api_token(st);
}

void revoke_api_token(Connection& c, int64_t token_id, int64_t at) {
  c.prepare("UPDATE api_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL")
      .bind(1, at)
      .bind(2, token_id)
      .exec();
}

void touch_api_token(Connection& c, int64_t token_id, int64_t at) {
  c.prepare("UPDATE api_tokens SET last_used_at = ? WHERE token_id = ?").bind(1, at).bind(2, token_id).exec();
}

namespace {
#define STAFF_COLS "user_id, email, first_name, last_name, COALESCE(admin_role, 'owner'), created_at, last_login"

StaffMember read_staff(Statement& st) {
  return StaffMember{st.int64(0), st.text(1),  st.text(2), st.text(3),
                     st.text(4),  st.int64(5), st.opt_int64(6)};
}
}  // namespace

// An admin without admin_role (made by the CLI) counts as an owner, as at
// sign-in (http/auth.cpp).
std::vector<StaffMember> list_staff(Connection& c) {
  auto st = c.prepare("SELECT " STAFF_COLS " FROM users WHERE role = 'admin' ORDER BY user_id");
  std::vector<StaffMember> out;
  while (st.step()) out.push_back(read_staff(st));
  return out;
}

std::optional<StaffMember> get_staff(Connection& c, int64_t user_id) {
  auto st = c.prepare("SELECT " STAFF_COLS " FROM users WHERE role = 'admin' AND user_id = ?");
  st.bind(1, user_id);
  if (!st.step()) return std::nullopt;
  return read_staff(st);
}

void set_staff_role(Connection& c, int64_t user_id, const std::optional<std::string>& admin_role) {
  c.prepare("UPDATE users SET role = ?, admin_role = ? WHERE user_id = ?")
      .bind(1, admin_role ? "admin" : "customer")
      .bind(2, admin_role)
      .bind(3, user_id)
      .exec();
}

int64_t count_owners(Connection& c) {
  auto st = c.prepare(
      "SELECT COUNT(*) FROM users WHERE role = 'admin' AND account_status = 'active' AND "
      "COALESCE(admin_role, 'owner') = 'owner'");
  return st.step() ? st.int64(0) : 0;
}

std::vector<User> list_customers(Connection& c, const std::string& q, int64_t offset, int64_t limit, int64_t* total) {
  // instr() on lower() rather than LIKE: a '%' or '_' the merchant types is
  // searched for, not a wildcard.
  const char* where =
      " FROM users WHERE role = 'customer' AND (?1 = '' OR instr(lower(email), lower(?1)) > 0 OR "
      "instr(lower(first_name || ' ' || last_name), lower(?1)) > 0)";
  {
    auto st = c.prepare((std::string("SELECT count(*)") + where).c_str());
    st.bind(1, q);
    *total = st.step() ? st.int64(0) : 0;
  }
  auto st = c.prepare(
      (std::string("SELECT user_id") + where + " ORDER BY created_at DESC, user_id DESC LIMIT ?2 OFFSET ?3").c_str());
  st.bind(1, q).bind(2, limit).bind(3, offset);
  std::vector<int64_t> ids;
  while (st.step()) ids.push_back(st.int64(0));
  std::vector<User> out;
  for (int64_t id : ids)
    if (auto u = get_user(c, id)) out.push_back(std::move(*u));
  return out;
}

// ---- single-use account tokens ----

void insert_account_token(Connection& c, const std::string& token_hash, int64_t user_id, const std::string& purpose,
                          const std::string& email, int64_t now, int64_t expires_at) {
  c.prepare(
       "INSERT INTO account_tokens(token_hash, user_id, purpose, email, created_at, expires_at) VALUES (?,?,?,?,?,?)")
      .bind(1, token_hash)
      .bind(2, user_id)
      .bind(3, purpose)
      .bind(4, email)
      .bind(5, now)
      .bind(6, expires_at)
      .exec();
}

std::optional<AccountToken> find_account_token(Connection& c, const std::string& token_hash) {
  auto st = c.prepare("SELECT user_id, purpose, email, expires_at, used_at FROM account_tokens WHERE token_hash = ?");
  st.bind(1, token_hash);
  if (!st.step()) return std::nullopt;
  AccountToken t;
  t.user_id = st.int64(0);
  t.purpose = st.text(1);
  t.email = st.text(2);
  t.expires_at = st.int64(3);
  t.used_at = st.opt_int64(4);
  return t;
}

void use_account_tokens(Connection& c, int64_t user_id, const std::string& purpose, int64_t at) {
  c.prepare("UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL")
      .bind(1, at)
      .bind(2, user_id)
      .bind(3, purpose)
      .exec();
}

void set_email_verified(Connection& c, int64_t user_id, int64_t at) {
  c.prepare("UPDATE users SET email_verified = 1, updated_at = ? WHERE user_id = ?")
      .bind(1, at)
      .bind(2, user_id)
      .exec();
}

}  // namespace shopbox::user_store
