#include "pricing/rules_json.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>
#include <tuple>

#include "base/clock.h"
#include "base/request_fields.h"
#include "base/text.h"

namespace shopbox {

namespace {

using nlohmann::json;

constexpr size_t kRulesMaxName = 200;              // a discount's, zone's, method's or tax rate's name, in characters
constexpr size_t kRulesMaxIds = 1000;              // scope_ids, customer_ids
constexpr size_t kRulesMaxRegions = 1000;          // regions of one zone
constexpr size_t kRulesMaxMethods = 100;           // methods of one zone
constexpr size_t kRulesMaxTiers = 100;             // weight tiers of one method
constexpr size_t kRulesMaxTaxRates = 100;          // tax rates of one zone
constexpr int64_t kRulesMaxCount = 1'000'000'000;  // quantities, limits, grams
constexpr int kRulesMaxDays = 365;

// ---- reading one value ----

// A JSON integer that fits comfortably in int64 (an unsigned 2^64-1 would
// wrap); floats such as 10.5 are not integers.
std::optional<int64_t> rules_int(const json& v) {
  if (!v.is_number_integer()) return std::nullopt;
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return std::nullopt;
  return v.get<int64_t>();
}

// A positive id: "12" (the API's convention) or 12.
std::optional<int64_t> rules_id(const json& v) {
  if (v.is_string()) {
    const auto s = v.get<std::string>();
    if (s.empty() || s.size() > 18) return std::nullopt;
    int64_t id = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec != std::errc() || p != s.data() + s.size() || id <= 0) return std::nullopt;
    return id;
  }
  auto n = rules_int(v);
  if (!n || *n <= 0) return std::nullopt;
  return n;
}

size_t rules_chars(const std::string& s) {  // UTF-8 characters (JSON text is UTF-8)
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

Status rules_read_int(const json& v, const std::string& field, int64_t& out) {
  auto n = rules_int(v);
  if (!n) return field_error(field, field + " must be an integer");
  out = *n;
  return Status::Ok();
}

Status rules_read_opt_int(const json& v, const std::string& field, std::optional<int64_t>& out) {
  if (v.is_null()) {
    out.reset();
    return Status::Ok();
  }
  int64_t n = 0;
  if (auto st = rules_read_int(v, field, n); !st.ok()) return st;
  out = n;
  return Status::Ok();
}

Status rules_read_money(const json& v, const std::string& field, Cents& out) {
  auto c = v.is_number() || v.is_string() ? cents_from_json(v) : std::nullopt;
  if (!c) return field_error(field, field + " must be an amount in major units with at most two decimals (5.00)");
  out = *c;
  return Status::Ok();
}

Status rules_read_bool(const json& v, const std::string& field, bool& out) {
  if (!v.is_boolean()) return field_error(field, field + " must be true or false");
  out = v.get<bool>();
  return Status::Ok();
}

Status rules_read_string(const json& v, const std::string& field, std::string& out) {
  if (!v.is_string()) return field_error(field, field + " must be a string");
  out = trim(v.get<std::string>());
  return Status::Ok();
}

Status rules_read_time(const json& v, const std::string& field, std::optional<int64_t>& out) {
  if (v.is_null()) {
    out.reset();
    return Status::Ok();
  }
  auto t = v.is_string() ? parse_iso8601(v.get<std::string>()) : std::nullopt;
  if (!t) return field_error(field, field + " must be an ISO 8601 time such as 2026-01-01T00:00:00Z, or null");
  out = *t;
  return Status::Ok();
}

Status rules_read_ids(const json& v, const std::string& field, std::vector<int64_t>& out) {
  if (!v.is_array()) return field_error(field, field + " must be an array of ids");
  if (v.size() > kRulesMaxIds) return field_error(field, field + " holds at most 1000 ids");
  std::vector<int64_t> ids;
  for (size_t i = 0; i < v.size(); ++i) {
    auto id = rules_id(v[i]);
    if (!id) return field_error(field, field + "[" + std::to_string(i) + "] must be an id (a string of digits)");
    if (std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(*id);
  }
  out = std::move(ids);
  return Status::Ok();
}

json rules_ids_json(const std::vector<int64_t>& ids) {
  json out = json::array();
  for (int64_t id : ids) out.push_back(std::to_string(id));
  return out;
}

json rules_opt_time(const std::optional<int64_t>& t) {
  return t ? json(iso8601(*t)) : json(nullptr);
}

json rules_opt_int(const std::optional<int64_t>& n) {
  return n ? json(*n) : json(nullptr);
}

Status rules_name_check(const std::string& name, const std::string& field) {
  if (name.empty()) return field_error(field, field + " must not be empty");
  if (rules_chars(name) > kRulesMaxName) return field_error(field, field + " is too long (at most 200 characters)");
  return Status::Ok();
}

}  // namespace

// ---- discounts ----

json discount_json(const Discount& d, const DiscountUsage& usage) {
  json remaining = nullptr;
  if (d.usage_limit) remaining = std::max<int64_t>(0, *d.usage_limit - usage.total);
  return {{"id", std::to_string(d.id)},
          {"code", d.code ? json(*d.code) : json(nullptr)},
          {"automatic", !d.code.has_value()},
          {"name", d.name},
          {"type", discount_type_name(d.type)},
          {"percent_bp", d.percent_bp},
          {"amount", cents_to_json(d.amount)},
          {"buy_quantity", d.buy_quantity},
          {"get_quantity", d.get_quantity},
          {"scope", discount_scope_name(d.scope)},
          {"scope_ids", rules_ids_json(d.scope_ids)},
          {"min_subtotal", cents_to_json(d.min_subtotal)},
          {"min_quantity", d.min_quantity},
          {"starts_at", rules_opt_time(d.starts_at)},
          {"ends_at", rules_opt_time(d.ends_at)},
          {"first_order_only", d.first_order_only},
          {"customer_ids", rules_ids_json(d.customer_ids)},
          {"usage_limit", rules_opt_int(d.usage_limit)},
          {"per_customer_limit", rules_opt_int(d.per_customer_limit)},
          {"combinable", d.combinable},
          {"active", d.active},
          {"usage", {{"total", usage.total}, {"held", usage.held}, {"kept", usage.kept}, {"remaining", remaining}}},
          {"created_at", iso8601(d.created_at)},
          {"updated_at", iso8601(d.updated_at)}};
}

namespace {

// One discount field from the body onto d (only_fields has let through known keys only).
Status discount_field(const std::string& key, const json& v, Discount& d) {
  if (key == "code") {
    if (v.is_null()) {
      d.code.reset();
      return Status::Ok();
    }
    if (!v.is_string()) return field_error("code", "code must be a string, or null for an automatic discount");
    auto code = normalize_code(v.get<std::string>());
    if (!code)
      return field_error("code", "code must be 1 to 50 letters, digits, '-' or '_' (no spaces), e.g. SPRING10");
    d.code = *code;
    return Status::Ok();
  }
  if (key == "name") return rules_read_string(v, "name", d.name);
  if (key == "type" || key == "scope") {
    if (!v.is_string()) return field_error(key, key + " must be a string");
    const auto text = v.get<std::string>();
    if (key == "type") {
      auto t = parse_discount_type(text);
      if (!t) return field_error("type", "type must be one of percentage, fixed_amount, free_shipping, buy_x_get_y");
      d.type = *t;
    } else {
      auto s = parse_discount_scope(text);
      if (!s) return field_error("scope", "scope must be one of order, categories, products, variants");
      d.scope = *s;
    }
    return Status::Ok();
  }
  if (key == "percent_bp") return rules_read_int(v, key, d.percent_bp);
  if (key == "amount") return rules_read_money(v, key, d.amount);
  if (key == "buy_quantity") return rules_read_int(v, key, d.buy_quantity);
  if (key == "get_quantity") return rules_read_int(v, key, d.get_quantity);
  if (key == "scope_ids") return rules_read_ids(v, key, d.scope_ids);
  if (key == "min_subtotal") return rules_read_money(v, key, d.min_subtotal);
  if (key == "min_quantity") return rules_read_int(v, key, d.min_quantity);
  if (key == "starts_at") return rules_read_time(v, key, d.starts_at);
  if (key == "ends_at") return rules_read_time(v, key, d.ends_at);
  if (key == "first_order_only") return rules_read_bool(v, key, d.first_order_only);
  if (key == "customer_ids") return rules_read_ids(v, key, d.customer_ids);
  if (key == "usage_limit") return rules_read_opt_int(v, key, d.usage_limit);
  if (key == "per_customer_limit") return rules_read_opt_int(v, key, d.per_customer_limit);
  if (key == "combinable") return rules_read_bool(v, key, d.combinable);
  return rules_read_bool(v, key, d.active);  // "active": only_fields let nothing else through
}

// Resets a field the type does not use; 400 when the body gave it a value.
Status discount_unused(const json& body, const char* field, const char* applies_to, int64_t& value) {
  auto it = body.find(field);
  if (it != body.end() && !(it->is_number() && *it == 0))
    return field_error(field, std::string(field) + " applies only to " + applies_to + " discounts");
  value = 0;
  return Status::Ok();
}

}  // namespace

Status apply_discount_json(const json& body, Discount& d, bool creating) {
  if (!body.is_object()) return Status::Invalid("the body must be a JSON object");
  if (auto st =
          only_fields(body, {"code", "name", "type", "percent_bp", "amount", "buy_quantity", "get_quantity", "scope",
                             "scope_ids", "min_subtotal", "min_quantity", "starts_at", "ends_at", "first_order_only",
                             "customer_ids", "usage_limit", "per_customer_limit", "combinable", "active"});
      !st.ok())
    return st;
  if (creating) {
    for (const char* required : {"name", "type"})
      if (!body.contains(required)) return field_error(required, std::string(required) + " is required");
  }
  const DiscountType type_before = d.type;
  for (auto it = body.begin(); it != body.end(); ++it)
    if (auto st = discount_field(it.key(), it.value(), d); !st.ok()) return st;

  const bool percent = d.type == DiscountType::percentage || d.type == DiscountType::buy_x_get_y;
  if (!percent) {
    if (auto st = discount_unused(body, "percent_bp", "percentage and buy_x_get_y", d.percent_bp); !st.ok()) return st;
  } else if (d.type == DiscountType::buy_x_get_y && !body.contains("percent_bp") &&
             (creating || type_before != d.type)) {
    d.percent_bp = 10000;  // "buy 2, get 1 free" unless said otherwise
  }
  if (d.type != DiscountType::fixed_amount)
    if (auto st = discount_unused(body, "amount", "fixed_amount", d.amount); !st.ok()) return st;
  if (d.type != DiscountType::buy_x_get_y) {
    if (auto st = discount_unused(body, "buy_quantity", "buy_x_get_y", d.buy_quantity); !st.ok()) return st;
    if (auto st = discount_unused(body, "get_quantity", "buy_x_get_y", d.get_quantity); !st.ok()) return st;
  }
  if (d.scope == DiscountScope::order) {
    if (auto it = body.find("scope_ids"); it != body.end() && !d.scope_ids.empty())
      return field_error("scope_ids", "scope_ids apply to the scopes categories, products and variants");
    d.scope_ids.clear();
  }
  return Status::Ok();
}

Status check_discount(const Discount& d) {
  if (auto st = rules_name_check(d.name, "name"); !st.ok()) return st;
  if (d.code && normalize_code(*d.code) != d.code)
    return field_error("code", "code must be 1 to 50 letters, digits, '-' or '_' (no spaces), e.g. SPRING10");
  const bool percent = d.type == DiscountType::percentage || d.type == DiscountType::buy_x_get_y;
  if (percent && (d.percent_bp < 1 || d.percent_bp > 10000))
    return field_error("percent_bp", "percent_bp must be from 1 to 10000 (basis points: 1000 is 10 %)");
  if (!percent && d.percent_bp != 0)
    return field_error("percent_bp", "percent_bp applies only to percentage and buy_x_get_y discounts");
  if (d.type == DiscountType::fixed_amount && (d.amount <= 0 || d.amount > kMaxCents))
    return field_error("amount", "amount must be more than 0 and at most 1000000000.00");
  if (d.type != DiscountType::fixed_amount && d.amount != 0)
    return field_error("amount", "amount applies only to fixed_amount discounts");
  const bool bxgy = d.type == DiscountType::buy_x_get_y;
  for (auto [field, q] : {std::pair{"buy_quantity", d.buy_quantity}, std::pair{"get_quantity", d.get_quantity}}) {
    if (bxgy && (q < 1 || q > kRulesMaxCount))
      return field_error(field, std::string(field) + " must be at least 1 for buy_x_get_y discounts");
    if (!bxgy && q != 0) return field_error(field, std::string(field) + " applies only to buy_x_get_y discounts");
  }
  if (d.scope != DiscountScope::order && d.scope_ids.empty())
    return field_error("scope_ids", std::string("scope ") + discount_scope_name(d.scope) + " needs scope_ids");
  if (d.scope == DiscountScope::order && !d.scope_ids.empty())
    return field_error("scope_ids", "scope_ids apply to the scopes categories, products and variants");
  for (auto [field, ids] : {std::pair{"scope_ids", &d.scope_ids}, std::pair{"customer_ids", &d.customer_ids}}) {
    if (ids->size() > kRulesMaxIds) return field_error(field, std::string(field) + " holds at most 1000 ids");
    for (int64_t id : *ids)
      if (id <= 0) return field_error(field, std::string(field) + " must be positive ids");
  }
  if (d.min_subtotal < 0 || d.min_subtotal > kMaxCents)
    return field_error("min_subtotal", "min_subtotal must be 0 or more");
  if (d.min_quantity < 0 || d.min_quantity > kRulesMaxCount)
    return field_error("min_quantity", "min_quantity must be 0 or more");
  if (d.starts_at && d.ends_at && *d.ends_at <= *d.starts_at)
    return field_error("ends_at", "ends_at must be after starts_at");
  for (auto [field, limit] :
       {std::pair{"usage_limit", d.usage_limit}, std::pair{"per_customer_limit", d.per_customer_limit}})
    if (limit && (*limit < 1 || *limit > kRulesMaxCount))
      return field_error(field, std::string(field) + " must be at least 1, or null for no limit");
  return Status::Ok();
}

// ---- shipping zones ----

bool valid_shipping_method_id(const std::string& id) {
  if (id.empty() || id.size() > kMaxShippingMethodId) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; });
}

