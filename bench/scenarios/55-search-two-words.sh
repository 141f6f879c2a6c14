#!/usr/bin/env bash
# Two-word searches (AND of both words) with facets. Usage: $0 BASE_URL
set -euo pipefail
BASE_URL="$1"
source "$(dirname "$0")/search-common.sh"
for w in "wireless%20headphones" "portable%20speaker" "gaming%20laptop" "curved%20monitor" "mechanical%20keyboard" \
         "action%20camera" "camera%20drone" "coffee%20maker" "standing%20desk" "floor%20lamp" "wool%20rug" \
         "rain%20jacket" "wrap%20dress" "hiking%20boots" "family%20tent" "bike%20helmet" "yoga%20mat" \
         "stainless%20saucepan" "organic%20shirt" "midnight%20ocean"; do
  echo "/api/v1/search?q=$w"
done | run_search_bench "search two words + facets" "20 queries, c=8"
