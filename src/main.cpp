// shopbox: the command line. Each subcommand lives in src/cli/<name>.cpp
// and is registered here; `shopbox <command> --help` documents it.
#include <malloc.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  // glibc raises its mmap threshold whenever a large block is freed; after
  // that, multi-megabyte blocks (the browse table, rebuilt after every
  // catalog change) come from per-thread arenas that keep freed pages. At
  // 100k products RSS grew from 50 to 181 MB over 60 rebuilds. A fixed
  // threshold keeps blocks of 256 KiB and up in their own mappings, given
  // back to the kernel when freed: the same run plateaus at 85 MB.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  // Whatever umask the caller has, nothing this process creates (the data
  // dir, SQLite, LMDB, the search index, backups) is readable by other
  // users: orders, addresses and password hashes live there.
  umask(027);
  CLI::App cli{"shopbox: a complete e-commerce platform in one binary"};
  cli.require_subcommand(1);
  cli.set_version_flag("--version", shopbox::kVersion);
  shopbox::cli::add_all_commands(cli);
  CLI11_PARSE(cli, argc, argv);
  return shopbox::cli::exit_code();
}