std::string shipping_method_slug(const std::string& name) {
  std::string slug;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool word = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (word)
      slug.push_back(c);
    else if (!slug.empty() && slug.back() != '-')
      slug.push_back('-');
    if (slug.size() >= kMaxShippingMethodId) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug.empty() ? "method" : slug;
}

json zone_json(const ShippingZone& z) {
  json regions = json::array(), methods = json::array(), rates = json::array();
  auto opt_text = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  for (const auto& r : z.regions)
    regions.push_back({{"country", r.country}, {"state", opt_text(r.state)}, {"zip_prefix", opt_text(r.zip_prefix)}});
  for (const auto& m : z.methods) {
    json tiers = json::array();
    for (const auto& t : m.tiers) tiers.push_back({{"up_to_grams", t.up_to_grams}, {"price", cents_to_json(t.price)}});
    methods.push_back(
        {{"id", m.id},
         {"name", m.name},
         {"type", shipping_method_type_name(m.type)},
         {"price", cents_to_json(m.price)},
         {"free_over", m.type == ShippingMethodType::free_over ? cents_to_json(m.free_over) : json(nullptr)},
         {"tiers", tiers},
         {"min_days", m.min_days},
         {"max_days", m.max_days}});
  }
  for (const auto& t : z.tax_rates)
    rates.push_back({{"name", t.name},
                     {"rate_bp", t.rate_bp},
                     {"category_id", t.category_id ? json(std::to_string(*t.category_id)) : json(nullptr)}});
  json out = {{"name", z.name},
              {"position", z.position},
              {"regions", regions},
              {"methods", methods},
              {"tax_rates", rates},
              {"tax_shipping", z.tax_shipping},
              {"prices_include_tax", z.prices_include_tax}};
  if (z.id > 0) {
    out["id"] = std::to_string(z.id);
    out["created_at"] = iso8601(z.created_at);
    out["updated_at"] = iso8601(z.updated_at);
  }
  return out;
}

