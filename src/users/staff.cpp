#include "users/staff.h"

namespace shopbox {

namespace {

bool staff_role_valid(const std::string& role) {
  return role == "owner" || role == "staff" || role == "fulfilment";
}

Status bad_staff_role() {
  return Status::Invalid("role must be owner, staff or fulfilment", {{"field", "role"}});
}

Status last_owner() {
  return Status::Conflict("last_owner", "this is the shop's last owner: make another account owner first");
}

}  // namespace

Result<std::vector<StaffMember>> Staff::list() {
  std::vector<StaffMember> out;
  Status st = db_.read([&](Connection& c) {
    out = user_store::list_staff(c);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<StaffInvite> Staff::invite(const std::string& raw_email, const std::string& role) {
  if (!staff_role_valid(role)) return bad_staff_role();
  auto email = normalize_email(raw_email);
  if (!email.ok()) return email.status();
  StaffInvite out;
  std::optional<User> user;
  Status read = db_.read([&](Connection& c) {
    user = user_store::find_user_by_email(c, *email);
    return Status::Ok();
  });
  if (!read.ok()) return read;
  if (!user) {
    RegisterInput in;
    in.email = *email;
    in.without_password = true;
    auto made = accounts_.create_user(in);
    if (!made.ok()) return made.status();
    user = *made;
    out.created = true;
  }
  Status st = db_.write([&](Connection& c) {
    if (user_store::get_staff(c, user->id))
      return Status::Conflict("already_staff", "this account is staff already: change its role instead",
                              {{"user_id", std::to_string(user->id)}});
    user_store::set_staff_role(c, user->id, role);
    out.member = *user_store::get_staff(c, user->id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  // The invitation says what the role may do; a new account has no
  // password yet, and its invitation is how it sets one.
  log_if_failed(accounts_.send_staff_invitation(user->id, role, out.created), "staff: mailing the invitation");
  return out;
}

Result<StaffMember> Staff::set_role(int64_t user_id, const std::string& role) {
  if (!staff_role_valid(role)) return bad_staff_role();
  StaffMember out;
  Status st = db_.write([&](Connection& c) {
    auto member = user_store::get_staff(c, user_id);
    if (!member) return Status::NotFound("staff member not found");
    if (member->admin_role == "owner" && role != "owner" && user_store::count_owners(c) <= 1) return last_owner();
    user_store::set_staff_role(c, user_id, role);
    out = *user_store::get_staff(c, user_id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Status Staff::revoke(int64_t user_id) {
  return db_.write([&](Connection& c) {
    auto member = user_store::get_staff(c, user_id);
    if (!member) return Status::NotFound("staff member not found");
    if (member->admin_role == "owner" && user_store::count_owners(c) <= 1) return last_owner();
    user_store::set_staff_role(c, user_id, std::nullopt);
    return Status::Ok();
  });
}

}  // namespace shopbox
