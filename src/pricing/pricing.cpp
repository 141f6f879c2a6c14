#include "pricing/pricing.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>

#include "base/clock.h"
#include "base/text.h"
#include "config.h"

namespace shopbox {
using json = nlohmann::json;

namespace {

// num / den rounded half-up, for non-negative num and positive den.
Cents half_up_div(__int128 num, __int128 den) {
  if (num <= 0 || den <= 0) return 0;
  return static_cast<Cents>((num * 2 + den) / (den * 2));
}

std::string zip_key(const std::string& zip) {
  std::string out;
  for (char ch : zip)
    if (ch != ' ' && ch != '-') out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  return out;
}

// How specifically `r` matches `d` (rules.h): -1 no match; "*" 0; a
// country 1; a state adds 10; a zip prefix adds 100 per character, so a
// longer prefix always wins, then one with a state.
int region_score(const ShippingRegion& r, const Destination& d) {
  if (r.country == "*") return 0;
  if (d.country.empty() || ascii_upper(r.country) != ascii_upper(d.country)) return -1;
  int score = 1;
  if (!r.state.empty()) {
    if (ascii_upper(r.state) != ascii_upper(d.state)) return -1;
    score += 10;
  }
  if (!r.zip_prefix.empty()) {
    std::string prefix = zip_key(r.zip_prefix);
    if (zip_key(d.zip).compare(0, prefix.size(), prefix) != 0) return -1;
    score += 100 * static_cast<int>(prefix.size());
  }
  return score;
}

bool has_id(const std::vector<int64_t>& ids, int64_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool line_is_eligible(const Discount& d, const PricingLine& l) {
  if (!l.discountable) return false;
  switch (d.scope) {
    case DiscountScope::order:
      return true;
    case DiscountScope::products:
      return has_id(d.scope_ids, l.product_id);
    case DiscountScope::variants:
      return has_id(d.scope_ids, l.variant_id);
    case DiscountScope::categories:
      for (int64_t c : l.categories)
        if (has_id(d.scope_ids, c)) return true;
      return false;
  }
  return false;
}

// The order discounts apply in (pricing.h): buy_x_get_y, percentage,
// fixed_amount, free_shipping; then by id, so the result never depends on
// the order the shopper typed the codes in.
int type_rank(DiscountType t) {
  switch (t) {
    case DiscountType::buy_x_get_y:
      return 0;
    case DiscountType::percentage:
      return 1;
    case DiscountType::fixed_amount:
      return 2;
    case DiscountType::free_shipping:
      return 3;
  }
  return 4;
}

// One discount considered for this cart.
struct DiscountCandidate {
  const Discount* discount = nullptr;
  DiscountUsage usage;
  std::optional<std::string> code;  // as given (codes) or nullopt (automatic)
};

// Why `d` does not apply to this request ("" when it does).
std::string why_not(const DiscountCandidate& cand, const PricingRequest& req, Cents subtotal, json& details) {
  const Discount& d = *cand.discount;
  const Customer& who = req.customer;
  if (!d.active) return "inactive";
  if (d.starts_at && req.now < *d.starts_at) {
    details["starts_at"] = iso8601(*d.starts_at);
    return "not_started";
  }
  if (d.ends_at && req.now >= *d.ends_at) {
    details["ended_at"] = iso8601(*d.ends_at);
    return "expired";
  }
  bool needs_customer = !d.customer_ids.empty() || d.first_order_only || d.per_customer_limit;
  if (needs_customer && who.user_id <= 0) return "sign_in_required";
  if (!d.customer_ids.empty() && !has_id(d.customer_ids, who.user_id)) return "customer_not_eligible";
  if (d.first_order_only && who.has_ordered) return "first_order_only";
  if (d.usage_limit && cand.usage.total >= *d.usage_limit) return "limit_reached";
  if (d.per_customer_limit && cand.usage.by_customer >= *d.per_customer_limit) return "customer_limit_reached";
  int64_t units = 0;
  for (const auto& l : req.lines)
    if (line_is_eligible(d, l)) units += l.quantity;
  // Free shipping for the whole order needs no particular line; scoped to
  // categories, products or variants it needs one of them in the cart.
  bool needs_lines = d.type != DiscountType::free_shipping || d.scope != DiscountScope::order;
  if (units == 0 && needs_lines) return "no_eligible_items";
  if (subtotal < d.min_subtotal) {
    details["minimum"] = cents_to_json(d.min_subtotal);
    details["subtotal"] = cents_to_json(subtotal);
    return "minimum_not_met";
  }
  int64_t min_units = d.min_quantity;
  if (d.type == DiscountType::buy_x_get_y) min_units = std::max(min_units, d.buy_quantity + d.get_quantity);
  if (units < min_units) {
    details["minimum_quantity"] = min_units;
    details["quantity"] = units;
    return "minimum_quantity_not_met";
  }
  return "";
}

// The state of one pricing pass over a set of discounts.
struct PricingPass {
  std::vector<Cents> left;  // what each line still costs after the discounts so far
  std::vector<AppliedDiscount> applied;
  Cents merchandise_discount = 0;
  Cents shipping_discount = 0;
  std::vector<ShippingOption> options;
  std::optional<ShippingOption> method;
  std::string shipping_problem;
  Cents shipping = 0;
};

// Free positions among the first n units (sorted by price, dearest first)
// when of every buy+get units the last `get` are free, counting only
// complete groups (`limit` units).
int64_t free_positions(int64_t n, int64_t buy, int64_t get, int64_t limit) {
  n = std::min(n, limit);
  int64_t group = buy + get;
  return (n / group) * get + std::max<int64_t>(0, n % group - buy);
}

// What `d` takes off each line (before rounding to the discount's total).
std::vector<Cents> discount_weights(const Discount& d, const PricingRequest& req, const std::vector<Cents>& left) {
  std::vector<Cents> weights(req.lines.size(), 0);
  if (d.type != DiscountType::buy_x_get_y) {
    for (size_t i = 0; i < req.lines.size(); ++i)
      if (line_is_eligible(d, req.lines[i])) weights[i] = left[i];
    return weights;
  }
  // Buy X get Y: the eligible units sorted dearest first; in each complete
  // group of X+Y the Y cheapest are discounted.
  std::vector<size_t> order;
  int64_t units = 0;
  for (size_t i = 0; i < req.lines.size(); ++i)
    if (line_is_eligible(d, req.lines[i])) {
      order.push_back(i);
      units += req.lines[i].quantity;
    }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return req.lines[a].unit_price > req.lines[b].unit_price; });
  int64_t group = d.buy_quantity + d.get_quantity;
  int64_t limit = (units / group) * group, pos = 0;
  for (size_t i : order) {
    int64_t q = req.lines[i].quantity;
    int64_t free_units = free_positions(pos + q, d.buy_quantity, d.get_quantity, limit) -
                         free_positions(pos, d.buy_quantity, d.get_quantity, limit);
    weights[i] = std::min(left[i], free_units * req.lines[i].unit_price);
    pos += q;
  }
  return weights;
}

void apply_merchandise_discount(const DiscountCandidate& cand, const PricingRequest& req, PricingPass& pass) {
  const Discount& d = *cand.discount;
  std::vector<Cents> weights = discount_weights(d, req, pass.left);
  Cents base = std::accumulate(weights.begin(), weights.end(), Cents{0});
  Cents amount = 0;
  if (d.type == DiscountType::fixed_amount)
    amount = std::min(d.amount, base);
  else
    amount = std::min(apply_basis_points(base, d.percent_bp), base);
  std::vector<Cents> shares = allocate(amount, weights);
  for (size_t i = 0; i < shares.size(); ++i) pass.left[i] -= shares[i];
  pass.merchandise_discount += amount;
  pass.applied.push_back({d.id, cand.code, d.name, amount, false});
}

// The zone's methods priced for this cart; the chosen one; the problem.
void price_shipping(const ShippingZone* zone, const PricingRequest& req, Cents subtotal, PricingPass& pass) {
  if (!zone) {
    pass.shipping_problem = "no_shipping_to_address";
    return;
  }
  int64_t grams = 0;
  for (const auto& l : req.lines) grams += l.weight_grams * l.quantity;
  Cents after_discounts = subtotal - pass.merchandise_discount;
  for (const auto& m : zone->methods) {
    ShippingOption o{m.id, m.name, m.type, m.price, m.min_days, m.max_days};
    if (m.type == ShippingMethodType::weight) {
      auto tier =
          std::find_if(m.tiers.begin(), m.tiers.end(), [&](const WeightTier& t) { return grams <= t.up_to_grams; });
      if (tier == m.tiers.end()) continue;  // too heavy for this method
      o.price = tier->price;
    } else if (m.type == ShippingMethodType::free_over) {
      o.price = after_discounts > m.free_over ? 0 : m.price;
    } else if (m.type == ShippingMethodType::pickup) {
      o.price = 0;
    }
    pass.options.push_back(o);
  }
  if (pass.options.empty()) {
    pass.shipping_problem = "no_shipping_to_address";
    return;
  }
  // The default: the cheapest delivered method (pickup only when it is the
  // only one: a shopper never gets "collect it yourself" unasked).
  const ShippingOption* cheapest = nullptr;
  for (const auto& o : pass.options)
    if (o.type != ShippingMethodType::pickup && (!cheapest || o.price < cheapest->price)) cheapest = &o;
  if (!cheapest) cheapest = &pass.options.front();
  const ShippingOption* chosen = cheapest;
  if (!req.shipping_method.empty()) {
    auto it = std::find_if(pass.options.begin(), pass.options.end(),
                           [&](const ShippingOption& o) { return o.id == req.shipping_method; });
    if (it == pass.options.end())
      pass.shipping_problem = "shipping_method_unavailable";
    else
      chosen = &*it;
  }
  pass.method = *chosen;
  pass.shipping = subtotal > 0 ? chosen->price : 0;  // nothing to ship, nothing to pay
}

// Runs the discounts in `set` (sorted in application order) and prices shipping.
PricingPass run_pass(const std::vector<const DiscountCandidate*>& set, const PricingRequest& req,
                     const ShippingZone* zone, Cents subtotal) {
  PricingPass pass;
  for (const auto& l : req.lines) pass.left.push_back(l.unit_price * l.quantity);
  for (const DiscountCandidate* c : set)
    if (c->discount->type != DiscountType::free_shipping) apply_merchandise_discount(*c, req, pass);
  price_shipping(zone, req, subtotal, pass);
  for (const DiscountCandidate* c : set)
    if (c->discount->type == DiscountType::free_shipping) {
      Cents amount = pass.shipping - pass.shipping_discount;
      pass.shipping_discount += amount;
      pass.applied.push_back({c->discount->id, c->code, c->discount->name, amount, true});
    }
  return pass;
}

// The discount sets worth comparing (pricing.h): every combinable one
// together, and each non-combinable one alone.
std::vector<std::vector<const DiscountCandidate*>> discount_sets(
    const std::vector<const DiscountCandidate*>& applicable) {
  std::vector<std::vector<const DiscountCandidate*>> sets(1);
  bool any_exclusive = false;
  for (const DiscountCandidate* c : applicable) {
    if (c->discount->combinable)
      sets[0].push_back(c);
    else {
      sets.push_back({c});
      any_exclusive = true;
    }
  }
  if (!any_exclusive) return sets;
  if (sets[0].empty()) sets.erase(sets.begin());
  return sets;
}

// The added and included taxes, and each line's share of the added ones.
void price_tax(const ShippingZone* zone, const PricingRequest& req, const PricingPass& pass, Quote& q) {
  if (!zone) return;
  // One entry per tax rate: its base and what each line (index
  // lines.size() = shipping) put into it.
  struct Bucket {
    std::string name;
    int64_t rate_bp = 0;
    std::vector<Cents> parts;
  };
  std::vector<Bucket> buckets;
  auto add = [&](const TaxRate& r, size_t slot, Cents amount) {
    auto it = std::find_if(buckets.begin(), buckets.end(),
                           [&](const Bucket& b) { return b.name == r.name && b.rate_bp == r.rate_bp; });
    if (it == buckets.end()) {
      buckets.push_back({r.name, r.rate_bp, std::vector<Cents>(req.lines.size() + 1, 0)});
      it = buckets.end() - 1;
    }
    it->parts[slot] += amount;
  };
  auto general = [&](size_t slot, Cents amount) {
    for (const auto& r : zone->tax_rates)
      if (!r.category_id) add(r, slot, amount);
  };
  for (size_t i = 0; i < req.lines.size(); ++i) {
    // The rates of the nearest category that has its own, else the zone's general rates.
    bool own = false;
    for (int64_t cat : req.lines[i].categories) {
      for (const auto& r : zone->tax_rates)
        if (r.category_id == cat) {
          add(r, i, pass.left[i]);
          own = true;
        }
      if (own) break;
    }
    if (!own) general(i, pass.left[i]);
  }
  if (zone->tax_shipping) general(req.lines.size(), pass.shipping - pass.shipping_discount);
  for (const auto& b : buckets) {
    __int128 base = std::accumulate(b.parts.begin(), b.parts.end(), Cents{0});
    Cents amount = zone->prices_include_tax ? half_up_div(base * b.rate_bp, 10000 + b.rate_bp)
                                            : half_up_div(base * b.rate_bp, 10000);
    q.taxes.push_back({b.name, b.rate_bp, amount, zone->prices_include_tax});
    if (zone->prices_include_tax) {
      q.tax_included += amount;
      continue;
    }
    q.tax += amount;
    std::vector<Cents> shares = allocate(amount, b.parts);
    for (size_t i = 0; i < req.lines.size(); ++i) q.lines[i].tax += shares[i];
    q.shipping_tax += shares.back();
  }
}

void free_shipping_nudge(const ShippingZone* zone, Cents after_discounts, Quote& q) {
  if (!zone || !q.shipping_method || q.shipping - q.shipping_discount == 0) return;
  for (const auto& m : zone->methods)
    if (m.type == ShippingMethodType::free_over && after_discounts <= m.free_over) {
      Cents need = m.free_over + 1 - after_discounts;  // strictly over the threshold
      if (!q.free_shipping_remaining || need < *q.free_shipping_remaining) q.free_shipping_remaining = need;
    }
}

}  // namespace

