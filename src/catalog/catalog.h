// The catalog service: categories and products with their business rules
// (validation, slugs, discounts, stock on creation) and change
// notifications, so the search index and catalog replication follow every
// change without the catalog knowing about them.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "config.h"
#include "storage/catalog_store.h"
#include "storage/sqlite.h"

namespace shopbox {

class Inventory;

struct CatalogChange {
  enum class What { product_upserted, product_deleted, category_changed };
  What what;
  int64_t id;
};

class Catalog {
 public:
  Catalog(Sqlite& db, Inventory& inventory, const Config& config);

  Result<Product> product(int64_t id);
  Result<ProductPage> browse(const ProductQuery& query);
  std::vector<Category> categories();
  Result<Category> category(int64_t id);
  // "Electronics > Audio > Headphones", empty for no category.
  std::string category_path(std::optional<int64_t> category_id);

  // Validates, fills slug/sku defaults, inserts; sets initial stock if given.
  Result<Product> create_product(Product p, std::optional<int64_t> initial_stock, const std::string& actor);
  Result<Product> update_product(Product p);
  Status delete_product(int64_t id);

  Result<Category> create_category(Category c);
  Result<Category> update_category(Category c);
  Status delete_category(int64_t id);

  // Listeners run after the change committed, on the caller's thread.
  void on_change(std::function<void(const CatalogChange&)> listener);

  // Checks a product's fields (shared by the API and import). Fills a slug
  // from the name and a SKU from the slug when they are empty.
  static Status validate(Product& p);
  static std::string slugify(const std::string& text);

 private:
  void notify(const CatalogChange& change);

  Sqlite& db_;
  Inventory& inventory_;
  const Config& config_;
  std::mutex listeners_mu_;
  std::vector<std::function<void(const CatalogChange&)>> listeners_;
};

}  // namespace shopbox
