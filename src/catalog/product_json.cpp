#include "catalog/product_json.h"

#include <algorithm>
#include <cmath>

#include "base/clock.h"
#include "base/money.h"
#include "base/request_fields.h"
#include "base/text.h"
#include "catalog/product_image.h"
#include "catalog/variants.h"

namespace shopbox {
using json = nlohmann::json;

const char* product_status_name(ProductStatus s) {
  switch (s) {
    case ProductStatus::draft: return "draft";
    case ProductStatus::active: return "active";
    case ProductStatus::archived: return "archived";
  }
  return "active";
}

std::optional<ProductStatus> parse_product_status(std::string_view word) {
  const std::string w = ascii_lower(trim(word));
  for (auto s : {ProductStatus::draft, ProductStatus::active, ProductStatus::archived})
    if (w == product_status_name(s)) return s;
  return std::nullopt;
}

int discount_percentage(Cents price, Cents sale_price) {
  if (price <= 0 || sale_price >= price) return 0;
  return static_cast<int>(std::llround(100.0 * static_cast<double>(price - sale_price) / static_cast<double>(price)));
}

int discount_percentage(const Product& p) {
  return p.sale_price ? discount_percentage(p.price, *p.sale_price) : 0;
}

double rating_average(const Product& p) {
  if (p.rating_count <= 0) return 0;
  // Round half-up to one decimal using integers only.
  int64_t tenths = (p.rating_sum * 10 * 2 + p.rating_count) / (2 * p.rating_count);
  return static_cast<double>(tenths) / 10.0;
}

static json images_json(const Product& p) {
  json urls = json::array();
  for (const auto& im : p.images) urls.push_back(im.url);
  return urls;
}

int64_t ProductStock::available() const {
  int64_t n = 0;
  for (const auto& l : variants) n += std::max<int64_t>(0, l.available());
  return n;
}

bool ProductStock::in_stock() const {
  return std::any_of(variants.begin(), variants.end(), [](const StockLevel& l) { return l.available() > 0; });
}

bool ProductStock::low_stock() const {
  return in_stock() && std::any_of(variants.begin(), variants.end(), [](const StockLevel& l) {
           return l.available() > 0 && l.available() <= l.low_stock_threshold;
         });
}

json price_json(Cents price, const std::optional<Cents>& sale_price, const std::string& currency) {
  Cents final_price = sale_price.value_or(price);
  json out = {{"amount", cents_to_json(price)}, {"currency", currency}, {"final_price", cents_to_json(final_price)}};
  if (sale_price && *sale_price < price)
    out["discount"] = {{"percentage", discount_percentage(price, *sale_price)},
                       {"amount_off", cents_to_json(price - *sale_price)},
                       {"final_price", cents_to_json(*sale_price)}};
  else
    out["discount"] = nullptr;
  return out;
}

static json options_json(const Product& p) {
  json out = json::array();
  for (const auto& o : p.options) out.push_back({{"name", o.name}, {"values", o.values}});
  return out;
}

static json variants_json(const Product& p, const ProductStock& stock) {
  json out = json::array();
  for (size_t i = 0; i < p.variants.size(); ++i) {
    const Variant& v = p.variants[i];
    int64_t available = i < stock.variants.size() ? std::max<int64_t>(0, stock.variants[i].available()) : 0;
    out.push_back({{"variant_id", std::to_string(v.id)},
                   {"sku", v.sku},
                   {"title", variant_title(v)},
                   {"options", selected_options_json(p, v)},
                   {"price", price_json(v.price, v.sale_price, p.currency)},
                   {"inventory", {{"available", available}, {"in_stock", available > 0}}},
                   {"image", v.image_url.empty() ? json(nullptr) : json(v.image_url)},
                   {"barcode", v.barcode},
                   {"weight_grams", v.weight_grams ? json(*v.weight_grams) : json(nullptr)}});
  }
  return out;
}

json product_details_json(const Product& p, const ProductStock& stock, const std::string& category_path,
                          const Config& config) {
  json image_details = json::array();
  for (const auto& im : p.images) {
    // Uploaded pictures name every width they are stored at, for srcset
    // (catalog/product_image.h); others (https:// addresses) have none.
    std::string srcset = image_srcset(im.url);
    image_details.push_back({{"image_id", product_image_id(im.url)},
                             {"url", im.url},
                             {"alt", im.alt},
                             {"primary", im.primary},
                             {"srcset", srcset.empty() ? json(nullptr) : json(srcset)}});
  }
  int64_t available = stock.available();
  return {
      {"product_id", std::to_string(p.id)},
      {"sku", p.sku},
      {"slug", p.slug},
      {"name", p.name},
      {"description", p.description},
      {"brand", p.brand},
      {"category", category_path},
      {"category_id", p.category_id ? json(std::to_string(*p.category_id)) : json(nullptr)},
      {"price", price_json(p.price, p.sale_price, p.currency)},
      {"price_max", p.price_max ? cents_to_json(*p.price_max) : json(nullptr)},
      {"inventory",
       {{"in_stock", stock.in_stock()},
        {"quantity", available},
        {"available", available},
        {"low_stock", stock.low_stock()},
        {"warehouse_location", config.warehouse_location}}},
      {"images", images_json(p)},
      {"image_details", image_details},
      {"specifications", p.specs},
      {"weight_grams", p.weight_grams ? json(*p.weight_grams) : json(nullptr)},
      {"rating", {{"average", rating_average(p)}, {"count", p.rating_count}}},
      // Shipping is priced by the pricing module (pricing.h
      // product_shipping_json); GET /products/{id} fills it in.
      {"shipping", nullptr},
      {"options", options_json(p)},
      {"variants", variants_json(p, stock)},
      {"featured", p.featured},
      {"status", product_status_name(p.status)},
      {"created_at", iso8601(p.created_at)},
      {"updated_at", iso8601(p.updated_at)},
  };
}

json product_summary_json(const Product& p, const ProductStock& stock) {
  return {
      {"product_id", std::to_string(p.id)},
      {"sku", p.sku},
      {"slug", p.slug},
      {"name", p.name},
      {"brand", p.brand},
      {"category_id", p.category_id ? json(std::to_string(*p.category_id)) : json(nullptr)},
      {"price", cents_to_json(p.final_price())},
      {"price_max", p.price_max ? cents_to_json(*p.price_max) : json(nullptr)},
      {"original_price", cents_to_json(p.price)},
      {"discount_percentage", discount_percentage(p)},
      {"currency", p.currency},
      {"rating", rating_average(p)},
      {"reviews_count", p.rating_count},
      {"image", p.images.empty() ? json(nullptr) : json(p.images.front().url)},
      {"in_stock", stock.in_stock()},
      {"available", stock.available()},
      {"variants_count", p.variants.size()},
      {"status", product_status_name(p.status)},
      {"created_at", iso8601(p.created_at)},
  };
}

json category_json(const Category& c) {
  return {{"category_id", std::to_string(c.id)},
          {"parent_id", c.parent_id ? json(std::to_string(*c.parent_id)) : json(nullptr)},
          {"name", c.name},
          {"slug", c.slug},
          {"level", c.level},
          {"path", c.path},
          {"position", c.position}};
}

namespace {
Status read_string(const json& body, const char* field, std::string& out, size_t max_len) {
  auto it = body.find(field);
  if (it == body.end()) return Status::Ok();
  if (it->is_null()) {
    out.clear();
    return Status::Ok();
  }
  if (!it->is_string()) return field_error(field, std::string(field) + " must be a string");
  auto s = it->get<std::string>();
  if (s.size() > max_len)
    return field_error(field, std::string(field) + " is too long (max " + std::to_string(max_len) + ")");
  out = std::move(s);
  return Status::Ok();
}

std::optional<int64_t> id_from(const json& v) {
  if (v.is_number_integer() && v.get<int64_t>() > 0) return v.get<int64_t>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    int64_t n = std::stoll(s);
    if (n > 0) return n;
  }
  return std::nullopt;
}

Status apply_product_fields(const json& body, Product& p, std::optional<int64_t>* stock);

Status read_money(const json& v, const std::string& field, std::optional<Cents>& out, bool nullable) {
  if (v.is_null() && nullable) {
    out.reset();
    return Status::Ok();
  }
  auto c = v.is_number() || v.is_string() ? cents_from_json(v) : std::nullopt;
  if (!c || *c < 0) return field_error(field, field + " must be a non-negative amount with at most two decimals");
  out = c;
  return Status::Ok();
}

Status read_options(const json& body, Product& p) {
  auto it = body.find("options");
  if (it == body.end()) return Status::Ok();
  if (it->is_null()) {
    p.options.clear();
    return Status::Ok();
  }
  if (!it->is_array() || it->size() > Product::kMaxOptions)
    return field_error("options", "options must be an array of at most 3 {name, values} objects");
  p.options.clear();
  for (const auto& o : *it) {
    if (!o.is_object() || !o.contains("name") || !o["name"].is_string() || !o.contains("values") ||
        !o["values"].is_array() || o["values"].size() > Product::kMaxOptionValues)
      return field_error("options", "each option is {\"name\": text, \"values\": [text, ...]}");
    ProductOption option;
    option.name = o["name"].get<std::string>();
    for (const auto& v : o["values"]) {
      if (!v.is_string()) return field_error("options", "option values must be text");
      option.values.push_back(v.get<std::string>());
    }
    p.options.push_back(std::move(option));
  }
  return Status::Ok();
}

// The stored variant an entry of `variants` names: by variant_id, else by
// SKU, else by its option values; nullptr for a new one.
Result<const Variant*> stored_variant_for(const json& entry, const Product& stored, const std::string& field) {
  if (auto it = entry.find("variant_id"); it != entry.end() && !it->is_null()) {
    auto id = id_from(*it);
    const Variant* v = id ? stored.variant(*id) : nullptr;
    if (!v) return field_error(field, "this product has no such variant_id");
    return v;
  }
  if (auto it = entry.find("sku"); it != entry.end() && it->is_string())
    for (const auto& v : stored.variants)
      if (v.sku == it->get_ref<const std::string&>()) return &v;
  if (auto it = entry.find("options"); it != entry.end() && it->is_object() && !stored.options.empty()) {
    auto found = choose_variant(stored, *it);
    if (found.ok()) return *found;
  }
  return static_cast<const Variant*>(nullptr);
}

Status read_variants(const json& body, Product& p) {
  auto it = body.find("variants");
  if (it == body.end()) return Status::Ok();
  if (!it->is_array() || it->empty()) return field_error("variants", "variants must be a non-empty array");
  if (it->size() > 1000) return field_error("variants", "at most 1000 variants");
  const Product stored = p;  // what the entries are matched against
  p.variants.clear();
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string field = "variants[" + std::to_string(i) + "]";
    auto match = stored_variant_for((*it)[i], stored, field);
    if (!match.ok()) return match.status();
    Variant v;
    if (*match) {
      v = **match;
    } else {
      v.price = stored.price;  // a new variant starts at the product's price
      v.sale_price = stored.sale_price;
      v.weight_grams = stored.weight_grams;
    }
    if (auto st = apply_variant_json((*it)[i], p, v, field); !st.ok()) return st;
    p.variants.push_back(std::move(v));
  }
  return Status::Ok();
}
}  // namespace