ShippingZone default_zone(const Config& config) {
  ShippingZone z;
  z.name = "Everywhere";
  z.regions = {{"*", "", ""}};
  ShippingMethod m;
  m.id = "standard";
  m.name = "Standard shipping";
  m.type = ShippingMethodType::free_over;
  m.price = config.flat_shipping;
  m.free_over = config.free_shipping_threshold;
  m.max_days = config.delivery_days;
  m.min_days = std::max(1, config.delivery_days - 1);
  z.methods = {m};
  if (config.tax_rate_bp > 0) z.tax_rates = {{"Tax", config.tax_rate_bp, std::nullopt}};
  return z;
}

const ShippingZone* zone_for(const std::vector<ShippingZone>& zones, const Destination& d) {
  const ShippingZone* best = nullptr;
  int best_score = -1;
  for (const auto& z : zones)
    for (const auto& r : z.regions) {
      int s = region_score(r, d);
      if (s > best_score) {
        best_score = s;
        best = &z;
      }
    }
  return best;
}

Quote price(const PricingRules& rules, const PricingRequest& req_in, const Config& config) {
  PricingRequest req = req_in;
  Quote q;
  if (req.destination.empty()) {
    req.destination = {config.shop_country, config.shop_state, ""};
    q.destination_estimated = true;
  }
  q.destination = req.destination;
  ShippingZone fallback;
  const ShippingZone* zone = nullptr;
  if (rules.zones.empty()) {
    fallback = default_zone(config);
    zone = &fallback;
  } else {
    zone = zone_for(rules.zones, req.destination);
  }
  for (const auto& l : req.lines) q.subtotal += l.unit_price * l.quantity;

  // The candidates: automatic promotions and the codes given (each once).
  std::vector<DiscountCandidate> candidates;
  for (const auto& p : rules.automatic) candidates.push_back({&p.discount, p.usage, std::nullopt});
  std::vector<std::string> seen;
  for (const auto& c : req.codes) {
    if (std::find(seen.begin(), seen.end(), c.code) != seen.end()) continue;
    seen.push_back(c.code);
    if (!c.discount) {
      q.rejected.push_back({c.code, "not_found", json::object()});
      continue;
    }
    candidates.push_back({&*c.discount, c.usage, c.code});
  }
  std::vector<const DiscountCandidate*> applicable;
  for (const auto& c : candidates) {
    json details = json::object();
    std::string reason = why_not(c, req, q.subtotal, details);
    if (reason.empty())
      applicable.push_back(&c);
    else if (c.code)
      q.rejected.push_back({*c.code, reason, details});
  }
  std::stable_sort(applicable.begin(), applicable.end(), [](const DiscountCandidate* a, const DiscountCandidate* b) {
    int ra = type_rank(a->discount->type), rb = type_rank(b->discount->type);
    return ra != rb ? ra < rb : a->discount->id < b->discount->id;
  });

  // Each set priced; the shopper pays the least (ties: the earlier set).
  std::optional<PricingPass> best;
  std::vector<const DiscountCandidate*> best_set;
  for (const auto& set : discount_sets(applicable)) {
    PricingPass pass = run_pass(set, req, zone, q.subtotal);
    auto pays = [&](const PricingPass& p) {
      return q.subtotal - p.merchandise_discount + p.shipping - p.shipping_discount;
    };
    if (!best || pays(pass) < pays(*best)) {
      best = std::move(pass);
      best_set = set;
    }
  }
  for (const DiscountCandidate* c : applicable)
    if (c->code && std::find(best_set.begin(), best_set.end(), c) == best_set.end())
      q.rejected.push_back({*c->code, "not_combinable", json::object()});

  const PricingPass& pass = *best;
  q.discounts = pass.applied;
  q.shipping_discount = pass.shipping_discount;
  q.discount = pass.merchandise_discount + pass.shipping_discount;
  q.shipping = pass.shipping;
  q.shipping_options = pass.options;
  q.shipping_method = pass.method;
  q.shipping_problem = pass.shipping_problem;
  if (zone) {
    q.zone_id = zone->id;
    q.zone_name = zone->name;
    q.prices_include_tax = zone->prices_include_tax;
  }
  for (size_t i = 0; i < req.lines.size(); ++i) {
    Cents sub = req.lines[i].unit_price * req.lines[i].quantity;
    q.lines.push_back({sub, sub - pass.left[i], 0});
  }
  price_tax(zone, req, pass, q);
  free_shipping_nudge(zone, q.subtotal - pass.merchandise_discount, q);
  q.total = q.subtotal - q.discount + q.shipping + q.tax;
  return q;
}

