// Catalog::upsert_products: the bulk path shared by the demo catalog and
// imports. Validate everything, then one SQLite transaction (match every
// item to a stored product first, then write), then one LMDB transaction
// for stock, then notifications.
#include <map>
#include <set>

#include "base/text.h"
#include "catalog/catalog.h"
#include "inventory/inventory.h"
#include "storage/sqlite.h"

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

std::string variant_field(const Product& p, size_t k) {
  return p.options.empty() ? std::string("sku") : "variants[" + std::to_string(k) + "]";
}

// Validates one item (Catalog::validate with the shop's limits) and puts a
// product-level stock onto the only variant.
Status prepare_item(ProductUpsert& item, const VariantLimits& limits) {
  Product& p = item.product;
  for (auto& v : p.variants) v.id = 0;  // ids are the shop's: stored variants are matched by SKU
  if (auto st = Catalog::validate(p, limits); !st.ok()) return st;
  if (item.stock) {
    if (*item.stock < 0 || *item.stock > 1'000'000'000)
      return Status::Invalid("stock must be a non-negative integer", {{"field", "stock"}});
    if (p.variants.size() > 1)
      return Status::Invalid("a product with variants takes stock per variant", {{"field", "stock"}});
    p.variants.front().stock_to_set = item.stock;
  }
  return Status::Ok();
}

// Every SKU (a product's own and its variants') belongs to one item of the
// batch: two items with one SKU would silently overwrite each other.
Status check_batch_skus(const std::vector<ProductUpsert>& items) {
  std::map<std::string, size_t> owner;
  for (size_t i = 0; i < items.size(); ++i) {
    const Product& p = items[i].product;
    auto claim = [&](const std::string& sku, const std::string& field) -> Status {
      auto [it, fresh] = owner.emplace(sku, i);
      if (fresh || it->second == i) return Status::Ok();
      return at_index(Status::Invalid("SKU '" + sku + "' appears twice in this batch (also item " +
                                          std::to_string(it->second) + ")",
                                      {{"field", field}, {"other_index", it->second}}),
                      i);
    };
    if (auto st = claim(p.sku, "sku"); !st.ok()) return st;
    for (size_t k = 0; k < p.variants.size(); ++k)
      if (auto st = claim(p.variants[k].sku, variant_field(p, k)); !st.ok()) return st;
  }
  return Status::Ok();
}

// The stored product an item names: by its product SKU, else by any of its
// variants' SKUs. 409 duplicate_sku when a variant SKU belongs to another
// product than the one the item names.
Result<std::optional<int64_t>> match_product(Connection& c, const Product& p) {
  std::optional<int64_t> id = catalog_store::product_id_by_sku(c, p.sku);
  for (size_t k = 0; k < p.variants.size(); ++k) {
    auto owner = catalog_store::variant_by_sku(c, p.variants[k].sku);
    if (!owner) continue;
    if (!id) {
      id = owner->first;
    } else if (owner->first != *id) {
      return Status::Conflict("duplicate_sku", "the SKU '" + p.variants[k].sku + "' belongs to another product",
                              {{"field", variant_field(p, k)}, {"product_id", std::to_string(owner->first)}});
    }
  }
  return id;
}

bool same_options(const Product& a, const Product& b) {
  if (a.options.size() != b.options.size()) return false;
  for (size_t i = 0; i < a.options.size(); ++i)
    if (ascii_lower(a.options[i].name) != ascii_lower(b.options[i].name)) return false;
  return true;
}

// Gives the item's variants the ids of the stored ones they stand for: the
// one with the same SKU, else (a SKU changed in the file) the one with the
// same option values. So stock, reservations and order lines keep naming
// them. The rest are new.
void match_variants(const Product& stored, Product& p) {
  std::vector<bool> taken(stored.variants.size(), false);
  for (auto& v : p.variants)
    for (size_t j = 0; j < stored.variants.size(); ++j)
      if (!taken[j] && stored.variants[j].sku == v.sku) {
        v.id = stored.variants[j].id;
        taken[j] = true;
        break;
      }
  if (!same_options(stored, p) || p.options.empty()) return;
  auto key = [](const Variant& v) {
    std::vector<std::string> k;
    for (const auto& value : v.option_values) k.push_back(ascii_lower(value));
    return k;
  };
  for (auto& v : p.variants) {
    if (v.id > 0) continue;
    for (size_t j = 0; j < stored.variants.size(); ++j)
      if (!taken[j] && key(stored.variants[j]) == key(v)) {
        v.id = stored.variants[j].id;
        taken[j] = true;
        break;
      }
  }
}

// What an update does to stock that checkouts hold: a variant with units
// reserved is not deleted (its checkouts would consume stock of a variant
// that no longer exists), and no total drops below what is reserved.
// Counts the variants the update deletes.
Status check_reserved(Inventory& inventory, const Product& stored, const Product& p, int64_t& deleted) {
  for (const auto& old : stored.variants) {
    if (p.variant(old.id)) continue;
    if (inventory.level(old.id).reserved > 0)
      return Status::Conflict("variant_reserved",
                              "variant " + old.sku + " has units reserved by checkouts; try again once they finish",
                              {{"field", "variants"}, {"variant_id", std::to_string(old.id)}});
    ++deleted;
  }
  for (size_t k = 0; k < p.variants.size(); ++k) {
    const Variant& v = p.variants[k];
    if (v.id > 0 && v.stock_to_set && inventory.level(v.id).reserved > *v.stock_to_set)
      return Status::Conflict("stock_reserved", "stock cannot drop below the reserved quantity",
                              {{"field", p.options.empty() ? std::string("stock") : variant_field(p, k)}});
  }
  return Status::Ok();
}

// The slug an item may take: a generated one that another product holds
// gets the SKU appended; a given one is a conflict.
Status settle_slug(Connection& c, ProductUpsert& item, std::optional<int64_t> existing_id) {
  Product& p = item.product;
  auto other = catalog_store::product_id_by_slug(c, p.slug);
  if (!other || other == existing_id) return Status::Ok();
  if (!item.slug_given) {
    p.slug = Catalog::slugify(p.slug + "-" + p.sku);
    auto again = catalog_store::product_id_by_slug(c, p.slug);
    if (!again || again == existing_id) return Status::Ok();
  }
  return Status::Conflict("duplicate_slug", "another product has this slug", {{"field", "slug"}});
}

// Writes one item over its stored product (or as a new one).
Status write_item(Connection& c, Inventory& inventory, ProductUpsert& item, std::optional<int64_t> existing_id,
                  UpsertSummary& summary) {
  Product& p = item.product;
  if (auto st = settle_slug(c, item, existing_id); !st.ok()) return st;
  try {
    if (existing_id) {
      auto old = catalog_store::get_product(c, *existing_id);
      if (!old) return Status::NotFound("product not found");
      p.id = *existing_id;
      p.created_at = old->created_at;
      p.rating_sum = old->rating_sum;  // ratings come from reviews, never from a file
      p.rating_count = old->rating_count;
      // A file without a Status column must not publish the merchant's
      // drafts or bring back what they archived.
      if (!item.status_given) p.status = old->status;
      match_variants(*old, p);
      if (auto st = check_reserved(inventory, *old, p, summary.variants_deleted); !st.ok()) return st;
      for (const auto& v : p.variants) ++(v.id > 0 ? summary.variants_updated : summary.variants_created);
      if (auto u = catalog_store::update_product(c, p); !u.ok()) return u;
      ++summary.updated;
    } else {
      if (p.id > 0 && !catalog_store::id_is_free(c, p.id)) p.id = 0;  // keep explicit ids only when free
      if (auto u = catalog_store::insert_product(c, p); !u.ok()) return u;
      summary.variants_created += static_cast<int64_t>(p.variants.size());
      ++summary.created;
    }
  } catch (const SqliteError& e) {
    // A UNIQUE the checks above did not foresee (another product's SKU as
    // this one's product SKU): name the item rather than fail the batch blind.
    if (!e.is_constraint()) throw;
    return Status::Conflict("conflict", std::string("constraint violated: ") + e.what());
  }
  return Status::Ok();
}

}  // namespace

