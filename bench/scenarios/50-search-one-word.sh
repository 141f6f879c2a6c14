#!/usr/bin/env bash
# One-word searches with facets (brands, categories, price ranges, ratings)
# over the demo catalog, rotating through 24 words. Usage: $0 BASE_URL
set -euo pipefail
BASE_URL="$1"
source "$(dirname "$0")/search-common.sh"
for w in wireless headphones speaker laptop monitor keyboard camera drone blender toaster desk lamp \
         rug jacket jeans dress boots tent backpack helmet yoga dumbbells mystery ocean; do
  echo "/api/v1/search?q=$w"
done | run_search_bench "search one word + facets" "24 words, c=8"
