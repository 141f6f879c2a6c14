// Small pieces of process plumbing for running under systemd.
#pragma once

#include <string>

#include "base/status.h"

namespace shopbox::ops {

// Sends `message` ("READY=1", "STOPPING=1", "STATUS=...") to systemd's
// notification socket when the process runs under a Type=notify unit
// ($NOTIFY_SOCKET set); does nothing otherwise. No libsystemd needed.
void sd_notify(const std::string& message);

// `shopbox serve` holds a shared flock on <data_dir>/serve.lock for its
// whole life (the descriptor is kept open on purpose); restore takes the
// exclusive lock to prove no server uses the directory it replaces.
inline constexpr const char* kServeLockName = "serve.lock";
void hold_serve_lock(const std::string& data_dir);
// True when a running server holds <data_dir>/serve.lock.
bool serve_lock_held(const std::string& data_dir);

// Switches to the owner of `dir` (see below); returns the user name
// switched to, or "" when nothing changed.
Result<std::string> run_as_owner(const std::string& dir);

// When running as root on a data directory owned by another user (the
// packaged /var/lib/shopbox belongs to `shopbox`), switches this process
// to that user and group, so files it creates there stay usable by the
// service. Does nothing when not root or the directory is root's.
Status run_as_owner_of(const std::string& dir);

}  // namespace shopbox::ops
