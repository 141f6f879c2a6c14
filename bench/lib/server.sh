# Helpers for scenarios that run their own server or prepare stock
# (source this file). Used by 40-add-to-cart, 45-reserve-release,
# 70-checkout and 80-flash-sale.
#
#   bench_own_server THREADS [serve args...]
#     Creates a fresh data dir under a temporary work dir, `shopbox init`s
#     it, creates an admin token and starts `shopbox serve --port 0` on it.
#     Sets BENCH_WORK (temporary dir, removed on exit), BENCH_URL,
#     BENCH_ADMIN (admin token) and BENCH_SERVER_PID; stops the server and
#     removes the work dir when the calling script exits. Configuration
#     comes from the SHOPBOX_* environment the caller exported.
#
#   bench_stock_products BASE_URL COUNT SORT
#     Prints the ids of the first COUNT products of GET /products?sort=SORT
#     (one line, space-separated) after setting each one's stock total to
#     1e9 so a run never sells out. Needs SHOPBOX_ADMIN_TOKEN.
BENCH_REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

bench_own_server() {
  local threads="${1:-64}"
  shift || true
  local bin="${SHOPBOX_BIN:-$BENCH_REPO_DIR/build/release/shopbox}"
  BENCH_WORK="$(mktemp -d "${TMPDIR:-/tmp}/shopbox-bench-own.XXXXXX")"
  BENCH_SERVER_PID=""
  trap 'bench_own_server_stop' EXIT
  export SHOPBOX_DATA_DIR="$BENCH_WORK/data"
  "$bin" init --data-dir "$BENCH_WORK/data" >/dev/null
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
