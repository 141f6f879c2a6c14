// What recommendations are computed from, in SQLite: product_pairs (how many
// orders held both of two products), recs_counted_orders (the orders already
// counted) and recently_viewed (migration 403,
// src/recommendations/schema.cpp). It also reads, never writes, the orders'
// tables (orders, order_items) and products.category_id. Plain rows in and
// out; which products make a list lives in recommendations.cpp.
// Every function runs inside the caller's db.read / db.write transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "storage/sqlite.h"

namespace shopbox::recommendation_store {

// Marks an order counted at `now`; false when it was counted before.
bool mark_counted(Connection& c, const std::string& order_id, int64_t now);
// Counts one more order holding both products (one direction only).
void count_pair(Connection& c, int64_t product_id, int64_t other_product_id);
// Paid (or later) orders not counted yet, at most 500. None when the
// orders tables do not exist (yet).
std::vector<std::string> uncounted_orders(Connection& c);
// The product of every line of an order (repeats included).
std::vector<int64_t> order_products(Connection& c, const std::string& order_id);
// Products the user has in paid (or later) orders. None when the orders
// tables do not exist (yet).
std::set<int64_t> purchased(Connection& c, int64_t user_id);

// Products bought with `product_id`, most orders first, at most `limit`.
std::vector<int64_t> bought_with(Connection& c, int64_t product_id, int64_t limit);
// The 10 products bought most often with `product_id` (personal picks).
std::vector<int64_t> strongest_pairs(Connection& c, int64_t product_id);

// Records (or moves to `stamp`) the user's view of a product.
void record_view(Connection& c, int64_t user_id, int64_t product_id, int64_t stamp);
// Keeps only the user's `keep` latest views.
void trim_views(Connection& c, int64_t user_id, int64_t keep);
// The user's viewed products, latest first, at most `limit`.
std::vector<int64_t> recently_viewed(Connection& c, int64_t user_id, int64_t limit);
// The user's 20 latest views (what personal picks categories from).
std::vector<int64_t> recent_interests(Connection& c, int64_t user_id);

// The product's category; nullopt for an unknown product or none.
std::optional<int64_t> category_of(Connection& c, int64_t product_id);

}  // namespace shopbox::recommendation_store
