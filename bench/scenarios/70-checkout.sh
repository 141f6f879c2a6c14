#!/usr/bin/env bash
# Durable checkout: POST /api/v1/orders at concurrency 32 (orders/s, p50/p95/p99),
# then again with one automatic promotion and a discount code with a use
# limit on every order (the pricing module's quote plus the code's held and
# kept use in the checkout's transactions), then plain again (the database
# has grown meanwhile): the promotion row against the mean of the plain ones
# is what promotions cost.
#
# Runs its own `shopbox serve` on a fresh data directory (SQLite
# synchronous=FULL, LMDB synced commits: every order survives power loss),
# with fraud velocity checks and rate limits off — they exist to stop
# exactly this traffic. Every request carries a unique Idempotency-Key, a
# signed-in user (64 of them) and a real card; each answer is a real order.
# $1 (the demo server's URL) is not used. Env: BENCH_DURATION (s, default 5),
# SHOPBOX_BIN (default build/release/shopbox).
# bench-server: own
set -euo pipefail
source "$(dirname "$0")/../lib/server.sh"
duration="${BENCH_DURATION:-5}"
conc=32

export SHOPBOX_RATE_LIMIT_ENABLED=0
export SHOPBOX_CHECKOUT_MAX_ORDERS_PER_USER_HOUR=0
export SHOPBOX_CHECKOUT_MAX_ORDERS_PER_IP_HOUR=0
export SHOPBOX_CHECKOUT_MAX_ORDERS_PER_CARD_HOUR=0
export SHOPBOX_AUTH_PASSWORD_SCRYPT_LOG_N=10
export SHOPBOX_STORAGE_SQLITE_SYNCHRONOUS=FULL
bench_own_server 64
url="$BENCH_URL" admin="$BENCH_ADMIN" work="$BENCH_WORK"

pids=()
for i in 1 2 3 4; do
  pid="$(curl -sf -X POST "$url/api/v1/admin/products" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Bench item $i\",\"price\":$((10 + i)).99,\"stock\":10000000}" | jq -r .product_id)"
  pids+=("$pid")
done
: > "$work/tokens.txt"
for i in $(seq 64); do
  curl -sf -X POST "$url/api/v1/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"bench$i@example.com\",\"password\":\"bench-password-$i\",\"first_name\":\"B\",\"last_name\":\"$i\"}" |
    jq -r .token >> "$work/tokens.txt"
done
printf '%s\n' "${pids[@]}" > "$work/products.txt"

run_checkout() {  # name key_prefix extra note
  bench_checkout_lua "$work/$1.lua" "$work/tokens.txt" "$work/products.txt" "$2" "$3"
  local before after
  before="$(sqlite3 "$work/data/shop.db" 'SELECT count(*) FROM orders' 2>/dev/null || echo 0)"
  wrk -t4 -c"$conc" -d"$duration" --timeout 10s -s "$work/$1.lua" "$url" >"$work/wrk.out" 2>"$work/wrk.err" || true
  read -r _ rps p50 p95 p99 ok bad < <(grep RESULT "$work/wrk.err" || echo "RESULT 0 0 0 0 0 0")
  after="$(sqlite3 "$work/data/shop.db" 'SELECT count(*) FROM orders' 2>/dev/null || echo '?')"
  printf '%s\t%s\t%s\t%s\t%s\tPOST /api/v1/orders c=%d, %s orders (%s non-201)%s, synchronous=FULL, own server\n' \
    "$1" "$rps" "$p50" "$p95" "$p99" "$conc" "$((after - before))" "$bad" "$4"
}

run_checkout checkout bench- "" ""

# One automatic promotion (5 % off everything) and a code with a use limit.
admin_post() {
  curl -sf -X POST "$url/api/v1/admin/discounts" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "$1" >/dev/null
}
admin_post '{"name":"Bench promotion","type":"percentage","percent_bp":500}'
admin_post '{"code":"BENCH1","name":"$1 off","type":"fixed_amount","amount":1,"usage_limit":100000000}'
run_checkout checkout-promo bench-promo- '"discount_codes":["BENCH1"],' ", 1 promotion + 1 code"
# The same plain checkout again, on the database the runs above grew: the
# promotion's cost is its row against the mean of the two plain ones.
curl -sf -X PATCH "$url/api/v1/admin/discounts/1" -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"active":false}' >/dev/null
run_checkout checkout-again bench-again- "" ", no promotion, after the promotion run"