namespace {

Status zone_region_from(const json& v, const std::string& at, ShippingRegion& r) {
  if (!v.is_object()) return field_error(at, at + " must be an object {country, state?, zip_prefix?}");
  if (auto st = only_fields(v, {"country", "state", "zip_prefix"}, at + "."); !st.ok()) return st;
  auto text = [&](const char* key, bool required, std::string& out) -> Status {
    auto it = v.find(key);
    const std::string field = at + "." + key;
    if (it == v.end() || it->is_null()) {
      if (required) return field_error(field, field + " is required");
      out.clear();
      return Status::Ok();
    }
    if (!it->is_string()) return field_error(field, field + " must be a string");
    out = trim(it->get<std::string>());
    for (char& c : out)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');  // "us" is US, "wa" is WA
    return Status::Ok();
  };
  if (auto st = text("country", true, r.country); !st.ok()) return st;
  if (auto st = text("state", false, r.state); !st.ok()) return st;
  return text("zip_prefix", false, r.zip_prefix);
}

Status zone_tiers_from(const json& v, const std::string& at, std::vector<WeightTier>& tiers) {
  if (!v.is_array()) return field_error(at, at + " must be an array of {up_to_grams, price}");
  if (v.size() > kRulesMaxTiers) return field_error(at, at + " holds at most 100 tiers");
  tiers.clear();
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string ti = at + "[" + std::to_string(i) + "]";
    if (!v[i].is_object()) return field_error(ti, ti + " must be an object {up_to_grams, price}");
    if (auto st = only_fields(v[i], {"up_to_grams", "price"}, ti + "."); !st.ok()) return st;
    WeightTier t;
    for (const char* key : {"up_to_grams", "price"})
      if (!v[i].contains(key)) return field_error(ti + "." + key, ti + "." + key + " is required");
    if (auto st = rules_read_int(v[i]["up_to_grams"], ti + ".up_to_grams", t.up_to_grams); !st.ok()) return st;
    if (auto st = rules_read_money(v[i]["price"], ti + ".price", t.price); !st.ok()) return st;
    tiers.push_back(t);
  }
  return Status::Ok();
}

