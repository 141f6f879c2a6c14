#!/usr/bin/env bash
# Crash test of the checkout saga: concurrent checkouts, kill -9 at random
# moments, restart, invariants + idempotent replays (tests/crash/).
# Usage: tests/suites/crash.sh <shopbox binary> [rounds]
set -euo pipefail
bin="$(realpath "${1:?usage: crash.sh <shopbox binary> [rounds]}")"
cd "$(dirname "$0")/../.."
timeout 300 python3 tests/crash/crash_checkout.py "$bin" "${2:-12}"