Status code_refusal(const RejectedCode& r) {
  if (r.reason == "not_found")
    return Status(Kind::not_found, "discount_not_found", "no discount has the code " + r.code,
                  {{"code", r.code}, {"field", "discount_codes"}});
  json details = r.details;
  details["code"] = r.code;
  details["reason"] = r.reason;
  return Status::Conflict("discount_not_applicable", "the code " + r.code + " does not apply: " + r.reason, details);
}

Status shipping_refusal(const Quote& q, const std::string& asked_method) {
  if (q.shipping_problem == "no_shipping_to_address")
    return Status(Kind::unprocessable, "no_shipping_to_address", "the shop does not ship to this address",
                  {{"field", "shipping_address"}, {"country", q.destination.country}, {"state", q.destination.state}});
  if (q.shipping_problem == "shipping_method_unavailable")
    return Status(Kind::invalid, "shipping_method_unavailable",
                  "the shipping method " + asked_method + " is not offered for this address and order",
                  {{"field", "shipping_method"}});
  return Status::Ok();
}

Destination destination_of(const json& address) {
  auto text = [&](const char* key) {
    auto it = address.find(key);
    return it != address.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  return {text("country"), text("state"), text("zip")};
}

std::vector<Cents> allocate(Cents amount, const std::vector<Cents>& weights) {
  std::vector<Cents> shares(weights.size(), 0);
  __int128 total = 0;
  for (Cents w : weights) total += std::max<Cents>(0, w);
  if (total == 0 || amount == 0) return shares;
  std::vector<std::pair<__int128, size_t>> remainders;
  Cents given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    __int128 exact = static_cast<__int128>(amount) * std::max<Cents>(0, weights[i]);
    shares[i] = static_cast<Cents>(exact / total);
    given += shares[i];
    remainders.push_back({exact % total, i});
  }
  // Largest remainders first; ties: the earlier line.
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; given < amount && k < remainders.size(); ++k, ++given) ++shares[remainders[k].second];
  return shares;
}

