# Sourced by the search scenarios: run_search_bench NAME NOTE < paths
# Warms the server with every path once, then runs wrk at concurrency 8
# for $BENCH_DURATION seconds (default 10) and prints one TSV row.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/server.sh"

run_search_bench() {
  local name="$1" note="$2" base="${BASE_URL%/}"
  local dir; dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  local paths; paths="$(mktemp)"
  cat >"$paths"
  if [[ -n "${SHOPBOX_ADMIN_TOKEN:-}" ]]; then
    bench_wait_for_index "$base" "$SHOPBOX_ADMIN_TOKEN" || true
  fi
  # Warm: every distinct request once (the index pages and the result cache).
  while IFS= read -r p; do curl -s -o /dev/null "$base$p"; done <"$paths"
  PATHS_FILE="$paths" BENCH_NAME="$name" BENCH_NOTE="$note" \
    wrk -t 2 -c 8 -d "${BENCH_DURATION:-10}s" --latency -s "$dir/search-wrk.lua" "$base" | tail -n 1
  rm -f "$paths"
}
