// shopbox: the command line. Each subcommand lives in src/cli/<name>.cpp
// and is registered here; `shopbox <command> --help` documents it.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App cli{"shopbox: a complete e-commerce platform in one binary"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", shopbox::kVersion);
  shopbox::cli::add_all_commands(cli);
  CLI11_PARSE(cli, argc, argv);
  return shopbox::cli::exit_code();
}
