// What the catalog holds, as plain data: categories (a tree), products and
// their images, and the shapes of a product query. Other modules read these
// types through Catalog (catalog.h); only catalog_store.h reads and writes
// their rows.
#pragma once

#include <climits>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/money.h"

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

struct Product {
  int64_t id = 0;
  std::string sku;
  std::string name;
  std::string slug;
  std::string description;
  std::string brand;
  std::optional<int64_t> category_id;
  Cents price = 0;                  // list price
  std::optional<Cents> sale_price;  // discounted price, <= price
  std::string currency = "USD";
  nlohmann::json specs = nlohmann::json::object();
  std::optional<int64_t> weight_grams;
  int64_t rating_sum = 0;
  int64_t rating_count = 0;
  bool featured = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::vector<ProductImage> images;

  Cents final_price() const { return sale_price.value_or(price); }
  // The picture that stands for the product in carts and orders: the
  // primary image, else the first, else "".
  std::string image_url() const {
    for (const auto& im : images)
      if (im.primary) return im.url;
    return images.empty() ? "" : images.front().url;
  }
};

enum class ProductSort { newest, price_asc, price_desc, rating, name };

struct ProductQuery {
  std::optional<int64_t> category_id;  // includes all subcategories
  std::optional<Cents> min_price;      // on the final price, inclusive
  std::optional<Cents> max_price;
  std::vector<std::string> brands;  // any of
  std::optional<int> min_rating;    // average >= min_rating
  std::vector<int64_t> ids;         // restrict to these ids (empty: all)
  ProductSort sort = ProductSort::newest;
  int page = 1;  // 1-based
  int size = 20;
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
