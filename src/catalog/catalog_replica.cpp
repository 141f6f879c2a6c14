#include "catalog/catalog_replica.h"

#include <algorithm>

#include "catalog/catalog_store.h"

namespace shopbox {
using json = nlohmann::json;

json product_snapshot(const Product& p) {
  json images = json::array();
  for (const auto& im : p.images)
    images.push_back({{"url", im.url}, {"alt", im.alt}, {"position", im.position}, {"primary", im.primary}});
  json options = json::array();
  for (const auto& o : p.options) options.push_back({{"name", o.name}, {"values", o.values}});
  json variants = json::array();
  for (const auto& v : p.variants)
    variants.push_back({{"id", v.id},
                        {"sku", v.sku},
                        {"option_values", v.option_values},
                        {"price_cents", v.price},
                        {"sale_price_cents", v.sale_price ? json(*v.sale_price) : json(nullptr)},
                        {"barcode", v.barcode},
                        {"weight_grams", v.weight_grams ? json(*v.weight_grams) : json(nullptr)},
                        {"image_url", v.image_url}});
  return {{"id", p.id},
          {"sku", p.sku},
          {"name", p.name},
          {"slug", p.slug},
          {"description", p.description},
          {"brand", p.brand},
          {"category_id", p.category_id ? json(*p.category_id) : json(nullptr)},
          {"price_cents", p.price},
          {"sale_price_cents", p.sale_price ? json(*p.sale_price) : json(nullptr)},
          {"currency", p.currency},
          {"specs", p.specs},
          {"weight_grams", p.weight_grams ? json(*p.weight_grams) : json(nullptr)},
          {"featured", p.featured},
          {"status", product_status_name(p.status)},
          {"created_at", p.created_at},
          {"updated_at", p.updated_at},
          {"images", images},
          {"price_max_cents", p.price_max ? json(*p.price_max) : json(nullptr)},
          {"options", options},
          {"variants", variants}};
}

json category_snapshot(const Category& c) {
  return {{"id", c.id},
          {"parent_id", c.parent_id ? json(*c.parent_id) : json(nullptr)},
          {"name", c.name},
          {"slug", c.slug},
          {"position", c.position}};
}

namespace {

template <typename T>
std::optional<T> opt(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}

Product product_from_snapshot(const json& j) {
  Product p;
  p.id = j.at("id").get<int64_t>();
  p.sku = j.at("sku").get<std::string>();
  p.name = j.at("name").get<std::string>();
  p.slug = j.at("slug").get<std::string>();
  p.description = j.at("description").get<std::string>();
  p.brand = j.at("brand").get<std::string>();
  p.category_id = opt<int64_t>(j, "category_id");
  p.price = j.at("price_cents").get<int64_t>();
  p.sale_price = opt<int64_t>(j, "sale_price_cents");
  p.currency = j.at("currency").get<std::string>();
  p.specs = j.at("specs");
  p.weight_grams = opt<int64_t>(j, "weight_grams");
  p.featured = j.at("featured").get<bool>();
  // A primary older than statuses sends none: its products are for sale.
  p.status = parse_product_status(j.value("status", std::string("active"))).value_or(ProductStatus::active);
  p.created_at = j.at("created_at").get<int64_t>();
  p.updated_at = j.at("updated_at").get<int64_t>();
  for (const auto& im : j.at("images")) {
    ProductImage i;
    i.url = im.at("url").get<std::string>();
    i.alt = im.at("alt").get<std::string>();
    i.position = im.at("position").get<int>();
    i.primary = im.at("primary").get<bool>();
    p.images.push_back(i);
  }
  p.price_max = opt<int64_t>(j, "price_max_cents");
  if (auto it = j.find("options"); it != j.end())
    for (const auto& o : *it) p.options.push_back({o.at("name").get<std::string>(), o.at("values").get<std::vector<std::string>>()});
  if (auto it = j.find("variants"); it != j.end()) {
    for (const auto& jv : *it) {
      Variant v;
      v.id = jv.at("id").get<int64_t>();
      v.sku = jv.at("sku").get<std::string>();
      v.option_values = jv.at("option_values").get<std::vector<std::string>>();
      v.price = jv.at("price_cents").get<int64_t>();
      v.sale_price = opt<int64_t>(jv, "sale_price_cents");
      v.barcode = jv.at("barcode").get<std::string>();
      v.weight_grams = opt<int64_t>(jv, "weight_grams");
      v.image_url = jv.at("image_url").get<std::string>();
      p.variants.push_back(std::move(v));
    }
  } else {
    // A feed entry written before variants existed: the product's only
    // variant, with the product's id (catalog migration 103).
    Variant v;
    v.id = p.id;
    v.sku = p.sku;
    v.price = p.price;
    v.sale_price = p.sale_price;
    v.weight_grams = p.weight_grams;
    p.variants.push_back(std::move(v));
  }
  return p;
}

Category category_from_snapshot(const json& j) {
  Category c;
  c.id = j.at("id").get<int64_t>();
  c.parent_id = opt<int64_t>(j, "parent_id");
  c.name = j.at("name").get<std::string>();
  c.slug = j.at("slug").get<std::string>();
  c.position = j.at("position").get<int>();
  return c;
}

}  // namespace

// One change applied to this shard's catalog rows (inside the page's
// transaction). Replaying a snapshot gives the same rows, so this is
// idempotent on its own; versions make it exactly-once in practice.
Status apply_catalog_change(Connection& c, const json& ch, std::vector<CatalogChange>& notes) {
  const std::string entity = ch.at("entity").get<std::string>();
  const std::string op = ch.at("op").get<std::string>();
  const int64_t id = std::stoll(ch.at("id").get<std::string>());
  if (entity == "product") {
    if (op == "delete") {
      if (catalog_store::get_product(c, id)) {
        if (auto st = catalog_store::delete_product(c, id); !st.ok()) return st;
      }
      notes.push_back({CatalogChange::What::product_deleted, id});
      return Status::Ok();
    }
    Product p = product_from_snapshot(ch.at("data"));
    if (p.id != id)
      return Status::Invalid("change names product " + std::to_string(id) + " but carries " + std::to_string(p.id));
    const int64_t created_at = p.created_at, updated_at = p.updated_at;
    if (auto old = catalog_store::get_product(c, id)) {
      // Ratings come from this shard's reviews, never from the primary.
      p.rating_sum = old->rating_sum;
      p.rating_count = old->rating_count;
      if (auto st = catalog_store::update_product(c, p); !st.ok()) return st;
    } else {
      if (auto st = catalog_store::insert_product(c, p); !st.ok()) return st;
    }
    catalog_store::set_product_times(c, id, created_at, updated_at);
    notes.push_back({CatalogChange::What::product_upserted, id});
    return Status::Ok();
  }
  if (entity == "category") {
    if (op == "delete") {
      if (catalog_store::get_category(c, id)) {
        if (auto st = catalog_store::delete_category(c, id); !st.ok()) return st;
      }
    } else {
      Category cat = category_from_snapshot(ch.at("data"));
      if (cat.id != id) return Status::Invalid("change names category " + std::to_string(id));
      Status st = catalog_store::get_category(c, id) ? catalog_store::update_category(c, cat)
                                                     : catalog_store::insert_category(c, cat);
      if (!st.ok()) return st;
    }
    notes.push_back({CatalogChange::What::category_changed, id});
    return Status::Ok();
  }
  return Status::Invalid("unknown entity '" + entity + "' in the change feed");
}

CatalogRowSnapshot catalog_snapshot(Connection& c, const CatalogChange& change) {
  if (change.what == CatalogChange::What::category_changed) {
    auto cat = catalog_store::get_category(c, change.id);
    return {"category", change.id, cat ? std::optional<std::string>(category_snapshot(*cat).dump()) : std::nullopt};
  }
  auto p =
      change.what == CatalogChange::What::product_deleted ? std::nullopt : catalog_store::get_product(c, change.id);
  return {"product", change.id, p ? std::optional<std::string>(product_snapshot(*p).dump()) : std::nullopt};
}

void for_each_catalog_snapshot(Connection& c, const std::function<void(const CatalogRowSnapshot&)>& fn) {
  auto cats = catalog_store::list_categories(c);
  std::stable_sort(cats.begin(), cats.end(), [](const Category& a, const Category& b) { return a.level < b.level; });
  for (const auto& cat : cats) fn({"category", cat.id, category_snapshot(cat).dump()});
  std::vector<int64_t> ids;
  catalog_store::for_each_product_id(c, [&](int64_t id) { ids.push_back(id); });
  for (int64_t id : ids)
    if (auto p = catalog_store::get_product(c, id)) fn({"product", id, product_snapshot(*p).dump()});
}

}  // namespace shopbox
