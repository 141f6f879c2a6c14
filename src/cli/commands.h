// Subcommands of the `shopbox` binary. Each add_* function registers one
// subcommand with its flags and callback; the callback sets the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "app.h"
#include "base/version.h"

namespace shopbox {
namespace cli {

// Flags every data-touching command shares (DESIGN.md: --data-dir,
// --port, --listen, plus --config).
struct CommonFlags {
  std::string config_path;
  std::string data_dir;
  std::string listen;
  int port = -1;
  int threads = 0;
};
void add_common_flags(CLI::App& cmd, CommonFlags& flags, bool serving);
// Config from file/env with the flags applied on top, then App::open.
Result<std::unique_ptr<App>> open_app(const CommonFlags& flags);
Result<Config> resolve_config(const CommonFlags& flags);
// Serves until SIGTERM/SIGINT; returns the process exit code.
// Blocks SIGTERM/SIGINT in the calling thread and every thread it starts
// afterwards; call before App::open when the command will serve, so a stop
// signal never lands on a background thread and kills the process.
void block_stop_signals();
int serve_until_signal(App& app);

void set_exit_code(int code);
int exit_code();
// Prints "error: <message>" to stderr and sets exit code 1.
void fail(const Status& st);

void add_serve_commands(CLI::App& cli);   // serve, init
void add_token_commands(CLI::App& cli);   // token create
void add_ops_commands(CLI::App& cli);     // backup, restore, check, images prune, version, config (cli/ops.cpp)
void add_user_commands(CLI::App& cli);    // user create (src/cli/user.cpp)
void add_demo_commands(CLI::App& cli);    // demo (src/cli/demo.cpp)
void add_import_commands(CLI::App& cli);  // import (src/cli/import.cpp)
void add_export_commands(CLI::App& cli);  // export (src/cli/export.cpp)
// Fills an empty catalog with the demo catalog (init --demo).
Status load_demo_into(App& app, int64_t products);
void add_reindex_commands(CLI::App& cli);  // reindex (src/cli/reindex.cpp)
void add_cluster_commands(CLI::App& cli);  // cluster status|resync (src/cli/cluster.cpp)
void add_all_commands(CLI::App& cli);

}  // namespace cli
}  // namespace shopbox
