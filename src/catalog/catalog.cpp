#include "catalog/catalog.h"

#include "catalog/browse_table.h"
#include "catalog/variants.h"
#include "inventory/inventory.h"

namespace shopbox {

Catalog::Catalog(Sqlite& db, Inventory& inventory, const Config& config)
    : db_(db), inventory_(inventory), config_(config) {}

std::string Catalog::slugify(const std::string& text) {
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch)) {
      out += static_cast<char>(std::tolower(ch));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.size() > 200) out.resize(200);
  return out;
}

// A picture's address the storefront can show: an http(s) URL with a host,
// or a path on this shop ("/images/..."). Anything else ("not a url",
// "javascript:...", "//other.host/x") would be a broken or hostile <img>.
bool is_image_address(std::string_view url) {
  if (url.empty() || url.size() > 2000) return false;
  for (unsigned char ch : url)
    if (ch <= ' ' || ch == 0x7f || ch == '"' || ch == '<' || ch == '>' || ch == '\\') return false;
  if (url.front() == '/') return url.size() == 1 || url[1] != '/';
  for (std::string_view scheme : {"https://", "http://"})
    if (url.substr(0, scheme.size()) == scheme) {
      std::string_view host = url.substr(scheme.size());
      return !host.empty() && host.front() != '/' && host.front() != '.' && host.front() != ':';
    }
  return false;
}

// Messages a merchant reads in the admin as they are: field names in words.
Status Catalog::validate(Product& p, const VariantLimits& limits) {
  if (p.name.empty()) return field_error("name", "Give the product a name");
  if (p.name.size() > 500) return field_error("name", "The name is too long (at most 500 characters)");
  if (p.description.size() > 20000)
    return field_error("description", "The description is too long (at most 20,000 characters)");
  if (p.brand.size() > 200) return field_error("brand", "The brand is too long (at most 200 characters)");
  if (p.price < 0 || p.price > kMaxCents) return field_error("price", "The price must be between 0 and 1,000,000,000");
  if (p.sale_price && (*p.sale_price < 0 || *p.sale_price > p.price))
    return field_error("sale_price", "The sale price must be between 0 and the price");
  if (!valid_currency(p.currency))
    return field_error("currency", "The currency must be a 3-letter ISO code such as USD");
  if (!p.specs.is_object()) return field_error("specifications", "Specifications must be a list of name: value");
  if (p.slug.empty()) p.slug = slugify(p.name);
  if (p.slug.empty()) p.slug = "product";
  if (p.slug != slugify(p.slug))
    return field_error("slug", "The URL handle may hold only lower-case letters, digits and '-'");
  if (p.sku.empty()) p.sku = p.slug;
  if (p.sku.size() > 100) return field_error("sku", "The SKU is too long (at most 100 characters)");
  if (p.images.size() > 20) return field_error("images", "A product has at most 20 pictures");
  for (const auto& im : p.images)
    if (!is_image_address(im.url))
      return field_error("images", "A picture's address must be a web address (https://...) or a path on this shop");
  for (const auto& v : p.variants)
    if (!v.image_url.empty() && !is_image_address(v.image_url))
      return field_error("variants", "Variant " + v.sku +
                                         ": a picture's address must be a web address (https://...) or a path on "
                                         "this shop");
  return check_variants(p, limits);
}

VariantLimits Catalog::limits() const {
  return {static_cast<size_t>(config_.max_options_per_product), static_cast<size_t>(config_.max_variants_per_product)};
}

