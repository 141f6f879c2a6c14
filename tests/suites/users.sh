#!/usr/bin/env bash
# Users suite against the real binary: `user create --admin`, an admin
# session on an admin route, a customer saving a card through the API; then
# the card number must appear nowhere in the data directory (SQLite, WAL,
# LMDB) or in the server's log, before and after a clean stop.
# $1 = the shopbox binary. Bounded: well under a minute.
set -euo pipefail
bin="$(realpath "${1:?usage: users.sh path/to/shopbox}")"
work="$(mktemp -d "${TMPDIR:-/tmp}/shopbox-users-XXXXXX")"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "users.sh: FAIL: $*" >&2; exit 1; }
ok() { echo "  ok: $*"; }
card=4000056655665556
data="$work/data"

echo "admin password 1" | "$bin" user create --email admin@example.com --password-stdin --admin --data-dir "$data" >"$work/id" \
  || fail "user create --admin"
grep -qx '[0-9]*' "$work/id" || fail "user create did not print an id"
echo "x" | "$bin" user create --email short@example.com --password-stdin --data-dir "$data" 2>/dev/null \
  && fail "a short password was accepted"
ok "user create --admin; short password refused"

SHOPBOX_AUTH_PASSWORD_SCRYPT_LOG_N=12 "$bin" serve --data-dir "$data" --listen 127.0.0.1 --port 0 >"$work/out" 2>"$work/err" &
pid=$!
base=""
for _ in $(seq 100); do
  base="$(grep -o 'serving on http://[0-9.:]*' "$work/err" | head -1 | sed 's/serving on //')" || true
  [[ -n "$base" ]] && break
  sleep 0.1
done
[[ -n "$base" ]] || fail "serve did not start"

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
admin_token="$(curl -fsS -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"email":"ADMIN@example.com","password":"admin password 1"}' | json '["token"]')"
code="$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/v1/admin/categories" \
  -H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' -d '{"name":"Suite"}')"
[[ "$code" == 201 ]] || fail "admin session on an admin route: $code"
ok "admin user session works on admin routes"

token="$(curl -fsS -X POST "$base/api/v1/auth/register" -H 'Content-Type: application/json' \
  -d '{"email":"shopper@example.com","password":"shopper password"}' | json '["token"]')"
resp="$(curl -sS -X POST "$base/api/v1/me/payment-methods" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d "{\"card_number\":\"$card\",\"exp_month\":4,\"exp_year\":2095,\"cvc\":\"123\"}")"
echo "$resp" | grep -q '"last_four":"5556"' || fail "card not saved: $resp"
# Failed attempts carry the number too.
curl -sS -o /dev/null -X POST "$base/api/v1/me/payment-methods" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d "{\"card_number\":\"$card\",\"exp_month\":4,\"exp_year\":2001,\"cvc\":\"123\"}"
curl -sS -o /dev/null -X POST "$base/api/v1/me/payment-methods" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d "{\"card_number\":\"$card\", broken"
# Cross-site with the session cookie: refused.
code="$(curl -s -o /dev/null -w '%{http_code}' -X PATCH "$base/api/v1/me" -H "Cookie: shopbox_session=$token" \
  -H 'Origin: https://evil.example' -H 'Content-Type: application/json' -d '{"first_name":"x"}')"
[[ "$code" == 403 ]] || fail "cross-site cookie PATCH answered $code"
ok "card saved as last four; cross-site cookie request refused"

grep -rqa "$card" "$data" && fail "card number found in the data directory (running)"
kill -TERM "$pid"
wait "$pid" || fail "serve exited non-zero on SIGTERM"
pid=""
grep -rqa "$card" "$data" && fail "card number found in the data directory (stopped)"
grep -qa "$card" "$work/err" "$work/out" && fail "card number found in the server log"
ok "card number absent from SQLite/LMDB files and the log"
echo "users.sh: all passed"
