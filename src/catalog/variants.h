// The rules of options and variants (the data is in catalog/product.h):
// one place checks a product's variant set, finds the variant a shopper
// chose, and names it.
//
// A valid product has 0..max_options options, each with a unique name and
// unique values (both compared case-insensitively, as shoppers type them),
// and 1..max_variants variants; each variant has exactly one value per
// option, taken from that option's values, and no two variants share a
// combination or a SKU. A product without options has exactly one variant.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/status.h"
#include "catalog/product.h"

namespace shopbox {

struct VariantLimits {
  size_t max_options = Product::kMaxOptions;
  size_t max_variants = 100;
};

// Checks the options and variants of `p` (400 with details.field naming
// options or variants[i]). A product without options has one variant, which
// takes the product's own sku, prices and weight (made when missing), so a
// simple product is edited through its product fields. Empty variant SKUs are
// filled from the product SKU and the option values ("TEE-BLUE-M"). Then
// the product's summary fields are refreshed (Product::summarise_variants).
[[nodiscard]] Status check_variants(Product& p, const VariantLimits& limits);

// How option names and values compare everywhere (checks, choices, search
// and browse filters): trimmed, ASCII case folded ("Size " == "size").
std::string fold_option_text(std::string_view s);

// The variant a shopper chose by option values ({"size": "m"}: names and
// values case-insensitive). An empty choice picks a product's only variant.
// 400 variant_required (details.options: the product's options) when the
// product has several variants and the choice does not name every option;
// 400 unknown_variant when no variant has that combination.
[[nodiscard]] Result<const Variant*> choose_variant(const Product& p, const nlohmann::json& selected_options);

// {"Size": "M", "Color": "Blue"} in option order; {} for a default variant.
nlohmann::json selected_options_json(const Product& p, const Variant& v);
// "Blue / M" (empty for a default variant): how carts, orders and emails
// name the variant after the product name.
std::string variant_title(const Variant& v);
// The picture of a variant: its own, else the product's.
std::string variant_image(const Product& p, const Variant& v);
// Every combination of the product's option values, in option order (the
// admin's "generate variants"): existing combinations are kept as they are,
// missing ones are added with the product's lowest price and no stock.
void add_missing_combinations(Product& p);

}  // namespace shopbox
