// Operations commands: backup, restore, check, images prune, version, config.
#include <lmdb.h>
#include <openssl/crypto.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "ops/backup.h"
#include "ops/check.h"
#include "ops/image_prune.h"
#include "ops/system.h"

namespace shopbox::cli {
namespace {
namespace fs = std::filesystem;

std::string human_bytes(uint64_t n) {
  char buf[32];
  if (n >= (1u << 20))
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1 << 20));
  else if (n >= 1024)
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(n) / 1024);
  else
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  return buf;
}

void print_files(const nlohmann::json& manifest) {
  for (const auto& f : manifest["files"])
    std::printf("  %-14s %10s  sha256 %s\n", f["path"].get<std::string>().c_str(),
                human_bytes(f["size"].get<uint64_t>()).c_str(), f["sha256"].get<std::string>().c_str());
}

// Commands that work on an existing shop: the data must be there, and
// the command switches to the data dir's owner (so root leaves no
// root-owned files behind).
Status enter_data_dir(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(fs::path(dir) / "shop.db", ec) || !fs::is_directory(fs::path(dir) / "kv", ec))
    return Status::Invalid("no shopbox data in " + dir + " (wrong --data-dir or config?)");
  auto as = ops::run_as_owner(dir);
  if (!as.ok()) return as.status();
  if (!as->empty()) std::fprintf(stderr, "note: running as %s, the owner of %s\n", as->c_str(), dir.c_str());
  return Status::Ok();
}

