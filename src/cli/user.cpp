// `shopbox user create --email E --password-stdin [--admin]`: creates an
// account (an admin for the admin pages) and prints its id. The password
// is read from standard input (first line) so it never shows in `ps` or in
// shell history. An existing account can be promoted with --admin
// --promote (the password is then not needed).
#include <iostream>

#include "cli/commands.h"
#include "users/accounts.h"
#include "users/user_store.h"

namespace shopbox::cli {

void add_user_commands(CLI::App& cli) {
  auto* user = cli.add_subcommand("user", "Manage user accounts");
  user->require_subcommand(1);

  struct Opts {
    CommonFlags flags;
    std::string email, first_name, last_name;
    bool password_stdin = false, admin = false, promote = false;
  };
  auto o = std::make_shared<Opts>();
  auto* create = user->add_subcommand("create", "Create a user account; prints its id");
  add_common_flags(*create, o->flags, false);
  create->add_option("--email", o->email, "the account's email")->required();
  create->add_flag("--password-stdin", o->password_stdin, "read the password from the first line of stdin");
  create->add_flag("--admin", o->admin, "give the account the admin role");
  create->add_flag("--promote", o->promote, "with --admin: promote an existing account instead");
  create->add_option("--first-name", o->first_name, "first name");
  create->add_option("--last-name", o->last_name, "last name");
  create->callback([o] {
    auto app = open_app(o->flags);
    if (!app.ok()) return fail(app.status());
    if (o->promote) {
      if (!o->admin) return fail(Status::Invalid("--promote needs --admin"));
      std::optional<User> found;
      Status read = (*app)->db->read([&](Connection& c) {
        found = user_store::find_user_by_email(c, o->email);
        return Status::Ok();
      });
      if (!read.ok()) return fail(read);
      if (!found) return fail(Status::NotFound("no account with email " + o->email));
      if (auto st = (*app)->accounts->set_role(found->id, "admin"); !st.ok()) return fail(st);
      std::printf("%lld\n", static_cast<long long>(found->id));
      return;
    }
    if (!o->password_stdin) return fail(Status::Invalid("pass --password-stdin and the password on standard input"));
    std::string password;
    if (!std::getline(std::cin, password)) return fail(Status::Invalid("no password on standard input"));
    if (!password.empty() && password.back() == '\r') password.pop_back();
    RegisterInput in;
    in.email = o->email;
    in.password = password;
    in.first_name = o->first_name;
    in.last_name = o->last_name;
    in.role = o->admin ? "admin" : "customer";
    auto u = (*app)->accounts->create_user(in);
    if (!u.ok()) return fail(u.status());
    std::printf("%lld\n", static_cast<long long>(u->id));
  });
}

}  // namespace shopbox::cli
