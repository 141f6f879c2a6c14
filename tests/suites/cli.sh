#!/usr/bin/env bash
# CLI suite: what an operator types. $1 = the shopbox binary.
#   --help on every subcommand (and nested ones); token create prints the
#   token alone; serve finishes an in-flight request on SIGTERM and exits 0;
#   demo --products 100000 starts and a second run does not duplicate;
#   import reports line numbers and imports nothing from a bad file; the
#   data dir is closed to other users; scripts/demo listens on loopback.
# Bounded: every wait has a deadline (the whole suite takes well under 3 min).
set -euo pipefail
bin="$(realpath "${1:?usage: cli.sh path/to/shopbox}")"
here="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/shopbox-cli-XXXXXX")"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "cli.sh: FAIL: $*" >&2; exit 1; }
ok() { echo "  ok: $*"; }

# Starts "$@" in the background, logging to $work/$name.{out,err}; waits
# (up to $deadline s) for "serving on" and sets $pid and $base.
start_server() {
  local name="$1" deadline="$2"
  shift 2
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pid=$!
  pids+=("$pid")
  base=""
  local waited=0
  while ((waited < deadline * 10)); do
    kill -0 "$pid" 2>/dev/null || { cat "$work/$name.err" >&2; fail "$name exited before serving"; }
    base="$(grep -o 'serving on http://[0-9.:]*' "$work/$name.err" | head -1 | sed 's/serving on //')" || true
    [[ -n "$base" ]] && return 0
    sleep 0.1
    waited=$((waited + 1))
  done
  fail "$name did not start within $deadline s"
}

stop_server() {  # SIGTERM, expect exit code 0 within 15 s
  local p="$1"
  kill -TERM "$p"
  local code=0
  for _ in $(seq 1 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && fail "server $p still running 15 s after SIGTERM"
  wait "$p" || code=$?
  [[ "$code" == 0 ]] || fail "server exited with $code after SIGTERM (want 0)"
}

echo "-- --help on every subcommand"
"$bin" --help >/dev/null || fail "shopbox --help"
subs="$("$bin" --help | awk '/^Subcommands:/{on=1; next} on && /^  [a-z]/{print $1}')"
[[ -n "$subs" ]] || fail "no subcommands listed in --help"
for s in $subs; do
  "$bin" "$s" --help >"$work/help.txt" 2>&1 || fail "shopbox $s --help exits non-zero"
  grep -q "Usage" "$work/help.txt" || fail "shopbox $s --help prints no usage"
  nested="$(awk '/^Subcommands:/{on=1; next} on && /^  [a-z]/{print $1}' "$work/help.txt")"
  for n in $nested; do
    "$bin" "$s" "$n" --help >/dev/null 2>&1 || fail "shopbox $s $n --help exits non-zero"
  done
done
for s in serve init demo import token; do grep -qx "$s" <<<"$subs" || fail "subcommand $s missing from --help"; done
ok "$(wc -w <<<"$subs") subcommands"

echo "-- token create prints the token alone"
tok="$("$bin" token create --admin --data-dir "$work/d1" 2>/dev/null)"
[[ "$(printf '%s\n' "$tok" | wc -l)" == 1 ]] || fail "token create printed more than one line: $tok"
[[ "$tok" =~ ^[A-Za-z0-9_]{32,}$ ]] || fail "token create printed '$tok'"
ok "token $(cut -c1-8 <<<"$tok")..."
if "$bin" token create --data-dir "$work/d1" >/dev/null 2>&1; then fail "token create without --admin succeeded"; fi

echo "-- serve: SIGTERM lets an in-flight request finish, exit 0"
start_server serve 30 "$bin" serve --data-dir "$work/d1" --listen 127.0.0.1 --port 0
curl -fsS "$base/healthz" >/dev/null || fail "healthz"
# A product whose body is uploaded slowly (about 2 s) is in flight when
# SIGTERM arrives; it must still be answered and stored.
pad="$(head -c 12000 /dev/zero | tr '\0' 'x')"
printf '{"name": "Slow Lamp", "sku": "SLOW-1", "price": 19.99, "description": "%s"}' "$pad" >"$work/slow.json"
curl -sSv -o "$work/slow.out" -w '%{http_code}' --limit-rate 6k -X POST "$base/api/v1/admin/products" \
  -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' --data-binary @"$work/slow.json" \
  >"$work/slow.code" 2>"$work/slow.err" &
curl_pid=$!
# SIGTERM once the request line is out (curl -v prints "> POST"), not after a
# fixed sleep: on a loaded machine curl may not have connected yet.
for _ in $(seq 1 100); do grep -q '^> POST' "$work/slow.err" 2>/dev/null && break; sleep 0.05; done
grep -q '^> POST' "$work/slow.err" || fail "the slow upload did not start: $(cat "$work/slow.err")"
sleep 0.2
stop_server "$pid"
wait "$curl_pid" || fail "in-flight request failed: $(cat "$work/slow.err")"
[[ "$(cat "$work/slow.code")" == 201 ]] || fail "in-flight request got $(cat "$work/slow.code"): $(head -c 300 "$work/slow.out")"
start_server serve2 30 "$bin" serve --data-dir "$work/d1" --listen 127.0.0.1 --port 0
code="$(curl -s -o "$work/p.json" -w '%{http_code}' "$base/api/v1/products?size=5")"
[[ "$code" == 200 ]] && grep -q 'SLOW-1' "$work/p.json" || fail "product from the in-flight request was not stored"
stop_server "$pid"
ok "in-flight POST answered 201 and stored; exit 0"

echo "-- import: a bad file names its line and imports nothing"
cat >"$work/bad.json" <<'JSON'
[
  {"sku": "OK-1", "name": "Good", "price": 5, "category": "Home/Kitchen"},
  {"sku": "BAD-1", "name": "Bad", "price": "five"}
]
JSON
if "$bin" import "$work/bad.json" --data-dir "$work/d2" >"$work/imp.out" 2>"$work/imp.err"; then fail "bad import exited 0"; fi
grep -q "bad.json:3:" "$work/imp.err" || fail "bad import did not name line 3: $(cat "$work/imp.err")"
"$bin" import "$here/tests/data/shopify_product_template.csv" --data-dir "$work/d2" >"$work/imp.out" \
  || fail "template import failed"
# Shopify's template: the shirt with 12 variants, the jeans with 3, the beanie with 1.
grep -q "imported 3 products (3 created, 0 updated), variants 16 created" "$work/imp.out" ||
  fail "template import said: $(cat "$work/imp.out")"
"$bin" import "$here/tests/data/shopify_product_template.csv" --data-dir "$work/d2" >"$work/imp.out"
grep -q "(0 created, 3 updated), variants 0 created, 16 updated" "$work/imp.out" ||
  fail "re-import said: $(cat "$work/imp.out")"
ok "line-numbered errors; template imports 3 products with 16 variants; re-import updates"

echo "-- demo --products 100000 starts; a second run does not duplicate"
start=$(date +%s)
start_server demo 600 "$bin" demo --products 100000 --data-dir "$work/demo" --listen 127.0.0.1 --port 0
grep -q '^export SHOPBOX_ADMIN_TOKEN=' "$work/demo.out" || fail "demo printed no admin token"
demo_tok="$(sed -n 's/^export SHOPBOX_ADMIN_TOKEN=//p' "$work/demo.out")"
curl -fsS "$base/api/v1/products/100000" | grep -q '"product_id":"100000"' || fail "product 100000 missing"
total="$(curl -fsS "$base/api/v1/products?size=1" | grep -o '"total":[0-9]*')"
[[ "$total" == '"total":100000' ]] || fail "demo total is $total"
code="$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/admin/categories" \
  -H "Authorization: Bearer $demo_tok" -H 'Content-Type: application/json' -d '{"name": "Clearance"}')"
