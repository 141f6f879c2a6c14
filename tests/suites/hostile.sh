#!/usr/bin/env bash
# Slow and hostile clients (tests/hostile/hostile_clients.py): slowloris,
# oversized headers, never-finished bodies and idle connections on loopback
# for 15 s while a normal client must keep getting /healthz and a product.
# Usage: tests/suites/hostile.sh <shopbox binary> [attack seconds]
set -euo pipefail
bin="$(realpath "${1:?usage: hostile.sh <shopbox binary> [attack seconds]}")"
cd "$(dirname "$0")/../.."
timeout 180 python3 tests/hostile/hostile_clients.py "$bin" "${2:-15}"
