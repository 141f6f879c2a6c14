// The catalog service: categories and products with their business rules
// (validation, slugs, discounts, stock on creation) and change
// notifications, so the search index and catalog replication follow every
// change without the catalog knowing about them.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "catalog/catalog_store.h"
#include "catalog/variants.h"
#include "config.h"
#include "storage/sqlite.h"

namespace shopbox {

class BrowseTable;
class Inventory;
class OptionTable;   // catalog/option_filter.h
struct OptionFacet;  // catalog/option_filter.h

// One product of a bulk load (demo catalog, import), with its options and
// variants. Matched to a stored product by its product SKU, else by any of
// its variants' SKUs, so a second load of the same file updates instead of
// duplicating; stored variants are matched by SKU (else by their option
// values) and keep their ids, so their stock, reservations and order lines
// keep naming them. Variants absent from the item are deleted.
struct ProductUpsert {
  Product product;  // id kept for a new product when free; variant ids are the shop's (ignored)
  // Total on hand of a product without options (its only variant); a
  // product with variants takes Variant::stock_to_set per variant instead.
  std::optional<int64_t> stock;
  std::string category_path;  // "Home/Kitchen": created as needed; wins over product.category_id
  bool slug_given = false;    // false: a colliding generated slug gets the SKU appended
  bool status_given = false;  // false: a stored product keeps its status (a new one is active)
};

struct UpsertSummary {
  int64_t created = 0;  // products
  int64_t updated = 0;
  int64_t categories_created = 0;
  int64_t variants_created = 0;
  int64_t variants_updated = 0;
  int64_t variants_deleted = 0;  // stored variants the items no longer list
  std::vector<int64_t> ids;      // product ids, in input order
};

struct CatalogChange {
  enum class What { product_upserted, product_deleted, category_changed };
  What what;
  int64_t id;
};

// A picture's address the storefront can show: http(s) with a host, or a
// path on this shop. Checked on every product and variant write.
bool is_image_address(std::string_view url);

class Catalog {
 public:
  Catalog(Sqlite& db, Inventory& inventory, const Config& config);

  // Any product, whatever its status: the admin's and the order history's read.
  Result<Product> product(int64_t id);
  // What shoppers may see: a product that is not for sale (a draft, an
  // archived product) is a 404 as if it did not exist, so nothing about it
  // leaks. Every shopper-facing read goes through these two.
  Result<Product> product_for_shoppers(int64_t id);
  Result<Product> product_of_variant_for_shoppers(int64_t variant_id);
  // The admin's product list (all statuses) and its per-status counts.
  Result<ProductPage> admin_products(const AdminProductQuery& query);
  Result<ProductStatusCounts> count_by_status();
  // The admin's inventory search (catalog_store::variant_ids_matching).
  Result<std::vector<int64_t>> variant_ids_matching(const std::string& text, int64_t limit);
  // The stock of each of the product's variants (from the inventory).
  ProductStock stock(const Product& p);
  // The product a variant belongs to (404 when neither exists).
  Result<Product> product_of_variant(int64_t variant_id);
  // Filters and sorts on the in-memory browse table (browse_table.h), then
  // reads the page's products from SQLite. Same answer as browse_sqlite();
  // a write is visible to every browse that starts after it returned.
  Result<ProductPage> browse(const ProductQuery& query);
  // The same answer from SQL alone (catalog_store::list_products): the
  // reference the browse table is tested against.
  Result<ProductPage> browse_sqlite(const ProductQuery& query);
  std::vector<Category> categories();
  Result<Category> category(int64_t id);
  std::optional<Category> category_by_slug(const std::string& slug);
  // "Electronics > Audio > Headphones", empty for no category.
  std::string category_path(std::optional<int64_t> category_id);
  // The category and its ancestors, nearest first (empty for none): what
  // category discounts and category tax rates match (pricing.h).
  std::vector<int64_t> category_ancestry(std::optional<int64_t> category_id);
  // [reports] The category of each of these products, in one query (the
  // reports group sales by category); a product without one, or deleted
  // since it sold, is absent.
  Result<std::unordered_map<int64_t, int64_t>> category_ids_of(const std::vector<int64_t>& product_ids);

  // Validates (options and variants too: catalog/variants.h), fills
  // slug/sku defaults, inserts; sets the stock of each variant that has
  // stock_to_set, and initial_stock on a product's only variant.
  Result<Product> create_product(Product p, std::optional<int64_t> initial_stock, const std::string& actor);
  // Replaces the stored product with `p` (its variants: those with an id
  // are changed, new ones added, missing ones deleted; 409 variant_reserved
  // when a deleted one has units reserved). Sets stock_to_set levels.
  Result<Product> update_product(Product p, const std::string& actor = "admin");
  Status delete_product(int64_t id);

