#include "catalog/variants.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "base/money.h"
#include "base/text.h"
#include "base/utf8.h"

namespace shopbox {
using json = nlohmann::json;

namespace {

Status check_options(Product& p, const VariantLimits& limits) {
  if (p.options.size() > limits.max_options)
    return field_error("options", "at most " + std::to_string(limits.max_options) + " options per product");
  std::set<std::string> names;
  for (size_t i = 0; i < p.options.size(); ++i) {
    auto& o = p.options[i];
    const std::string field = "options[" + std::to_string(i) + "]";
    o.name = trim(o.name);
    if (o.name.empty() || o.name.size() > 100 || !valid_utf8(o.name))
      return field_error(field, "an option needs a name (max 100 characters)");
    if (!names.insert(fold_option_text(o.name)).second) return field_error(field, "option '" + o.name + "' appears twice");
    if (o.values.empty()) return field_error(field, "option '" + o.name + "' needs at least one value");
    if (o.values.size() > Product::kMaxOptionValues)
      return field_error(field, "at most " + std::to_string(Product::kMaxOptionValues) + " values per option");
    std::set<std::string> values;
    for (auto& v : o.values) {
      v = trim(v);
      if (v.empty() || v.size() > 100 || !valid_utf8(v))
        return field_error(field, "option values must be non-empty text (max 100 characters)");
      if (!values.insert(fold_option_text(v)).second)
        return field_error(field, "option '" + o.name + "' has the value '" + v + "' twice");
    }
  }
  return Status::Ok();
}

Status check_one_variant(const Product& p, Variant& v, const std::string& field) {
  if (v.option_values.size() != p.options.size())
    return field_error(field, "a variant needs one value for each option (" + std::to_string(p.options.size()) + ")");
  for (size_t i = 0; i < p.options.size(); ++i) {
    // Stored as the option spells the value, whatever case the input used.
    const auto& values = p.options[i].values;
    auto want = fold_option_text(v.option_values[i]);
    auto it = std::find_if(values.begin(), values.end(), [&](const std::string& x) { return fold_option_text(x) == want; });
    if (it == values.end())
      return field_error(field, "'" + v.option_values[i] + "' is not a value of option '" + p.options[i].name + "'");
    v.option_values[i] = *it;
  }
  if (v.price < 0 || v.price > kMaxCents) return field_error(field, "price must be between 0 and 1000000000");
  if (v.sale_price && (*v.sale_price < 0 || *v.sale_price > v.price))
    return field_error(field, "the sale price must be between 0 and the price");
  if (v.sku.size() > 100) return field_error(field, "sku is too long (max 100)");
  if (v.barcode.size() > 100) return field_error(field, "barcode is too long (max 100)");
  if (v.image_url.size() > 2000) return field_error(field, "image is too long (max 2000 characters)");
  if (v.weight_grams && (*v.weight_grams < 0 || *v.weight_grams > 10'000'000))
    return field_error(field, "weight_grams must be a non-negative integer");
  if (v.stock_to_set && (*v.stock_to_set < 0 || *v.stock_to_set > 1'000'000'000))
    return field_error(field, "stock must be a non-negative integer");
  return Status::Ok();
}

std::string generated_sku(const Product& p, const Variant& v) {
  std::string sku = p.sku;
  for (const auto& value : v.option_values) {
    std::string part;
    for (unsigned char ch : value)
      if (std::isalnum(ch)) part += static_cast<char>(std::toupper(ch));
    sku.push_back('-');
    sku.append(part.empty() ? std::to_string(v.position) : part);
  }
  return sku.size() > 100 ? sku.substr(0, 100) : sku;
}

}  // namespace

std::string fold_option_text(std::string_view s) {
  return ascii_lower(trim(s));
}

Status check_variants(Product& p, const VariantLimits& limits) {
  if (auto st = check_options(p, limits); !st.ok()) return st;
  if (p.variants.empty()) {
    if (!p.options.empty()) return field_error("variants", "a product with options needs its variants");
    p.variants.emplace_back();
  }
  // A product without options is edited as a product: its only variant
  // carries the product's SKU, prices and weight.
  if (p.options.empty() && p.variants.size() == 1) {
    Variant& v = p.variants.front();
    v.sku = p.sku;
    v.price = p.price;
    v.sale_price = p.sale_price;
    v.weight_grams = p.weight_grams;
  }
  if (p.variants.size() > limits.max_variants)
    return field_error("variants", "at most " + std::to_string(limits.max_variants) + " variants per product");
  if (p.options.empty() && p.variants.size() > 1)
    return field_error("variants", "a product without options has exactly one variant");
  std::set<std::vector<std::string>> combinations;
  std::set<std::string> skus;
  for (size_t i = 0; i < p.variants.size(); ++i) {
    auto& v = p.variants[i];
    const std::string field = "variants[" + std::to_string(i) + "]";
    v.position = static_cast<int>(i);
    if (auto st = check_one_variant(p, v, field); !st.ok()) return st;
    if (v.sku.empty()) v.sku = generated_sku(p, v);
    std::vector<std::string> key;
    for (const auto& value : v.option_values) key.push_back(fold_option_text(value));
    if (!combinations.insert(key).second)
      return field_error(field, "two variants have the options " + variant_title(v));
    if (!skus.insert(v.sku).second) return field_error(field, "two variants have the SKU '" + v.sku + "'");
  }
  p.summarise_variants();
  return Status::Ok();
}

Result<const Variant*> choose_variant(const Product& p, const json& selected) {
  if (!selected.is_null() && !selected.is_object())
    return Status::Invalid("selected_options must be an object of option name: value", {{"field", "selected_options"}});
  if (p.variants.size() == 1 && p.options.empty()) return &p.variants.front();
  // Each option's chosen value, folded; unnamed options stay empty.
  std::vector<std::string> chosen(p.options.size());
  size_t named = 0;
  if (selected.is_object()) {
    for (auto it = selected.begin(); it != selected.end(); ++it) {
      if (!it.value().is_string())
        return Status::Invalid("each selected option must be a string value", {{"field", "selected_options"}});
      auto name = fold_option_text(it.key());
      size_t i = 0;
      while (i < p.options.size() && fold_option_text(p.options[i].name) != name) ++i;
      if (i == p.options.size())
        return Status(Kind::invalid, "unknown_variant", "this product has no option '" + it.key() + "'",
                               {{"field", "selected_options"}});
      if (chosen[i].empty()) ++named;
      chosen[i] = fold_option_text(it.value().get_ref<const std::string&>());
    }
  }
  if (named < p.options.size()) {
    json options = json::array();
    for (const auto& o : p.options) options.push_back({{"name", o.name}, {"values", o.values}});
    return Status(Kind::invalid, "variant_required", "choose " + std::string(p.options.size() > 1 ? "every option" : "an option") +
                                                   " of this product",
                           {{"field", "selected_options"}, {"options", options}});
  }
  for (const auto& v : p.variants) {
    // A product being edited may hold variants made before its options
    // (a simple product gaining sizes): they match no choice.
    if (v.option_values.size() != chosen.size()) continue;
    bool match = true;
    for (size_t i = 0; i < chosen.size() && match; ++i) match = fold_option_text(v.option_values[i]) == chosen[i];
    if (match) return &v;
  }
  return Status(Kind::invalid, "unknown_variant", "this product has no variant with these options",
                         {{"field", "selected_options"}});
}

json selected_options_json(const Product& p, const Variant& v) {
  json out = json::object();
  for (size_t i = 0; i < p.options.size() && i < v.option_values.size(); ++i) out[p.options[i].name] = v.option_values[i];
  return out;
}

std::string variant_title(const Variant& v) {
  std::string out;
  for (const auto& value : v.option_values) {
    if (!out.empty()) out.append(" / ");
    out.append(value);
  }
  return out;
}

std::string variant_image(const Product& p, const Variant& v) {
  return v.image_url.empty() ? p.image_url() : v.image_url;
}

void add_missing_combinations(Product& p) {
  if (p.options.empty()) return;
  for (const auto& o : p.options)
    if (o.values.empty()) return;  // no combination exists (check_variants refuses such an option)
  std::set<std::vector<std::string>> have;
  for (const auto& v : p.variants) {
    std::vector<std::string> key;
    for (const auto& value : v.option_values) key.push_back(fold_option_text(value));
    have.insert(key);
  }
  // Odometer over the option values: the last option turns fastest, as a
  // merchant reads the list (Blue/S, Blue/M, ..., Green/S, ...).
  std::vector<size_t> at(p.options.size(), 0);
  for (;;) {
    Variant v;
    std::vector<std::string> key;
    for (size_t i = 0; i < at.size(); ++i) {
      v.option_values.push_back(p.options[i].values[at[i]]);
      key.push_back(fold_option_text(v.option_values.back()));
    }
    if (!have.count(key)) {
      v.price = p.price;
      v.sale_price = p.sale_price;
      v.weight_grams = p.weight_grams;
      p.variants.push_back(v);
    }
    size_t i = at.size();
    while (i > 0 && ++at[i - 1] == p.options[i - 1].values.size()) at[--i] = 0;
    if (i == 0) break;
  }
}

}  // namespace shopbox
