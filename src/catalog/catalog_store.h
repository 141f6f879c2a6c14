// The catalog's repository: categories (a tree), products and their images,
// in SQLite. Plain data in, plain data out; validation of business rules
// lives in src/catalog/. Read functions take a Connection so callers can
// run them on a pooled reader or inside a write transaction.
#pragma once

#include <climits>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/money.h"
#include "base/status.h"
#include "catalog/product.h"
#include "storage/sqlite.h"

namespace shopbox {

// The catalog's tables (migrations 100-199, src/catalog/schema.cpp).
const std::vector<Migration>& catalog_migrations();

namespace catalog_store {

// ---- categories ----
std::vector<Category> list_categories(Connection& c);
std::optional<Category> get_category(Connection& c, int64_t id);
std::optional<Category> get_category_by_slug(Connection& c, const std::string& slug);
// The child of `parent_id` (nullopt: a root) named `name`, if any.
std::optional<Category> find_child_category(Connection& c, std::optional<int64_t> parent_id, const std::string& name);
// Inserts; fills id, level and path from the parent. Fails on a duplicate slug.
Status insert_category(Connection& c, Category& cat);
// Renames/moves; rewrites the paths of all descendants. Refuses cycles.
Status update_category(Connection& c, Category& cat);
// Refuses when the category has children or products (409).
Status delete_category(Connection& c, int64_t id);

// ---- products ----
std::optional<Product> get_product(Connection& c, int64_t id);  // with images, options and variants
// Categories directly under `parent` (nullopt: the roots).
int64_t count_children(Connection& c, std::optional<int64_t> parent);
// Each product's primary image URL (the first by is_primary, then order);
// products without images are absent.
std::unordered_map<int64_t, std::string> primary_image_urls(Connection& c, const std::vector<int64_t>& ids);
// A replica keeps the primary's timestamps (catalog_replica.h).
void set_product_times(Connection& c, int64_t id, int64_t created_at, int64_t updated_at);
std::optional<Product> get_product_by_sku(Connection& c, const std::string& sku);
std::optional<int64_t> product_id_by_sku(Connection& c, const std::string& sku);
std::optional<int64_t> product_id_by_slug(Connection& c, const std::string& slug);
// Active products only (what shoppers browse); admin_products lists all.
ProductPage list_products(Connection& c, const ProductQuery& q);
// The admin's list, any status (products with their primary image). The
// text filter is a substring scan: fine for an admin at 100k products
// (~50 ms), not for a shopper-facing path.
ProductPage admin_products(Connection& c, const AdminProductQuery& q);
ProductStatusCounts count_by_status(Connection& c);
// Variants whose product name, brand or SKU, or whose own SKU, holds
// `text`, by product name then variant position, at most `limit`: the
// admin's inventory search (a substring scan, as admin_products).
std::vector<int64_t> variant_ids_matching(Connection& c, const std::string& text, int64_t limit);
// The ids of products for sale in (after, up_to], ascending, at most
// `limit`, with their updated_at: the sitemap's and the feed's pages. A
// keyset read on the primary key, as cheap at id 1,000,000 as at id 1
// (OFFSET would walk every row before the page).
struct ProductKey {
  int64_t id = 0;
  int64_t updated_at = 0;
};
std::vector<ProductKey> for_sale_keys(Connection& c, int64_t after, int64_t up_to, int64_t limit);
// The brand names a brand filter compares with: brands come from query
// strings, and bytes that are not UTF-8 become U+FFFD (such a name matches
// no product, the right answer) instead of failing. list_products and the
// browse table (src/catalog/browse_table.cpp) both filter by these.
std::vector<std::string> brand_filter_values(const std::vector<std::string>& brands);
// Every product's browse columns, from one snapshot (a read transaction).
BrowseRows scan_browse_rows(Connection& c);
// The products with these ids in the given order, each with its primary
// image only (as list_products). Ids that no longer exist are skipped.
std::vector<Product> page_products(Connection& c, const std::vector<int64_t>& ids);
std::vector<Product> get_products(Connection& c, const std::vector<int64_t>& ids);  // in id order, no images
// Loads the options and variants of each product (one query for each).
void attach_variants(Connection& c, std::vector<Product>& products);

// ---- variants ----
std::optional<int64_t> product_id_of_variant(Connection& c, int64_t variant_id);
// {product_id, variant_id} of the variant with this SKU.
std::optional<std::pair<int64_t, int64_t>> variant_by_sku(Connection& c, const std::string& sku);
std::vector<int64_t> product_ids_by_barcode(Connection& c, const std::string& barcode);
// Inserts the product with its images, options and variants. Unless set,
// the product takes the next id of the variants' sequence and its first
// variant the same id; the other variants get new ids (filled in).
// created/updated set now.
Status insert_product(Connection& c, Product& p);
// Replaces all fields, images, options and variants of an existing product:
// variants with an id are updated, new ones inserted (ids filled in), and
// stored variants absent from p.variants deleted.
Status update_product(Connection& c, Product& p);
Status delete_product(Connection& c, int64_t id);
int64_t count_products(Connection& c);
// True when no product or variant has, or ever had, this id: an explicit id
// (an import's) may then name a new product and its first variant.
bool id_is_free(Connection& c, int64_t id);
// Calls fn for every product id in ascending order (for reindexing).
void for_each_product_id(Connection& c, const std::function<void(int64_t)>& fn);

}  // namespace catalog_store
}  // namespace shopbox