Status zone_method_from(const json& v, const std::string& at, ShippingMethod& m) {
  if (!v.is_object()) return field_error(at, at + " must be an object");
  if (auto st = only_fields(v, {"id", "name", "type", "price", "free_over", "tiers", "min_days", "max_days"}, at + ".");
      !st.ok())
    return st;
  for (const char* key : {"name", "type"})
    if (!v.contains(key)) return field_error(at + "." + key, at + "." + key + " is required");
  if (auto it = v.find("id"); it != v.end() && !it->is_null())
    if (auto st = rules_read_string(*it, at + ".id", m.id); !st.ok()) return st;
  if (auto st = rules_read_string(v["name"], at + ".name", m.name); !st.ok()) return st;
  auto type = v["type"].is_string() ? parse_shipping_method_type(v["type"].get<std::string>()) : std::nullopt;
  if (!type) return field_error(at + ".type", at + ".type must be one of flat, weight, free_over, pickup");
  m.type = *type;
  const bool priced = m.type == ShippingMethodType::flat || m.type == ShippingMethodType::free_over;
  if (auto it = v.find("price"); it != v.end() && !it->is_null()) {
    if (auto st = rules_read_money(*it, at + ".price", m.price); !st.ok()) return st;
  } else if (priced) {
    return field_error(at + ".price", at + ".price is required for " + shipping_method_type_name(m.type) + " methods");
  }
  if (auto it = v.find("free_over"); it != v.end() && !it->is_null()) {
    if (m.type != ShippingMethodType::free_over)
      return field_error(at + ".free_over", at + ".free_over applies only to free_over methods");
    if (auto st = rules_read_money(*it, at + ".free_over", m.free_over); !st.ok()) return st;
  } else if (m.type == ShippingMethodType::free_over) {
    return field_error(at + ".free_over", at + ".free_over is required for free_over methods");
  }
  if (auto it = v.find("tiers"); it != v.end() && !it->is_null()) {
    if (m.type != ShippingMethodType::weight && !(it->is_array() && it->empty()))
      return field_error(at + ".tiers", at + ".tiers apply only to weight methods");
    if (auto st = zone_tiers_from(*it, at + ".tiers", m.tiers); !st.ok()) return st;
  }
  int64_t min_days = 0, max_days = -1;
  if (auto it = v.find("min_days"); it != v.end())
    if (auto st = rules_read_int(*it, at + ".min_days", min_days); !st.ok()) return st;
  if (auto it = v.find("max_days"); it != v.end())
    if (auto st = rules_read_int(*it, at + ".max_days", max_days); !st.ok()) return st;
  if (max_days == -1 && !v.contains("max_days")) max_days = min_days;  // "3 days" is 3 to 3
  for (auto [field, days] : {std::pair{".min_days", min_days}, std::pair{".max_days", max_days}})
    if (days < 0 || days > kRulesMaxDays) return field_error(at + field, at + field + " must be from 0 to 365");
  m.min_days = static_cast<int>(min_days);
  m.max_days = static_cast<int>(max_days);
  return Status::Ok();
}

