#!/usr/bin/env bash
# Scale-out through HAProxy (packaging/router/run-local): product GET and
# durable checkout with 1 shard and with 3 shards behind the router.
#
# On this 2-core machine every shard, HAProxy and wrk share the same two
# cores, so the rows show the router's and the extra processes' overhead,
# not scaling: on separate machines each shard brings its own cores and
# disk. $1 (the demo server's URL) is not used; each cluster is started on
# fresh data dirs with a ${CLUSTER_PRODUCTS:-2000}-product demo catalog on
# the primary, replicated to the others. Rate limits and fraud velocity
# checks are off (they exist to stop exactly this traffic).
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib/wrk.sh
source bench/lib/server.sh
bin="${SHOPBOX_BIN:-$(pwd)/build/release/shopbox}"
duration="${BENCH_DURATION:-5}"
products="${CLUSTER_PRODUCTS:-2000}"
work="$(mktemp -d "${TMPDIR:-/tmp}/shopbox-bench-cluster.XXXXXX")"
cleanup() {
  for d in "$work"/c*; do [[ -f "$d/cluster.env" ]] && packaging/router/run-local stop --dir "$d" >/dev/null 2>&1; done
  rm -rf "$work"
}
trap cleanup EXIT
command -v haproxy >/dev/null || { echo "90-cluster: haproxy is missing" >&2; exit 1; }

export SHOPBOX_RATE_LIMIT_ENABLED=0 SHOPBOX_AUTH_PASSWORD_SCRYPT_LOG_N=10
export SHOPBOX_CHECKOUT_MAX_ORDERS_PER_USER_HOUR=0 SHOPBOX_CHECKOUT_MAX_ORDERS_PER_IP_HOUR=0
export SHOPBOX_CHECKOUT_MAX_ORDERS_PER_CARD_HOUR=0 SHOPBOX_STORAGE_SQLITE_SYNCHRONOUS=FULL
export SHARD_THREADS=32

bench_cluster() {  # $1 = number of shards
  local n="$1" dir="$work/c$1" base=$((21000 + (RANDOM % 400) * 10))
  packaging/router/run-local start "$n" --dir "$dir" --base-port "$base" --router-port $((base + 9)) --products "$products" \
    --bin "$bin" >/dev/null 2>"$work/run-local.err" || { cat "$work/run-local.err" >&2; return 1; }
  # shellcheck disable=SC1091
  source "$dir/cluster.env"
  local k url tok
  # Every shard has the whole catalog before measuring.
  for k in $(seq 1 "$n"); do
    url="$(eval echo "\$SHARD_URL_$k")"
    for _ in $(seq 1 600); do
      [[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/products/$products")" == 200 ]] && break
      sleep 0.1
    done
  done
  # Checkout products, stocked on every shard (stock is shard-local).
  : >"$work/products.txt"
  for i in 1 2 3 4; do
    curl -sf -X POST "$ROUTER_URL/api/v1/admin/products" -H "Authorization: Bearer $ADMIN_TOKEN_1" -H 'Content-Type: application/json' \
      -d "{\"name\":\"Cluster bench item $i\",\"price\":$((10 + i)).99}" | jq -r .product_id >>"$work/products.txt"
  done
  for k in $(seq 1 "$n"); do
    url="$(eval echo "\$SHARD_URL_$k")" tok="$(eval echo "\$ADMIN_TOKEN_$k")"
    while read -r pid; do
      for _ in $(seq 1 100); do
        [[ "$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$url/api/v1/admin/inventory/$pid" -H "Authorization: Bearer $tok" \
          -H 'Content-Type: application/json' -d '{"total":10000000}')" == 200 ]] && break
        sleep 0.1
      done
    done <"$work/products.txt"
  done
  # 64 shoppers, each registered through the router under its routing key.
  : >"$work/users.txt"
  for i in $(seq 64); do
    local t
    t="$(curl -sf -X POST "$ROUTER_URL/api/v1/auth/register" -H 'Content-Type: application/json' -H "X-Shopbox-Uid: bench-$i" \
      -d "{\"email\":\"bench$i@example.com\",\"password\":\"bench-password-$i\",\"first_name\":\"B\",\"last_name\":\"$i\"}" | jq -r .token)"
    echo "bench-$i $t" >>"$work/users.txt"
  done

  local note="through HAProxy, $n shard(s) on this machine's $(nproc) shared cores: shows overhead, not scaling"
  if ((n == 1)); then
    WRK_ID_MAX="$products" bench_wrk "cluster-1-product-get-direct" "$SHARD_URL_1" "/api/v1/products/{id}" \
      "the same shard without HAProxy (the router's overhead is the difference); random ids 1..$products"
  fi
  WRK_ID_MAX="$products" bench_wrk "cluster-$n-product-get" "$ROUTER_URL" "/api/v1/products/{id}" "$note; random ids 1..$products"

  bench_checkout_lua "$work/checkout.lua" "$work/users.txt" "$work/products.txt" cb-
  wrk -t2 -c32 -d"$duration" --timeout 10s -s "$work/checkout.lua" "$ROUTER_URL" >/dev/null 2>"$work/wrk.err" || true
  local rps p50 p95 p99 okn bad
  read -r _ rps p50 p95 p99 okn bad < <(grep RESULT "$work/wrk.err" || echo "RESULT 0 0 0 0 0 0")
  local orders=0
  for k in $(seq 1 "$n"); do
    orders=$((orders + $(sqlite3 "$dir/s$k/shop.db" 'SELECT count(*) FROM orders' 2>/dev/null || echo 0)))
  done
  printf 'cluster-%s-checkout\t%s\t%s\t%s\t%s\t%s; POST /api/v1/orders c=32, synchronous=FULL, %s orders stored (%s non-2xx); fsync-bound: %s shard(s) = %s independent commit stream(s) on one disk\n' \
    "$n" "$rps" "$p50" "$p95" "$p99" "$note" "$orders" "$bad" "$n" "$n"
  packaging/router/run-local stop --dir "$dir" >/dev/null 2>&1 || true
}

bench_cluster 1
bench_cluster 3
