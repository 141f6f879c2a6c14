#include "users/accounts.h"

#include "base/clock.h"
#include "base/text.h"
#include "users/passwords.h"

namespace shopbox {
namespace {

passwords::Cost cost_of(const Config& c) {
  return {c.password_scrypt_log_n, c.password_scrypt_r, c.password_scrypt_p};
}

Status invalid_credentials() {
  return Status(Kind::unauthorized, "invalid_credentials", "email or password is wrong");
}

}  // namespace

Result<std::string> normalize_email(const std::string& raw) {
  std::string email = trim(raw);
  if (email.empty()) return field_error("email", "email is required");
  if (email.size() > 254) return field_error("email", "email is too long (max 254)");
  size_t at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos)
    return field_error("email", "email must look like name@example.com");
  std::string domain = email.substr(at + 1);
  size_t dot = domain.find('.');
  if (domain.empty() || dot == std::string::npos || dot == 0 || domain.back() == '.' ||
      domain.find("..") != std::string::npos)
    return field_error("email", "email must look like name@example.com");
  for (unsigned char ch : email)
    if (ch <= 0x20 || ch == 0x7f || ch == '<' || ch == '>' || ch == ',' || ch == ';' || ch == '"' || ch == '\\')
      return field_error("email", "email must look like name@example.com");
  // The shop's mail goes out without SMTPUTF8 (email/mailer.h): an address
  // it could never send the confirmation or a reset link to is refused here,
  // not dead-lettered later.
  for (unsigned char ch : email)
    if (ch >= 0x80)
      return field_error("email", "email must be written in ASCII letters (internationalised addresses cannot be mailed)");
  return email;
}

Status check_name(const std::string& value, const char* field, size_t max_len) {
  if (value.size() > max_len)
    return field_error(field, std::string(field) + " is too long (max " + std::to_string(max_len) + ")");
  for (unsigned char ch : value)
    if (ch < 0x20 || ch == 0x7f) return field_error(field, std::string(field) + " must not contain control characters");
  return Status::Ok();
}

Status check_phone(const std::string& value, const char* field) {
  if (value.size() > 20) return field_error(field, std::string(field) + " is too long (max 20)");
  int digits = 0;
  for (char ch : value) {
    if (ch >= '0' && ch <= '9')
      ++digits;
    else if (std::string_view("+ -().").find(ch) == std::string_view::npos)
      return field_error(field, std::string(field) + " may contain only digits, spaces and + - ( ) .");
  }
  if (digits < 3) return field_error(field, std::string(field) + " must contain digits");
  return Status::Ok();
}

nlohmann::json user_json(const User& u) {
  return {{"user_id", std::to_string(u.id)},
          {"email", u.email},
          {"first_name", u.first_name},
          {"last_name", u.last_name},
          {"phone", u.phone ? nlohmann::json(*u.phone) : nlohmann::json(nullptr)},
          {"role", u.role},
          {"email_verified", u.email_verified},
          {"created_at", iso8601(u.created_at)},
          {"last_login", u.last_login ? nlohmann::json(iso8601(*u.last_login)) : nlohmann::json(nullptr)}};
}

