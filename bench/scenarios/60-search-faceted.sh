#!/usr/bin/env bash
# Filtered and faceted: text plus category, price range, rating, in-stock,
# sorted by price; and browse (no text) with filters. Usage: $0 BASE_URL
set -euo pipefail
BASE_URL="$1"
source "$(dirname "$0")/search-common.sh"
{
  for w in wireless pro compact smart portable; do
    echo "/api/v1/search?q=$w&category=electronics&min_price=20&max_price=500&rating=3&in_stock=true&sort=price_asc"
  done
  for w in classic modern stainless deluxe; do
    echo "/api/v1/search?q=$w&category=home-kitchen&max_price=200&sort=rating"
  done
  for c in audio computers cameras kitchen furniture men women shoes fitness camping; do
    echo "/api/v1/search?category=$c&min_price=10&max_price=300&in_stock=true&sort=newest&page=2"
  done
} | run_search_bench "search filtered + faceted" "text+category+price+rating+stock, browse pages, c=8"
