// The JSON shapes of catalog objects (the seed's "Get Product Details"),
// and reading products from JSON request bodies and import files.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/status.h"
#include "catalog/catalog_store.h"
#include "config.h"
#include "inventory/stock.h"

namespace shopbox {

// Full product details: price with discount, inventory, images, specs,
// rating, shipping. `category_path` is "Electronics > Audio".
nlohmann::json product_details_json(const Product& p, const StockLevel& stock, const std::string& category_path,
                                    const Config& config);
// Compact form for lists (browse, search, cart images).
nlohmann::json product_summary_json(const Product& p, const StockLevel& stock);
nlohmann::json category_json(const Category& c);
// Whole-percent discount from list to sale price (15 for 99.99 -> 84.99).
int discount_percentage(const Product& p);
double rating_average(const Product& p);  // one decimal, 0 when unrated

// Applies the fields present in `body` to `p` (create: p starts empty;
// update: p is the stored product, so absent fields keep their values).
// `stock` receives an initial stock level when the body has one.
Status apply_product_json(const nlohmann::json& body, Product& p, std::optional<int64_t>* stock);
Status apply_category_json(const nlohmann::json& body, Category& c);

}  // namespace shopbox
