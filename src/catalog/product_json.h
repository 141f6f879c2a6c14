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

// The seed's price object {amount, currency, final_price, discount} of a
// list and a sale price.
nlohmann::json price_json(Cents price, const std::optional<Cents>& sale_price, const std::string& currency);
// Full product details: price with discount (the lowest variant's),
// inventory, images, specs, rating, shipping, options and variants.
// `category_path` is "Electronics > Audio".
nlohmann::json product_details_json(const Product& p, const ProductStock& stock, const std::string& category_path,
                                    const Config& config);
// Compact form for lists (browse, search, cart images): `price` is the
// lowest variant price and `price_max` the highest when they differ.
nlohmann::json product_summary_json(const Product& p, const ProductStock& stock);
nlohmann::json category_json(const Category& c);
// Whole-percent discount from list to sale price (15 for 99.99 -> 84.99).
int discount_percentage(const Product& p);
int discount_percentage(Cents price, Cents sale_price);
double rating_average(const Product& p);  // one decimal, 0 when unrated

// Applies the fields present in `body` to `p` (create: p starts empty;
// update: p is the stored product, so absent fields keep their values).
// `stock` receives an initial stock level when the body has one.
// `options` and `variants` replace the product's (variants are matched to
// stored ones by variant_id, else SKU, else option values, and keep their
// ids and stock; a variant's `stock` becomes its stock_to_set). On a
// product with options, prices and stock are per variant: a product-level
// price or stock without `variants` is 400.
Status apply_product_json(const nlohmann::json& body, Product& p, std::optional<int64_t>* stock);
Status apply_category_json(const nlohmann::json& body, Category& c);
// Reads body["options"] onto p.options alone (the admin's "generate
// variants" sets options before it makes the variants that fit them).
Status apply_options_json(const nlohmann::json& body, Product& p);
// Reads one entry of `variants` onto `v` (a stored variant being changed,
// or a new one): the admin's variant routes use it too.
Status apply_variant_json(const nlohmann::json& body, const Product& p, Variant& v, const std::string& field);

}  // namespace shopbox