Status apply_options_json(const json& body, Product& p) {
  return read_options(body, p);
}

Status apply_variant_json(const json& body, const Product& p, Variant& v, const std::string& field) {
  if (!body.is_object()) return field_error(field, "a variant is an object");
  if (auto st = only_fields(body, {"variant_id", "sku", "options", "price", "sale_price", "barcode", "weight_grams",
                                   "image", "stock", "title", "inventory"});
      !st.ok())
    return st;
  if (auto st = read_string(body, "sku", v.sku, 100); !st.ok()) return field_error(field, st.message());
  if (auto st = read_string(body, "barcode", v.barcode, 100); !st.ok()) return field_error(field, st.message());
  if (auto st = read_string(body, "image", v.image_url, 2000); !st.ok()) return field_error(field, st.message());
  if (auto it = body.find("price"); it != body.end()) {
    // The API's own price object is accepted back: {amount, final_price}.
    if (it->is_object()) {
      std::optional<Cents> list, final_price;
      if (auto st = read_money(it->value("amount", json()), field + ".price", list, false); !st.ok()) return st;
      if (auto st =
              read_money(it->value("final_price", json(cents_to_json(*list))), field + ".price", final_price, false);
          !st.ok())
        return st;
      v.price = *list;
      v.sale_price = *final_price < *list ? final_price : std::nullopt;
    } else {
      std::optional<Cents> price;
      if (auto st = read_money(*it, field + ".price", price, false); !st.ok()) return st;
      v.price = *price;
    }
  }
  if (auto it = body.find("sale_price"); it != body.end())
    if (auto st = read_money(*it, field + ".sale_price", v.sale_price, true); !st.ok()) return st;
  if (auto it = body.find("weight_grams"); it != body.end()) {
    if (it->is_null())
      v.weight_grams.reset();
    else if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 10'000'000)
      return field_error(field, "weight_grams must be a non-negative integer");
    else
      v.weight_grams = it->get<int64_t>();
  }
  if (auto it = body.find("stock"); it != body.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 1'000'000'000)
      return field_error(field, "stock must be a non-negative integer");
    v.stock_to_set = it->get<int64_t>();
  }
  if (auto it = body.find("options"); it != body.end()) {
    // {"Size": "M"} by option name (any case), or ["M"] in option order.
    std::vector<std::string> values(p.options.size());
    if (it->is_array()) {
      if (it->size() != p.options.size()) return field_error(field, "a variant needs one value for each option");
      for (size_t i = 0; i < it->size(); ++i) {
        if (!(*it)[i].is_string()) return field_error(field, "option values must be text");
        values[i] = (*it)[i].get<std::string>();
      }
    } else if (it->is_object()) {
      for (auto o = it->begin(); o != it->end(); ++o) {
        size_t i = 0;
        while (i < p.options.size() && fold_option_text(p.options[i].name) != fold_option_text(o.key())) ++i;
        if (i == p.options.size()) return field_error(field, "this product has no option '" + o.key() + "'");
        if (!o.value().is_string()) return field_error(field, "option values must be text");
        values[i] = o.value().get<std::string>();
      }
      for (size_t i = 0; i < values.size(); ++i)
        if (values[i].empty())
          return field_error(field, "the variant has no value for option '" + p.options[i].name + "'");
    } else {
      return field_error(field, "a variant's options are {\"Name\": value}");
    }
    v.option_values = std::move(values);
  } else if (v.option_values.size() != p.options.size()) {
    return field_error(field, "the variant needs its options (one value for each of the product's options)");
  }
  return Status::Ok();
}

