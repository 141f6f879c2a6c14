// The merchant's rules (discounts, shipping zones) and the discount uses:
// every Pricing member but quote() and find_code() (pricing_service.cpp).
// Rules are validated here as a whole (rules_json.h check_*), zones also
// against every stored zone, inside the write that stores them, so two
// admins cannot slip overlapping zones in side by side.
#include <set>

#include "base/clock.h"
#include "pricing/pricing_service.h"
#include "pricing/pricing_store.h"
#include "pricing/rules_json.h"

namespace shopbox {

namespace {

Status admin_discount_not_found() {
  return Status(Kind::not_found, "discount_not_found", "discount not found");
}

Status admin_zone_not_found() {
  return Status(Kind::not_found, "shipping_zone_not_found", "shipping zone not found");
}

// 409 when another discount has the code (codes are stored normalized, so
// "spring10" and "SPRING10" are the same code).
Status admin_code_free(Connection& c, const Discount& d) {
  if (!d.code) return Status::Ok();
  auto other = pricing_store::discount_by_code(c, *d.code);
  if (other && other->id != d.id)
    return Status::Conflict("discount_code_taken", "another discount has the code " + *d.code,
                            {{"field", "code"}, {"discount_id", std::to_string(other->id)}});
  return Status::Ok();
}

// The checks across zones: no region claimed by two zones, method ids
// unique in the shop; then ids for the methods that came without one.
// `others` are the stored zones but z.
Status admin_zone_against(ShippingZone& z, const std::vector<ShippingZone>& others) {
  std::set<std::string> taken;
  for (const auto& o : others) {
    for (size_t i = 0; i < z.regions.size(); ++i) {
      const auto& r = z.regions[i];
      for (const auto& theirs : o.regions)
        if (theirs.country == r.country && theirs.state == r.state && theirs.zip_prefix == r.zip_prefix)
          return Status(Kind::invalid, "overlapping_zones",
                        "regions[" + std::to_string(i) + "] is already served by the zone \"" + o.name + "\"",
                        {{"field", "regions[" + std::to_string(i) + "]"}, {"zone_id", std::to_string(o.id)}});
    }
    for (const auto& m : o.methods) taken.insert(m.id);
  }
  for (size_t i = 0; i < z.methods.size(); ++i) {
    const auto& id = z.methods[i].id;
    if (id.empty()) continue;
    if (taken.count(id)) {
      std::string owner;
      for (const auto& o : others)
        for (const auto& m : o.methods)
          if (m.id == id) owner = std::to_string(o.id);
      const std::string field = "methods[" + std::to_string(i) + "].id";
      return Status::Invalid(field + " \"" + id + "\" is used by another zone's method (ids are unique in the shop)",
                             {{"field", field}, {"zone_id", owner}});
    }
  }
  for (const auto& m : z.methods) taken.insert(m.id);
  // A derived id is the name's slug; when another method has it, the
  // zone's id goes in front ("z3-standard"), and a number after when even
  // that is taken (two methods of one zone with the same name).
  for (auto& m : z.methods) {
    if (!m.id.empty()) continue;
    const std::string slug = shipping_method_slug(m.name);
    std::string id = slug;
    if (taken.count(id)) id = ("z" + std::to_string(z.id) + "-" + slug).substr(0, kMaxShippingMethodId);
    for (int n = 2; taken.count(id); ++n) {
      const std::string suffix = "-" + std::to_string(n);
      id = ("z" + std::to_string(z.id) + "-" + slug).substr(0, kMaxShippingMethodId - suffix.size()) + suffix;
    }
    m.id = id;
    taken.insert(id);
  }
  return Status::Ok();
}

std::vector<ShippingZone> admin_other_zones(Connection& c, int64_t zone_id) {
  std::vector<ShippingZone> others;
  for (auto& o : pricing_store::list_zones(c))
    if (o.id != zone_id) others.push_back(std::move(o));
  return others;
}

Status admin_limit_reached(const Discount& d, const char* reason, const std::string& message) {
  return Status(Kind::conflict, "discount_not_applicable", message,
                {{"code", d.code ? nlohmann::json(*d.code) : nlohmann::json(nullptr)}, {"reason", reason}});
}

}  // namespace

// ---- discounts ----

Result<std::vector<Discount>> Pricing::list_discounts(bool automatic_only) {
  std::vector<Discount> out;
  Status st = db_.read([&](Connection& c) {
    out = pricing_store::list_discounts(c, automatic_only);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<Discount> Pricing::discount(int64_t id) {
  std::optional<Discount> d;
  Status st = db_.read([&](Connection& c) {
    d = pricing_store::discount(c, id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!d) return admin_discount_not_found();
  return *d;
}

Result<Discount> Pricing::create_discount(const Discount& in) {
  if (auto st = check_discount(in); !st.ok()) return st;
  Discount d = in;
  d.id = 0;
  Status st = db_.write([&](Connection& c) {
    if (auto free = admin_code_free(c, d); !free.ok()) return free;
    pricing_store::insert_discount(c, d, now_seconds());
    return Status::Ok();
  });
  if (!st.ok()) return st;
  drop_cache();
  return d;
}

Result<Discount> Pricing::update_discount(const Discount& in) {
  if (auto st = check_discount(in); !st.ok()) return st;
  Discount d = in;
  Status st = db_.write([&](Connection& c) {
    auto stored = pricing_store::discount(c, d.id);
    if (!stored) return admin_discount_not_found();
    if (auto free = admin_code_free(c, d); !free.ok()) return free;
    d.created_at = stored->created_at;
    pricing_store::update_discount(c, d, now_seconds());
    return Status::Ok();
  });
  if (!st.ok()) return st;
  drop_cache();
  return d;
}

// Redemptions stay when their discount goes: they are the history of
// orders that used it, and an order cancelled later still gives its use
// back (to no one). Ids are never reused, so they never count for another.
Status Pricing::delete_discount(int64_t id) {
  Status st = db_.write([&](Connection& c) {
    if (!pricing_store::discount(c, id)) return admin_discount_not_found();
    auto u = pricing_store::usage(c, id, 0);
    if (u.held > 0)
      return Status::Conflict("discount_in_use",
                              "a checkout in progress holds a use of this discount; try again in a minute",
                              {{"held", u.held}});
    pricing_store::delete_discount(c, id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  drop_cache();
  return Status::Ok();
}

Result<DiscountUsage> Pricing::usage(int64_t discount_id, int64_t user_id) {
  DiscountUsage u;
  Status st = db_.read([&](Connection& c) {
    u = pricing_store::usage(c, discount_id, user_id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return u;
}

// ---- shipping zones ----

Result<std::vector<ShippingZone>> Pricing::zones() {
  std::vector<ShippingZone> out;
  Status st = db_.read([&](Connection& c) {
    out = pricing_store::list_zones(c);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<ShippingZone> Pricing::zone(int64_t id) {
  std::optional<ShippingZone> z;
  Status st = db_.read([&](Connection& c) {
    z = pricing_store::zone(c, id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!z) return admin_zone_not_found();
  return *z;
}

Result<ShippingZone> Pricing::create_zone(const ShippingZone& in) {
  if (auto st = check_zone(in); !st.ok()) return st;
  ShippingZone z = in;
  z.id = 0;
  Status st = db_.write([&](Connection& c) {
    const int64_t now = now_seconds();
    auto others = admin_other_zones(c, 0);
    // Inserted first for its id (derived method ids may carry it); a
    // failed check below rolls the insert back.
    pricing_store::insert_zone(c, z, now);
    if (auto against = admin_zone_against(z, others); !against.ok()) return against;
    pricing_store::update_zone(c, z, now);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  drop_cache();
  return z;
}

Result<ShippingZone> Pricing::update_zone(const ShippingZone& in) {
  if (auto st = check_zone(in); !st.ok()) return st;
  ShippingZone z = in;
  Status st = db_.write([&](Connection& c) {
    auto stored = pricing_store::zone(c, z.id);
    if (!stored) return admin_zone_not_found();
    if (auto against = admin_zone_against(z, admin_other_zones(c, z.id)); !against.ok()) return against;
    z.created_at = stored->created_at;
    pricing_store::update_zone(c, z, now_seconds());
    return Status::Ok();
  });
  if (!st.ok()) return st;
  drop_cache();
  return z;
}

Status Pricing::delete_zone(int64_t id) {
  Status st = db_.write([&](Connection& c) {
    if (!pricing_store::delete_zone(c, id)) return admin_zone_not_found();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  drop_cache();
  return Status::Ok();
}

// ---- discount uses ----

Status Pricing::hold_uses(Connection& c, const std::string& attempt_id, int64_t user_id,
                          const std::vector<AppliedDiscount>& discounts, int64_t now) {
  std::set<int64_t> done;
  for (const auto& applied : discounts) {
    if (applied.discount_id == 0 || !done.insert(applied.discount_id).second) continue;
    // A retried step of the same attempt holds nothing twice.
    auto state = pricing_store::redemption_state(c, applied.discount_id, attempt_id);
    if (state == "held" || state == "kept") continue;
    auto d = pricing_store::limits(c, applied.discount_id);
    if (!d) {
      Discount gone;
      gone.code = applied.code;
      return admin_limit_reached(gone, "not_found", "the discount " + applied.name + " no longer exists");
    }
    Discount named;
    named.code = d->code;
    // Read and written in the caller's write transaction: SQLite runs one
    // writer at a time, so no other checkout counts between the two.
    if (d->usage_limit && d->held + d->kept >= *d->usage_limit)
      return admin_limit_reached(named, "limit_reached", "the discount " + d->name + " has been used up");
    if (d->per_customer_limit && user_id > 0 &&
        pricing_store::usage(c, applied.discount_id, user_id).by_customer >= *d->per_customer_limit)
      return admin_limit_reached(named, "customer_limit_reached",
                                 "you have used the discount " + d->name + " as often as it allows");
    pricing_store::hold_redemption(c, applied.discount_id, attempt_id, user_id, applied.amount, now);
  }
  return Status::Ok();
}

void Pricing::keep_uses(Connection& c, const std::string& attempt_id, const std::string& order_id, int64_t now) {
  pricing_store::keep_redemptions(c, attempt_id, order_id, now);
}

void Pricing::release_attempt_uses(Connection& c, const std::string& attempt_id, int64_t now) {
  pricing_store::release_attempt_redemptions(c, attempt_id, now);
}

void Pricing::release_order_uses(Connection& c, const std::string& order_id, int64_t now) {
  pricing_store::release_order_redemptions(c, order_id, now);
}

void Pricing::check_invariants(std::vector<std::string>& problems) {
  Status st = db_.read([&](Connection& c) {
    for (auto& p : pricing_store::check(c)) problems.push_back(std::move(p));
    return Status::Ok();
  });
  // A check that cannot read is a problem of its own, never a clean bill.
  if (!st.ok()) problems.push_back("pricing: cannot read the data to check: " + st.message());
}

// ---- the rules cache ----

// Loaded under mu_: a change commits, then drops the cache (drop_cache
// waits for a load in flight), so a load that read the old rules never
// outlives the change.
Result<std::shared_ptr<const Pricing::Cache>> Pricing::cache() {
  std::lock_guard lock(mu_);
  if (cache_) return cache_;
  auto fresh = std::make_shared<Cache>();
  Status st = db_.read([&](Connection& c) {
    fresh->zones = pricing_store::list_zones(c);
    fresh->automatic = pricing_store::active_automatic(c);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  cache_ = fresh;
  return cache_;
}

void Pricing::drop_cache() {
  std::lock_guard lock(mu_);
  cache_.reset();
}

}  // namespace shopbox
