// Online backup and verified restore of a shopbox data directory.
//
// A backup is a directory holding
//   kv/data.mdb    LMDB (inventory, reservations, carts), copied with
//                  mdb_env_copy2(MDB_CP_COMPACT) from one read snapshot;
//   shop.db        SQLite (catalog, users, orders), copied with the SQLite
//                  online backup API from one read snapshot;
//   manifest.json  format, shopbox version, created_at, schema version and
//                  every file's size and SHA-256 (written last).
// The search index is not copied: it is rebuilt from SQLite, and restore
// leaves the marker file `reindex-needed` in the restored data directory.
//
// Consistency across the two stores: LMDB is copied first, then SQLite.
// The checkout saga commits an order in SQLite before it consumes the
// reservation in LMDB, so a backup can hold an order whose reservation is
// still active (start-up recovery consumes it) but never a consumed
// reservation without its order.
//
// Both snapshots are read transactions: writers in the serving process
// (or this one) keep going while a backup runs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "storage/lmdb.h"

namespace shopbox::ops {

inline constexpr const char* kManifestName = "manifest.json";
inline constexpr const char* kReindexMarker = "reindex-needed";
inline constexpr int kBackupFormatVersion = 1;

// Backs up the data directory whose SQLite file is `sqlite_path` and whose
// LMDB environment is `kv` (already open: LMDB forbids opening the same
// environment twice in one process) into `dest`, which must not exist or
// be empty. The backup is written to a sibling temporary directory and
// renamed into place, so `dest` is either complete or absent. Returns the
// manifest.
Result<nlohmann::json> backup(const std::string& sqlite_path, Lmdb& kv, const std::string& dest);

// Checks a backup directory: manifest present and well-formed, every file
// listed present with the recorded size and SHA-256, the required files
// listed, a schema this binary can read. Returns the manifest.
Result<nlohmann::json> verify_backup(const std::string& dir);

struct RestoreOptions {
  bool force = false;  // replace a non-empty data directory
};

// Verifies `backup_dir`, then restores it as `data_dir`: files are copied
// to a temporary sibling of `data_dir`, verified again and renamed into
// place, so `data_dir` holds either the old data or the whole backup.
// Refuses a non-empty `data_dir` unless options.force. The service using
// `data_dir` must be stopped.
Result<nlohmann::json> restore(const std::string& backup_dir, const std::string& data_dir,
                               const RestoreOptions& options);

// `<parent>/<UTC time>` such as /var/backups/shopbox/2026-11-25T03-17-00Z
// (no colons, sorts by time); the parent is created if missing.
std::string timestamped_backup_dir(const std::string& parent);

// Lower-case hex SHA-256 of a file's contents.
Result<std::string> sha256_file(const std::string& path);

}  // namespace shopbox::ops
