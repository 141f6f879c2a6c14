// Pricing::quote and find_code: the rules from the cache, the codes and the
// usage counts from SQLite, then price() (pricing.h). The merchant's rules
// and the discount uses are in pricing_admin.cpp.
#include "pricing/pricing_service.h"

#include "config.h"
#include "pricing/pricing_store.h"

namespace shopbox {

namespace {

bool has_limits(const Discount& d) {
  return d.usage_limit || d.per_customer_limit;
}

Status malformed_code(const std::string& field) {
  return Status::Invalid(
      "a discount code is 1-" + std::to_string(kMaxCodeLength) + " letters, digits, '-' or '_' (no spaces)",
      {{"field", field}});
}

}  // namespace

Result<Quote> Pricing::quote(PricingRequest req, const std::vector<std::string>& codes) {
  auto rules_cache = cache();
  if (!rules_cache.ok()) return rules_cache.status();
  const Cache& rc = **rules_cache;
  PricingRules rules;
  rules.zones = rc.zones;
  std::vector<std::string> normalized;
  for (const auto& text : codes) {
    auto code = normalize_code(text);
    if (!code) return malformed_code("discount_codes");
    normalized.push_back(*code);
  }
  req.codes.clear();
  bool need_db = !normalized.empty();
  for (const auto& d : rc.automatic) need_db = need_db || has_limits(d);
  // A customer's own uses are counted only for a per-customer limit.
  auto customer_for = [&](const Discount& d) { return d.per_customer_limit ? req.customer.user_id : 0; };
  Status st = Status::Ok();
  if (need_db) {
    st = db_.read([&](Connection& c) {
      for (const auto& d : rc.automatic)
        rules.automatic.push_back(
            {d, has_limits(d) ? pricing_store::usage(c, d.id, customer_for(d)) : DiscountUsage{}});
      for (const auto& code : normalized) {
        CodeLookup lookup{code, pricing_store::discount_by_code(c, code), {}};
        if (lookup.discount)
          lookup.usage = pricing_store::usage(c, lookup.discount->id, customer_for(*lookup.discount));
        req.codes.push_back(std::move(lookup));
      }
      return Status::Ok();
    });
  } else {
    for (const auto& d : rc.automatic) rules.automatic.push_back({d, {}});
  }
  if (!st.ok()) return st;
  bool first_order_rule = false;
  for (const auto& p : rules.automatic) first_order_rule = first_order_rule || p.discount.first_order_only;
  for (const auto& c : req.codes) first_order_rule = first_order_rule || (c.discount && c.discount->first_order_only);
  if (first_order_rule && req.customer.user_id > 0 && has_ordered_)
    req.customer.has_ordered = has_ordered_(req.customer.user_id);
  return price(rules, req, config_);
}

Result<Discount> Pricing::find_code(const std::string& text) {
  auto code = normalize_code(text);
  if (!code) return malformed_code("code");
  std::optional<Discount> found;
  Status st = db_.read([&](Connection& c) {
    found = pricing_store::discount_by_code(c, *code);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!found)
    return Status(Kind::not_found, "discount_not_found", "no discount has the code " + *code, {{"code", *code}});
  return *found;
}

}  // namespace shopbox
