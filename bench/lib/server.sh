# Helpers for scenarios that run their own server, prepare stock or
# place orders (source this file). Used by 40-add-to-cart,
# 45-reserve-release, 70-checkout, 80-flash-sale and 90-cluster.
#
#   bench_own_server THREADS [serve args...]
#     Creates a fresh data dir under a temporary work dir, `shopbox init`s
#     it (with $BENCH_INIT_ARGS, e.g. "--demo --products 100000"), creates
#     an admin token and starts `shopbox serve --port 0` on it.
#     Sets BENCH_WORK (temporary dir, removed on exit), BENCH_URL,
#     BENCH_ADMIN (admin token) and BENCH_SERVER_PID; stops the server and
#     removes the work dir when the calling script exits. Configuration
#     comes from the SHOPBOX_* environment the caller exported.
#
#   bench_wait_for_index BASE_URL TOKEN
#     Waits (at most 10 minutes) until the search index has caught up with
#     the catalog: queue empty, documents present, no reindex running. The
#     demo catalog is indexed in the background after start-up.
#
#   bench_stock_products BASE_URL COUNT SORT
#     Prints the ids of the first COUNT products of GET /products?sort=SORT
#     (one line, space-separated) after setting each one's stock total to
#     1e9 so a run never sells out. Needs SHOPBOX_ADMIN_TOKEN.
#
#   bench_checkout_lua LUA USERS PRODUCTS KEY_PREFIX [EXTRA]
#     Writes the wrk script LUA for checkout: every request POSTs
#     /api/v1/orders for one unit of a product from the file PRODUCTS (an
#     id a line), with a shipping address and a test card that is always
#     approved, as a user from the file USERS: a line is either "TOKEN" or
#     "ROUTING_KEY TOKEN" (the latter also sends X-Shopbox-Uid, which the
#     HAProxy router routes by). Each request has its own Idempotency-Key,
#     KEY_PREFIX first, so each answer is a new order. When wrk finishes the
#     script prints "RESULT rps p50 p95 p99 ok bad" (latencies in ms, ok =
#     answers below 400 without a socket error) on stderr. EXTRA is more
#     JSON members for the body, e.g. '"discount_codes":["BENCH"],'.
BENCH_REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

bench_own_server() {
  local threads="${1:-64}"
  shift || true
  local bin="${SHOPBOX_BIN:-$BENCH_REPO_DIR/build/release/shopbox}"
  BENCH_WORK="$(mktemp -d "${TMPDIR:-/tmp}/shopbox-bench-own.XXXXXX")"
  BENCH_SERVER_PID=""
  trap 'bench_own_server_stop' EXIT
  export SHOPBOX_DATA_DIR="$BENCH_WORK/data"
  # shellcheck disable=SC2086 # BENCH_INIT_ARGS is a list of words
  "$bin" init --data-dir "$BENCH_WORK/data" ${BENCH_INIT_ARGS:-} >/dev/null
  BENCH_ADMIN="$("$bin" token create --admin --data-dir "$BENCH_WORK/data")"
  "$bin" serve --data-dir "$BENCH_WORK/data" --port 0 --threads "$threads" "$@" 2>"$BENCH_WORK/server.log" &
  BENCH_SERVER_PID=$!
  local port=""
  for _ in $(seq 200); do
    port="$(grep -o 'serving on http://[0-9.]*:[0-9]*' "$BENCH_WORK/server.log" | sed 's/.*://' || true)"
    [[ -n "$port" ]] && break
    kill -0 "$BENCH_SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z "$port" ]]; then
    echo "bench: own server did not start" >&2
    cat "$BENCH_WORK/server.log" >&2
    return 1
  fi
  BENCH_URL="http://127.0.0.1:$port"
}

bench_own_server_stop() {
  if [[ -n "${BENCH_SERVER_PID:-}" ]] && kill -0 "$BENCH_SERVER_PID" 2>/dev/null; then
    kill -TERM "$BENCH_SERVER_PID" 2>/dev/null || true
    wait "$BENCH_SERVER_PID" 2>/dev/null || true
  fi
  [[ -n "${BENCH_WORK:-}" ]] && rm -rf "$BENCH_WORK"
  return 0
}

bench_wait_for_index() {
  local base="$1" token="$2" st
  for _ in $(seq 1 600); do
    st="$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/admin/search/status" || true)"
    if [[ "$st" == *'"pending":0,'* && "$st" != *'"documents":0,'* && "$st" == *'"reindexing":false'* ]]; then
      return 0
    fi
    sleep 1
  done
  echo "bench: the search index did not catch up in 10 minutes" >&2
  return 1
}

bench_stock_products() {
  local base="$1" count="$2" sort="$3" ids id
  : "${SHOPBOX_ADMIN_TOKEN:?SHOPBOX_ADMIN_TOKEN must be set}"
  ids=$(curl -fsS "$base/api/v1/products?size=$count&sort=$sort" |
    python3 -c 'import json,sys; print(" ".join(p["product_id"] for p in json.load(sys.stdin)["products"]))')
  [[ -n "$ids" ]] || { echo "no products at $base" >&2; return 1; }
  for id in $ids; do
    curl -fsS -o /dev/null -X PUT -H "Authorization: Bearer $SHOPBOX_ADMIN_TOKEN" -H 'Content-Type: application/json' \
      -d '{"total": 1000000000, "reason": "bench"}' "$base/api/v1/admin/inventory/$id"
  done
  echo "$ids"
}

bench_checkout_lua() {
  local lua="$1" users="$2" products="$3" key_prefix="$4" extra="${5:-}"
  cat >"$lua" <<LUA
local users, products = {}, {}
for l in io.lines("$users") do
  local key, token = l:match("^(%S+) (%S+)$")
  users[#users + 1] = key and {key = key, token = token} or {token = l}
end
for l in io.lines("$products") do products[#products + 1] = l end
local id = 0
function setup(thread) id = id + 1; thread:set("tid", id) end
local n = 0
function init(args) math.randomseed(tid * 7919 + os.time()) end
function request()
  n = n + 1
  local u = users[((tid * 131 + n) % #users) + 1]
  local p = products[(n % #products) + 1]
  local body = '{"items":[{"product_id":"' .. p .. '","quantity":1}],$extra' ..
    '"shipping_address":{"name":"Bench","street":"1 Main St","city":"Seattle","zip":"98101","country":"US"},' ..
    '"payment_method":{"type":"card","card_number":"4242424242424242","exp_month":12,"exp_year":2099,"cvc":"123"}}'
  local headers = {
    ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. u.token,
    ["Idempotency-Key"] = "$key_prefix" .. tid .. "-" .. n .. "-" .. math.random(1, 1000000000)}
  if u.key then headers["X-Shopbox-Uid"] = u.key end
  return wrk.format("POST", "/api/v1/orders", headers, body)
end
function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.stderr:write(string.format("RESULT %.1f %.2f %.2f %.2f %d %d\n", (summary.requests - bad) / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests - bad, bad))
end
LUA
}
