#!/usr/bin/env bash
# The machine's ceiling: the cheapest route through the same server,
# middleware (auth, metrics, headers) and keep-alive handling.
source "$(dirname "$0")/../lib/wrk.sh"
bench_wrk healthz "$1" "/healthz" "ceiling: same server, no storage"
