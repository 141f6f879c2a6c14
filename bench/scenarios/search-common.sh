# Sourced by the search scenarios: run_search_bench NAME NOTE < paths
# Warms the server with every path once, then runs wrk at concurrency 8
# for $BENCH_DURATION seconds (default 10) and prints one TSV row.
run_search_bench() {
  local name="$1" note="$2" base="${BASE_URL%/}"
  local dir; dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  local paths; paths="$(mktemp)"
  cat >"$paths"
  # The demo catalog is indexed in the background: wait until the index
  # has caught up (queue empty, documents present), at most 10 minutes.
  if [[ -n "${SHOPBOX_ADMIN_TOKEN:-}" ]]; then
    for _ in $(seq 1 600); do
      st="$(curl -s -H "Authorization: Bearer $SHOPBOX_ADMIN_TOKEN" "$base/api/v1/admin/search/status" || true)"
      if [[ "$st" == *'"pending":0,'* && "$st" != *'"documents":0,'* && "$st" == *'"reindexing":false'* ]]; then break; fi
      sleep 1
    done
  fi
  # Warm: every distinct request once (the index pages and the result cache).
  while IFS= read -r p; do curl -s -o /dev/null "$base$p"; done <"$paths"
  PATHS_FILE="$paths" BENCH_NAME="$name" BENCH_NOTE="$note" \
    wrk -t 2 -c 8 -d "${BENCH_DURATION:-10}s" --latency -s "$dir/search-wrk.lua" "$base" | tail -n 1
  rm -f "$paths"
}