Cents line_refund(Cents line_net, int64_t line_quantity, int64_t already, int64_t quantity) {
  if (line_quantity <= 0 || quantity <= 0) return 0;
  auto upto = [&](int64_t units) {
    units = std::clamp<int64_t>(units, 0, line_quantity);
    return static_cast<Cents>(static_cast<__int128>(line_net) * units / line_quantity);
  };
  return upto(already + quantity) - upto(already);
}

int64_t delivery_day_end(int64_t now, int days) {
  constexpr int64_t kDay = 86400;
  return (now / kDay + days) * kDay + kDay - 1;
}

json discounts_json(const std::vector<AppliedDiscount>& discounts) {
  json out = json::array();
  for (const auto& d : discounts)
    out.push_back(
        {{"code", d.code ? json(*d.code) : json(nullptr)}, {"name", d.name}, {"amount", cents_to_json(d.amount)}});
  return out;
}

json taxes_json(const std::vector<TaxLine>& taxes) {
  json out = json::array();
  for (const auto& t : taxes)
    out.push_back(
        {{"name", t.name}, {"rate_bp", t.rate_bp}, {"amount", cents_to_json(t.amount)}, {"included", t.included}});
  return out;
}

json shipping_option_json(const ShippingOption& o, int64_t now) {
  return {{"id", o.id},
          {"name", o.name},
          {"type", shipping_method_type_name(o.type)},
          {"price", cents_to_json(o.price)},
          {"estimated_delivery", iso8601(delivery_day_end(now, o.max_days))},
          {"delivery_days", {{"min", o.min_days}, {"max", o.max_days}}}};
}

json product_shipping_json(const Quote& q) {
  json out = {{"estimated_delivery", nullptr},
              {"free_shipping", false},
              {"free_shipping_threshold", nullptr},
              {"flat_rate", nullptr},
              {"method", nullptr},
              {"destination", {{"country", q.destination.country}, {"state", q.destination.state}}}};
  if (!q.shipping_method) return out;  // the shop does not ship to its own country
  const ShippingOption& m = *q.shipping_method;
  out["method"] = m.name;
  out["estimated_delivery"] = m.min_days == m.max_days
                                  ? std::to_string(m.max_days) + " business days"
                                  : std::to_string(m.min_days) + "-" + std::to_string(m.max_days) + " business days";
  Cents charged = q.shipping - q.shipping_discount;
  out["free_shipping"] = charged == 0;
  out["flat_rate"] = cents_to_json(q.shipping);
  // Free once the merchandise is over the threshold (strictly): the
  // threshold is what this unit costs plus what it lacks, less a cent.
  if (q.free_shipping_remaining)
    out["free_shipping_threshold"] =
        cents_to_json(q.subtotal - (q.discount - q.shipping_discount) + *q.free_shipping_remaining - 1);
  return out;
}

}  // namespace shopbox