  // Bulk load: validates every item first (Catalog::validate with limits();
  // SKUs unique across the batch, product and variant SKUs alike; the
  // error's details.index names the failing item, details.field the
  // variant), then writes all products and categories in one SQLite
  // transaction (409 duplicate_sku when a variant SKU belongs to another
  // product, 409 variant_reserved when a variant to delete has units
  // reserved, 409 stock_reserved when a stock would drop below what is
  // reserved) and all stock in one LMDB transaction. Listeners get one
  // product_upserted per product (and category_changed per new category)
  // after both commits.
  Result<UpsertSummary> upsert_products(std::vector<ProductUpsert> items, const std::string& actor);
  Result<int64_t> product_count();

  Result<Category> create_category(Category c);
  Result<Category> update_category(Category c);
  Status delete_category(int64_t id);

  // Tells listeners that a product's derived fields changed outside the
  // catalog (its rating, after a review was written, edited or moderated),
  // so the search index re-reads the product. Call after the commit.
  void product_changed(int64_t id) { notify({CatalogChange::What::product_upserted, id}); }

  // Listeners run after the change committed, on the caller's thread.
  void on_change(std::function<void(const CatalogChange&)> listener);
  // Drops the in-memory category cache (after changing categories without
  // going through this class, e.g. replication writing catalog_store rows).
  void invalidate_categories();

  // Catalog replication (src/cluster/). The recorder runs inside the SQLite
  // transaction of every catalog write, after the row changed, so a change
  // and its feed entry commit or roll back together. The guard runs before
  // any write and may refuse it (a shard that is not the catalog primary).
  // Both are set once at start-up, before requests are served.
  using ChangeRecorder = std::function<Status(Connection&, const CatalogChange&)>;
  void set_change_recorder(ChangeRecorder recorder) { recorder_ = std::move(recorder); }
  void set_write_guard(std::function<Status()> guard) { guard_ = std::move(guard); }
  // Replication applied a change through catalog_store: refresh caches and
  // tell listeners (search index), after the commit.
  void replicated(const CatalogChange& change);

  // Checks a product's fields (shared by the API and import). Fills a slug
  // from the name and a SKU from the slug when they are empty, and the
  // default variant of a product given without variants.
  static Status validate(Product& p, const VariantLimits& limits = {});
  // The configured limits on options and variants.
  VariantLimits limits() const;
  static std::string slugify(const std::string& text);

 private:
  void notify(const CatalogChange& change);
  Status set_variant_stock(const Product& p, const std::string& actor, const std::string& reason);
  Status record(Connection& c, CatalogChange::What what, int64_t id) {
    return recorder_ ? recorder_(c, {what, id}) : Status::Ok();
  }
  Status guard() { return guard_ ? guard_() : Status::Ok(); }
  ChangeRecorder recorder_;
  std::function<Status()> guard_;

  // Categories change rarely and are read on every product view: they are
  // cached in memory, reloaded after any category change.
  struct CategoryCache {
    std::vector<Category> all;  // list_categories() order
    std::unordered_map<int64_t, size_t> by_id;
  };
  std::shared_ptr<const CategoryCache> category_cache();
  std::mutex cache_mu_;
  std::shared_ptr<const CategoryCache> cache_;
  uint64_t cache_generation_ = 0;

  // The browse table, rebuilt lazily after any change. notify() drops it
  // and bumps the generation before the writer returns, so the next browse
  // rebuilds from rows that include the write. One thread rebuilds
  // (browse_build_mu_); the others wait for its table. A table whose build
  // overlapped a change goes to its own caller only (its browse began
  // before that write returned), never into browse_.
  Result<std::shared_ptr<const BrowseTable>> browse_table();
  void drop_browse_table();
  std::mutex browse_build_mu_;  // held while building; taken before browse_mu_
  std::mutex browse_mu_;
  std::shared_ptr<const BrowseTable> browse_;
  uint64_t browse_generation_ = 0;

  Sqlite& db_;
  Inventory& inventory_;
  const Config& config_;
  std::mutex listeners_mu_;
  std::vector<std::function<void(const CatalogChange&)>> listeners_;

  // ---- Option filters and facets (catalog/option_filter.h) ----
 public:
  // browse(), and when `option_facets` is given, the option facets over
  // every match (an unfiltered browse's are counted once per catalog change).
  Result<ProductPage> browse(const ProductQuery& query, std::vector<OptionFacet>* option_facets);
  // The option part of the catalog, following every write as the browse
  // table does (it is kept with it): search's option filter reads it.
  Result<std::shared_ptr<const OptionTable>> option_table();

 private:
  Result<OptionTable> load_option_table();  // from SQLite, one read transaction
};

}  // namespace shopbox
