#!/usr/bin/env bash
# backup / restore / check through the CLI, as a second process next to a
# running `shopbox serve` (SQLite WAL and LMDB are multi-process).
# Usage: tests/suites/backup.sh path/to/shopbox     (bounded: ~30 s)
set -euo pipefail
BIN="$(readlink -f "$1")"
WORK="$(mktemp -d /tmp/shopbox-backup-suite.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
pass=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }

start_server() {  # $1 data dir, $2 log; sets PORT and SERVER_PID
  SHOPBOX_RATE_LIMIT_ENABLED=0 "$BIN" serve --data-dir "$1" --listen 127.0.0.1 --port 0 --threads 8 2>"$2" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 1 100); do
    PORT="$(sed -n 's|.*serving on http://127.0.0.1:\([0-9]*\).*|\1|p' "$2")"
    [[ -n "$PORT" ]] && return 0
    sleep 0.1
  done
  cat "$2" >&2
  fail "server did not start"
}

DATA="$WORK/data"
start_server "$DATA" "$WORK/serve.log"
BASE="http://127.0.0.1:$PORT"
FIRST_PID="$SERVER_PID"
# A second process writes into the data dir the server has open.
TOKEN="$("$BIN" token create --admin --data-dir "$DATA")"
AUTH=(-H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json")
CAT="$(curl -sf "${AUTH[@]}" -d '{"name":"Tools"}' "$BASE/api/v1/admin/categories" | sed 's/.*"category_id":"\([0-9]*\)".*/\1/')"
[[ -n "$CAT" ]] || fail "no category"
for i in $(seq 1 20); do
  curl -sf -o /dev/null "${AUTH[@]}" -d "{\"name\":\"Hammer $i\",\"category_id\":\"$CAT\",\"price\":12.5,\"stock\":$i}" \
    "$BASE/api/v1/admin/products" || fail "create product $i"
done
ok "server up on :$PORT with 20 products, token created by a second process"

# Writes keep coming while the backup runs.
(
  for i in $(seq 1 300); do
    curl -s -o /dev/null "${AUTH[@]}" -d "{\"name\":\"Saw $i\",\"category_id\":\"$CAT\",\"price\":3,\"stock\":2}" \
      "$BASE/api/v1/admin/products" || true
  done
) &
LOAD_PID=$!
PIDS+=("$LOAD_PID")
sleep 0.3
before="$(sqlite3 "$DATA/shop.db" 'SELECT COUNT(*) FROM products')"
"$BIN" backup "$WORK/backup1" --data-dir "$DATA" >"$WORK/backup.out" || fail "backup during load"
wait "$LOAD_PID" || true
after="$(sqlite3 "$DATA/shop.db" 'SELECT COUNT(*) FROM products')"
grep -q "kv/data.mdb" "$WORK/backup.out" || fail "backup output lists no files"
[[ -s "$WORK/backup1/manifest.json" ]] || fail "no manifest"
ok "backup while 300 product writes ran ($before products before, $after after)"

"$BIN" check --data-dir "$DATA" >"$WORK/check-live.out" || { cat "$WORK/check-live.out"; fail "check on the live data dir"; }
ok "check on the live data dir next to the server: clean"

"$BIN" restore --verify-only "$WORK/backup1" >/dev/null || fail "verify-only"
"$BIN" restore "$WORK/backup1" --data-dir "$WORK/restored" >"$WORK/restore.out" || fail "restore"
n="$(sqlite3 "$WORK/restored/shop.db" 'SELECT COUNT(*) FROM products')"
(( n >= before && n <= after )) || fail "restored $n products, expected $before..$after"
# Every product committed before the backup began is there, unchanged.
diff <(sqlite3 "$DATA/shop.db" "SELECT product_id, name, price_cents FROM products WHERE product_id <= $before ORDER BY 1") \
     <(sqlite3 "$WORK/restored/shop.db" "SELECT product_id, name, price_cents FROM products WHERE product_id <= $before ORDER BY 1") \
  || fail "restored products differ"
"$BIN" check --data-dir "$WORK/restored" >"$WORK/check.out" || { cat "$WORK/check.out"; fail "check on restored data"; }
grep -q "ok: every invariant holds" "$WORK/check.out" || fail "check output"
ok "restore into a new dir: $n products, equal to the source, check clean"

# The restored shop serves.
start_server "$WORK/restored" "$WORK/serve2.log"
code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/products/1")"
[[ "$code" == 200 ]] || fail "restored shop answers $code"
qty="$(curl -s "http://127.0.0.1:$PORT/api/v1/products/5" | sed 's/.*"quantity":\([0-9]*\).*/\1/')"
[[ "$qty" == 5 ]] || fail "restored stock of product 5 is '$qty'"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
ok "restored shop serves product 1 and product 5's stock (5)"

# Restoring over the data dir of a running server is refused, even forced.
if "$BIN" restore "$WORK/backup1" --data-dir "$DATA" --force 2>"$WORK/err"; then fail "restored under a running server"; fi
grep -q "server is running" "$WORK/err" || fail "in-use message: $(cat "$WORK/err")"
[[ -f "$DATA/shop.db" ]] || fail "refused restore touched the live data"
ok "restore refuses the data dir of a running server"
kill "$FIRST_PID"; wait "$FIRST_PID" 2>/dev/null || true

# Backup while checkouts run (once the orders API exists): every order
# committed before the backup began is in the restored shop, with its
# payment, and check is clean there.
start_server "$DATA" "$WORK/serve3.log"
BASE="http://127.0.0.1:$PORT"
if curl -sf "$BASE/api/v1/openapi.json" | grep -q '"/api/v1/orders"'; then
  TEA="$(curl -sf "${AUTH[@]}" -d "{\"name\":\"Tea\",\"category_id\":\"$CAT\",\"price\":4,\"stock\":1000}" \
    "$BASE/api/v1/admin/products" | sed 's/.*"product_id":"\([0-9]*\)".*/\1/')"
  order_body="{\"items\":[{\"product_id\":\"$TEA\",\"quantity\":1}],\"shipping_address\":{\"name\":\"Jo Buyer\",\"street\":\"1 Pine St\",\"city\":\"Portland\",\"zip\":\"97201\",\"country\":\"US\"},\"payment_method\":{\"type\":\"card\",\"card_number\":\"4242424242424242\",\"exp_month\":12,\"exp_year\":2099,\"cvc\":\"123\"}}"
  buyer() {  # $1 buyer number: registers, then places orders until told to stop
    local tok
    tok="$(curl -sf -H 'Content-Type: application/json' \
      -d "{\"email\":\"buyer$1@example.com\",\"password\":\"a long password $1\",\"first_name\":\"Jo\",\"last_name\":\"Buyer\"}" \
      "$BASE/api/v1/auth/register" | sed 's/.*"token":"\([^"]*\)".*/\1/')"
    for i in $(seq 1 15); do
      [[ -e "$WORK/stop-buyers" ]] && break
      curl -s -o /dev/null -H "Authorization: Bearer $tok" -H "Idempotency-Key: b$1-$i" -H 'Content-Type: application/json' \
        -d "$order_body" "$BASE/api/v1/orders" || true
    done
  }
  BUYERS=()
  for b in 1 2 3 4; do buyer "$b" & BUYERS+=($!); PIDS+=($!); done
  for _ in $(seq 1 100); do
    [[ "$(sqlite3 "$DATA/shop.db" 'SELECT COUNT(*) FROM orders' 2>/dev/null || echo 0)" -ge 5 ]] && break
    sleep 0.1
  done
  sqlite3 "$DATA/shop.db" 'SELECT order_id FROM orders ORDER BY 1' >"$WORK/orders-before"
  "$BIN" backup "$WORK/backup2" --data-dir "$DATA" >/dev/null || fail "backup during checkouts"
  touch "$WORK/stop-buyers"
  for p in "${BUYERS[@]}"; do wait "$p" 2>/dev/null || true; done
  total="$(sqlite3 "$DATA/shop.db" 'SELECT COUNT(*) FROM orders')"
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  "$BIN" restore "$WORK/backup2" --data-dir "$WORK/restored-orders" >/dev/null || fail "restore orders backup"
  sqlite3 "$WORK/restored-orders/shop.db" 'SELECT order_id FROM orders ORDER BY 1' >"$WORK/orders-restored"
  missing="$(comm -23 "$WORK/orders-before" "$WORK/orders-restored" | wc -l)"
  [[ "$missing" == 0 ]] || fail "$missing orders committed before the backup are missing"
  n_before=$(wc -l <"$WORK/orders-before"); n_restored=$(wc -l <"$WORK/orders-restored")
  (( n_before >= 5 && n_restored <= total )) || fail "orders: $n_before before, $n_restored restored, $total in the end"
  unpaid="$(sqlite3 "$WORK/restored-orders/shop.db" \
    'SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM payment_transactions p WHERE p.order_id = o.order_id)' 2>/dev/null || echo skip)"
  [[ "$unpaid" == 0 || "$unpaid" == skip ]] || fail "$unpaid restored orders have no payment"
  "$BIN" check --data-dir "$WORK/restored-orders" >"$WORK/check-orders.out" || { cat "$WORK/check-orders.out"; fail "check after restoring a backup taken during checkouts"; }
  ok "backup during 4 buyers' checkouts: all $n_before orders committed before it restored ($n_restored of $total), check clean"
else
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  echo "skip - no orders API in this build"
fi

# Refusals: non-empty target, corrupt and incomplete backups.
if "$BIN" restore "$WORK/backup1" --data-dir "$WORK/restored" 2>"$WORK/err"; then fail "restore over non-empty dir"; fi
grep -q -- "--force" "$WORK/err" || fail "non-empty message: $(cat "$WORK/err")"
cp -r "$WORK/backup1" "$WORK/corrupt"
printf 'X' | dd of="$WORK/corrupt/shop.db" bs=1 seek=2000 conv=notrunc status=none
if "$BIN" restore "$WORK/corrupt" --data-dir "$WORK/r2" 2>"$WORK/err"; then fail "restored a corrupt backup"; fi
grep -q "corrupt backup: shop.db" "$WORK/err" || fail "corrupt message: $(cat "$WORK/err")"
[[ ! -e "$WORK/r2" ]] || fail "a refused restore left $WORK/r2"
cp -r "$WORK/backup1" "$WORK/incomplete" && rm "$WORK/incomplete/manifest.json"
if "$BIN" restore "$WORK/incomplete" --data-dir "$WORK/r3" 2>"$WORK/err"; then fail "restored an incomplete backup"; fi
grep -q "incomplete backup" "$WORK/err" || fail "incomplete message: $(cat "$WORK/err")"
"$BIN" restore "$WORK/backup1" --data-dir "$WORK/restored" --force >/dev/null || fail "restore --force"
ok "restore refuses a non-empty dir (until --force), a flipped byte and a missing manifest"

# check finds an injected violation: product 3 with 9 reserved of 3 total,
# written straight into LMDB with mdb_load.
le64() { local v=$1 out="" i; for i in 0 1 2 3 4 5 6 7; do out+=$(printf '%02x' $(( (v >> (8 * i)) & 255 ))); done; echo "$out"; }
{
  printf 'VERSION=3\nformat=bytevalue\ntype=btree\nHEADER=END\n'
  printf ' %016x\n' 3
  printf ' %s%s%s\n' "$(le64 3)" "$(le64 9)" "$(le64 10)"
  printf 'DATA=END\n'
} >"$WORK/bad.dump"
mdb_load -s stock -f "$WORK/bad.dump" "$WORK/restored/kv" || fail "mdb_load"
set +e
"$BIN" check --data-dir "$WORK/restored" >"$WORK/check-bad.out" 2>&1
rc=$?
set -e
[[ $rc == 1 ]] || { cat "$WORK/check-bad.out"; fail "check exit code $rc on a violation"; }
grep -q "VIOLATION stock: variant 3: reserved 9 exceeds total 3" "$WORK/check-bad.out" || { cat "$WORK/check-bad.out"; fail "report"; }
ok "check exits 1 and names variant 3 (product 3's only variant) after an injected reserved > total"

"$BIN" version | grep -q "^shopbox [0-9]" || fail "version"
ok "shopbox version"
echo "backup suite: $pass passed, 0 failed"