Status apply_product_json(const json& body, Product& p, std::optional<int64_t>* stock) {
  if (auto st = only_fields(
          body, {"sku", "name", "slug", "description", "brand", "category_id", "price", "sale_price", "currency",
                 "specifications", "weight_grams", "images", "featured", "stock", "product_id", "options", "variants",
                 "status"});
      !st.ok())
    return st;
  if (auto st = apply_product_fields(body, p, stock); !st.ok()) return st;
  if (auto st = read_options(body, p); !st.ok()) return st;
  if (body.contains("variants")) return read_variants(body, p);
  // Without a variant list, the variants must still fit the options.
  if (p.options.empty()) {
    // Options removed by this body: the first variant stays. A body that
    // does not touch options changes no variant (check_variants refuses a
    // product without options that has several).
    if (body.contains("options") && p.variants.size() > 1) p.variants.resize(1);
    if (body.contains("options") && !p.variants.empty()) p.variants.front().option_values.clear();
    return Status::Ok();
  }
  for (const char* field : {"price", "sale_price", "weight_grams", "stock"})
    if (body.contains(field))
      return field_error(field, std::string("this product has options: set ") + field + " on each variant");
  for (const auto& v : p.variants)
    if (v.option_values.size() != p.options.size())
      return field_error("variants", "the options changed: give the variants with their new option values");
  return Status::Ok();
}