Status zone_tax_rate_from(const json& v, const std::string& at, TaxRate& t) {
  if (!v.is_object()) return field_error(at, at + " must be an object {name, rate_bp, category_id?}");
  if (auto st = only_fields(v, {"name", "rate_bp", "category_id"}, at + "."); !st.ok()) return st;
  for (const char* key : {"name", "rate_bp"})
    if (!v.contains(key)) return field_error(at + "." + key, at + "." + key + " is required");
  if (auto st = rules_read_string(v["name"], at + ".name", t.name); !st.ok()) return st;
  if (auto st = rules_read_int(v["rate_bp"], at + ".rate_bp", t.rate_bp); !st.ok()) return st;
  t.category_id.reset();
  if (auto it = v.find("category_id"); it != v.end() && !it->is_null()) {
    auto id = rules_id(*it);
    if (!id) return field_error(at + ".category_id", at + ".category_id must be a category id, or null");
    t.category_id = *id;
  }
  return Status::Ok();
}

// Reads body[key] (an array) with `one` per element into `out`.
template <typename T, typename ReadOne>
Status zone_list_from(const json& body, const char* key, size_t max, std::vector<T>& out, ReadOne one) {
  auto it = body.find(key);
  if (it == body.end()) return Status::Ok();
  if (!it->is_array()) return field_error(key, std::string(key) + " must be an array");
  if (it->size() > max) return field_error(key, std::string(key) + " holds at most " + std::to_string(max));
  std::vector<T> list;
  for (size_t i = 0; i < it->size(); ++i) {
    T item;
    if (auto st = one((*it)[i], std::string(key) + "[" + std::to_string(i) + "]", item); !st.ok()) return st;
    list.push_back(std::move(item));
  }
  out = std::move(list);
  return Status::Ok();
}

}  // namespace

