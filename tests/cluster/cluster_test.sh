#!/usr/bin/env bash
# Cluster test: 3 shards + HAProxy on loopback (packaging/router/run-local).
#   * a product created on the primary (through the router) is searchable
#     on every shard within a bounded time;
#   * each shopper's account, cart and orders stick to one shard;
#   * stopping one shard moves only its users, the others keep serving;
#   * after its restart it catches up on the catalog and gets its users back;
#   * no order is lost or duplicated through any of it.
# $1 = the shopbox binary. Bounded: about a minute.
set -euo pipefail
BIN="$(readlink -f "${1:?usage: cluster_test.sh path/to/shopbox}")"
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
RUN_LOCAL="$REPO/packaging/router/run-local"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/shopbox-cluster-test.XXXXXX")"
C="$WORK/cluster"
cleanup() {
  [[ -f "$C/cluster.env" ]] && "$RUN_LOCAL" stop --dir "$C" >/dev/null 2>&1 || true
  if [[ -n "${KEEP:-}" ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
fail() {
  echo "cluster test: FAIL: $*" >&2
  for f in "$C"/*.log; do [[ -e "$f" ]] && { echo "--- $f" >&2; tail -15 "$f" >&2; }; done
  exit 1
}
ok() { echo "  ok: $*"; }
now_ms() { date +%s%3N; }

export SHOPBOX_RATE_LIMIT_ENABLED=0 SHOPBOX_AUTH_PASSWORD_SCRYPT_LOG_N=10 SHOPBOX_SHARD_POLL_INTERVAL_MS=200
export SHOPBOX_CHECKOUT_MAX_ORDERS_PER_IP_HOUR=0

# Free loopback ports (other engineers' tests may run at the same time).
started=0
for attempt in 1 2 3; do
  base=$((20000 + (RANDOM % 900) * 10))
  if "$RUN_LOCAL" start 3 --dir "$C" --base-port "$base" --router-port $((base + 9)) --bin "$BIN" >/dev/null 2>"$WORK/run-local.err"; then
    started=1
    break
  fi
  "$RUN_LOCAL" stop --dir "$C" >/dev/null 2>&1 || true
  rm -rf "$C"
done
((started)) || { cat "$WORK/run-local.err" >&2; fail "run-local start 3"; }
source "$C/cluster.env"
R="$ROUTER_URL"
ok "3 shards + HAProxy up ($R)"

jcurl() { curl -sS -H 'Content-Type: application/json' "$@"; }
served_by() { sed -n 's/^[Xx]-[Ss]hopbox-[Ss]erved-[Bb]y: *\([a-z0-9]*\).*/\1/p' "$1" | tr -d '\r' | tail -1; }

# ---- catalog: created on the primary through the router, searchable everywhere
t0="$(now_ms)"
P1="$(jcurl -H "Authorization: Bearer $ADMIN_TOKEN_1" -d '{"name":"Quokka Travel Mug","price":24.50,"sku":"QUOKKA-1","stock":1000}' \
  "$R/api/v1/admin/products" | jq -r .product_id)"
[[ "$P1" =~ ^[0-9]+$ ]] || fail "product create through the router (catalog writes go to the primary): $P1"
for k in 1 2 3; do
  url="$(eval echo "\$SHARD_URL_$k")"
  found=0
  for _ in $(seq 1 150); do
    if [[ "$(curl -sS "$url/api/v1/search?q=quokka" | jq -r '.products[0].product_id // empty')" == "$P1" ]]; then found=1; break; fi
    sleep 0.1
  done
  ((found)) || fail "product $P1 not searchable on s$k within 15 s"
done
ok "product created on the primary is searchable on s1, s2, s3 after $(( $(now_ms) - t0 )) ms (bound 15 s)"

# A catalog write sent straight to a replica is refused, naming the primary.
code="$(jcurl -o "$WORK/refused.json" -w '%{http_code}' -H "Authorization: Bearer $ADMIN_TOKEN_2" -d '{"name":"Rogue","price":1}' \
  "$SHARD_URL_2/api/v1/admin/products")"
[[ "$code" == 409 && "$(jq -r .error.code "$WORK/refused.json")" == not_catalog_primary ]] || fail "replica accepted a catalog write ($code)"
ok "a replica refuses catalog writes (409 not_catalog_primary, primary $(jq -r .error.details.catalog_primary_url "$WORK/refused.json"))"

# Stock is shard-local: each shard's operator sets its own (pinned through the router).
for k in 2 3; do
  tok="$(eval echo "\$ADMIN_TOKEN_$k")"
  code="$(jcurl -o /dev/null -D "$WORK/h" -w '%{http_code}' -X PUT -H "Authorization: Bearer $tok" -H "X-Shopbox-Shard: s$k" \
    -d '{"total":1000}' "$R/api/v1/admin/inventory/$P1")"
  [[ "$code" == 200 && "$(served_by "$WORK/h")" == "s$k" ]] || fail "stock on s$k via X-Shopbox-Shard ($code, $(served_by "$WORK/h"))"
done
ok "X-Shopbox-Shard pins an operator's request to one shard (stock set on s2, s3)"

# ---- shoppers: account, cart and orders on one shard
declare -A SHARD_OF TOKEN_OF
ORDERS="$WORK/orders.txt"   # order_id user
: >"$ORDERS"
ADDRESS='{"name":"Ada","street":"1 Main St","city":"Seattle","zip":"98101","country":"US"}'
CARD='{"type":"card","card_number":"4242424242424242","exp_month":12,"exp_year":2099,"cvc":"123"}'

checkout() {  # $1 user, $2 idempotency key; appends to ORDERS; prints the shard that answered
  local u="$1" key="$2"
  local code
  code="$(jcurl -o "$WORK/order.json" -D "$WORK/h" -w '%{http_code}' -H "X-Shopbox-Uid: $u" -H "Authorization: Bearer ${TOKEN_OF[$u]}" \
    -H "Idempotency-Key: $key" -d "{\"shipping_address\":$ADDRESS,\"payment_method\":$CARD}" "$R/api/v1/orders")"
  [[ "$code" == 201 || "$code" == 200 ]] || fail "checkout for $u: $code $(cat "$WORK/order.json")"
  local id
  id="$(jq -r .order_id "$WORK/order.json")"
  grep -q "^$id " "$ORDERS" || echo "$id $u" >>"$ORDERS"
  served_by "$WORK/h"
}

users=()
for i in $(seq 1 40); do
  u="shopper-$i"
  jcurl -D "$WORK/h" -o "$WORK/reg.json" -H "X-Shopbox-Uid: $u" \
    -d "{\"email\":\"$u@example.com\",\"password\":\"password-$i\",\"first_name\":\"S\",\"last_name\":\"$i\"}" \
    "$R/api/v1/auth/register" >/dev/null
  TOKEN_OF[$u]="$(jq -r .token "$WORK/reg.json")"
  [[ "${TOKEN_OF[$u]}" != null ]] || fail "register $u: $(cat "$WORK/reg.json")"
  SHARD_OF[$u]="$(served_by "$WORK/h")"
  users+=("$u")
  n1=0 n2=0 n3=0
  for x in "${users[@]}"; do case "${SHARD_OF[$x]}" in s1) n1=$((n1 + 1)) ;; s2) n2=$((n2 + 1)) ;; s3) n3=$((n3 + 1)) ;; esac; done
  ((i >= 9 && n1 >= 2 && n2 >= 2 && n3 >= 2)) && break
done
((n1 >= 1 && n2 >= 1 && n3 >= 1)) || fail "40 shoppers did not spread over 3 shards ($n1/$n2/$n3)"
ok "${#users[@]} shoppers registered through the router: s1=$n1 s2=$n2 s3=$n3"

for u in "${users[@]}"; do
  s="${SHARD_OF[$u]}"
  code="$(jcurl -o /dev/null -D "$WORK/h" -w '%{http_code}' -H "X-Shopbox-Uid: $u" -H "Authorization: Bearer ${TOKEN_OF[$u]}" \
    -d "{\"product_id\":\"$P1\",\"quantity\":2}" "$R/api/v1/cart/items")"
  [[ "$code" == 201 || "$code" == 200 ]] || fail "add to cart for $u: $code"
  [[ "$(served_by "$WORK/h")" == "$s" ]] || fail "$u's cart went to $(served_by "$WORK/h"), account on $s"
  qty="$(curl -sS -D "$WORK/h" -H "X-Shopbox-Uid: $u" -H "Authorization: Bearer ${TOKEN_OF[$u]}" "$R/api/v1/cart" | jq -r '.items[0].quantity')"
  [[ "$qty" == 2 && "$(served_by "$WORK/h")" == "$s" ]] || fail "$u's cart on $s: quantity $qty"
  [[ "$(checkout "$u" "first-$u")" == "$s" ]] || fail "$u's order not placed on $s"
  id="$(jq -r .order_id "$WORK/order.json")"
  [[ "$id" == ord_"$s"_* ]] || fail "order id $id does not name shard $s"
  n="$(curl -sS -D "$WORK/h" -H "X-Shopbox-Uid: $u" -H "Authorization: Bearer ${TOKEN_OF[$u]}" "$R/api/v1/orders" | jq -r .total)"
  [[ "$n" == 1 && "$(served_by "$WORK/h")" == "$s" ]] || fail "$u's order list on $s: $n"
done
ok "every shopper's cart, order and order list stayed on their shard (order ids name it)"

# A browser without a header gets a shopbox_uid cookie and sticks with it.
curl -sS -c "$WORK/jar" -D "$WORK/h" -o /dev/null "$R/api/v1/products/$P1"
grep -qi '^set-cookie: shopbox_uid=' "$WORK/h" || fail "no shopbox_uid cookie on a first visit"
first="$(served_by "$WORK/h")"
for _ in 1 2 3 4 5 6; do
  curl -sS -b "$WORK/jar" -D "$WORK/h" -o /dev/null "$R/api/v1/products/$P1"
  [[ "$(served_by "$WORK/h")" == "$first" ]] || fail "a cookie-carrying browser moved from $first"
  grep -qi '^set-cookie: shopbox_uid=' "$WORK/h" && fail "the cookie was set again"
done
ok "a first visit sets shopbox_uid; the browser stays on $first"

# An order id tells any shard where it lives.
some_user="" other_user=""
for u in "${users[@]}"; do [[ "${SHARD_OF[$u]}" == s1 ]] && some_user="$u"; [[ "${SHARD_OF[$u]}" == s2 ]] && other_user="$u"; done
s2_order="$(awk -v u="$other_user" '$2 == u {print $1; exit}' "$ORDERS")"
body="$(curl -sS -H "X-Shopbox-Uid: $some_user" -H "Authorization: Bearer ${TOKEN_OF[$some_user]}" "$R/api/v1/orders/$s2_order")"
[[ "$(jq -r .error.code <<<"$body")" == order_on_other_shard && "$(jq -r .error.details.shard <<<"$body")" == s2 ]] ||
  fail "s1 did not name s2 for $s2_order: $body"
ok "asking s1 for an s2 order answers 404 order_on_other_shard naming s2"

# ---- stop one replica: only its users move; the rest keep serving
victim=s3
"$RUN_LOCAL" stop-shard 3 --dir "$C"
t0="$(now_ms)"
P2="$(jcurl -H "Authorization: Bearer $ADMIN_TOKEN_1" -d '{"name":"Wombat Lunch Box","price":15.00,"sku":"WOMBAT-1","stock":1000}' \
  "$R/api/v1/admin/products" | jq -r .product_id)"
[[ "$P2" =~ ^[0-9]+$ ]] || fail "product create while s3 is down: $P2"
# HAProxy marks it down after two failed health checks (~2 s).
victim_user=""
for u in "${users[@]}"; do [[ "${SHARD_OF[$u]}" == "$victim" ]] && victim_user="$u"; done
for _ in $(seq 1 100); do
  curl -sS -o /dev/null -D "$WORK/h" -H "X-Shopbox-Uid: $victim_user" "$R/readyz" || true
  now="$(served_by "$WORK/h")"
  [[ -n "$now" && "$now" != "$victim" ]] && break
  sleep 0.1
done
moved=0 stayed=0
for u in "${users[@]}"; do
  code="$(curl -sS -o "$WORK/list.json" -D "$WORK/h" -w '%{http_code}' -H "X-Shopbox-Uid: $u" -H "Authorization: Bearer ${TOKEN_OF[$u]}" \
    "$R/api/v1/orders")"
  now="$(served_by "$WORK/h")"
  if [[ "${SHARD_OF[$u]}" == "$victim" ]]; then
    [[ "$now" != "$victim" && -n "$now" ]] || fail "$u (on stopped $victim) answered by '$now'"
    moved=$((moved + 1))
  else
    [[ "$now" == "${SHARD_OF[$u]}" && "$code" == 200 && "$(jq -r .total "$WORK/list.json")" == 1 ]] ||
      fail "$u moved from ${SHARD_OF[$u]} to $now ($code) though only $victim stopped"
    stayed=$((stayed + 1))
  fi
done
# The others keep taking orders.
for u in "${users[@]}"; do
  [[ "${SHARD_OF[$u]}" == "$victim" ]] && continue
  code="$(jcurl -o /dev/null -w '%{http_code}' -H "X-Shopbox-Uid: $u" -H "Authorization: Bearer ${TOKEN_OF[$u]}" \
    -d "{\"product_id\":\"$P1\",\"quantity\":1}" "$R/api/v1/cart/items")"
  [[ "$code" == 201 || "$code" == 200 ]] || fail "add to cart for $u while $victim is down: $code"
  [[ "$(checkout "$u" "second-$u")" == "${SHARD_OF[$u]}" ]] || fail "second order of $u not on ${SHARD_OF[$u]}"
done
ok "with $victim stopped: its $moved shoppers moved, the other $stayed stayed and placed new orders"

# ---- restart: it catches up on the catalog and gets its users back
"$RUN_LOCAL" start-shard 3 --dir "$C"
found=0
for _ in $(seq 1 150); do
  if [[ "$(curl -sS "$SHARD_URL_3/api/v1/search?q=wombat" | jq -r '.products[0].product_id // empty')" == "$P2" ]]; then found=1; break; fi
  sleep 0.1
done
((found)) || fail "restarted s3 did not catch up on product $P2 within 15 s"
ok "restarted s3 caught up on the catalog (product created while it was down is searchable)"
lag="$(curl -sS "$SHARD_URL_3/metrics" | sed -n 's/^shopbox_cluster_replication_lag_versions //p')"
[[ "$lag" == 0 ]] || fail "s3 lag after catch-up: $lag"
back=0
for _ in $(seq 1 100); do
  back=1
  for u in "${users[@]}"; do
    [[ "${SHARD_OF[$u]}" == "$victim" ]] || continue
    curl -sS -o /dev/null -D "$WORK/h" -H "X-Shopbox-Uid: $u" "$R/readyz"
    [[ "$(served_by "$WORK/h")" == "$victim" ]] || { back=0; break; }
  done
  ((back)) && break
  sleep 0.2
done
((back)) || fail "s3's shoppers did not return to s3"
for u in "${users[@]}"; do
  [[ "${SHARD_OF[$u]}" == "$victim" ]] || continue
  n="$(curl -sS -H "X-Shopbox-Uid: $u" -H "Authorization: Bearer ${TOKEN_OF[$u]}" "$R/api/v1/orders" | jq -r .total)"
  [[ "$n" == 1 ]] || fail "$u has $n orders on s3 after the restart"
  # A retried checkout (same Idempotency-Key) returns the first order, no duplicate.
  checkout "$u" "first-$u" >/dev/null
done
ok "s3's shoppers are back on s3 with their orders; retried checkouts were replayed"

# ---- no order lost or duplicated
placed="$(wc -l <"$ORDERS")"
all="$WORK/all_orders.txt"
: >"$all"
for k in 1 2 3; do
  url="$(eval echo "\$SHARD_URL_$k")" tok="$(eval echo "\$ADMIN_TOKEN_$k")"
  page=1
  while :; do
    body="$(curl -sS -H "Authorization: Bearer $tok" "$url/api/v1/admin/orders?size=100&page=$page")"
    jq -r '.orders[].order_id' <<<"$body" | sed "s/\$/ s$k/" >>"$all"
    [[ "$(jq '.orders | length' <<<"$body")" == 100 ]] || break
    page=$((page + 1))
  done
done
stored="$(wc -l <"$all")"
dups="$(awk '{print $1}' "$all" | sort | uniq -d | wc -l)"
[[ "$dups" == 0 ]] || fail "$dups order ids stored on more than one shard"
[[ "$stored" == "$placed" ]] || fail "$placed orders placed, $stored stored"
while read -r id s; do
  [[ "$id" == ord_"$s"_* ]] || fail "order $id stored on $s"
  grep -q "^$id " "$ORDERS" || fail "order $id stored but never placed"
done <"$all"
ok "$placed orders placed, $stored stored, each exactly once on the shard its id names"
echo "cluster test: all passed"