namespace {
Status apply_product_fields(const json& body, Product& p, std::optional<int64_t>* stock) {
  if (auto st = read_string(body, "sku", p.sku, 100); !st.ok()) return st;
  if (auto st = read_string(body, "name", p.name, 500); !st.ok()) return st;
  if (auto st = read_string(body, "slug", p.slug, 200); !st.ok()) return st;
  if (auto st = read_string(body, "description", p.description, 20000); !st.ok()) return st;
  if (auto st = read_string(body, "brand", p.brand, 200); !st.ok()) return st;
  if (auto st = read_string(body, "currency", p.currency, 3); !st.ok()) return st;
  if (auto it = body.find("category_id"); it != body.end()) {
    if (it->is_null()) {
      p.category_id.reset();
    } else {
      auto id = id_from(*it);
      if (!id) return field_error("category_id", "category_id must be an id");
      p.category_id = id;
    }
  }
  if (auto it = body.find("price"); it != body.end()) {
    auto c = it->is_number() || it->is_string() ? cents_from_json(*it) : std::nullopt;
    if (!c || *c < 0) return field_error("price", "price must be a non-negative amount with at most two decimals");
    p.price = *c;
  }
  if (auto it = body.find("sale_price"); it != body.end()) {
    if (it->is_null()) {
      p.sale_price.reset();
    } else {
      auto c = it->is_number() || it->is_string() ? cents_from_json(*it) : std::nullopt;
      if (!c || *c < 0)
        return field_error("sale_price", "sale_price must be a non-negative amount with at most two decimals");
      p.sale_price = c;
    }
  }
  if (auto it = body.find("specifications"); it != body.end()) {
    if (it->is_null()) {
      p.specs = json::object();
    } else {
      if (!it->is_object()) return field_error("specifications", "specifications must be an object of name: value");
      if (it->size() > 100) return field_error("specifications", "at most 100 specifications");
      for (auto s = it->begin(); s != it->end(); ++s) {
        if (!(s.value().is_string() || s.value().is_number() || s.value().is_boolean()))
          return field_error("specifications", "specification '" + s.key() + "' must be a string, number or boolean");
        if (s.key().size() > 100 || (s.value().is_string() && s.value().get_ref<const std::string&>().size() > 1000))
          return field_error("specifications", "specification '" + s.key() + "' is too long");
      }
      p.specs = *it;
    }
  }
  if (auto it = body.find("weight_grams"); it != body.end()) {
    if (it->is_null())
      p.weight_grams.reset();
    else if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 10'000'000)
      return field_error("weight_grams", "weight_grams must be a non-negative integer");
    else
      p.weight_grams = it->get<int64_t>();
  }
  if (auto it = body.find("featured"); it != body.end()) {
    if (!it->is_boolean()) return field_error("featured", "featured must be true or false");
    p.featured = it->get<bool>();
  }
  if (auto it = body.find("status"); it != body.end()) {
    auto status = it->is_string() ? parse_product_status(it->get_ref<const std::string&>()) : std::nullopt;
    if (!status) return field_error("status", "Status must be draft, active or archived");
    p.status = *status;
  }
  if (auto it = body.find("images"); it != body.end()) {
    if (!it->is_array()) return field_error("images", "images must be an array of URLs or {url, alt} objects");
    // A bare address of a picture the product has keeps its description
    // and main-picture mark (a form that lists addresses only, such as the
    // admin's product editor, must not wipe what the picture manager set).
    std::vector<ProductImage> before = std::move(p.images);
    p.images.clear();
    for (const auto& im : *it) {
      ProductImage image;
      if (im.is_string()) {
        image.url = im.get<std::string>();
        for (const auto& old : before)
          if (old.url == image.url) {
            image.alt = old.alt;
            image.primary = old.primary;
            break;
          }
      } else if (im.is_object() && im.contains("url") && im["url"].is_string()) {
        image.url = im["url"].get<std::string>();
        if (im.contains("alt") && im["alt"].is_string()) image.alt = im["alt"].get<std::string>();
        if (im.contains("primary") && im["primary"].is_boolean()) image.primary = im["primary"].get<bool>();
      } else {
        return field_error("images", "images must be an array of URLs or {url, alt} objects");
      }
      p.images.push_back(image);
    }
  }
  if (auto it = body.find("stock"); it != body.end()) {
    if (!stock) return field_error("stock", "stock is set through the inventory API");
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 1'000'000'000)
      return field_error("stock", "stock must be a non-negative integer");
    *stock = it->get<int64_t>();
  }
  return Status::Ok();
}
}  // namespace

Status apply_category_json(const json& body, Category& c) {
  if (auto st = only_fields(body, {"name", "slug", "parent_id", "position"}); !st.ok()) return st;
  if (auto st = read_string(body, "name", c.name, 200); !st.ok()) return st;
  if (auto st = read_string(body, "slug", c.slug, 200); !st.ok()) return st;
  if (auto it = body.find("parent_id"); it != body.end()) {
    if (it->is_null()) {
      c.parent_id.reset();
    } else {
      auto id = id_from(*it);
      if (!id) return field_error("parent_id", "parent_id must be an id");
      c.parent_id = id;
    }
  }
  if (auto it = body.find("position"); it != body.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 1'000'000)
      return field_error("position", "position must be a non-negative integer");
    c.position = static_cast<int>(it->get<int64_t>());
  }
  return Status::Ok();
}

}  // namespace shopbox
