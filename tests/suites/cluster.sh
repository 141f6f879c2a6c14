#!/usr/bin/env bash
# 3 shards + HAProxy on loopback (tests/cluster/cluster_test.sh).
# $1 = the shopbox binary. Bounded by a 240 s timeout (about a minute).
set -euo pipefail
if ! command -v haproxy >/dev/null; then
  echo "cluster suite: FAIL: haproxy is not installed (scripts/install-deps installs it)" >&2
  exit 1
fi
exec timeout 240 bash "$(dirname "$0")/../cluster/cluster_test.sh" "$1"
