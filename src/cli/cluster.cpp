// `shopbox cluster status|resync`: a shard's identity and replication state
// from its data directory, and the operator's way out of a refusal.
#include "cluster/cluster.h"

#include <cstdio>

#include "cli/commands.h"

namespace shopbox::cli {

void add_cluster_commands(CLI::App& cli) {
  auto* cmd = cli.add_subcommand("cluster", "Shard identity and catalog replication (docs/scale-out.md)");
  cmd->require_subcommand(1);

  auto status_flags = std::make_shared<CommonFlags>();
  auto* status = cmd->add_subcommand("status", "Print this shard's id, region, role and replication state (JSON)");
  add_common_flags(*status, *status_flags, false);
  status->callback([status_flags] {
    auto app = open_app(*status_flags);
    if (!app.ok()) return fail(app.status());
    std::printf("%s\n", (*app)->cluster->status().dump(2).c_str());
  });

  auto resync_flags = std::make_shared<CommonFlags>();
  auto* resync = cmd->add_subcommand(
      "resync", "Forget the applied catalog version and any refusal: the replica replays the primary's whole feed");
  add_common_flags(*resync, *resync_flags, false);
  resync->callback([resync_flags] {
    auto app = open_app(*resync_flags);
    if (!app.ok()) return fail(app.status());
    if (auto st = Cluster::resync(*(*app)->db); !st.ok()) return fail(st);
    std::printf("replication state cleared; the shard replays the primary's change feed on its next start\n");
  });
}

}  // namespace shopbox::cli
