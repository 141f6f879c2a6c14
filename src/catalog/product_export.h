// Product export in Shopify's product CSV layout (docs/import-export.md):
// the file `shopbox import` and POST /api/v1/admin/import read back, so an
// export imported into an empty shop gives the same catalog.
//
// One row per variant, in product id then variant order: the first row of a
// product carries the product fields (Title, Body (HTML), Vendor, Product
// Category, Type, Tags) and the option names; every row carries the Handle
// (the slug), its variant's option values, SKU, prices (Variant Price is
// what the shopper pays; Compare At Price the list price when on sale),
// stock (the total on hand), weight, barcode and image. The product's
// images go one per row (Image Src, Image Position, Image Alt Text) from the
// first row on, with image-only rows after the variants when there are more
// images than variants. A product without options is Shopify's Option1
// "Title" = "Default Title". The shopbox columns that Shopify lacks (the
// product SKU, specifications, featured) come last as product metafield
// columns (catalog/import.h).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "storage/sqlite.h"

namespace shopbox {

class Catalog;
class Inventory;

// The header row, in order.
const std::vector<std::string>& product_export_columns();

// Writes the header and then each product's rows, one call of `out` per
// product (so a large catalog is never held in memory at once). Products
// are read in batches, each batch from one snapshot; one deleted meanwhile
// is left out. Stops at the first failing read or `out`.
[[nodiscard]] Status export_products_csv(Sqlite& db, Catalog& catalog, Inventory& inventory,
                                         const std::function<Status(std::string_view)>& out);
// The whole file as one string (the admin route).
[[nodiscard]] Result<std::string> export_products_csv(Sqlite& db, Catalog& catalog, Inventory& inventory);

// One CSV field as RFC 4180 wants it: quoted when it holds a comma, a
// quote, a line break or blanks at either end.
std::string csv_field(std::string_view value);

}  // namespace shopbox