Result<User> Accounts::create_user(const RegisterInput& in) {
  auto email = normalize_email(in.email);
  if (!email.ok()) return email.status();
  if (!in.without_password)
    if (auto st = passwords::check_policy(in.password, "password", *email); !st.ok()) return st;
  if (auto st = check_name(in.first_name, "first_name"); !st.ok()) return st;
  if (auto st = check_name(in.last_name, "last_name"); !st.ok()) return st;
  if (in.phone)
    if (auto st = check_phone(*in.phone); !st.ok()) return st;
  if (in.role != "customer" && in.role != "admin") return field_error("role", "role must be customer or admin");

  User u;
  u.email = *email;
  u.first_name = trim(in.first_name);
  u.last_name = trim(in.last_name);
  u.phone = in.phone;
  u.role = in.role;
  u.created_at = u.updated_at = now_seconds();
  // Hash outside the write lock: it is the slow part. "!" is no scrypt
  // hash, so no password ever verifies against it.
  u.password_hash = in.without_password ? "!" : passwords::hash(in.password, cost_of(config_));
  Status st = db_.write([&](Connection& c) {
    auto id = user_store::insert_user(c, u);
    if (!id.ok()) return id.status();
    u.id = *id;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return u;
}

Result<SignIn> Accounts::sign_in(const User& user, const std::string& ip, const std::string& user_agent) {
  SignIn out;
  out.user = user;
  Status st = db_.write([&](Connection& c) {
    out.user.last_login = now_seconds();
    user_store::touch_login(c, out.user.id, *out.user.last_login);
    out.session = sessions_.create(c, out.user.id, ip, user_agent);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<User>> Accounts::customers(const std::string& q, int64_t offset, int64_t limit, int64_t* total) {
  std::vector<User> out;
  Status st = db_.read([&](Connection& c) {
    out = user_store::list_customers(c, q, offset, limit, total);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<SignIn> Accounts::register_user(const RegisterInput& in, const std::string& ip, const std::string& user_agent) {
  RegisterInput customer = in;
  customer.role = "customer";
  auto user = create_user(customer);
  if (!user.ok()) return user.status();
  // The account exists either way; a verification mail that could not be
  // queued is asked for again from the account page.
  log_if_failed(send_email_verification(user->id), "accounts: queueing the verification email");
  return sign_in(*user, ip, user_agent);
}

Result<SignIn> Accounts::login(const std::string& raw_email, const std::string& password, const std::string& ip,
                               const std::string& user_agent) {
  auto email = normalize_email(raw_email);
  if (!email.ok() || password.empty() || password.size() > passwords::kMaxLength) {
    passwords::dummy_verify(password.substr(0, passwords::kMaxLength), cost_of(config_));
    return invalid_credentials();
  }
  std::optional<User> user;
  Status read2 = db_.read([&](Connection& c) {
    user = user_store::find_user_by_email(c, *email);
    return Status::Ok();
  });
  if (!read2.ok()) return read2;
  if (!user) {
    passwords::dummy_verify(password, cost_of(config_));
    return invalid_credentials();
  }
  if (!passwords::verify(password, user->password_hash) || user->status != "active") return invalid_credentials();
  return sign_in(*user, ip, user_agent);
}

std::optional<User> Accounts::get(int64_t user_id) {
  std::optional<User> u;
  log_if_failed(db_.read([&](Connection& c) {
    u = user_store::get_user(c, user_id);
    return Status::Ok();
  }),
                "accounts: get (read as empty)");
  return u;
}

Result<User> Accounts::update_profile(int64_t user_id, const ProfileChange& change) {
  if (change.first_name)
    if (auto st = check_name(*change.first_name, "first_name"); !st.ok()) return st;
  if (change.last_name)
    if (auto st = check_name(*change.last_name, "last_name"); !st.ok()) return st;
  if (change.set_phone && change.phone)
    if (auto st = check_phone(*change.phone); !st.ok()) return st;
  User out;
  Status st = db_.write([&](Connection& c) {
    auto u = user_store::get_user(c, user_id);
    if (!u) return Status::NotFound("user not found");
    if (change.first_name) u->first_name = trim(*change.first_name);
    if (change.last_name) u->last_name = trim(*change.last_name);
    if (change.set_phone) u->phone = change.phone;
    u->updated_at = now_seconds();
    user_store::update_profile(c, *u);
    out = *u;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Status Accounts::change_password(int64_t user_id, int64_t keep_session_id, const std::string& current,
                                 const std::string& next) {
  if (current.empty()) return field_error("current_password", "current_password is required");
  auto user = get(user_id);
  if (!user) return Status::NotFound("user not found");
  if (auto st = passwords::check_policy(next, "new_password", user->email); !st.ok()) return st;
  if (current.size() > passwords::kMaxLength || !passwords::verify(current, user->password_hash))
    return Status(Kind::forbidden, "wrong_password", "current_password is wrong", {{"field", "current_password"}});
  std::string hash = passwords::hash(next, cost_of(config_));
  return db_.write([&](Connection& c) {
    user_store::update_password(c, user_id, hash);
    user_store::revoke_user_sessions(c, user_id, keep_session_id, now_seconds());
    return Status::Ok();
  });
}

Status Accounts::set_role(int64_t user_id, const std::string& role) {
  if (role != "customer" && role != "admin") return field_error("role", "role must be customer or admin");
  return db_.write([&](Connection& c) {
    if (!user_store::get_user(c, user_id)) return Status::NotFound("user not found");
    user_store::update_role(c, user_id, role);
    return Status::Ok();
  });
}

}  // namespace shopbox
