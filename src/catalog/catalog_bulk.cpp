// Catalog::upsert_products: the bulk path shared by the demo catalog and
// imports. Validate everything, then one SQLite transaction, then one LMDB
// transaction for stock, then notifications.
#include <map>
#include <set>

#include "base/text.h"
#include "catalog/catalog.h"
#include "inventory/inventory.h"

namespace shopbox {
namespace {

Status at_index(const Status& st, size_t index) {
  nlohmann::json details = st.details().is_object() ? st.details() : nlohmann::json::object();
  details["index"] = index;
  return Status(st.kind(), st.code(), st.message(), details);
}

// "Home / Kitchen" or "Home > Kitchen" -> {"Home", "Kitchen"}.
Result<std::vector<std::string>> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string cur;
  auto flush = [&]() -> Status {
    std::string t = trim(cur);
    cur.clear();
    if (t.empty()) return Status::Invalid("category path has an empty level", {{"field", "category"}});
    if (t.size() > 200) return Status::Invalid("category name is too long (max 200)", {{"field", "category"}});
    parts.push_back(t);
    return Status::Ok();
  };
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '/' || path[i] == '>') {
      if (auto st = flush(); !st.ok()) return st;
    } else {
      cur += path[i];
    }
  }
  if (auto st = flush(); !st.ok()) return st;
  if (parts.size() > 10) return Status::Invalid("category path is too deep (max 10 levels)", {{"field", "category"}});
  return parts;
}

// Finds or creates each level of `parts`; returns the leaf id.
Result<int64_t> ensure_category_path(Connection& c, const std::vector<std::string>& parts,
                                     std::map<std::string, int64_t>& memo, std::vector<int64_t>& created) {
  std::optional<int64_t> parent;
  std::string key;
  for (const auto& name : parts) {
    key += "/" + name;
    if (auto it = memo.find(key); it != memo.end()) {
      parent = it->second;
      continue;
    }
    auto found = catalog_store::find_child_category(c, parent, name);
    if (found) {
      parent = found->id;
    } else {
      Category cat;
      cat.name = name;
      cat.parent_id = parent;
      cat.slug = Catalog::slugify(name);
      if (cat.slug.empty()) cat.slug = "category";
      if (catalog_store::get_category_by_slug(c, cat.slug)) cat.slug = Catalog::slugify(key);
      for (int n = 2; catalog_store::get_category_by_slug(c, cat.slug); ++n)
        cat.slug = Catalog::slugify(key) + "-" + std::to_string(n);
      cat.position = static_cast<int>(catalog_store::count_children(c, parent));
      if (auto st = catalog_store::insert_category(c, cat); !st.ok()) return st;
      created.push_back(cat.id);
      parent = cat.id;
    }
    memo[key] = *parent;
  }
  return *parent;
}

}  // namespace

Result<UpsertSummary> Catalog::upsert_products(std::vector<ProductUpsert> items, const std::string& actor) {
  // 1. Validate every item before touching storage.
  std::set<std::string> skus;
  std::vector<std::vector<std::string>> paths(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    auto& it = items[i];
    if (auto st = validate(it.product); !st.ok()) return at_index(st, i);
    if (!skus.insert(it.product.sku).second)
      return at_index(Status::Invalid("SKU '" + it.product.sku + "' appears twice in this batch", {{"field", "sku"}}),
                      i);
    if (it.stock && (*it.stock < 0 || *it.stock > 1'000'000'000))
      return at_index(Status::Invalid("stock must be a non-negative integer", {{"field", "stock"}}), i);
    if (!trim(it.category_path).empty()) {
      auto parts = split_path(it.category_path);
      if (!parts.ok()) return at_index(parts.status(), i);
      paths[i] = *parts;
    }
  }

  if (auto g = guard(); !g.ok()) return g;

  // 2. One SQLite transaction for categories and products.
  UpsertSummary summary;
  std::vector<int64_t> new_categories;
  Status st = db_.write([&](Connection& c) {
    std::map<std::string, int64_t> memo;
    for (size_t i = 0; i < items.size(); ++i) {
      Product& p = items[i].product;
      if (!paths[i].empty()) {
        auto category = ensure_category_path(c, paths[i], memo, new_categories);
        if (!category.ok()) return at_index(category.status(), i);
        p.category_id = *category;
      } else if (p.category_id && !catalog_store::get_category(c, *p.category_id))
        return at_index(Status::Invalid("category does not exist", {{"field", "category_id"}}), i);
      auto existing_id = catalog_store::product_id_by_sku(c, p.sku);
      if (auto other = catalog_store::product_id_by_slug(c, p.slug); other && other != existing_id) {
        if (items[i].slug_given)
          return at_index(Status::Conflict("duplicate_slug", "another product has this slug", {{"field", "slug"}}), i);
        p.slug = slugify(p.slug + "-" + p.sku);
        if (auto again = catalog_store::product_id_by_slug(c, p.slug); again && again != existing_id)
          return at_index(Status::Conflict("duplicate_slug", "another product has this slug", {{"field", "slug"}}), i);
      }
      if (existing_id) {
        auto old = catalog_store::get_product(c, *existing_id);
        p.id = *existing_id;
        p.created_at = old->created_at;
        p.rating_sum = old->rating_sum;  // ratings come from reviews, never from a file
        p.rating_count = old->rating_count;
        if (items[i].stock && inventory_.level(p.id).reserved > *items[i].stock)
          return at_index(
              Status::Conflict("stock_reserved", "stock cannot drop below the reserved quantity", {{"field", "stock"}}),
              i);
        if (auto u = catalog_store::update_product(c, p); !u.ok()) return at_index(u, i);
        ++summary.updated;
      } else {
        if (p.id > 0 && !catalog_store::id_is_free(c, p.id)) p.id = 0;  // keep explicit ids only when free
        if (auto u = catalog_store::insert_product(c, p); !u.ok()) return at_index(u, i);
        ++summary.created;
      }
      summary.ids.push_back(p.id);
    }
    // Catalog replication: new categories before the products that use them.
    for (int64_t id : new_categories)
      if (auto r = record(c, CatalogChange::What::category_changed, id); !r.ok()) return r;
    for (int64_t id : summary.ids)
      if (auto r = record(c, CatalogChange::What::product_upserted, id); !r.ok()) return r;
    return Status::Ok();
  });
  if (!new_categories.empty() || !st.ok()) invalidate_categories();
  if (!st.ok()) return st;
  summary.categories_created = static_cast<int64_t>(new_categories.size());

  // 3. One LMDB transaction for all stock levels.
  std::vector<std::pair<int64_t, int64_t>> totals;
  for (size_t i = 0; i < items.size(); ++i)
    if (items[i].stock) totals.emplace_back(summary.ids[i], *items[i].stock);
  if (!totals.empty()) {
    if (auto s = inventory_.set_totals(totals, actor, "bulk load"); !s.ok()) return s;
  }

  // 4. Tell the listeners (search index, replication).
  for (int64_t id : new_categories) notify({CatalogChange::What::category_changed, id});
  for (int64_t id : summary.ids) notify({CatalogChange::What::product_upserted, id});
  return summary;
}

}  // namespace shopbox