void add_backup(CLI::App& cli) {
  auto flags = std::make_shared<CommonFlags>();
  auto dest = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  auto* cmd = cli.add_subcommand("backup",
                                 "Online, consistent backup of the data directory into DIR (new or empty): SQLite "
                                 "online backup + compacted LMDB copy + manifest.json with SHA-256 checksums");
  cmd->add_option("dir", *dest, "backup directory to create (default: storage.backup_dir/<UTC time>)");
  add_common_flags(*cmd, *flags, false);
  cmd->add_flag("--json", *as_json, "print the manifest as JSON");
  cmd->callback([flags, dest, as_json] {
    auto cfg = resolve_config(*flags);
    if (!cfg.ok()) return fail(cfg.status());
    if (auto st = enter_data_dir(cfg->data_dir); !st.ok()) return fail(st);
    if (dest->empty()) {
      if (cfg->backup_dir.empty())
        return fail(Status::Invalid("name the backup directory, or set storage.backup_dir in the config"));
      *dest = ops::timestamped_backup_dir(cfg->backup_dir);
    }
    auto start = std::chrono::steady_clock::now();
    auto kv = Lmdb::open(cfg->data_dir + "/kv", cfg->lmdb_map_size_mb * 1024 * 1024, {});
    if (!kv.ok()) return fail(kv.status());
    auto m = ops::backup(cfg->data_dir + "/shop.db", **kv, *dest);
    if (!m.ok()) return fail(m.status());
    if (*as_json) {
      std::printf("%s\n", m->dump(2).c_str());
      return;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("backup of %s written to %s in %.2f s\n", cfg->data_dir.c_str(), (*m)["dir"].get<std::string>().c_str(),
                secs);
    print_files(*m);
  });
}

void add_restore(CLI::App& cli) {
  auto flags = std::make_shared<CommonFlags>();
  auto src = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  auto verify_only = std::make_shared<bool>(false);
  auto* cmd = cli.add_subcommand("restore",
                                 "Verify a backup (manifest, sizes, SHA-256) and restore it as the data directory "
                                 "(atomically; stop the service first)");
  cmd->add_option("dir", *src, "backup directory made by `shopbox backup`")->required();
  add_common_flags(*cmd, *flags, false);
  cmd->add_flag("--force", *force, "replace a data directory that is not empty");
  cmd->add_flag("--verify-only", *verify_only, "only verify the backup; change nothing");
  cmd->callback([flags, src, force, verify_only] {
    if (*verify_only) {
      auto m = ops::verify_backup(*src);
      if (!m.ok()) return fail(m.status());
      std::printf("backup %s is complete and intact (made %s by shopbox %s)\n", src->c_str(),
                  (*m)["created_at"].get<std::string>().c_str(), (*m)["shopbox_version"].get<std::string>().c_str());
      print_files(*m);
      return;
    }
    auto cfg = resolve_config(*flags);
    if (!cfg.ok()) return fail(cfg.status());
    auto m = ops::restore(*src, cfg->data_dir, {*force});
    if (!m.ok()) return fail(m.status());
    std::printf("restored %s (made %s) into %s\n", src->c_str(), (*m)["created_at"].get<std::string>().c_str(),
                (*m)["restored_to"].get<std::string>().c_str());
    print_files(*m);
    std::printf("the search index is rebuilt from the catalog (marker %s/%s)\n",
                (*m)["restored_to"].get<std::string>().c_str(), ops::kReindexMarker);
  });
}

void add_check(CLI::App& cli) {
  auto flags = std::make_shared<CommonFlags>();
  auto as_json = std::make_shared<bool>(false);
  auto* cmd = cli.add_subcommand("check",
                                 "Check the data's invariants (stock, reservations, orders, payments, storage "
                                 "integrity); exit code 1 with a report when one is violated");
  add_common_flags(*cmd, *flags, false);
  cmd->add_flag("--json", *as_json, "print the report as JSON");
  cmd->callback([flags, as_json] {
    auto cfg = resolve_config(*flags);
    if (!cfg.ok()) return fail(cfg.status());
    if (auto st = enter_data_dir(cfg->data_dir); !st.ok()) return fail(st);
    auto app = App::open(*cfg);
    if (!app.ok()) return fail(app.status());
    auto report = ops::run_checks(**app);
    if (*as_json) {
      std::printf(
          "%s\n",
          nlohmann::json{{"ok", report.ok()}, {"problems", report.problems}, {"stats", report.stats}}.dump(2).c_str());
    } else {
      std::printf("checked %s:", cfg->data_dir.c_str());
      for (auto& [k, v] : report.stats.items()) std::printf(" %s=%s", k.c_str(), v.dump().c_str());
      std::printf("\n");
      for (const auto& p : report.problems) std::printf("VIOLATION %s\n", p.c_str());
      std::printf(report.ok() ? "ok: every invariant holds\n" : "FAILED: %zu problem(s)\n", report.problems.size());
    }
    if (!report.ok()) set_exit_code(1);
  });
}

void add_images(CLI::App& cli) {
  auto flags = std::make_shared<CommonFlags>();
  auto hours = std::make_shared<int>(24);
  auto dry_run = std::make_shared<bool>(false);
  auto* cmd = cli.add_subcommand("images", "Uploaded product pictures");
  cmd->require_subcommand(1);
  auto* prune = cmd->add_subcommand(
      "prune", "Delete the files of pictures no product, variant, order or setting shows (safe while serving)");
  add_common_flags(*prune, *flags, false);
  prune->add_option("--older-than-hours", *hours, "spare pictures stored or uploaded again within this many hours")
      ->check(CLI::Range(1, 24 * 365));
  prune->add_flag("--dry-run", *dry_run, "list what would go; change nothing");
  prune->callback([flags, hours, dry_run] {
    auto cfg = resolve_config(*flags);
    if (!cfg.ok()) return fail(cfg.status());
    if (auto st = enter_data_dir(cfg->data_dir); !st.ok()) return fail(st);
    auto app = App::open(*cfg);
    if (!app.ok()) return fail(app.status());
    std::string dir = cfg->data_dir + "/images";
    int64_t grace = int64_t{*hours} * 3600;
    auto unused =
        *dry_run ? ops::find_unused_images(*(*app)->db, dir, grace) : ops::prune_unused_images(*(*app)->db, dir, grace);
    if (!unused.ok()) return fail(unused.status());
    for (const auto& f : unused->files) std::printf("  images/%s\n", f.c_str());
    std::printf("%s %zu unused picture file(s), %s\n", *dry_run ? "would remove" : "removed", unused->files.size(),
                human_bytes(static_cast<uint64_t>(unused->bytes)).c_str());
  });
}

void add_version(CLI::App& cli) {
  auto* cmd = cli.add_subcommand("version", "Print the version of shopbox and of the libraries it runs on");
  cmd->callback([] {
    std::printf("shopbox %s\n", kVersion);
    std::printf("%s, SQLite %s, %s\n", mdb_version(nullptr, nullptr, nullptr), sqlite3_libversion(),
                OpenSSL_version(OPENSSL_VERSION));
  });
}

void add_config(CLI::App& cli) {
  auto* cmd = cli.add_subcommand("config",
                                 "Print the default configuration (`config default`, also the bare "
                                 "`config`) or check a config file");
  cmd->require_subcommand(0, 1);
  cmd->callback([cmd] {
    if (cmd->get_subcommands().empty()) std::fputs(default_config_toml().c_str(), stdout);
  });
  auto data_dir = std::make_shared<std::string>();
  auto* def = cmd->add_subcommand("default", "Print the commented default config (TOML)");
  auto out = std::make_shared<std::string>();
  def->add_option("--data-dir", *data_dir, "write this data_dir as a set (uncommented) value");
  auto backup_dir = std::make_shared<std::string>();
  def->add_option("-o,--output", *out, "write to this file instead of stdout");
  def->add_option("--backup-dir", *backup_dir, "write this backup_dir as a set (uncommented) value");
  def->callback([data_dir, backup_dir, out] {
    std::string text = default_config_toml();
    if (!data_dir->empty()) {
      std::string from = "# data_dir = \"" + Config{}.data_dir + "\"";
      auto at = text.find(from);
      if (at != std::string::npos) text.replace(at, from.size(), "data_dir = \"" + *data_dir + "\"");
    }
    if (!backup_dir->empty()) {
      std::string from = "# backup_dir = \"\"";
      auto at = text.find(from);
      if (at != std::string::npos) text.replace(at, from.size(), "backup_dir = \"" + *backup_dir + "\"");
    }
    if (out->empty()) {
      std::fputs(text.c_str(), stdout);
      return;
    }
    std::ofstream file(*out);
    file << text;
    if (!file.good()) fail(Status::Invalid("cannot write " + *out));
  });
  auto path = std::make_shared<std::string>();
  auto* chk = cmd->add_subcommand("check", "Validate a config file (with SHOPBOX_* variables applied)");
  chk->add_option("file", *path, "config file")->required();
  chk->callback([path] {
    auto cfg = load_config(*path);
    if (!cfg.ok()) return fail(cfg.status());
    for (const std::string* f : {&cfg->tls_cert, &cfg->tls_key}) {
      if (f->empty()) continue;
      std::ifstream in(*f);
      if (!in) return fail(Status::Invalid(*path + ": TLS file " + *f + " cannot be read"));
    }
    std::printf("%s: ok (data_dir %s, listen %s:%d%s)\n", path->c_str(), cfg->data_dir.c_str(), cfg->listen.c_str(),
                cfg->port, cfg->tls_cert.empty() ? "" : ", TLS");
  });
}

}  // namespace

void add_ops_commands(CLI::App& cli) {
  add_backup(cli);
  add_restore(cli);
  add_check(cli);
  add_images(cli);
  add_version(cli);
  add_config(cli);
}

}  // namespace shopbox::cli