Status apply_zone_json(const json& body, ShippingZone& z, bool creating) {
  if (!body.is_object()) return Status::Invalid("the body must be a JSON object");
  if (auto st = only_fields(
          body, {"name", "position", "regions", "methods", "tax_rates", "tax_shipping", "prices_include_tax"});
      !st.ok())
    return st;
  if (creating)
    for (const char* required : {"name", "regions"})
      if (!body.contains(required)) return field_error(required, std::string(required) + " is required");
  if (auto it = body.find("name"); it != body.end())
    if (auto st = rules_read_string(*it, "name", z.name); !st.ok()) return st;
  if (auto it = body.find("position"); it != body.end()) {
    int64_t position = 0;
    if (auto st = rules_read_int(*it, "position", position); !st.ok()) return st;
    if (position < 0 || position > 1'000'000) return field_error("position", "position must be from 0 to 1000000");
    z.position = static_cast<int>(position);
  }
  for (auto [key, flag] :
       {std::pair{"tax_shipping", &z.tax_shipping}, std::pair{"prices_include_tax", &z.prices_include_tax}})
    if (auto it = body.find(key); it != body.end())
      if (auto st = rules_read_bool(*it, key, *flag); !st.ok()) return st;
  if (auto st = zone_list_from(body, "regions", kRulesMaxRegions, z.regions, zone_region_from); !st.ok()) return st;
  if (auto st = zone_list_from(body, "methods", kRulesMaxMethods, z.methods, zone_method_from); !st.ok()) return st;
  return zone_list_from(body, "tax_rates", kRulesMaxTaxRates, z.tax_rates, zone_tax_rate_from);
}

