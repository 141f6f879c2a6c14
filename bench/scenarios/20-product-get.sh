#!/usr/bin/env bash
# Product details (the seed's shape: price, discount, stock, images,
# specs, rating, shipping) on random ids over the whole catalog.
source "$(dirname "$0")/../lib/wrk.sh"
products="${BENCH_PRODUCTS:-100000}"
WRK_ID_MAX="$products" bench_wrk product-get "$1" "/api/v1/products/{id}" "random ids 1..$products"
