#include "pricing/pricing_store.h"

#include <nlohmann/json.hpp>

#include "storage/rows.h"

namespace shopbox::pricing_store {

namespace {

using nlohmann::json;

#define SB_DISCOUNT_COLUMNS                                                                                 \
  "discount_id, code, name, type, percent_bp, amount_cents, buy_quantity, get_quantity, scope, scope_ids, " \
  "min_subtotal_cents, min_quantity, starts_at, ends_at, first_order_only, customer_ids, usage_limit, "     \
  "per_customer_limit, combinable, active, created_at, updated_at"

// A stored id list: the shop wrote it, but a damaged value reads as empty
// rather than failing every cart view.
std::vector<int64_t> pricing_ids_from_text(const std::string& text) {
  std::vector<int64_t> ids;
  json j = stored_json(text, json::array());
  if (!j.is_array()) return ids;
  for (const auto& v : j)
    if (v.is_number_integer()) ids.push_back(v.get<int64_t>());
  return ids;
}

std::string pricing_ids_to_text(const std::vector<int64_t>& ids) {
  return json(ids).dump();
}

Discount discount_row(Statement& st) {
  Columns row(st);
  Discount d;
  d.id = row.int64();
  d.code = row.opt_text();
  d.name = row.text();
  d.type = parse_discount_type(row.text()).value_or(DiscountType::percentage);
  d.percent_bp = row.int64();
  d.amount = row.int64();
  d.buy_quantity = row.int64();
  d.get_quantity = row.int64();
  d.scope = parse_discount_scope(row.text()).value_or(DiscountScope::order);
  d.scope_ids = pricing_ids_from_text(row.text());
  d.min_subtotal = row.int64();
  d.min_quantity = row.int64();
  d.starts_at = row.opt_int64();
  d.ends_at = row.opt_int64();
  d.first_order_only = row.boolean();
  d.customer_ids = pricing_ids_from_text(row.text());
  d.usage_limit = row.opt_int64();
  d.per_customer_limit = row.opt_int64();
  d.combinable = row.boolean();
  d.active = row.boolean();
  d.created_at = row.int64();
  d.updated_at = row.int64();
  row.done();
  return d;
}

// Binds the discount's rule fields to ?1..?19 in the column order of
// SB_DISCOUNT_COLUMNS without the id and the timestamps.
void bind_discount(Statement& st, const Discount& d) {
  st.bind(1, d.code).bind(2, d.name).bind(3, discount_type_name(d.type)).bind(4, d.percent_bp).bind(5, d.amount);
  st.bind(6, d.buy_quantity).bind(7, d.get_quantity).bind(8, discount_scope_name(d.scope));
  st.bind(9, pricing_ids_to_text(d.scope_ids)).bind(10, d.min_subtotal).bind(11, d.min_quantity);
  st.bind(12, d.starts_at).bind(13, d.ends_at).bind(14, int64_t{d.first_order_only ? 1 : 0});
  st.bind(15, pricing_ids_to_text(d.customer_ids)).bind(16, d.usage_limit).bind(17, d.per_customer_limit);
  st.bind(18, int64_t{d.combinable ? 1 : 0}).bind(19, int64_t{d.active ? 1 : 0});
}

// ---- a zone's definition column: its parts as JSON, money in cents ----

json stored_zone_definition(const ShippingZone& z) {
  json regions = json::array(), methods = json::array(), rates = json::array();
  for (const auto& r : z.regions)
    regions.push_back({{"country", r.country}, {"state", r.state}, {"zip_prefix", r.zip_prefix}});
  for (const auto& m : z.methods) {
    json tiers = json::array();
    for (const auto& t : m.tiers) tiers.push_back({{"up_to_grams", t.up_to_grams}, {"price_cents", t.price}});
    methods.push_back({{"id", m.id},
                       {"name", m.name},
                       {"type", shipping_method_type_name(m.type)},
                       {"price_cents", m.price},
                       {"free_over_cents", m.free_over},
                       {"tiers", tiers},
                       {"min_days", m.min_days},
                       {"max_days", m.max_days}});
  }
  for (const auto& t : z.tax_rates)
    rates.push_back({{"name", t.name},
                     {"rate_bp", t.rate_bp},
                     {"category_id", t.category_id ? json(*t.category_id) : json(nullptr)}});
  return {{"regions", regions},
          {"methods", methods},
          {"tax_rates", rates},
          {"tax_shipping", z.tax_shipping},
          {"prices_include_tax", z.prices_include_tax}};
}

// A value of the stored definition, or `fallback` when it is missing or of
// another type (a damaged row reads as an empty part, never throws).
template <typename T>
T stored_zone_value(const json& obj, const char* key, T fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  if (it == obj.end()) return fallback;
  if constexpr (std::is_same_v<T, std::string>) {
    return it->is_string() ? it->get<std::string>() : fallback;
  } else if constexpr (std::is_same_v<T, bool>) {
    return it->is_boolean() ? it->get<bool>() : fallback;
  } else {
    return it->is_number_integer() ? it->get<T>() : fallback;
  }
}

ShippingMethod stored_method_from(const json& m) {
  ShippingMethod out;
  out.id = stored_zone_value<std::string>(m, "id", "");
  out.name = stored_zone_value<std::string>(m, "name", "");
  out.type =
      parse_shipping_method_type(stored_zone_value<std::string>(m, "type", "flat")).value_or(ShippingMethodType::flat);
  out.price = stored_zone_value<int64_t>(m, "price_cents", 0);
  out.free_over = stored_zone_value<int64_t>(m, "free_over_cents", 0);
  if (auto it = m.find("tiers"); it != m.end() && it->is_array())
    for (const auto& t : *it)
      out.tiers.push_back(
          {stored_zone_value<int64_t>(t, "up_to_grams", 0), stored_zone_value<int64_t>(t, "price_cents", 0)});
  out.min_days = stored_zone_value<int>(m, "min_days", 0);
  out.max_days = stored_zone_value<int>(m, "max_days", 0);
  return out;
}

void read_stored_zone_definition(const std::string& text, ShippingZone& z) {
  json def = stored_json(text, json::object());
  if (!def.is_object()) return;
  auto array = [&](const char* key) {
    auto it = def.find(key);
    return it != def.end() && it->is_array() ? *it : json::array();
  };
  for (const auto& r : array("regions"))
    z.regions.push_back({stored_zone_value<std::string>(r, "country", ""),
                         stored_zone_value<std::string>(r, "state", ""),
                         stored_zone_value<std::string>(r, "zip_prefix", "")});
  for (const auto& m : array("methods"))
    if (m.is_object()) z.methods.push_back(stored_method_from(m));
  for (const auto& t : array("tax_rates")) {
    TaxRate rate;
    rate.name = stored_zone_value<std::string>(t, "name", "");
    rate.rate_bp = stored_zone_value<int64_t>(t, "rate_bp", 0);
    if (t.is_object() && t.contains("category_id") && t["category_id"].is_number_integer())
      rate.category_id = t["category_id"].get<int64_t>();
    z.tax_rates.push_back(std::move(rate));
  }
  z.tax_shipping = stored_zone_value<bool>(def, "tax_shipping", false);
  z.prices_include_tax = stored_zone_value<bool>(def, "prices_include_tax", false);
}

ShippingZone zone_row(Statement& st) {
  Columns row(st);
  ShippingZone z;
  z.id = row.int64();
  z.name = row.text();
  read_stored_zone_definition(row.text(), z);
  z.position = static_cast<int>(row.int64());
  z.created_at = row.int64();
  z.updated_at = row.int64();
  row.done();
  return z;
}

}  // namespace

// ---- discounts ----

std::optional<Discount> discount(Connection& c, int64_t discount_id) {
  auto st = c.prepare("SELECT " SB_DISCOUNT_COLUMNS " FROM discounts WHERE discount_id = ?");
  st.bind(1, discount_id);
  return first_row(st, discount_row);
}

std::optional<Discount> discount_by_code(Connection& c, const std::string& normalized_code) {
  auto st = c.prepare("SELECT " SB_DISCOUNT_COLUMNS " FROM discounts WHERE code = ?");
  st.bind(1, normalized_code);
  return first_row(st, discount_row);
}

std::vector<Discount> list_discounts(Connection& c, bool automatic_only) {
  auto st = c.prepare("SELECT " SB_DISCOUNT_COLUMNS
                      " FROM discounts WHERE (?1 = 0 OR code IS NULL) ORDER BY discount_id DESC");
  st.bind(1, int64_t{automatic_only ? 1 : 0});
  return all_rows(st, discount_row);
}

std::vector<Discount> active_automatic(Connection& c) {
  auto st =
      c.prepare("SELECT " SB_DISCOUNT_COLUMNS " FROM discounts WHERE code IS NULL AND active = 1 ORDER BY discount_id");
  return all_rows(st, discount_row);
}

void insert_discount(Connection& c, Discount& d, int64_t now) {
  auto st = c.prepare(
      "INSERT INTO discounts (code, name, type, percent_bp, amount_cents, buy_quantity, get_quantity, scope, "
      "scope_ids, min_subtotal_cents, min_quantity, starts_at, ends_at, first_order_only, customer_ids, "
      "usage_limit, per_customer_limit, combinable, active, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?20)");
  bind_discount(st, d);
  st.bind(20, now);
  st.exec();
  d.id = c.last_insert_id();
  d.created_at = d.updated_at = now;
}

bool update_discount(Connection& c, Discount& d, int64_t now) {
  auto st = c.prepare(
      "UPDATE discounts SET code = ?1, name = ?2, type = ?3, percent_bp = ?4, amount_cents = ?5, "
      "buy_quantity = ?6, get_quantity = ?7, scope = ?8, scope_ids = ?9, min_subtotal_cents = ?10, "
      "min_quantity = ?11, starts_at = ?12, ends_at = ?13, first_order_only = ?14, customer_ids = ?15, "
      "usage_limit = ?16, per_customer_limit = ?17, combinable = ?18, active = ?19, updated_at = ?20 "
      "WHERE discount_id = ?21");
  bind_discount(st, d);
  st.bind(20, now).bind(21, d.id);
  st.exec();
  if (c.changes() == 0) return false;
  d.updated_at = now;
  return true;
}

bool delete_discount(Connection& c, int64_t discount_id) {
  auto st = c.prepare("DELETE FROM discounts WHERE discount_id = ?");
  st.bind(1, discount_id);
  st.exec();
  return c.changes() > 0;
}

// ---- redemptions ----

std::optional<DiscountLimits> limits(Connection& c, int64_t discount_id) {
  auto st = c.prepare(
      "SELECT code, name, usage_limit, per_customer_limit, uses_held, uses_kept FROM discounts WHERE discount_id = ?");
  st.bind(1, discount_id);
  if (!st.step()) return std::nullopt;
  Columns row(st);
  DiscountLimits l;
  l.code = row.opt_text();
  l.name = row.text();
  l.usage_limit = row.opt_int64();
  l.per_customer_limit = row.opt_int64();
  l.held = row.int64();
  l.kept = row.int64();
  row.done();
  return l;
}

DiscountUsage usage(Connection& c, int64_t discount_id, int64_t user_id) {
  DiscountUsage u;
  // The totals are counters the triggers of migration 902 keep; a
  // customer's own uses are a handful of rows.
  auto st = c.prepare("SELECT uses_held, uses_kept FROM discounts WHERE discount_id = ?");
  st.bind(1, discount_id);
  if (st.step()) {
    u.held = st.int64(0);
    u.kept = st.int64(1);
  }
  u.total = u.held + u.kept;
  if (user_id > 0) {
    auto mine = c.prepare(
        "SELECT COUNT(*) FROM discount_redemptions WHERE discount_id = ? AND user_id = ? "
        "AND state IN ('held', 'kept')");
    mine.bind(1, discount_id).bind(2, user_id);
    if (mine.step()) u.by_customer = mine.int64(0);
  }
  return u;
}

std::optional<std::string> redemption_state(Connection& c, int64_t discount_id, const std::string& attempt_id) {
  auto st = c.prepare("SELECT state FROM discount_redemptions WHERE discount_id = ? AND attempt_id = ?");
  st.bind(1, discount_id).bind(2, attempt_id);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

void hold_redemption(Connection& c, int64_t discount_id, const std::string& attempt_id, int64_t user_id, Cents amount,
                     int64_t now) {
  auto st = c.prepare(
      "INSERT INTO discount_redemptions (discount_id, attempt_id, order_id, user_id, amount_cents, state, "
      "created_at, updated_at) VALUES (?1, ?2, NULL, ?3, ?4, 'held', ?5, ?5) "
      "ON CONFLICT (attempt_id, discount_id) DO UPDATE SET state = 'held', order_id = NULL, "
      "user_id = excluded.user_id, amount_cents = excluded.amount_cents, updated_at = excluded.updated_at");
  st.bind(1, discount_id).bind(2, attempt_id).bind(3, user_id).bind(4, amount).bind(5, now);
  st.exec();
}

void keep_redemptions(Connection& c, const std::string& attempt_id, const std::string& order_id, int64_t now) {
  auto st = c.prepare(
      "UPDATE discount_redemptions SET state = 'kept', order_id = ?, updated_at = ? "
      "WHERE attempt_id = ? AND state = 'held'");
  st.bind(1, order_id).bind(2, now).bind(3, attempt_id);
  st.exec();
}

void release_attempt_redemptions(Connection& c, const std::string& attempt_id, int64_t now) {
  auto st = c.prepare(
      "UPDATE discount_redemptions SET state = 'released', updated_at = ? WHERE attempt_id = ? AND state = 'held'");
  st.bind(1, now).bind(2, attempt_id);
  st.exec();
}

void release_order_redemptions(Connection& c, const std::string& order_id, int64_t now) {
  auto st = c.prepare(
      "UPDATE discount_redemptions SET state = 'released', updated_at = ? WHERE order_id = ? AND state = 'kept'");
  st.bind(1, now).bind(2, order_id);
  st.exec();
}

// ---- shipping zones ----

std::vector<ShippingZone> list_zones(Connection& c) {
  auto st = c.prepare(
      "SELECT zone_id, name, definition, position, created_at, updated_at FROM shipping_zones "
      "ORDER BY position, zone_id");
  return all_rows(st, zone_row);
}

std::optional<ShippingZone> zone(Connection& c, int64_t zone_id) {
  auto st = c.prepare(
      "SELECT zone_id, name, definition, position, created_at, updated_at FROM shipping_zones WHERE zone_id = ?");
  st.bind(1, zone_id);
  return first_row(st, zone_row);
}

void insert_zone(Connection& c, ShippingZone& z, int64_t now) {
  auto st = c.prepare(
      "INSERT INTO shipping_zones (name, definition, position, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)");
  st.bind(1, z.name).bind(2, stored_zone_definition(z).dump()).bind(3, z.position).bind(4, now);
  st.exec();
  z.id = c.last_insert_id();
  z.created_at = z.updated_at = now;
}

bool update_zone(Connection& c, ShippingZone& z, int64_t now) {
  auto st =
      c.prepare("UPDATE shipping_zones SET name = ?, definition = ?, position = ?, updated_at = ? WHERE zone_id = ?");
  st.bind(1, z.name).bind(2, stored_zone_definition(z).dump()).bind(3, z.position).bind(4, now).bind(5, z.id);
  st.exec();
  if (c.changes() == 0) return false;
  z.updated_at = now;
  return true;
}

bool delete_zone(Connection& c, int64_t zone_id) {
  auto st = c.prepare("DELETE FROM shipping_zones WHERE zone_id = ?");
  st.bind(1, zone_id);
  st.exec();
  return c.changes() > 0;
}

std::vector<std::string> check(Connection& c) {
  std::vector<std::string> problems;
  auto over = c.prepare(
      "SELECT d.discount_id, d.usage_limit, COUNT(r.redemption_id) FROM discounts d "
      "JOIN discount_redemptions r ON r.discount_id = d.discount_id AND r.state IN ('held', 'kept') "
      "WHERE d.usage_limit IS NOT NULL GROUP BY d.discount_id HAVING COUNT(r.redemption_id) > d.usage_limit");
  while (over.step())
    problems.push_back("discount " + std::to_string(over.int64(0)) + " has " + std::to_string(over.int64(2)) +
                       " uses held or kept, over its usage_limit " + std::to_string(over.int64(1)));
  auto per_customer = c.prepare(
      "SELECT d.discount_id, r.user_id, d.per_customer_limit, COUNT(*) FROM discounts d "
      "JOIN discount_redemptions r ON r.discount_id = d.discount_id AND r.state IN ('held', 'kept') "
      "WHERE d.per_customer_limit IS NOT NULL AND r.user_id > 0 GROUP BY d.discount_id, r.user_id "
      "HAVING COUNT(*) > d.per_customer_limit");
  while (per_customer.step())
    problems.push_back("discount " + std::to_string(per_customer.int64(0)) + " has " +
                       std::to_string(per_customer.int64(3)) + " uses by user " +
                       std::to_string(per_customer.int64(1)) + ", over its per_customer_limit " +
                       std::to_string(per_customer.int64(2)));
  auto orphan = c.prepare(
      "SELECT redemption_id, discount_id FROM discount_redemptions WHERE state = 'kept' "
      "AND (order_id IS NULL OR order_id = '')");
  while (orphan.step())
    problems.push_back("discount redemption " + std::to_string(orphan.int64(0)) + " (discount " +
                       std::to_string(orphan.int64(1)) + ") is kept without an order");
  // The counters the limits are checked against match the rows (migration 902).
  auto counters = c.prepare(
      "SELECT d.discount_id, d.uses_held, d.uses_kept, "
      "(SELECT count(*) FROM discount_redemptions r WHERE r.discount_id = d.discount_id AND r.state = 'held'), "
      "(SELECT count(*) FROM discount_redemptions r WHERE r.discount_id = d.discount_id AND r.state = 'kept') "
      "FROM discounts d");
  while (counters.step())
    if (counters.int64(1) != counters.int64(3) || counters.int64(2) != counters.int64(4))
      problems.push_back("discount " + std::to_string(counters.int64(0)) + " counts " +
                         std::to_string(counters.int64(1)) + " held and " + std::to_string(counters.int64(2)) +
                         " kept uses, its redemptions say " + std::to_string(counters.int64(3)) + " and " +
                         std::to_string(counters.int64(4)));
  return problems;
}

#undef SB_DISCOUNT_COLUMNS

}  // namespace shopbox::pricing_store
