#include "cli/commands.h"

#include <csignal>
#include <cstdio>
#include <thread>

#include "http/server.h"
#include "ops/system.h"
#include "users/api_tokens.h"

namespace shopbox::cli {
namespace {
int g_exit_code = 0;
}

void set_exit_code(int code) {
  g_exit_code = code;
}
int exit_code() {
  return g_exit_code;
}
void fail(const Status& st) {
  std::fprintf(stderr, "error: %s\n", st.message().c_str());
  g_exit_code = 1;
}

void add_common_flags(CLI::App& cmd, CommonFlags& f, bool serving) {
  cmd.add_option("-c,--config", f.config_path, "TOML config file")->check(CLI::ExistingFile);
  cmd.add_option("-d,--data-dir", f.data_dir, "data directory (SHOPBOX_DATA_DIR)");
  cmd.add_option("--listen", f.listen, "address to listen on");
  cmd.add_option("-p,--port", f.port, "TCP port (0 picks a free one)")->check(CLI::Range(0, 65535));
  if (serving) cmd.add_option("--threads", f.threads, "worker threads")->check(CLI::Range(1, 1024));
}

Result<Config> resolve_config(const CommonFlags& f) {
  auto cfg = load_config(f.config_path);
  if (!cfg.ok()) return cfg.status();
  if (!f.data_dir.empty()) cfg->data_dir = f.data_dir;
  if (!f.listen.empty()) cfg->listen = f.listen;
  if (f.port >= 0) cfg->port = f.port;
  if (f.threads > 0) cfg->threads = f.threads;
  return cfg;
}

Result<std::unique_ptr<App>> open_app(const CommonFlags& f) {
  auto cfg = resolve_config(f);
  if (!cfg.ok()) return cfg.status();
  return App::open(*cfg);
}

static sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

void block_stop_signals() {
  sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int serve_until_signal(App& app) {
  // The stop signals are blocked in every thread (block_stop_signals() ran
  // before App::open started the background threads); one thread waits for
  // them and asks the server to stop, which lets in-flight requests finish.
  sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  HttpServer server(app);
  register_all_routes(server, app);
  int port = server.bind(app.config.listen, app.config.port);
  if (port < 0) {
    std::fprintf(stderr, "error: cannot listen on %s:%d\n", app.config.listen.c_str(), app.config.port);
    return 1;
  }
  std::fprintf(stderr, "shopbox %s serving on http://%s:%d (data: %s)\n", kVersion, app.config.listen.c_str(), port,
               app.config.data_dir.c_str());
  std::fflush(stderr);
  ops::hold_serve_lock(app.config.data_dir);                                  // restore refuses a data dir in use
  ops::sd_notify("READY=1\nSTATUS=serving on port " + std::to_string(port));  // systemd Type=notify
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&set, &sig);
    std::fprintf(stderr, "shopbox: signal %d, finishing in-flight requests\n", sig);
    ops::sd_notify("STOPPING=1");
    server.stop();
  });
  bool ok = server.serve();
  if (waiter.joinable()) {
    // serve() may also end on its own (error); wake the waiter then.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
  }
  std::fprintf(stderr, "shopbox: stopped\n");
  return ok ? 0 : 1;
}

void add_serve_commands(CLI::App& cli) {
  auto flags = std::make_shared<CommonFlags>();
  auto* serve = cli.add_subcommand("serve", "Serve the shop (API, storefront, admin)");
  add_common_flags(*serve, *flags, true);
  serve->callback([flags] {
    block_stop_signals();  // before any background thread exists
    auto app = open_app(*flags);
    if (!app.ok()) return fail(app.status());
    if (auto st = (*app)->recover(); !st.ok()) return fail(st);
    set_exit_code(serve_until_signal(**app));
  });

  auto iflags = std::make_shared<CommonFlags>();
  auto with_demo = std::make_shared<bool>(false);
  auto demo_products = std::make_shared<int64_t>(2000);
  auto* init = cli.add_subcommand("init", "Create a data directory (idempotent); --demo also fills a demo catalog");
  add_common_flags(*init, *iflags, false);
  init->add_flag("--demo", *with_demo, "generate the demo catalog (skipped when products exist)");
  init->add_option("-n,--products", *demo_products, "products for --demo (default 2000)")
      ->check(CLI::Range(int64_t{0}, int64_t{10'000'000}));
  init->callback([iflags, with_demo, demo_products] {
    auto app = open_app(*iflags);
    if (!app.ok()) return fail(app.status());
    if (*with_demo) {
      if (auto st = load_demo_into(**app, *demo_products); !st.ok()) return fail(st);
    }
    std::printf("initialised %s\n", (*app)->config.data_dir.c_str());
  });
}

void add_token_commands(CLI::App& cli) {
  auto* token = cli.add_subcommand("token", "Manage API tokens");
  token->require_subcommand(1);
  auto flags = std::make_shared<CommonFlags>();
  auto admin = std::make_shared<bool>(false);
  auto label = std::make_shared<std::string>();
  auto* create = token->add_subcommand("create", "Create an API token; prints it alone on stdout (shown once)");
  add_common_flags(*create, *flags, false);
  create->add_flag("--admin", *admin, "grant the admin role");
  create->add_option("--label", *label, "a note on what the token is for");
  create->callback([flags, admin, label] {
    if (!*admin) return fail(Status::Invalid("only admin tokens exist for now: pass --admin"));
    auto app = open_app(*flags);
    if (!app.ok()) return fail(app.status());
    auto tok = create_api_token(*(*app)->db, "admin", *label);
    if (!tok.ok()) return fail(tok.status());
    std::printf("%s\n", tok->c_str());
  });
}

void add_all_commands(CLI::App& cli) {
  add_serve_commands(cli);
  add_token_commands(cli);
  add_ops_commands(cli);
  add_user_commands(cli);
  add_demo_commands(cli);
  add_import_commands(cli);
  add_export_commands(cli);
  add_reindex_commands(cli);
  add_cluster_commands(cli);
}

}  // namespace shopbox::cli
