// `shopbox demo`: a ready shop in one command. Generates the demo catalog
// (skipped when the data dir already has products), creates an admin API
// token, prints it, and serves until SIGTERM/SIGINT.
#include <malloc.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "catalog/demo_catalog.h"
#include "cli/commands.h"
#include "http/auth.h"
#include "pricing/demo_pricing.h"
#include "pricing/pricing_service.h"
#include "reviews/demo_reviews.h"
#include "users/accounts.h"
#include "users/api_tokens.h"

namespace shopbox::cli {

// The demo's reviewers: customers whose reviews stand behind the demo
// catalog's ratings. They have no password: nobody signs in as them.
static Result<std::vector<int64_t>> demo_reviewers(App& app) {
  static const std::array<const char*, 12> first = {"Ada", "Ben", "Chloe", "Dev", "Emma", "Farid",
                                                    "Grace", "Hugo", "Ines", "Jonas", "Keiko", "Liam"};
  static const std::array<const char*, 12> last = {"Lovelace", "Okafor", "Martin", "Patel", "Schmidt", "Haddad",
                                                   "Kim", "Moreau", "Silva", "Berg", "Tanaka", "Walsh"};
  static_assert(first.size() >= kDemoMaxRatings, "one reviewer per rating of the most-rated demo product");
  std::vector<int64_t> ids;
  for (size_t i = 0; i < first.size(); ++i) {
    RegisterInput in;
    in.email = "reviewer" + std::to_string(i + 1) + "@demo.shopbox.example";
    in.without_password = true;
    in.first_name = first[i];
    in.last_name = last[i];
    auto user = app.accounts->create_user(in);
    if (!user.ok()) return user.status();
    ids.push_back(user->id);
  }
  return ids;
}

// Loads the demo catalog into an opened app and reports what it did.
static Status fill_demo(App& app, const DemoOptions& options) {
  auto start = std::chrono::steady_clock::now();
  auto result = load_demo_catalog(*app.catalog, options);
  if (!result.ok()) return result.status();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (result->generated)
    std::fprintf(stderr, "shopbox demo: generated %lld products in %lld categories in %.1f s\n",
                 static_cast<long long>(result->products), static_cast<long long>(result->categories), secs);
  if (result->generated) {
    auto reviewers = demo_reviewers(app);
    if (!reviewers.ok()) return reviewers.status();
    auto reviews = load_demo_reviews(*app.db, *reviewers, options.seed);
    if (!reviews.ok()) return reviews.status();
    std::fprintf(stderr, "shopbox demo: wrote the %lld reviews behind the demo ratings\n",
                 static_cast<long long>(*reviews));
  }
  else
    std::fprintf(stderr, "shopbox demo: catalog already has %lld products; not generating\n",
                 static_cast<long long>(result->products));
  // Shipping zones, tax rates and promotions to try (skipped when the shop has its own).
  return load_demo_pricing(*app.pricing, *app.catalog);
}

void add_demo_commands(CLI::App& cli) {
  struct Opts {
    CommonFlags flags;
    DemoOptions demo;
    bool keep = false;
  };
  auto o = std::make_shared<Opts>();
  auto* demo = cli.add_subcommand("demo",
                                  "Serve a ready demo shop: generates a catalog (deterministic), prints an admin API "
                                  "token, serves on :8080");
  add_common_flags(*demo, o->flags, true);
  demo->add_option("-n,--products", o->demo.products, "number of products to generate (default 2000)")
      ->check(CLI::Range(int64_t{0}, int64_t{10'000'000}));
  demo->add_option("--seed", o->demo.seed, "random seed (same seed, same catalog)");
  demo->add_flag("--keep", o->keep, "keep the temporary data dir on exit (when --data-dir is not given)");
  demo->callback([o] {
    CommonFlags flags = o->flags;
    std::string temp_dir;
    if (flags.data_dir.empty() && !std::getenv("SHOPBOX_DATA_DIR")) {
      std::string tmpl = (std::filesystem::temp_directory_path() / "shopbox-demo-XXXXXX").string();
      if (!mkdtemp(tmpl.data())) return fail(Status::Invalid("cannot create a temporary data dir"));
      temp_dir = tmpl;
      flags.data_dir = temp_dir;
    }
    int code = [&] {
      block_stop_signals();  // before App::open starts background threads
      auto app = open_app(flags);
      if (!app.ok()) return fail(app.status()), 1;
      if (auto st = (*app)->recover(); !st.ok()) return fail(st), 1;
      if (auto st = fill_demo(**app, o->demo); !st.ok()) return fail(st), 1;
      malloc_trim(0);  // the generator's heap (~200 MB at 100k products) goes back to the OS
      auto token = create_api_token(*(*app)->db, "admin", "shopbox demo");
      if (!token.ok()) return fail(token.status()), 1;
      std::printf("shopbox demo: data in %s%s\n", (*app)->config.data_dir.c_str(),
                  temp_dir.empty() || o->keep ? "" : " (removed on exit)");
      std::printf("shopbox demo: admin API token (send as 'Authorization: Bearer <token>'):\n");
      std::printf("export SHOPBOX_ADMIN_TOKEN=%s\n", token->c_str());
      std::fflush(stdout);
      return serve_until_signal(**app);
    }();
    if (!temp_dir.empty() && !o->keep) {
      std::error_code ec;
      std::filesystem::remove_all(temp_dir, ec);
    }
    set_exit_code(code);
  });
}

Status load_demo_into(App& app, int64_t products) {
  DemoOptions options;
  options.products = products;
  return fill_demo(app, options);
}

}  // namespace shopbox::cli
