// The admin API's shapes of the pricing rules (docs/pricing.md "Admin
// API"): a discount and a shipping zone as JSON, read from request bodies
// and checked.
//
// Reading is in two steps so every path checks the same way: apply_*_json
// copies the fields present in a body onto a rule (create: a fresh one;
// PATCH: the stored one, so absent fields keep their values) and refuses
// unknown fields and wrong JSON types; check_* judges the whole rule (the
// service runs it again before every write). Each failure is a 400 naming
// details.field ("regions[1].country").
//
// Thread rule: pure functions, callable from any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "pricing/rules.h"

namespace shopbox {

// {"id","code","automatic","name","type","percent_bp","amount",...,"usage":
// {"total","held","kept","remaining"},"created_at","updated_at"}.
nlohmann::json discount_json(const Discount& d, const DiscountUsage& usage);
// `creating`: name and type are required. Fields that do not apply to the
// discount's type (percent_bp of a fixed_amount) are 400 when given and
// reset to zero otherwise, so a PATCH that changes the type leaves no
// stale values behind.
Status apply_discount_json(const nlohmann::json& body, Discount& d, bool creating);
Status check_discount(const Discount& d);

// {"id","name","position","regions","methods","tax_rates","tax_shipping",
// "prices_include_tax","created_at","updated_at"}; id and timestamps are
// left out when the zone is not stored (the default zone).
nlohmann::json zone_json(const ShippingZone& z);
// `creating`: name and regions are required. regions, methods and
// tax_rates replace the zone's lists when present. A method without an id
// gets "" here; the service derives one (shipping_method_slug).
Status apply_zone_json(const nlohmann::json& body, ShippingZone& z, bool creating);
// One zone's own rules; the checks across zones (a region claimed twice,
// method ids unique in the shop) are the service's. Methods with an empty
// id pass (their id is derived later).
Status check_zone(const ShippingZone& z);

inline constexpr size_t kMaxShippingMethodId = 40;
// [a-z0-9_-]{1,40}.
bool valid_shipping_method_id(const std::string& id);
// A method id from its name: "Standard (2-5 days)" -> "standard-2-5-days";
// "method" when nothing of the name is usable.
std::string shipping_method_slug(const std::string& name);

}  // namespace shopbox
