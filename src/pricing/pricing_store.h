// Every SQL statement of the pricing tables (migration 901,
// src/pricing/schema.cpp): discounts, their redemptions (uses), shipping
// zones. Plain data in and out; the rules (validation, limits, the cache)
// live in pricing_service.h. Each function runs on the caller's Connection,
// so a check and the write it guards share one transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pricing/rules.h"
#include "storage/sqlite.h"

namespace shopbox {

// The pricing tables (migration 901, src/pricing/schema.cpp).
const std::vector<Migration>& pricing_migrations();

namespace pricing_store {

// ---- discounts ----
std::optional<Discount> discount(Connection& c, int64_t discount_id);
// What checkout reads to hold a use, in one lookup: the limits and the
// counters (held and kept, migration 902) of a discount.
struct DiscountLimits {
  std::optional<std::string> code;
  std::string name;
  std::optional<int64_t> usage_limit, per_customer_limit;
  int64_t held = 0, kept = 0;
};
std::optional<DiscountLimits> limits(Connection& c, int64_t discount_id);
std::optional<Discount> discount_by_code(Connection& c, const std::string& normalized_code);
// Newest first; automatic_only: the ones without a code (active or not).
std::vector<Discount> list_discounts(Connection& c, bool automatic_only);
// The automatic promotions that may apply (active), oldest first.
std::vector<Discount> active_automatic(Connection& c);
// Inserts d (id and timestamps filled). Throws SqliteError (constraint)
// when the code is taken: callers check discount_by_code first.
void insert_discount(Connection& c, Discount& d, int64_t now);
// Rewrites every field but created_at; false when there is no such discount.
bool update_discount(Connection& c, Discount& d, int64_t now);
bool delete_discount(Connection& c, int64_t discount_id);

// ---- redemptions ----
// Uses held or kept: in total, by state, and by `user_id` when user_id > 0.
DiscountUsage usage(Connection& c, int64_t discount_id, int64_t user_id);
// The state of the attempt's use of the discount ("held", "kept",
// "released"), or nullopt when it never held one.
std::optional<std::string> redemption_state(Connection& c, int64_t discount_id, const std::string& attempt_id);
// Records a held use (a released one of the same attempt is held again).
void hold_redemption(Connection& c, int64_t discount_id, const std::string& attempt_id, int64_t user_id, Cents amount,
                     int64_t now);
// The attempt's held uses become the order's (state kept).
void keep_redemptions(Connection& c, const std::string& attempt_id, const std::string& order_id, int64_t now);
// Held uses of an attempt / kept uses of an order go back (state released).
void release_attempt_redemptions(Connection& c, const std::string& attempt_id, int64_t now);
void release_order_redemptions(Connection& c, const std::string& order_id, int64_t now);

// ---- shipping zones ----
// By position, then id.
std::vector<ShippingZone> list_zones(Connection& c);
std::optional<ShippingZone> zone(Connection& c, int64_t zone_id);
// Inserts z (id and timestamps filled).
void insert_zone(Connection& c, ShippingZone& z, int64_t now);
// Rewrites name, definition and position; false when there is no such zone.
bool update_zone(Connection& c, ShippingZone& z, int64_t now);
bool delete_zone(Connection& c, int64_t zone_id);

// Broken invariants: a discount used (held + kept) more than its
// usage_limit or a customer more than its per_customer_limit, a kept use
// without an order. One line each.
std::vector<std::string> check(Connection& c);

}  // namespace pricing_store
}  // namespace shopbox
