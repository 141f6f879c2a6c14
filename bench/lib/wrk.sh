# Helpers for bench scenarios (source this file).
#
#   bench_wrk NAME BASE_URL PATH [NOTE]
#     Runs wrk for $BENCH_DURATION seconds (default 5) with $BENCH_THREADS
#     threads (2) and $BENCH_CONNECTIONS keep-alive connections (32) and
#     prints one TSV row: name, req/s, p50, p95, p99 (ms), note.
#     PATH may hold "{id}" (random 1..$WRK_ID_MAX); or set WRK_PATHS_FILE to
#     a file of paths picked at random. Errors and non-2xx answers are
#     counted into the note, so a fast row full of 404s cannot pass as good.
BENCH_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

bench_wrk() {
  local name="$1" base="$2" path="$3" note="${4:-}"
  local out
  out="$(WRK_PATH="$path" wrk -t "${BENCH_THREADS:-2}" -c "${BENCH_CONNECTIONS:-32}" -d "${BENCH_DURATION:-5}s" \
    --timeout 5s -s "$BENCH_LIB_DIR/report.lua" "$base${path%%\{*}" 2>&1)" || {
    printf '%s\t0\t0\t0\t0\twrk failed: %s\n' "$name" "$(echo "$out" | tail -1)"
    return 0
  }
  local row
  row="$(echo "$out" | grep '^BENCH' | tail -1)"
  if [[ -z "$row" ]]; then
    printf '%s\t0\t0\t0\t0\tno result from wrk\n' "$name"
    return 0
  fi
  local rps p50 p95 p99 bad total
  IFS=$'\t' read -r _ rps p50 p95 p99 bad total <<<"$row"
  if [[ "$bad" != 0 ]]; then note="${note:+$note; }$bad of $total failed or non-2xx"; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$rps" "$p50" "$p95" "$p99" "$note"
}
