// What the catalog holds, as plain data: categories (a tree), products with
// their options, variants and images, and the shapes of a product query. Other modules read these
// types through Catalog (catalog.h); only catalog_store.h reads and writes
// their rows.
#pragma once

#include <algorithm>
#include <climits>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/money.h"
#include "inventory/stock.h"

namespace shopbox {

struct Category {
  int64_t id = 0;
  std::optional<int64_t> parent_id;
  std::string name;
  std::string slug;
  int level = 0;
  std::string path;  // names joined by '/', e.g. "Electronics/Audio"
  int position = 0;
};

struct ProductImage {
  int64_t id = 0;
  std::string url;
  std::string alt;
  int position = 0;
  bool primary = false;
};

// An option a shopper chooses (Size: S, M, L): at most kMaxOptions per
// product, values in the merchant's order, each value once.
struct ProductOption {
  std::string name;
  std::vector<std::string> values;
};

// What a shopper actually buys: one combination of option values, with its
// own SKU (unique in the shop), prices, barcode, weight, picture and stock
// (the stock is the inventory's, keyed by the variant id). A product without
// options has exactly one variant whose option_values is empty.
//
// Ids: a product's id is its first variant's id (both come from one
// sequence, the variants table's), so the stock, reservations, carts,
// flash sales and orders stored before variants existed, all keyed by
// product id, name that product's only variant unchanged.
struct Variant {
  int64_t id = 0;
  int64_t product_id = 0;
  int position = 0;
  std::string sku;
  std::vector<std::string> option_values;  // one per product option, in option order
  Cents price = 0;                         // list price
  std::optional<Cents> sale_price;         // <= price
  std::string barcode;
  std::optional<int64_t> weight_grams;
  std::string image_url;  // "" : the product's picture
  // Write-only: a total on hand to set with this write (create, import,
  // admin). Stock itself lives in the inventory, never in the catalog.
  std::optional<int64_t> stock_to_set;

  Cents final_price() const { return sale_price.value_or(price); }
};

// Where a product is in its life. Only an active product is for sale: a
// draft is being prepared and an archived one is kept for its orders and
// history; shoppers never see either (not in browse, search, the product
// page, carts, checkout, wishlists, recommendations, the sitemap or the
// feed), as if it did not exist. The admin sees all three.
enum class ProductStatus { draft, active, archived };

// "draft" | "active" | "archived", the API's and the CSV's words.
const char* product_status_name(ProductStatus s);
// nullopt for any other word; case-insensitive, as Shopify's CSV writes "Active".
std::optional<ProductStatus> parse_product_status(std::string_view word);

struct Product {
  static constexpr size_t kMaxOptions = 3;
  static constexpr size_t kMaxOptionValues = 100;

  int64_t id = 0;
  std::string sku;
  std::string name;
  std::string slug;
  std::string description;
  std::string brand;
  std::optional<int64_t> category_id;
  // price, sale_price, weight_grams and (for one variant) sku summarise the
  // variants: those of the variant with the lowest final price, kept by
  // summarise_variants() on every write so listings sort without joins.
  Cents price = 0;                  // list price
  std::optional<Cents> sale_price;  // discounted price, <= price
  std::optional<Cents> price_max;   // highest variant final price, when above final_price()
  std::string currency = "USD";
  nlohmann::json specs = nlohmann::json::object();
  std::optional<int64_t> weight_grams;
  int64_t rating_sum = 0;
  int64_t rating_count = 0;
  bool featured = false;
  ProductStatus status = ProductStatus::active;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::vector<ProductImage> images;
  std::vector<ProductOption> options;
  std::vector<Variant> variants;  // in position order; loaded by get_product, page_products

  Cents final_price() const { return sale_price.value_or(price); }
  // The one rule for whether shoppers may see and buy the product.
  bool for_sale() const { return status == ProductStatus::active; }
  const Variant* variant(int64_t variant_id) const {
    for (const auto& v : variants)
      if (v.id == variant_id) return &v;
    return nullptr;
  }
  // Copies the lowest-priced variant's prices (and a single variant's SKU
  // and weight) onto the product; price_max when the variants differ.
  void summarise_variants() {
    if (variants.empty()) return;
    const Variant* low = &variants.front();
    Cents high = low->final_price();
    for (const auto& v : variants) {
      if (v.final_price() < low->final_price()) low = &v;
      high = std::max(high, v.final_price());
    }
    price = low->price;
    sale_price = low->sale_price;
    price_max = high > low->final_price() ? std::optional<Cents>(high) : std::nullopt;
    if (variants.size() == 1) {
      sku = variants.front().sku;
      weight_grams = variants.front().weight_grams;
    }
  }
  // The picture that stands for the product in carts and orders: the
  // primary image, else the first, else "".
  std::string image_url() const {
    for (const auto& im : images)
      if (im.primary) return im.url;
    return images.empty() ? "" : images.front().url;
  }
};

// What shoppers see of a product's stock: the levels of its variants
// (Catalog::stock reads them), in Product::variants order.
struct ProductStock {
  std::vector<StockLevel> variants;
  int64_t available() const;  // summed over the variants
  bool in_stock() const;      // any variant has a unit
  bool low_stock() const;     // in stock, and some variant in stock at or below its alert level
};

enum class ProductSort { newest, price_asc, price_desc, rating, name };

struct ProductQuery {
  std::optional<int64_t> category_id;  // includes all subcategories
  std::optional<Cents> min_price;      // on the final price, inclusive
  std::optional<Cents> max_price;
  std::vector<std::string> brands;  // any of
  std::optional<int> min_rating;    // average >= min_rating
  std::vector<int64_t> ids;         // restrict to these ids (empty: all)
  // option.<Name>=<value> filters (names and values case-insensitive):
  // keeps products with at least one in-stock variant matching all of them.
  std::vector<std::pair<std::string, std::string>> options;
  ProductSort sort = ProductSort::newest;
  int page = 1;  // 1-based
  int size = 20;
};

// The admin's product list: every status, newest first.
struct AdminProductQuery {
  std::optional<ProductStatus> status;  // nullopt: all
  std::string text;                     // in the name, brand or SKU (a variant's SKU too); "" : all
  int page = 1;                         // 1-based
  int size = 25;
};

// How many products have each status (the admin's tabs).
struct ProductStatusCounts {
  int64_t draft = 0;
  int64_t active = 0;
  int64_t archived = 0;
};

struct ProductPage {
  std::vector<Product> products;  // without images except the primary one
  int64_t total = 0;
};

// The columns browse filters and sorts on, one row per product (see
// src/catalog/browse_table.h). 56 bytes.
struct BrowseRow {
  static constexpr int64_t kNoCategory = INT64_MIN;  // category_id NULL
  int64_t id = 0;
  int64_t category_id = kNoCategory;
  int64_t price = 0;  // final price (sale price if any), cents
  int64_t rating_sum = 0;
  int64_t rating_count = 0;
  int64_t created_at = 0;
  uint32_t brand = 0;      // index into BrowseRows::brands
  uint32_t name_rank = 0;  // position in ORDER BY name COLLATE NOCASE, product_id
};

struct BrowseRows {
  std::vector<BrowseRow> rows;      // ascending id
  std::vector<std::string> brands;  // each distinct brand once
};

}  // namespace shopbox
