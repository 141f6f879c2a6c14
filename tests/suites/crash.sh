#!/usr/bin/env bash
# Crash rounds: kill -9 at random moments, restart, invariants after every
# restart (tests/crash/). 12 rounds during concurrent checkouts
# (crash_checkout.py) + 10 rounds of a mixed load: guest carts, checkouts,
# refunds, imports and search reindexes (crash_mixed.py) = 22 rounds.
# Usage: tests/suites/crash.sh <shopbox binary> [checkout rounds] [mixed rounds]
set -euo pipefail
bin="$(realpath "${1:?usage: crash.sh <shopbox binary> [checkout rounds] [mixed rounds]}")"
cd "$(dirname "$0")/../.."
timeout 300 python3 tests/crash/crash_checkout.py "$bin" "${2:-12}"
timeout 240 python3 tests/crash/crash_mixed.py "$bin" "${3:-10}"
