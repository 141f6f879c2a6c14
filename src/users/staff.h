// Staff accounts: which accounts may use the admin, and as what (owner,
// staff, fulfilment; the permissions of each are in http/permissions.h).
// An account's staff role is users.admin_role beside users.role = 'admin'.
//
// Invariant: while the shop has an owner account, it keeps one: the last
// active owner cannot be demoted or lose admin access (409 last_owner).
// Checked inside the same write transaction as the change, so two owners
// demoting each other at once cannot both succeed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "storage/sqlite.h"
#include "users/accounts.h"
#include "users/user_store.h"

namespace shopbox {

struct StaffInvite {
  StaffMember member;
  bool created = false;  // a new account (it got a mail to set its password)
};

class Staff {
 public:
  Staff(Sqlite& db, Accounts& accounts) : db_(db), accounts_(accounts) {}

  [[nodiscard]] Result<std::vector<StaffMember>> list();
  // Gives the account with `email` admin access as `role`, creating the
  // account when there is none; a new account gets a password-set mail
  // (the password reset flow), as it has no password yet. 409
  // already_staff when the account is staff already (change its role).
  [[nodiscard]] Result<StaffInvite> invite(const std::string& email, const std::string& role);
  // 404 when the user is not staff; 409 last_owner.
  [[nodiscard]] Result<StaffMember> set_role(int64_t user_id, const std::string& role);
  // Takes admin access away (the account stays, as a customer's). 404, 409 last_owner.
  [[nodiscard]] Status revoke(int64_t user_id);

 private:
  Sqlite& db_;
  Accounts& accounts_;
};

}  // namespace shopbox