Result<Product> Catalog::product(int64_t id) {
  std::optional<Product> p;
  Status st = db_.read([&](Connection& c) {
    p = catalog_store::get_product(c, id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!p) return Status::NotFound("product not found");
  return *p;
}

ProductStock Catalog::stock(const Product& p) {
  std::vector<int64_t> ids;
  ids.reserve(p.variants.size());
  for (const auto& v : p.variants) ids.push_back(v.id);
  return {inventory_.levels(ids)};
}

Result<Product> Catalog::product_for_shoppers(int64_t id) {
  auto p = product(id);
  if (p.ok() && !p->for_sale()) return Status::NotFound("product not found");
  return p;
}

Result<Product> Catalog::product_of_variant_for_shoppers(int64_t variant_id) {
  auto p = product_of_variant(variant_id);
  if (p.ok() && !p->for_sale()) return Status::NotFound("variant not found");
  return p;
}

Result<ProductPage> Catalog::admin_products(const AdminProductQuery& q) {
  ProductPage page;
  Status st = db_.read([&](Connection& c) {
    page = catalog_store::admin_products(c, q);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return page;
}

Result<ProductStatusCounts> Catalog::count_by_status() {
  ProductStatusCounts counts;
  Status st = db_.read([&](Connection& c) {
    counts = catalog_store::count_by_status(c);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return counts;
}

Result<std::vector<int64_t>> Catalog::variant_ids_matching(const std::string& text, int64_t limit) {
  std::vector<int64_t> ids;
  Status st = db_.read([&](Connection& c) {
    ids = catalog_store::variant_ids_matching(c, text, limit);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return ids;
}

Result<Product> Catalog::product_of_variant(int64_t variant_id) {
  std::optional<int64_t> product_id;
  Status st = db_.read([&](Connection& c) {
    product_id = catalog_store::product_id_of_variant(c, variant_id);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!product_id) return Status::NotFound("variant not found");
  return product(*product_id);
}

Result<ProductPage> Catalog::browse(const ProductQuery& q) {
  return browse(q, nullptr);
}

Result<ProductPage> Catalog::browse(const ProductQuery& q, std::vector<OptionFacet>* option_facets) {
  // The category and its descendants, from the cached tree: what
  // list_products selects by path prefix from the categories table.
  std::vector<int64_t> subtree;
  if (q.category_id) {
    auto cache = category_cache();
    auto it = cache->by_id.find(*q.category_id);
    if (it == cache->by_id.end()) return Status::NotFound("category not found");
    const std::string prefix = cache->all[it->second].path + "/";
    for (const auto& c : cache->all)
      if (c.id == *q.category_id || c.path.compare(0, prefix.size(), prefix) == 0) subtree.push_back(c.id);
  }
  auto table = browse_table();
  if (!table.ok()) return table.status();
  // Option filters and facets need the option table of the same generation
  // as the browse table; a plain browse never touches it.
  std::shared_ptr<const BrowseOptions> options;
  std::vector<int64_t> in_stock;
  if (option_facets || !q.options.empty()) {
    auto loaded = (*table)->options([this] { return load_option_table(); });
    if (!loaded.ok()) return loaded.status();
    options = *loaded;
    if (!q.options.empty()) in_stock = options->table.in_stock_matching(q.options, inventory_);
  }
  auto match = (*table)->query(q, subtree, options.get(), &in_stock, option_facets != nullptr);
  if (option_facets) *option_facets = std::move(match.option_facets);
  ProductPage page;
  page.total = match.total;
  if (match.ids.empty()) return page;
  Status st = db_.read([&](Connection& c) {
    page.products = catalog_store::page_products(c, match.ids);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return page;
}

Result<ProductPage> Catalog::browse_sqlite(const ProductQuery& q) {
  if (q.category_id) {
    auto cache = category_cache();
    if (!cache->by_id.count(*q.category_id)) return Status::NotFound("category not found");
  }
  ProductPage page;
  Status st = db_.read([&](Connection& c) {
    page = catalog_store::list_products(c, q);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return page;
}

Result<std::shared_ptr<const BrowseTable>> Catalog::browse_table() {
  {
    std::lock_guard<std::mutex> lock(browse_mu_);
    if (browse_) return browse_;
  }
  std::lock_guard<std::mutex> building(browse_build_mu_);
  uint64_t generation;
  {
    std::lock_guard<std::mutex> lock(browse_mu_);
    if (browse_) return browse_;  // built while we waited
    generation = browse_generation_;
  }
  BrowseRows rows;
  Status st = db_.read([&](Connection& c) {
    rows = catalog_store::scan_browse_rows(c);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  auto fresh = std::make_shared<const BrowseTable>(std::move(rows));
  std::lock_guard<std::mutex> lock(browse_mu_);
  if (generation == browse_generation_) browse_ = fresh;
  return std::shared_ptr<const BrowseTable>(fresh);
}

void Catalog::drop_browse_table() {
  std::shared_ptr<const BrowseTable> old;
  {
    std::lock_guard<std::mutex> lock(browse_mu_);
    ++browse_generation_;
    old = std::move(browse_);
  }
  // `old` (megabytes at 100k products) is freed here, outside the lock.
}

std::shared_ptr<const Catalog::CategoryCache> Catalog::category_cache() {
  uint64_t generation;
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (cache_) return cache_;
    generation = cache_generation_;
  }
  auto fresh = std::make_shared<CategoryCache>();
  Status read = db_.read([&](Connection& c) {
    fresh->all = catalog_store::list_categories(c);
    return Status::Ok();
  });
  for (size_t i = 0; i < fresh->all.size(); ++i) fresh->by_id[fresh->all[i].id] = i;
  std::lock_guard<std::mutex> lock(cache_mu_);
  // A category change that landed while we read makes this copy stale:
  // hand it to this caller only, never keep it.
  // A failed read gives this caller an empty tree and is never kept.
  if (read.ok() && generation == cache_generation_) cache_ = fresh;
  return fresh;
}

void Catalog::invalidate_categories() {
  std::lock_guard<std::mutex> lock(cache_mu_);
  ++cache_generation_;
  cache_.reset();
}

std::vector<Category> Catalog::categories() {
  return category_cache()->all;
}

std::optional<Category> Catalog::category_by_slug(const std::string& slug) {
  auto cache = category_cache();
  for (const auto& c : cache->all)
    if (c.slug == slug) return c;
  return std::nullopt;
}

Result<Category> Catalog::category(int64_t id) {
  auto cache = category_cache();
  auto it = cache->by_id.find(id);
  if (it == cache->by_id.end()) return Status::NotFound("category not found");
  return cache->all[it->second];
}

std::vector<int64_t> Catalog::category_ancestry(std::optional<int64_t> id) {
  std::vector<int64_t> out;
  auto cache = category_cache();
  // A broken parent chain (never made by the shop) stops at the tree's depth.
  while (id && out.size() <= cache->all.size()) {
    auto it = cache->by_id.find(*id);
    if (it == cache->by_id.end()) break;
    out.push_back(*id);
    id = cache->all[it->second].parent_id;
  }
  return out;
}

std::string Catalog::category_path(std::optional<int64_t> id) {
  if (!id) return "";
  auto cache = category_cache();
  auto it = cache->by_id.find(*id);
  if (it == cache->by_id.end()) return "";
  std::string out;
  for (char ch : cache->all[it->second].path) {
    if (ch == '/')
      out += " > ";
    else
      out += ch;
  }
  return out;
}

Result<int64_t> Catalog::product_count() {
  int64_t n = 0;
  Status st = db_.read([&](Connection& c) {
    n = catalog_store::count_products(c);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return n;
}

// Unique-constraint failures name the field so the merchant knows which.
static Status check_unique(Connection& c, const Product& p) {
  if (auto other = catalog_store::product_id_by_sku(c, p.sku); other && *other != p.id)
    return Status::Conflict("duplicate_sku", "another product has this SKU", {{"field", "sku"}});
  if (auto other = catalog_store::product_id_by_slug(c, p.slug); other && *other != p.id)
    return Status::Conflict("duplicate_slug", "another product has this slug", {{"field", "slug"}});
  for (size_t i = 0; i < p.variants.size(); ++i) {
    const auto& v = p.variants[i];
    if (auto other = catalog_store::variant_by_sku(c, v.sku); other && other->first != p.id)
      return Status::Conflict(
          "duplicate_sku", "another product has the SKU '" + v.sku + "'",
          {{"field", p.options.empty() ? std::string("sku") : "variants[" + std::to_string(i) + "]"}});
    if (v.id > 0) {
      auto owner = catalog_store::product_id_of_variant(c, v.id);
      if (owner && *owner != p.id)
        return Status::Invalid("variant " + std::to_string(v.id) + " belongs to another product",
                               {{"field", "variants[" + std::to_string(i) + "]"}});
      if (!owner)
        return Status::Invalid("this product has no variant " + std::to_string(v.id),
                               {{"field", "variants[" + std::to_string(i) + "]"}});
    }
  }
  if (p.category_id && !catalog_store::get_category(c, *p.category_id))
    return Status::Invalid("category does not exist", {{"field", "category_id"}});
  return Status::Ok();
}

Result<Product> Catalog::create_product(Product p, std::optional<int64_t> initial_stock, const std::string& actor) {
  for (auto& v : p.variants) v.id = 0;  // ids are the shop's to give
  if (auto st = validate(p, limits()); !st.ok()) return st;
  if (initial_stock && *initial_stock < 0) return Status::Invalid("stock must not be negative", {{"field", "stock"}});
  if (initial_stock) {
    if (p.variants.size() > 1)
      return Status::Invalid("a product with variants takes stock per variant", {{"field", "stock"}});
    p.variants.front().stock_to_set = initial_stock;
  }
  if (auto g = guard(); !g.ok()) return g;
  p.id = 0;
  Status st = db_.write([&](Connection& c) {
    if (auto u = check_unique(c, p); !u.ok()) return u;
    if (auto w = catalog_store::insert_product(c, p); !w.ok()) return w;
    return record(c, CatalogChange::What::product_upserted, p.id);
  });
  if (!st.ok()) return st;
  if (auto s = set_variant_stock(p, actor, "initial stock"); !s.ok()) return s;
  notify({CatalogChange::What::product_upserted, p.id});
  return product(p.id);
}

Result<Product> Catalog::update_product(Product p, const std::string& actor) {
  if (auto st = validate(p, limits()); !st.ok()) return st;
  if (auto g = guard(); !g.ok()) return g;
  Status st = db_.write([&](Connection& c) {
    auto stored = catalog_store::get_product(c, p.id);
    if (!stored) return Status::NotFound("product not found");
    if (auto u = check_unique(c, p); !u.ok()) return u;
    // A variant that holds reservations is being bought right now: its
    // checkouts would consume stock of a variant that no longer exists.
    for (const auto& old : stored->variants)
      if (!p.variant(old.id) && inventory_.level(old.id).reserved > 0)
        return Status::Conflict("variant_reserved",
                                "variant " + old.sku + " has units reserved by checkouts; try again once they finish",
                                {{"variant_id", std::to_string(old.id)}});
    if (auto w = catalog_store::update_product(c, p); !w.ok()) return w;
    return record(c, CatalogChange::What::product_upserted, p.id);
  });
  if (!st.ok()) return st;
  if (auto s = set_variant_stock(p, actor, "product edit"); !s.ok()) return s;
  notify({CatalogChange::What::product_upserted, p.id});
  return product(p.id);
}

Status Catalog::set_variant_stock(const Product& p, const std::string& actor, const std::string& reason) {
  for (const auto& v : p.variants) {
    if (!v.stock_to_set) continue;
    auto s = inventory_.set_total(v.id, *v.stock_to_set, actor, reason);
    if (!s.ok()) return s.status();
  }
  return Status::Ok();
}

Status Catalog::delete_product(int64_t id) {
  if (auto g = guard(); !g.ok()) return g;
  Status st = db_.write([&](Connection& c) {
    if (auto w = catalog_store::delete_product(c, id); !w.ok()) return w;
    return record(c, CatalogChange::What::product_deleted, id);
  });
  if (st.ok()) notify({CatalogChange::What::product_deleted, id});
  return st;
}

static Status validate_category(Category& c) {
  if (c.name.empty()) return Status::Invalid("name is required", {{"field", "name"}});
  if (c.name.size() > 200) return Status::Invalid("name is too long (max 200)", {{"field", "name"}});
  if (c.name.find('/') != std::string::npos) return Status::Invalid("name must not contain '/'", {{"field", "name"}});
  if (c.slug.empty()) c.slug = Catalog::slugify(c.name);
  if (c.slug.empty() || c.slug != Catalog::slugify(c.slug))
    return Status::Invalid("slug may hold only a-z, 0-9 and '-'", {{"field", "slug"}});
  return Status::Ok();
}

Result<Category> Catalog::create_category(Category cat) {
  if (auto st = validate_category(cat); !st.ok()) return st;
  if (auto g = guard(); !g.ok()) return g;
  Status st = db_.write([&](Connection& c) {
    if (auto w = catalog_store::insert_category(c, cat); !w.ok()) return w;
    return record(c, CatalogChange::What::category_changed, cat.id);
  });
  invalidate_categories();
  if (!st.ok()) return st;
  notify({CatalogChange::What::category_changed, cat.id});
  return category(cat.id);
}

Result<Category> Catalog::update_category(Category cat) {
  if (auto st = validate_category(cat); !st.ok()) return st;
  if (auto g = guard(); !g.ok()) return g;
  Status st = db_.write([&](Connection& c) {
    if (auto w = catalog_store::update_category(c, cat); !w.ok()) return w;
    return record(c, CatalogChange::What::category_changed, cat.id);
  });
  invalidate_categories();
  if (!st.ok()) return st;
  notify({CatalogChange::What::category_changed, cat.id});
  return category(cat.id);
}

Status Catalog::delete_category(int64_t id) {
  if (auto g = guard(); !g.ok()) return g;
  Status st = db_.write([&](Connection& c) {
    if (auto w = catalog_store::delete_category(c, id); !w.ok()) return w;
    return record(c, CatalogChange::What::category_changed, id);
  });
  invalidate_categories();
  if (st.ok()) notify({CatalogChange::What::category_changed, id});
  return st;
}

void Catalog::replicated(const CatalogChange& change) {
  if (change.what == CatalogChange::What::category_changed) invalidate_categories();
  notify(change);
}

void Catalog::on_change(std::function<void(const CatalogChange&)> listener) {
  std::lock_guard<std::mutex> lock(listeners_mu_);
  listeners_.push_back(std::move(listener));
}

void Catalog::notify(const CatalogChange& change) {
  // Every catalog change (and product_changed: ratings) may move a product
  // in or out of a browse or change its place; stock changes never reach
  // here and do not matter to browse (it has no stock filter).
  drop_browse_table();
  std::vector<std::function<void(const CatalogChange&)>> copy;
  {
    std::lock_guard<std::mutex> lock(listeners_mu_);
    copy = listeners_;
  }
  for (auto& l : copy) l(change);
}

}  // namespace shopbox
