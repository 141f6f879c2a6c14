// The demo catalog: a deterministic, realistic-looking shop (categories
// three levels deep, brands, prices with some discounts, specs, stock with
// some low and some sold out, ratings, generated SVG images) for
// `shopbox demo`, `shopbox init --demo`, tests and benchmarks.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "catalog/catalog.h"

namespace shopbox {

// The most ratings a demo product has: one review each, by distinct demo
// reviewers (shopbox demo creates this many).
inline constexpr int64_t kDemoMaxRatings = 12;

struct DemoOptions {
  int64_t products = 2000;
  uint64_t seed = 42;
};

// The catalog's items (same options, same items, byte for byte). Category
// paths are "Root/Sub/Leaf"; products carry ids 1..N so image URLs
// (/images/products/{id}/{n}.svg) are known before insertion.
std::vector<ProductUpsert> demo_items(const DemoOptions& options);
// The same clothing and sized outdoor gear again with options (Color x
// Size, 6-12 variants, about one in six sold out): a second load over
// demo_items() that keeps their ids (the first variant keeps the product's
// SKU). About a fifth of the catalog (19 %).
std::vector<ProductUpsert> demo_variant_items(const std::vector<ProductUpsert>& items, uint64_t seed);

struct DemoResult {
  bool generated = false;  // false: the catalog already had products
  int64_t products = 0;    // products in the catalog afterwards
  int64_t categories = 0;
};

// Fills an empty catalog through Catalog::upsert_products (one SQLite and
// one LMDB transaction). Does nothing when products exist already, so a
// second `shopbox demo` on the same data dir never duplicates.
Result<DemoResult> load_demo_catalog(Catalog& catalog, const DemoOptions& options);

}  // namespace shopbox
