#!/usr/bin/env bash
# Autocomplete as a shopper types: every prefix of a few queries.
# Usage: $0 BASE_URL
set -euo pipefail
# bench-tags: search
BASE_URL="$1"
source "$(dirname "$0")/search-common.sh"
for q in "wireless%20headphones" "coffee%20maker" "hiking%20boots" "yoga%20mat" "mechanical%20keyboard" "table%20lamp"; do
  decoded="${q//%20/ }"
  for ((n = 2; n <= ${#decoded}; n++)); do
    prefix="${decoded:0:n}"
    echo "/api/v1/search/suggest?q=${prefix// /%20}"
  done
done | run_search_bench "suggest (autocomplete)" "every prefix of 6 queries, c=8"
