#include "catalog/catalog_store.h"

#include <algorithm>
#include <unordered_map>

#include "base/clock.h"
#include "base/utf8.h"
#include "storage/rows.h"

namespace shopbox::catalog_store {
namespace {

Category read_category(Statement& st) {
  Columns row(st);
  Category c;
  c.id = row.int64();
  c.parent_id = row.opt_int64();
  c.name = row.text();
  c.slug = row.text();
  c.level = static_cast<int>(row.int64());
  c.path = row.text();
  c.position = static_cast<int>(row.int64());
  row.done();
  return c;
}

constexpr const char* kCategoryCols = "category_id, parent_id, name, slug, level, path, position";

// Column list shared by every product SELECT; read_product() mirrors it.
#define PRODUCT_COLS                                                                            \
  "p.product_id, p.sku, p.name, p.slug, p.description, p.brand, p.category_id, p.price_cents, " \
  "p.sale_price_cents, p.currency, p.specs, p.weight_grams, p.rating_sum, p.rating_count, "     \
  "p.featured, p.created_at, p.updated_at, p.price_max_cents, p.status"

Product read_product(Statement& st) {
  Columns row(st);
  Product p;
  p.id = row.int64();
  p.sku = row.text();
  p.name = row.text();
  p.slug = row.text();
  p.description = row.text();
  p.brand = row.text();
  p.category_id = row.opt_int64();
  p.price = row.int64();
  p.sale_price = row.opt_int64();
  p.currency = row.text();
  p.specs = nlohmann::json::parse(row.text(), nullptr, false);
  if (p.specs.is_discarded()) p.specs = nlohmann::json::object();
  p.weight_grams = row.opt_int64();
  p.rating_sum = row.int64();
  p.rating_count = row.int64();
  p.featured = row.int64() != 0;
  p.created_at = row.int64();
  p.updated_at = row.int64();
  p.price_max = row.opt_int64();
  p.status = parse_product_status(row.text()).value_or(ProductStatus::active);
  row.done();
  return p;
}

#define VARIANT_COLS                                                                             \
  "variant_id, product_id, position, sku, option1, option2, option3, price_cents, sale_price_cents, " \
  "barcode, weight_grams, image_url"

// `option_count`: how many of option1..3 the product uses.
Variant read_variant(Statement& st, size_t option_count) {
  Columns row(st);
  Variant v;
  v.id = row.int64();
  v.product_id = row.int64();
  v.position = static_cast<int>(row.int64());
  v.sku = row.text();
  for (size_t i = 0; i < Product::kMaxOptions; ++i) {
    std::string value = row.text();
    if (i < option_count) v.option_values.push_back(std::move(value));
  }
  v.price = row.int64();
  v.sale_price = row.opt_int64();
  v.barcode = row.text();
  v.weight_grams = row.opt_int64();
  v.image_url = row.text();
  row.done();
  return v;
}

std::vector<ProductOption> read_options(Connection& c, int64_t product_id) {
  std::vector<ProductOption> out;
  auto st = c.prepare("SELECT name, option_values FROM product_options WHERE product_id = ? ORDER BY position");
  st.bind(1, product_id);
  while (st.step()) {
    ProductOption o;
    o.name = st.text(0);
    auto values = stored_json(st.text(1), nlohmann::json::array());
    if (values.is_array())
      for (const auto& v : values)
        if (v.is_string()) o.values.push_back(v.get<std::string>());
    out.push_back(std::move(o));
  }
  return out;
}

// Options and variants of one product (get_product, get_product_by_sku).
void read_variants(Connection& c, Product& p) {
  p.options = read_options(c, p.id);
  auto st = c.prepare("SELECT " VARIANT_COLS " FROM variants WHERE product_id = ? ORDER BY position, variant_id");
  st.bind(1, p.id);
  while (st.step()) p.variants.push_back(read_variant(st, p.options.size()));
}

// The next id of the one sequence products and variants share (product.h).
int64_t next_variant_id(Connection& c) {
  auto st = c.prepare(
      "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'variants'), 0),"
      " COALESCE((SELECT MAX(product_id) FROM products), 0),"
      " COALESCE((SELECT MAX(variant_id) FROM variants), 0)) + 1");
  st.step();
  return st.int64(0);
}

void bind_variant(Statement& st, const Variant& v) {
  st.bind(1, v.product_id).bind(2, v.position).bind(3, v.sku);
  for (size_t i = 0; i < Product::kMaxOptions; ++i)
    st.bind(static_cast<int>(4 + i), i < v.option_values.size() ? v.option_values[i] : std::string());
  st.bind(7, v.price).bind(8, v.sale_price).bind(9, v.barcode).bind(10, v.weight_grams).bind(11, v.image_url);
}

// Makes the stored options and variants those of `p`: variants with an id
// are updated, the others inserted (ids filled in), stored ones absent from
// `p` deleted. Deletes run first and updates before inserts, so a variant
// may take over the SKU or combination of one removed in the same write.
void write_variants(Connection& c, Product& p) {
  c.prepare("DELETE FROM product_options WHERE product_id = ?").bind(1, p.id).exec();
  for (size_t i = 0; i < p.options.size(); ++i)
    c.prepare("INSERT INTO product_options(product_id, position, name, option_values) VALUES (?,?,?,?)")
        .bind(1, p.id)
        .bind(2, static_cast<int64_t>(i))
        .bind(3, p.options[i].name)
        .bind(4, nlohmann::json(p.options[i].values).dump())
        .exec();
  nlohmann::json keep = nlohmann::json::array();
  for (const auto& v : p.variants)
    if (v.id > 0) keep.push_back(v.id);
  c.prepare("DELETE FROM variants WHERE product_id = ? AND variant_id NOT IN (SELECT value FROM json_each(?))")
      .bind(1, p.id)
      .bind(2, keep.dump())
      .exec();
  // Clear what a variant's update could collide with inside this product.
  c.prepare("UPDATE variants SET sku = char(1) || variant_id, option1 = char(1) || variant_id WHERE product_id = ?")
      .bind(1, p.id)
      .exec();
  for (size_t i = 0; i < p.variants.size(); ++i) {
    Variant& v = p.variants[i];
    v.product_id = p.id;
    v.position = static_cast<int>(i);
    if (v.id <= 0) continue;
    auto st = c.prepare(
        "UPDATE variants SET product_id=?, position=?, sku=?, option1=?, option2=?, option3=?, price_cents=?,"
        " sale_price_cents=?, barcode=?, weight_grams=?, image_url=? WHERE variant_id=?");
    bind_variant(st, v);
    st.bind(12, v.id).exec();
    if (c.changes() == 0) {  // a replica meeting a variant it never had
      auto ins = c.prepare("INSERT INTO variants(product_id, position, sku, option1, option2, option3, price_cents,"
                           " sale_price_cents, barcode, weight_grams, image_url, variant_id)"
                           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
      bind_variant(ins, v);
      ins.bind(12, v.id).exec();
    }
  }
  for (auto& v : p.variants) {
    if (v.id > 0) continue;
    auto st = c.prepare("INSERT INTO variants(product_id, position, sku, option1, option2, option3, price_cents,"
                        " sale_price_cents, barcode, weight_grams, image_url) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    bind_variant(st, v);
    st.exec();
    v.id = c.last_insert_id();
  }
}

std::vector<ProductImage> read_images(Connection& c, int64_t product_id) {
  std::vector<ProductImage> out;
  auto st = c.prepare(
      "SELECT image_id, url, alt_text, display_order, is_primary FROM product_images "
      "WHERE product_id = ? ORDER BY is_primary DESC, display_order, image_id");
  st.bind(1, product_id);
  while (st.step())
    out.push_back({st.int64(0), st.text(1), st.text(2), static_cast<int>(st.int64(3)), st.int64(4) != 0});
  return out;
}

void write_images(Connection& c, const Product& p) {
  c.prepare("DELETE FROM product_images WHERE product_id = ?").bind(1, p.id).exec();
  bool any_primary = false;
  for (const auto& im : p.images) any_primary |= im.primary;
  int i = 0;
  for (const auto& im : p.images) {
    c.prepare("INSERT INTO product_images(product_id, url, alt_text, display_order, is_primary) VALUES (?,?,?,?,?)")
        .bind(1, p.id)
        .bind(2, im.url)
        .bind(3, im.alt)
        .bind(4, i)
        .bind(5, static_cast<int64_t>(im.primary || (!any_primary && i == 0)))
        .exec();
    ++i;
  }
}

}  // namespace

std::vector<Category> list_categories(Connection& c) {
  std::vector<Category> out;
  auto st = c.prepare(
      "SELECT category_id, parent_id, name, slug, level, path, position FROM categories ORDER BY level, position, "
      "name");
  while (st.step()) out.push_back(read_category(st));
  return out;
}

std::optional<Category> get_category(Connection& c, int64_t id) {
  auto st = c.prepare(
      "SELECT category_id, parent_id, name, slug, level, path, position FROM categories WHERE category_id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return read_category(st);
}

std::optional<Category> get_category_by_slug(Connection& c, const std::string& slug) {
  auto st =
      c.prepare("SELECT category_id, parent_id, name, slug, level, path, position FROM categories WHERE slug = ?");
  st.bind(1, slug);
  if (!st.step()) return std::nullopt;
  return read_category(st);
}

std::optional<Category> find_child_category(Connection& c, std::optional<int64_t> parent_id, const std::string& name) {
  auto st = c.prepare(
      "SELECT category_id, parent_id, name, slug, level, path, position FROM categories WHERE parent_id IS ? AND name "
      "= ?");
  st.bind(1, parent_id).bind(2, name);
  if (!st.step()) return std::nullopt;
  return read_category(st);
}

static Status place_under_parent(Connection& c, Category& cat) {
  cat.level = 0;
  cat.path = cat.name;
  if (cat.parent_id) {
    auto parent = get_category(c, *cat.parent_id);
    if (!parent) return Status::Invalid("parent category does not exist", {{"field", "parent_id"}});
    cat.level = parent->level + 1;
    cat.path = parent->path + "/" + cat.name;
  }
  return Status::Ok();
}

Status insert_category(Connection& c, Category& cat) {
  if (auto st = place_under_parent(c, cat); !st.ok()) return st;
  if (get_category_by_slug(c, cat.slug)) return Status::Conflict("duplicate_slug", "a category with this slug exists");
  auto st = c.prepare(
      "INSERT INTO categories(category_id, parent_id, name, slug, level, path, position, created_at) VALUES "
      "(?,?,?,?,?,?,?,?)");
  if (cat.id > 0)
    st.bind(1, cat.id);
  else
    st.bind_null(1);
  st.bind(2, cat.parent_id).bind(3, cat.name).bind(4, cat.slug).bind(5, cat.level).bind(6, cat.path);
  st.bind(7, cat.position).bind(8, now_seconds()).exec();
  cat.id = c.last_insert_id();
  (void)kCategoryCols;
  return Status::Ok();
}

Status update_category(Connection& c, Category& cat) {
  auto old = get_category(c, cat.id);
  if (!old) return Status::NotFound("category not found");
  // Refuse to become a descendant of itself.
  for (auto p = cat.parent_id; p;) {
    if (*p == cat.id) return Status::Invalid("a category cannot be its own ancestor", {{"field", "parent_id"}});
    auto parent = get_category(c, *p);
    if (!parent) break;
    p = parent->parent_id;
  }
  if (auto st = place_under_parent(c, cat); !st.ok()) return st;
  if (auto other = get_category_by_slug(c, cat.slug); other && other->id != cat.id)
    return Status::Conflict("duplicate_slug", "a category with this slug exists");
  c.prepare("UPDATE categories SET parent_id=?, name=?, slug=?, level=?, path=?, position=? WHERE category_id=?")
      .bind(1, cat.parent_id)
      .bind(2, cat.name)
      .bind(3, cat.slug)
      .bind(4, cat.level)
      .bind(5, cat.path)
      .bind(6, cat.position)
      .bind(7, cat.id)
      .exec();
  // Descendants: rewrite path prefix and shift level.
  std::string old_prefix = old->path + "/";
  c.prepare(
       "UPDATE categories SET path = ? || substr(path, ?), level = level + ? "
       "WHERE substr(path, 1, ?) = ?")
      .bind(1, cat.path + "/")
      .bind(2, static_cast<int64_t>(old_prefix.size()) + 1)
      .bind(3, cat.level - old->level)
      .bind(4, static_cast<int64_t>(old_prefix.size()))
      .bind(5, old_prefix)
      .exec();
  return Status::Ok();
}

Status delete_category(Connection& c, int64_t id) {
  if (!get_category(c, id)) return Status::NotFound("category not found");
  auto kids = c.prepare("SELECT COUNT(*) FROM categories WHERE parent_id = ?");
  kids.bind(1, id);
  kids.step();
  if (kids.int64(0) > 0) return Status::Conflict("category_not_empty", "category has subcategories");
  auto prods = c.prepare("SELECT COUNT(*) FROM products WHERE category_id = ?");
  prods.bind(1, id);
  prods.step();
  if (prods.int64(0) > 0) return Status::Conflict("category_not_empty", "category has products");
  c.prepare("DELETE FROM categories WHERE category_id = ?").bind(1, id).exec();
  return Status::Ok();
}

int64_t count_children(Connection& c, std::optional<int64_t> parent) {
  auto st = c.prepare("SELECT COUNT(*) FROM categories WHERE parent_id IS ?");
  st.bind(1, parent);
  return st.step() ? st.int64(0) : 0;
}

std::unordered_map<int64_t, std::string> primary_image_urls(Connection& c, const std::vector<int64_t>& ids) {
  std::unordered_map<int64_t, std::string> images;
  auto im = c.prepare(
      "SELECT product_id, url FROM product_images WHERE product_id IN (SELECT value FROM json_each(?)) "
      "ORDER BY product_id, is_primary DESC, display_order, image_id");
  im.bind(1, nlohmann::json(ids).dump());
  while (im.step()) images.emplace(im.int64(0), im.text(1));  // first per product wins
  return images;
}

void set_product_times(Connection& c, int64_t id, int64_t created_at, int64_t updated_at) {
  c.prepare("UPDATE products SET created_at = ?, updated_at = ? WHERE product_id = ?")
      .bind(1, created_at)
      .bind(2, updated_at)
      .bind(3, id)
      .exec();
}

std::optional<Product> get_product(Connection& c, int64_t id) {
  auto st = c.prepare("SELECT " PRODUCT_COLS " FROM products p WHERE p.product_id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  Product p = read_product(st);
  p.images = read_images(c, id);
  read_variants(c, p);
  return p;
}

std::optional<Product> get_product_by_sku(Connection& c, const std::string& sku) {
  auto st = c.prepare("SELECT " PRODUCT_COLS " FROM products p WHERE p.sku = ?");
  st.bind(1, sku);
  if (!st.step()) return std::nullopt;
  Product p = read_product(st);
  p.images = read_images(c, p.id);
  read_variants(c, p);
  return p;
}

std::optional<int64_t> product_id_by_sku(Connection& c, const std::string& sku) {
  auto st = c.prepare("SELECT product_id FROM products WHERE sku = ?");
  st.bind(1, sku);
  if (!st.step()) return std::nullopt;
  return st.int64(0);
}

std::optional<int64_t> product_id_by_slug(Connection& c, const std::string& slug) {
  auto st = c.prepare("SELECT product_id FROM products WHERE slug = ?");
  st.bind(1, slug);
  if (!st.step()) return std::nullopt;
  return st.int64(0);
}

std::vector<std::string> brand_filter_values(const std::vector<std::string>& brands) {
  bool all_valid = std::all_of(brands.begin(), brands.end(), [](const std::string& b) { return valid_utf8(b); });
  if (all_valid) return brands;
  auto j = nlohmann::json::parse(nlohmann::json(brands).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return j.get<std::vector<std::string>>();
}

ProductPage list_products(Connection& c, const ProductQuery& q) {
  // The SQL text is assembled only from fixed fragments chosen by which
  // filters are present (never from values, which are all bound), so each
  // combination is one cached prepared statement and SQLite can use the
  // index that fits (category, price, brand) instead of scanning every row
  // as a "(? IS NULL OR ...)" form would. Lists (categories, brands, ids)
  // arrive as JSON arrays through json_each.
  std::optional<std::string> cat_ids, brands, ids;
  if (q.category_id) {
    // The category and all its descendants (the categories table is small).
    std::vector<int64_t> subtree;
    if (auto cat = get_category(c, *q.category_id)) {
      std::string prefix = cat->path + "/";
      auto st =
          c.prepare("SELECT category_id FROM categories WHERE category_id = ?1 OR substr(path, 1, length(?2)) = ?2");
      st.bind(1, *q.category_id).bind(2, prefix);
      while (st.step()) subtree.push_back(st.int64(0));
    }
    cat_ids = nlohmann::json(subtree).dump();
  }
  if (!q.brands.empty()) brands = nlohmann::json(brand_filter_values(q.brands)).dump();
  if (!q.ids.empty()) ids = nlohmann::json(q.ids).dump();

  // Shoppers see active products only (product.h ProductStatus). The few
  // others are excluded through idx_products_not_active, so the filter
  // indexes stay covering (a "p.status = 'active'" term would read rows).
  std::string where =
      " FROM products p WHERE p.product_id NOT IN (SELECT product_id FROM products WHERE status <> 'active')";
  if (cat_ids) where += " AND p.category_id IN (SELECT value FROM json_each(?1))";
  if (q.min_price) where += " AND p.final_price_cents >= ?2";
  if (q.max_price) where += " AND p.final_price_cents <= ?3";
  if (brands) where += " AND p.brand IN (SELECT value FROM json_each(?4))";
  if (q.min_rating) where += " AND p.rating_count > 0 AND p.rating_sum >= ?5 * p.rating_count";
  if (ids) where += " AND p.product_id IN (SELECT value FROM json_each(?6))";
  auto bind_filters = [&](Statement& st) {
    if (cat_ids) st.bind(1, *cat_ids);
    if (q.min_price) st.bind(2, *q.min_price);
    if (q.max_price) st.bind(3, *q.max_price);
    if (brands) st.bind(4, *brands);
    if (q.min_rating) st.bind(5, static_cast<int64_t>(*q.min_rating));
    if (ids) st.bind(6, *ids);
  };

  ProductPage page;
  std::string count_sql = "SELECT COUNT(*)" + where;
  {
    auto cnt = c.prepare(count_sql.c_str());
    bind_filters(cnt);
    cnt.step();
    page.total = cnt.int64(0);
  }
  if (page.total == 0 || static_cast<int64_t>(q.page - 1) * q.size >= page.total) return page;

  // Every order ends with product_id so pagination is stable.
  //
  // Unfiltered, a page is read by walking the sort's index (migration 102).
  // Filtered, the matching ids are collected and sorted through the
  // covering filter indexes (idx_products_browse, idx_products_brand_filters)
  // without reading any row, and only the page's rows are read afterwards:
  // walking a sort index while skipping non-matches can read most of the
  // catalog when the filter correlates with the sort key (a pricey
  // category sorted by price). The unary '+' keeps SQLite off the sort index.
  bool filtered = cat_ids || q.min_price || q.max_price || brands || q.min_rating || ids;
  const char* order = "";
  switch (q.sort) {
    case ProductSort::newest:
      order = !filtered ? " ORDER BY p.created_at DESC, p.product_id DESC"
                        : " ORDER BY +p.created_at DESC, p.product_id DESC";
      break;
    case ProductSort::price_asc:
      order = !filtered ? " ORDER BY p.final_price_cents ASC, p.product_id ASC"
                        : " ORDER BY +p.final_price_cents ASC, p.product_id ASC";
      break;
    case ProductSort::price_desc:
      order = !filtered ? " ORDER BY p.final_price_cents DESC, p.product_id DESC"
                        : " ORDER BY +p.final_price_cents DESC, p.product_id DESC";
      break;
    case ProductSort::rating:
      order = !filtered ? " ORDER BY (CASE WHEN p.rating_count = 0 THEN 0 ELSE CAST(p.rating_sum AS REAL) / "
                          "p.rating_count END) DESC,"
                          " p.rating_count DESC, p.product_id DESC"
                        : " ORDER BY +(CASE WHEN p.rating_count = 0 THEN 0 ELSE CAST(p.rating_sum AS REAL) / "
                          "p.rating_count END) DESC,"
                          " p.rating_count DESC, p.product_id DESC";
      break;
    case ProductSort::name:
      order = !filtered ? " ORDER BY p.name COLLATE NOCASE, p.product_id"
                        : " ORDER BY +p.name COLLATE NOCASE, p.product_id";
      break;
  }
  std::vector<int64_t> page_ids;
  {
    std::string sql = std::string("SELECT p.product_id") + where + order + " LIMIT ?7 OFFSET ?8";
    auto st = c.prepare(sql.c_str());
    bind_filters(st);
    st.bind(7, static_cast<int64_t>(q.size)).bind(8, static_cast<int64_t>(q.page - 1) * q.size);
    while (st.step()) page_ids.push_back(st.int64(0));
  }
  page.products = page_products(c, page_ids);
  return page;
}

std::vector<ProductKey> for_sale_keys(Connection& c, int64_t after, int64_t up_to, int64_t limit) {
  auto st = c.prepare(
      "SELECT product_id, updated_at FROM products WHERE product_id > ? AND product_id <= ? AND status = 'active' "
      "ORDER BY product_id LIMIT ?");
  st.bind(1, after).bind(2, up_to).bind(3, limit);
  std::vector<ProductKey> keys;
  while (st.step()) keys.push_back({st.int64(0), st.int64(1)});
  return keys;
}

// `text` as a LIKE pattern matching it anywhere, its wildcards escaped
// (the statements say ESCAPE '\\').
static std::string like_anywhere(const std::string& text) {
  std::string pattern = "%";
  for (char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') pattern += '\\';
    pattern += ch;
  }
  return pattern + "%";
}

std::vector<int64_t> variant_ids_matching(Connection& c, const std::string& text, int64_t limit) {
  auto st = c.prepare(
      "SELECT v.variant_id FROM variants v JOIN products p ON p.product_id = v.product_id"
      " WHERE p.name LIKE ?1 ESCAPE '\\' OR p.brand LIKE ?1 ESCAPE '\\' OR p.sku LIKE ?1 ESCAPE '\\'"
      " OR v.sku LIKE ?1 ESCAPE '\\'"
      " ORDER BY p.name COLLATE NOCASE, p.product_id, v.position, v.variant_id LIMIT ?2");
  st.bind(1, like_anywhere(text)).bind(2, limit);
  std::vector<int64_t> ids;
  while (st.step()) ids.push_back(st.int64(0));
  return ids;
}

ProductPage admin_products(Connection& c, const AdminProductQuery& q) {
  // Fixed fragments only, values bound (as list_products).
  std::string where = " FROM products p WHERE 1";
  if (q.status) where += " AND p.status = ?1";
  if (!q.text.empty())
    where +=
        " AND (p.name LIKE ?2 ESCAPE '\\' OR p.brand LIKE ?2 ESCAPE '\\' OR p.sku LIKE ?2 ESCAPE '\\'"
        " OR p.product_id IN (SELECT product_id FROM variants WHERE sku = ?3))";
  const std::string pattern = like_anywhere(q.text);
  auto bind_filters = [&](Statement& st) {
    if (q.status) st.bind(1, product_status_name(*q.status));
    if (!q.text.empty()) st.bind(2, pattern).bind(3, q.text);
  };
  ProductPage page;
  {
    auto cnt = c.prepare(("SELECT COUNT(*)" + where).c_str());
    bind_filters(cnt);
    cnt.step();
    page.total = cnt.int64(0);
  }
  if (page.total == 0 || static_cast<int64_t>(q.page - 1) * q.size >= page.total) return page;
  std::vector<int64_t> ids;
  {
    auto st = c.prepare(
        ("SELECT p.product_id" + where + " ORDER BY p.created_at DESC, p.product_id DESC LIMIT ?4 OFFSET ?5").c_str());
    bind_filters(st);
    st.bind(4, static_cast<int64_t>(q.size)).bind(5, static_cast<int64_t>(q.page - 1) * q.size);
    while (st.step()) ids.push_back(st.int64(0));
  }
  page.products = page_products(c, ids);
  return page;
}

ProductStatusCounts count_by_status(Connection& c) {
  ProductStatusCounts counts;
  // Through idx_products_not_active: the active count is the rest.
  auto st = c.prepare("SELECT status, COUNT(*) FROM products WHERE status <> 'active' GROUP BY status");
  while (st.step()) {
    if (st.text(0) == "draft") counts.draft = st.int64(1);
    if (st.text(0) == "archived") counts.archived = st.int64(1);
  }
  counts.active = count_products(c) - counts.draft - counts.archived;
  return counts;
}

BrowseRows scan_browse_rows(Connection& c) {
  // Two statements, one snapshot: a read transaction on this reader. Each
  // statement is a cheap scan on its own (the table in rowid order; the
  // name order from idx_products_name, a covering index); asking for the
  // columns in name order in one statement walks that index and looks up
  // every row in the table, ~10x slower at 100k products.
  //
  // The scan reads the whole products table (37 MB at 100k demo products):
  // through the reader's normal page cache (32 MB) it would leave that
  // much behind in every reader it ran on, and RSS grew by ~100 MB over a
  // few rebuilds. A sequential scan gains nothing from a large cache, so
  // it runs with a small one (lowering the limit also frees the pages
  // above it) and the reader gets its limit back afterwards.
  struct ScanScope {
    Connection& c;
    int64_t cache_size = 0;
    explicit ScanScope(Connection& conn) : c(conn) {
      auto size = c.prepare("PRAGMA cache_size");
      if (size.step()) cache_size = size.int64(0);
      c.prepare("PRAGMA cache_size = -1024").exec();  // KiB
      c.prepare("BEGIN").exec();
    }
    ~ScanScope() {
      sqlite3_exec(c.raw(), "COMMIT", nullptr, nullptr, nullptr);  // read-only: nothing to fail
      const std::string restore = "PRAGMA cache_size = " + std::to_string(cache_size);
      sqlite3_exec(c.raw(), restore.c_str(), nullptr, nullptr, nullptr);
    }
  } scope(c);
  BrowseRows out;
  // Reserved to size: one allocation per table rather than a doubling
  // vector's trail of freed blocks (rebuilds happen on any HTTP thread, and
  // each thread's malloc arena kept those blocks: RSS grew with rebuilds).
  auto count = c.prepare("SELECT COUNT(*) FROM products");
  if (count.step()) out.rows.reserve(static_cast<size_t>(count.int64(0)));
  std::unordered_map<std::string, uint32_t> brand_index;
  auto st = c.prepare(
      "SELECT product_id, category_id, final_price_cents, rating_sum, rating_count, created_at, brand "
      "FROM products WHERE status = 'active' ORDER BY product_id");
  while (st.step()) {
    BrowseRow r;
    r.id = st.int64(0);
    if (!st.is_null(1)) r.category_id = st.int64(1);
    r.price = st.int64(2);
    r.rating_sum = st.int64(3);
    r.rating_count = st.int64(4);
    r.created_at = st.int64(5);
    auto [it, added] = brand_index.try_emplace(st.text(6), static_cast<uint32_t>(out.brands.size()));
    if (added) out.brands.push_back(it->first);
    r.brand = it->second;
    out.rows.push_back(r);
  }
  // A row's rank for sort=name is its position in list_products' order
  // for it: the same collation and tie-break, by construction. Products
  // not for sale are in the name index but not in the rows: their ranks
  // are skipped, which leaves gaps and keeps the order.
  auto names = c.prepare("SELECT product_id FROM products ORDER BY name COLLATE NOCASE, product_id");
  for (uint32_t rank = 0; names.step(); ++rank) {
    int64_t id = names.int64(0);
    auto it =
        std::lower_bound(out.rows.begin(), out.rows.end(), id, [](const BrowseRow& r, int64_t v) { return r.id < v; });
    if (it != out.rows.end() && it->id == id) it->name_rank = rank;
  }
  return out;
}

void attach_variants(Connection& c, std::vector<Product>& products) {
  if (products.empty()) return;
  std::unordered_map<int64_t, size_t> at;
  nlohmann::json ids = nlohmann::json::array();
  for (size_t i = 0; i < products.size(); ++i) {
    at.emplace(products[i].id, i);
    ids.push_back(products[i].id);
  }
  auto o = c.prepare(
      "SELECT product_id, name, option_values FROM product_options WHERE product_id IN (SELECT value FROM "
      "json_each(?)) ORDER BY product_id, position");
  o.bind(1, ids.dump());
  while (o.step()) {
    auto it = at.find(o.int64(0));
    if (it == at.end()) continue;
    ProductOption opt;
    opt.name = o.text(1);
    auto values = stored_json(o.text(2), nlohmann::json::array());
    if (values.is_array())
      for (const auto& v : values)
        if (v.is_string()) opt.values.push_back(v.get<std::string>());
    products[it->second].options.push_back(std::move(opt));
  }
  auto v = c.prepare("SELECT " VARIANT_COLS
                     " FROM variants WHERE product_id IN (SELECT value FROM json_each(?)) ORDER BY product_id,"
                     " position, variant_id");
  v.bind(1, ids.dump());
  while (v.step()) {
    auto it = at.find(v.int64(1));
    if (it == at.end()) continue;
    Product& p = products[it->second];
    p.variants.push_back(read_variant(v, p.options.size()));
  }
}

std::optional<int64_t> product_id_of_variant(Connection& c, int64_t variant_id) {
  auto st = c.prepare("SELECT product_id FROM variants WHERE variant_id = ?");
  st.bind(1, variant_id);
  if (!st.step()) return std::nullopt;
  return st.int64(0);
}

std::optional<std::pair<int64_t, int64_t>> variant_by_sku(Connection& c, const std::string& sku) {
  auto st = c.prepare("SELECT product_id, variant_id FROM variants WHERE sku = ?");
  st.bind(1, sku);
  if (!st.step()) return std::nullopt;
  return std::make_pair(st.int64(0), st.int64(1));
}

std::vector<int64_t> product_ids_by_barcode(Connection& c, const std::string& barcode) {
  std::vector<int64_t> out;
  if (barcode.empty()) return out;
  auto st = c.prepare("SELECT DISTINCT product_id FROM variants WHERE barcode = ? ORDER BY product_id");
  st.bind(1, barcode);
  while (st.step()) out.push_back(st.int64(0));
  return out;
}

std::vector<Product> page_products(Connection& c, const std::vector<int64_t>& ids) {
  std::vector<Product> out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    auto st = c.prepare("SELECT " PRODUCT_COLS " FROM products p WHERE p.product_id = ?");
    st.bind(1, id);
    if (st.step()) out.push_back(read_product(st));
  }
  for (auto& p : out) {
    auto im = c.prepare(
        "SELECT image_id, url, alt_text, display_order, is_primary FROM product_images WHERE product_id = ? "
        "ORDER BY is_primary DESC, display_order, image_id LIMIT 1");
    im.bind(1, p.id);
    if (im.step())
      p.images.push_back({im.int64(0), im.text(1), im.text(2), static_cast<int>(im.int64(3)), im.int64(4) != 0});
  }
  attach_variants(c, out);
  return out;
}

std::vector<Product> get_products(Connection& c, const std::vector<int64_t>& ids) {
  std::vector<Product> out;
  if (ids.empty()) return out;
  auto st = c.prepare("SELECT " PRODUCT_COLS
                      " FROM products p WHERE p.product_id IN (SELECT value FROM json_each(?)) ORDER BY p.product_id");
  st.bind(1, nlohmann::json(ids).dump());
  while (st.step()) out.push_back(read_product(st));
  return out;
}

Status insert_product(Connection& c, Product& p) {
  int64_t now = now_seconds();
  if (p.created_at == 0) p.created_at = now;
  p.updated_at = now;
  auto st = c.prepare(
      "INSERT INTO products(product_id, sku, name, slug, description, brand, category_id, price_cents,"
      " sale_price_cents, currency, specs, weight_grams, rating_sum, rating_count, featured, created_at, updated_at,"
      " price_max_cents, status)"
      " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  // The product takes the next id of the variants' sequence, and its first
  // variant the same id (product.h); a replica keeps the primary's ids.
  if (p.id <= 0) p.id = next_variant_id(c);
  if (!p.variants.empty() && p.variants.front().id <= 0) p.variants.front().id = p.id;
  st.bind(1, p.id);
  st.bind(2, p.sku).bind(3, p.name).bind(4, p.slug).bind(5, p.description).bind(6, p.brand);
  st.bind(7, p.category_id).bind(8, p.price).bind(9, p.sale_price).bind(10, p.currency);
  st.bind(11, p.specs.dump()).bind(12, p.weight_grams).bind(13, p.rating_sum).bind(14, p.rating_count);
  st.bind(15, static_cast<int64_t>(p.featured)).bind(16, p.created_at).bind(17, p.updated_at);
  st.bind(18, p.price_max).bind(19, std::string(product_status_name(p.status)));
  st.exec();
  write_images(c, p);
  // New variants with an id (the first, or a replica's) go in as such:
  // write_variants updates ids it finds and inserts the rest.
  write_variants(c, p);
  return Status::Ok();
}

Status update_product(Connection& c, Product& p) {
  p.updated_at = now_seconds();
  c.prepare(
       "UPDATE products SET sku=?, name=?, slug=?, description=?, brand=?, category_id=?, price_cents=?,"
       " sale_price_cents=?, currency=?, specs=?, weight_grams=?, rating_sum=?, rating_count=?, featured=?,"
       " updated_at=?, price_max_cents=?, status=? WHERE product_id=?")
      .bind(1, p.sku)
      .bind(2, p.name)
      .bind(3, p.slug)
      .bind(4, p.description)
      .bind(5, p.brand)
      .bind(6, p.category_id)
      .bind(7, p.price)
      .bind(8, p.sale_price)
      .bind(9, p.currency)
      .bind(10, p.specs.dump())
      .bind(11, p.weight_grams)
      .bind(12, p.rating_sum)
      .bind(13, p.rating_count)
      .bind(14, static_cast<int64_t>(p.featured))
      .bind(15, p.updated_at)
      .bind(16, p.price_max)
      .bind(17, std::string(product_status_name(p.status)))
      .bind(18, p.id)
      .exec();
  if (c.changes() == 0) return Status::NotFound("product not found");
  write_images(c, p);
  write_variants(c, p);
  return Status::Ok();
}

Status delete_product(Connection& c, int64_t id) {
  c.prepare("DELETE FROM products WHERE product_id = ?").bind(1, id).exec();
  if (c.changes() == 0) return Status::NotFound("product not found");
  return Status::Ok();
}

bool id_is_free(Connection& c, int64_t id) {
  auto st = c.prepare(
      "SELECT EXISTS(SELECT 1 FROM products WHERE product_id = ?1) OR EXISTS(SELECT 1 FROM variants WHERE variant_id = "
      "?1) OR ?1 <= COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'variants'), 0)");
  st.bind(1, id);
  st.step();
  return st.int64(0) == 0;
}

int64_t count_products(Connection& c) {
  auto st = c.prepare("SELECT COUNT(*) FROM products");
  st.step();
  return st.int64(0);
}

void for_each_product_id(Connection& c, const std::function<void(int64_t)>& fn) {
  auto st = c.prepare("SELECT product_id FROM products ORDER BY product_id");
  while (st.step()) fn(st.int64(0));
}

}  // namespace shopbox::catalog_store