Result<UpsertSummary> Catalog::upsert_products(std::vector<ProductUpsert> items, const std::string& actor) {
  // 1. Validate every item before touching storage.
  const VariantLimits variant_limits = limits();
  std::vector<std::vector<std::string>> paths(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    auto& it = items[i];
    if (auto st = prepare_item(it, variant_limits); !st.ok()) return at_index(st, i);
    if (!trim(it.category_path).empty()) {
      auto parts = split_path(it.category_path);
      if (!parts.ok()) return at_index(parts.status(), i);
      paths[i] = *parts;
    }
  }
  if (auto st = check_batch_skus(items); !st.ok()) return st;

  if (auto g = guard(); !g.ok()) return g;

  // 2. One SQLite transaction for categories and products. Every item is
  // matched before any is written, so the answer does not depend on the
  // order of the items (one dropping a variant SKU that another adds).
  UpsertSummary summary;
  std::vector<int64_t> new_categories;
  Status st = db_.write([&](Connection& c) {
    std::vector<std::optional<int64_t>> existing(items.size());
    std::map<int64_t, size_t> matched;  // stored product id -> item
    for (size_t i = 0; i < items.size(); ++i) {
      auto m = match_product(c, items[i].product);
      if (!m.ok()) return at_index(m.status(), i);
      existing[i] = *m;
      if (!*m) continue;
      auto [it, fresh] = matched.emplace(**m, i);
      if (!fresh)
        return at_index(
            Status::Invalid("items " + std::to_string(it->second) + " and " + std::to_string(i) +
                                " are the same stored product (their SKUs name product " + std::to_string(**m) + ")",
                            {{"field", "sku"}, {"other_index", it->second}}),
            i);
    }
    std::map<std::string, int64_t> memo;
    summary = UpsertSummary{};  // a retried write starts over
    new_categories.clear();
    for (size_t i = 0; i < items.size(); ++i) {
      Product& p = items[i].product;
      if (!paths[i].empty()) {
        auto category = ensure_category_path(c, paths[i], memo, new_categories);
        if (!category.ok()) return at_index(category.status(), i);
        p.category_id = *category;
      } else if (p.category_id && !catalog_store::get_category(c, *p.category_id))
        return at_index(Status::Invalid("category does not exist", {{"field", "category_id"}}), i);
      if (auto w = write_item(c, inventory_, items[i], existing[i], summary); !w.ok()) return at_index(w, i);
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

  // 3. One LMDB transaction for every variant's stock.
  std::vector<std::pair<int64_t, int64_t>> totals;
  for (const auto& item : items)
    for (const auto& v : item.product.variants)
      if (v.stock_to_set) totals.emplace_back(v.id, *v.stock_to_set);
  if (!totals.empty()) {
    if (auto s = inventory_.set_totals(totals, actor, "bulk load"); !s.ok()) return s;
  }

  // 4. Tell the listeners (search index, replication).
  for (int64_t id : new_categories) notify({CatalogChange::What::category_changed, id});
  for (int64_t id : summary.ids) notify({CatalogChange::What::product_upserted, id});
  return summary;
}

// [reports] One statement for the whole list: the ids travel as one JSON
// array through json_each, so the query stays prepared whatever the count.
Result<std::unordered_map<int64_t, int64_t>> Catalog::category_ids_of(const std::vector<int64_t>& product_ids) {
  std::unordered_map<int64_t, int64_t> out;
  const std::string ids = nlohmann::json(product_ids).dump();
  Status st = db_.read([&](Connection& c) {
    auto q = c.prepare(
        "SELECT product_id, category_id FROM products WHERE category_id IS NOT NULL AND product_id IN "
        "(SELECT value FROM json_each(?))");
    q.bind(1, ids);
    while (q.step()) out[q.int64(0)] = q.int64(1);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace shopbox
