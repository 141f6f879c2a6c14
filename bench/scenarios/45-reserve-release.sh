#!/usr/bin/env bash
# Reserve/release throughput: each wrk thread alternates reserving 1-3 units
# of one of 10 well-stocked products (POST /api/v1/admin/inventory/reservations)
# and releasing a reservation it made. Both are LMDB write transactions that
# check and move stock and append an audit record; LMDB's single writer is the
# bottleneck being measured. The run ends with the invariant check.
# Usage: 45-reserve-release.sh BASE_URL   (env: SHOPBOX_ADMIN_TOKEN, BENCH_DURATION,
#        BENCH_CONNECTIONS, BENCH_THREADS). Prints one TSV row:
#        name  req_per_s  p50_ms  p95_ms  p99_ms  note
set -euo pipefail
base="${1:?usage: $0 BASE_URL}"
duration="${BENCH_DURATION:-10}"
conns="${BENCH_CONNECTIONS:-16}"
threads="${BENCH_THREADS:-2}"
: "${SHOPBOX_ADMIN_TOKEN:?SHOPBOX_ADMIN_TOKEN must be set}"
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
auth="Authorization: Bearer $SHOPBOX_ADMIN_TOKEN"

source "$(dirname "$0")/../lib/server.sh"
ids=$(bench_stock_products "$base" 10 price_desc)
lua_ids=$(printf '"%s",' $ids)
cat > "$work/rr.lua" <<LUA
local ids = {${lua_ids%,}}
local threads = {}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(os.time() + id * 104729)
  wrk.headers["Authorization"] = "Bearer ${SHOPBOX_ADMIN_TOKEN}"
  wrk.headers["Content-Type"] = "application/json"
  pending = {}
  bad = 0
  reserves = 0
  releases = 0
end
function request()
  if #pending > 0 then
    local rid = table.remove(pending)
    return wrk.format("POST", "/api/v1/admin/inventory/reservations/" .. rid .. "/release", nil, '{"reason":"bench"}')
  end
  local body = string.format('{"lines":[{"product_id":"%s","quantity":%d}],"owner":"bench"}', ids[math.random(#ids)], math.random(1, 3))
  return wrk.format("POST", "/api/v1/admin/inventory/reservations", nil, body)
end
function response(status, headers, body)
  if status == 201 then
    reserves = reserves + 1
    local rid = string.match(body, '"reservation_id":"(rsv_[0-9a-f]+)"')
    if rid then table.insert(pending, rid) end
  elseif status == 200 then
    releases = releases + 1
  else
    bad = bad + 1
  end
end
function done(summary, latency, requests)
  local bad_total, res, rel = 0, 0, 0
  for _, t in ipairs(threads) do
    bad_total = bad_total + (t:get("bad") or 0)
    res = res + (t:get("reserves") or 0)
    rel = rel + (t:get("releases") or 0)
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("reserve-release\t%.0f\t%.2f\t%.2f\t%.2f\t%d conns, %d reserves + %d releases, errors: %d, socket errors: %d",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, ${conns}, res, rel, bad_total, errors))
end
LUA
row=$(wrk -t"$threads" -c"$conns" -d"${duration}s" -s "$work/rr.lua" "$base" | grep -P '^reserve-release\t')
# Reservations left active at the end expire on their own; the invariant must hold now.
ok=$(curl -fsS -H "$auth" "$base/api/v1/admin/inventory/check" | python3 -c 'import json,sys; print("invariants ok" if json.load(sys.stdin)["ok"] else "INVARIANTS BROKEN")')
printf '%s, %s\n' "$row" "$ok"
