// Small pieces of process plumbing for running under systemd.
#pragma once

#include <string>

#include "base/status.h"

namespace shopbox::ops {

// Sends `message` ("READY=1", "STOPPING=1", "STATUS=...") to systemd's
// notification socket when the process runs under a Type=notify unit
// ($NOTIFY_SOCKET set); does nothing otherwise. No libsystemd needed.
void sd_notify(const std::string& message);

// When running as root on a data directory owned by another user (the
// packaged /var/lib/shopbox belongs to `shopbox`), switches this process
// to that user and group, so files it creates there stay usable by the
// service. Does nothing when not root or the directory is root's.
Status run_as_owner_of(const std::string& dir);

}  // namespace shopbox::ops