namespace {

bool zone_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

Status zone_check_region(const ShippingRegion& r, const std::string& at) {
  const bool country = r.country == "*" ||
                       (r.country.size() == 2 &&
                        std::all_of(r.country.begin(), r.country.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
  if (!country)
    return field_error(at + ".country", at + ".country must be a two-letter country code (US) or \"*\" (anywhere)");
  if (!r.state.empty() && (r.state.size() > 3 || !std::all_of(r.state.begin(), r.state.end(), zone_alnum)))
    return field_error(at + ".state", at + ".state must be 1 to 3 letters or digits (WA)");
  if (!r.zip_prefix.empty() &&
      (r.zip_prefix.size() > 10 || !std::all_of(r.zip_prefix.begin(), r.zip_prefix.end(),
                                                [](char c) { return zone_alnum(c) || c == ' ' || c == '-'; })))
    return field_error(at + ".zip_prefix", at + ".zip_prefix must be 1 to 10 letters, digits, spaces or '-'");
  if (r.country == "*" && (!r.state.empty() || !r.zip_prefix.empty()))
    return field_error(at + ".country", at + ": \"*\" (anywhere) takes no state or zip_prefix");
  return Status::Ok();
}

Status zone_check_method(const ShippingMethod& m, const std::string& at) {
  if (!m.id.empty() && !valid_shipping_method_id(m.id))
    return field_error(at + ".id", at + ".id must be 1 to 40 of a-z, 0-9, '-' and '_'");
  if (auto st = rules_name_check(m.name, at + ".name"); !st.ok()) return st;
  if (m.price < 0 || m.price > kMaxCents) return field_error(at + ".price", at + ".price must be 0 or more");
  if (m.type == ShippingMethodType::free_over && (m.free_over < 0 || m.free_over > kMaxCents))
    return field_error(at + ".free_over", at + ".free_over must be 0 or more");
  if (m.type == ShippingMethodType::weight && m.tiers.empty())
    return field_error(at + ".tiers", at + ".tiers: a weight method needs at least one tier");
  if (m.type != ShippingMethodType::weight && !m.tiers.empty())
    return field_error(at + ".tiers", at + ".tiers apply only to weight methods");
  if (m.tiers.size() > kRulesMaxTiers) return field_error(at + ".tiers", at + ".tiers holds at most 100 tiers");
  for (size_t i = 0; i < m.tiers.size(); ++i) {
    const std::string ti = at + ".tiers[" + std::to_string(i) + "]";
    const auto& t = m.tiers[i];
    if (t.up_to_grams <= 0 || t.up_to_grams > kRulesMaxCount)
      return field_error(ti + ".up_to_grams", ti + ".up_to_grams must be more than 0");
    if (i > 0 && t.up_to_grams <= m.tiers[i - 1].up_to_grams)
      return field_error(ti + ".up_to_grams", ti + ".up_to_grams must be more than the tier before it");
    if (t.price < 0 || t.price > kMaxCents) return field_error(ti + ".price", ti + ".price must be 0 or more");
  }
  if (m.min_days < 0 || m.min_days > kRulesMaxDays)
    return field_error(at + ".min_days", at + ".min_days must be from 0 to 365");
  if (m.max_days < 0 || m.max_days > kRulesMaxDays)
    return field_error(at + ".max_days", at + ".max_days must be from 0 to 365");
  if (m.min_days > m.max_days) return field_error(at + ".max_days", at + ".max_days must be at least min_days");
  return Status::Ok();
}

}  // namespace

Status check_zone(const ShippingZone& z) {
  if (auto st = rules_name_check(z.name, "name"); !st.ok()) return st;
  if (z.position < 0 || z.position > 1'000'000) return field_error("position", "position must be from 0 to 1000000");
  if (z.regions.empty()) return field_error("regions", "a zone serves at least one region");
  if (z.regions.size() > kRulesMaxRegions) return field_error("regions", "regions holds at most 1000");
  std::set<std::tuple<std::string, std::string, std::string>> seen_regions;
  for (size_t i = 0; i < z.regions.size(); ++i) {
    const std::string at = "regions[" + std::to_string(i) + "]";
    const auto& r = z.regions[i];
    if (auto st = zone_check_region(r, at); !st.ok()) return st;
    if (!seen_regions.insert({r.country, r.state, r.zip_prefix}).second)
      return field_error(at, at + " is listed twice");
  }
  if (z.methods.size() > kRulesMaxMethods) return field_error("methods", "methods holds at most 100");
  std::set<std::string> seen_ids;
  for (size_t i = 0; i < z.methods.size(); ++i) {
    const std::string at = "methods[" + std::to_string(i) + "]";
    if (auto st = zone_check_method(z.methods[i], at); !st.ok()) return st;
    if (!z.methods[i].id.empty() && !seen_ids.insert(z.methods[i].id).second)
      return field_error(at + ".id", at + ".id \"" + z.methods[i].id + "\" is used by another method");
  }
  if (z.tax_rates.size() > kRulesMaxTaxRates) return field_error("tax_rates", "tax_rates holds at most 100");
  std::set<std::pair<std::string, int64_t>> seen_rates;  // (name, category or 0)
  for (size_t i = 0; i < z.tax_rates.size(); ++i) {
    const std::string at = "tax_rates[" + std::to_string(i) + "]";
    const auto& t = z.tax_rates[i];
    if (auto st = rules_name_check(t.name, at + ".name"); !st.ok()) return st;
    if (t.rate_bp < 0 || t.rate_bp > 10000)
      return field_error(at + ".rate_bp", at + ".rate_bp must be from 0 to 10000 (basis points: 650 is 6.5 %)");
    if (t.category_id && *t.category_id <= 0)
      return field_error(at + ".category_id", at + ".category_id must be a category id");
    if (!seen_rates.insert({t.name, t.category_id.value_or(0)}).second)
      return field_error(at + ".name", at + ": \"" + t.name + "\" is listed twice" +
                                           (t.category_id ? " for this category" : " as a general rate"));
  }
  return Status::Ok();
}

}  // namespace shopbox
