// Product import from JSON and from Shopify's product CSV layout.
//
// All or nothing: every row is parsed and validated first; only when the
// whole file is clean does it go to Catalog::upsert_products (one SQLite
// transaction, then one LMDB transaction for stock). Products are matched
// by SKU, so importing the same file twice updates instead of duplicating.
// Every error names the file's physical line (the CSV header is line 1;
// quoted fields may span lines).
//
// JSON: an array of objects in the API's create shape (name, price,
// sale_price, sku, slug, description, brand, specifications, images,
// weight_grams, featured, stock, category_id, options, variants: see
// catalog/product_json.h apply_product_json) plus `category`, a path such as
// "Home/Kitchen" (or "Home > Kitchen") whose levels are created as needed.
// Ids (product_id, variant_id) belong to the shop they came from and are
// ignored; SKUs identify products and variants.
//
// Shopify CSV (docs/import-export.md lists the columns): the rows of one
// Handle are one product. The row with a Title carries the product fields
// and the option names (Option1..3 Name); every row with variant data
// (Variant SKU, Variant Price or an Option Value) is one variant with its
// own SKU, option values, prices, stock, weight, barcode and image; rows
// with only Image Src add images. A Compare At Price above the Variant
// Price is a sale: the list price is the compare-at price and the sale price
// the variant price. Option1 "Title" / "Default Title" is Shopify's product
// without options.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "config.h"

namespace shopbox {

enum class ImportFormat { json, shopify_csv };

struct ImportError {
  int64_t line = 0;  // physical line in the file, 1-based
  std::string message;
};

struct ImportReport {
  bool ok = false;
  std::vector<ImportError> errors;  // at most 100; empty when ok
  int64_t items = 0;                // products in the file
  UpsertSummary summary;            // what was written (when ok)
};

// By file extension (.json, .csv), else by the first non-blank character.
ImportFormat detect_import_format(const std::string& filename, const std::string& text);

// Parses only: the items with the physical line of each, or the errors.
struct ParsedImport {
  std::vector<ProductUpsert> items;
  std::vector<int64_t> lines;  // lines[i] is the line of items[i]
  // variant_lines[i][k]: the line of items[i].product.variants[k] (CSV; empty
  // for JSON, whose variants are on their product's line).
  std::vector<std::vector<int64_t>> variant_lines;
  std::vector<ImportError> errors;
};
ParsedImport parse_import(const std::string& text, ImportFormat format, const Config& config);

// Parses, validates and (only when everything is valid) writes.
ImportReport import_products(Catalog& catalog, const std::string& text, ImportFormat format, const Config& config,
                             const std::string& actor);

// The shopbox columns that Shopify's layout lacks, written by the export
// (catalog/product_export.h) and read by the import when present, in the
// form of Shopify's product metafield columns.
inline constexpr const char* kShopboxSkuColumn = "SKU (product.metafields.shopbox.sku)";
inline constexpr const char* kShopboxSpecsColumn = "Specifications (product.metafields.shopbox.specifications)";
inline constexpr const char* kShopboxFeaturedColumn = "Featured (product.metafields.shopbox.featured)";

// A CSV record with the physical line it starts on.
struct CsvRecord {
  int64_t line = 0;
  std::vector<std::string> fields;
};
// RFC 4180: quoted fields may hold commas, doubled quotes and newlines.
// An unterminated quote is an error naming the line where it opened.
Result<std::vector<CsvRecord>> parse_csv(const std::string& text);

}  // namespace shopbox
