// `shopbox reindex`: rebuilds the search index from SQLite. The new index
// is built in a directory beside the current one and swapped in with one
// rename, so a server running on the same data dir keeps answering from
// the old index and moves to the new one within a second (it notices the
// swap and reconciles whatever changed during the build).
#include <chrono>
#include <cstdio>

#include "catalog/product_search.h"
#include "cli/commands.h"

namespace shopbox::cli {

void add_reindex_commands(CLI::App& cli) {
  auto flags = std::make_shared<CommonFlags>();
  auto* cmd =
      cli.add_subcommand("reindex", "Rebuild the search index from the catalog (atomic swap; safe while serving)");
  add_common_flags(*cmd, *flags, false);
  cmd->callback([flags] {
    auto app = open_app(*flags);
    if (!app.ok()) return fail(app.status());
    auto t0 = std::chrono::steady_clock::now();
    auto n = (*app)->search->reindex();
    if (!n.ok()) return fail(n.status());
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    auto st = (*app)->search->state();
    std::printf("indexed %lld products in %.1f s (%.1f MiB at %s)\n", static_cast<long long>(*n), secs,
                static_cast<double>(st.index.bytes) / (1 << 20), st.index.path.c_str());
  });
}

}  // namespace shopbox::cli
