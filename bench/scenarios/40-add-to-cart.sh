#!/usr/bin/env bash
# Add-to-cart throughput: guest carts (one X-Cart-Token per wrk thread)
# setting random quantities of 20 well-stocked products. Every request is an
# LMDB write transaction (cart rewrite + renewed expiry) plus a catalog read
# per line to render the full cart.
# Usage: 40-add-to-cart.sh BASE_URL   (env: SHOPBOX_ADMIN_TOKEN, BENCH_DURATION,
#        BENCH_CONNECTIONS, BENCH_THREADS). Prints one TSV row:
#        name  req_per_s  p50_ms  p95_ms  p99_ms  note
# bench-tags: cart
set -euo pipefail
base="${1:?usage: $0 BASE_URL}"
duration="${BENCH_DURATION:-10}"
conns="${BENCH_CONNECTIONS:-16}"
threads="${BENCH_THREADS:-2}"
: "${SHOPBOX_ADMIN_TOKEN:?SHOPBOX_ADMIN_TOKEN must be set}"
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The first 20 products of the catalog, stocked so the run never runs out.
source "$(dirname "$0")/../lib/server.sh"
ids=$(bench_stock_products "$base" 20 name)
lua_ids=$(printf '"%s",' $ids)
cat > "$work/add.lua" <<LUA
local ids = {${lua_ids%,}}
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(os.time() + id * 7919)
  local hex = ""
  for i = 1, 32 do hex = hex .. string.format("%x", math.random(0, 15)) end
  wrk.headers["X-Cart-Token"] = hex
  wrk.headers["Content-Type"] = "application/json"
  bad = 0
end
function request()
  local body = string.format('{"product_id":"%s","quantity":%d}', ids[math.random(#ids)], math.random(1, 3))
  return wrk.format("POST", "/api/v1/cart/items", nil, body)
end
function response(status, headers, body)
  if status ~= 201 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local bad_total = 0
  for _, t in ipairs(threads) do bad_total = bad_total + (t:get("bad") or 0) end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("add-to-cart\t%.0f\t%.2f\t%.2f\t%.2f\t%d conns, 20 products, non-201: %d, socket errors: %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, ${conns}, bad_total, errors))
end
LUA
wrk -t"$threads" -c"$conns" -d"${duration}s" -s "$work/add.lua" "$base" | grep -P '^add-to-cart\t'
