#!/usr/bin/env bash
# Browse with filters: category subtrees (root, mid, leaf), price ranges,
# brands, every sort, first pages. Paths are picked at random per request.
source "$(dirname "$0")/../lib/wrk.sh"
paths="$(mktemp)"
trap 'rm -f "$paths"' EXIT
cats=(electronics audio headphones computers laptops home-kitchen kitchen cookware clothing shoes boots
      sports-outdoors camping tents books fiction mystery toys-games puzzles garden-tools power-tools drills)
sorts=(newest price_asc price_desc rating name)
brands=(Sonora Voltix Hearthline Northfield Summitline Playwell Ironwood)
RANDOM=7
for i in $(seq 1 400); do
  q="category=${cats[RANDOM % ${#cats[@]}]}&sort=${sorts[RANDOM % ${#sorts[@]}]}&page=$((RANDOM % 3 + 1))&size=20"
  case $((RANDOM % 4)) in
    0) q+="&min_price=$((RANDOM % 50))&max_price=$((RANDOM % 400 + 60))" ;;
    1) q+="&brand=${brands[RANDOM % ${#brands[@]}]}" ;;
    2) q+="&rating=4" ;;
  esac
  echo "/api/v1/products?$q" >>"$paths"
done
WRK_PATHS_FILE="$paths" bench_wrk browse "$1" "/api/v1/products" "category subtree + price/brand/rating filters, 5 sorts"