[[ "$code" == 201 ]] || fail "demo admin token rejected ($code)"
stop_server "$pid"
ok "100k demo served in $(( $(date +%s) - start )) s; token works"
start_server demo2 60 "$bin" demo --products 100000 --data-dir "$work/demo" --listen 127.0.0.1 --port 0
grep -q "not generating" "$work/demo2.err" || fail "second demo run regenerated"
total="$(curl -fsS "$base/api/v1/products?size=1" | grep -o '"total":[0-9]*')"
[[ "$total" == '"total":100000' ]] || fail "after second demo run total is $total"
stop_server "$pid"
ok "second run kept 100000 products"

echo "-- data files are not readable by other users, whatever the umask"
(umask 022 && "$bin" init --demo --products 50 --data-dir "$work/perm" >/dev/null 2>&1) || fail "init --demo failed"
[[ "$(stat -c %a "$work/perm")" == 750 ]] || fail "data dir mode $(stat -c %a "$work/perm"), want 750"
loose="$(find "$work/perm" \( -type f -perm /o=rwx,g=w \) -o \( -type d -perm /o=rwx \) | head -5)"
[[ -z "$loose" ]] || fail "readable by others or group-writable: $loose"
[[ -n "$(find "$work/perm" -name shop.db -perm 640)" ]] || fail "shop.db is not 0640"
ok "data dir 0750, no file open to other users ($(find "$work/perm" -type f | wc -l) files)"

echo "-- shopbox check is clean on the data dirs the shop itself makes"
for dir in "$work/perm" "$work/demo"; do
  "$bin" check --data-dir "$dir" >"$work/check.out" 2>&1 || { cat "$work/check.out" >&2; fail "check reports problems in $dir"; }
done
reviews="$(sqlite3 "$work/perm/shop.db" 'SELECT count(*) FROM reviews' 2>/dev/null || echo skip)"
[[ "$reviews" == skip || "$reviews" -gt 0 ]] || fail "the demo's ratings have no reviews behind them"
ok "check clean on init --demo and the 100k demo ($reviews reviews behind the 50-product demo's ratings)"

echo "-- scripts/demo listens on loopback unless LISTEN says otherwise"
# scripts/demo builds first: in a test run the build is already there.
demo_port=$((20000 + RANDOM % 20000))
SHOPBOX_SKIP_APT=1 PORT="$demo_port" start_server demo-script 600 "$here/scripts/demo" --products 20
[[ "$base" == "http://127.0.0.1:$demo_port" ]] || fail "scripts/demo serves on $base, want 127.0.0.1"
curl -fsS -o /dev/null "$base/healthz" || fail "scripts/demo does not answer on loopback"
if other_ip="$(hostname -I 2>/dev/null | awk '{print $1}')" && [[ -n "$other_ip" ]]; then
  if curl -s -o /dev/null --max-time 3 "http://$other_ip:$demo_port/healthz"; then
    fail "scripts/demo answers on $other_ip: open to the network"
  fi
fi
stop_server "$pid"
ok "scripts/demo on 127.0.0.1:$demo_port only${other_ip:+ (refused on $other_ip)}"

echo "cli.sh: all passed"
