#include "catalog/product_json.h"

#include <cmath>

#include "base/clock.h"
#include "base/money.h"
#include "base/request_fields.h"

namespace shopbox {
using json = nlohmann::json;

int discount_percentage(const Product& p) {
  if (!p.sale_price || p.price <= 0 || *p.sale_price >= p.price) return 0;
  return static_cast<int>(
      std::llround(100.0 * static_cast<double>(p.price - *p.sale_price) / static_cast<double>(p.price)));
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

json product_details_json(const Product& p, const StockLevel& stock, const std::string& category_path,
                          const Config& config) {
  json price = {
      {"amount", cents_to_json(p.price)}, {"currency", p.currency}, {"final_price", cents_to_json(p.final_price())}};
  if (p.sale_price && *p.sale_price < p.price)
    price["discount"] = {{"percentage", discount_percentage(p)},
                         {"amount_off", cents_to_json(p.price - *p.sale_price)},
                         {"final_price", cents_to_json(*p.sale_price)}};
  else
    price["discount"] = nullptr;
  json image_details = json::array();
  for (const auto& im : p.images) image_details.push_back({{"url", im.url}, {"alt", im.alt}, {"primary", im.primary}});
  bool free_shipping = p.final_price() > config.free_shipping_threshold;
  return {
      {"product_id", std::to_string(p.id)},
      {"sku", p.sku},
      {"slug", p.slug},
      {"name", p.name},
      {"description", p.description},
      {"brand", p.brand},
      {"category", category_path},
      {"category_id", p.category_id ? json(std::to_string(*p.category_id)) : json(nullptr)},
      {"price", price},
      {"inventory",
       {{"in_stock", stock.available() > 0},
        {"quantity", stock.available()},
        {"available", stock.available()},
        {"low_stock", stock.available() > 0 && stock.available() <= stock.low_stock_threshold},
        {"warehouse_location", config.warehouse_location}}},
      {"images", images_json(p)},
      {"image_details", image_details},
      {"specifications", p.specs},
      {"weight_grams", p.weight_grams ? json(*p.weight_grams) : json(nullptr)},
      {"rating", {{"average", rating_average(p)}, {"count", p.rating_count}}},
      {"shipping",
       {{"estimated_delivery", config.estimated_delivery},
        {"free_shipping", free_shipping},
        {"free_shipping_threshold", cents_to_json(config.free_shipping_threshold)},
        {"flat_rate", cents_to_json(config.flat_shipping)}}},
      {"featured", p.featured},
      {"created_at", iso8601(p.created_at)},
      {"updated_at", iso8601(p.updated_at)},
  };
}

json product_summary_json(const Product& p, const StockLevel& stock) {
  return {
      {"product_id", std::to_string(p.id)},
      {"sku", p.sku},
      {"slug", p.slug},
      {"name", p.name},
      {"brand", p.brand},
      {"category_id", p.category_id ? json(std::to_string(*p.category_id)) : json(nullptr)},
      {"price", cents_to_json(p.final_price())},
      {"original_price", cents_to_json(p.price)},
      {"discount_percentage", discount_percentage(p)},
      {"currency", p.currency},
      {"rating", rating_average(p)},
      {"reviews_count", p.rating_count},
      {"image", p.images.empty() ? json(nullptr) : json(p.images.front().url)},
      {"in_stock", stock.available() > 0},
      {"available", stock.available()},
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
}  // namespace

Status apply_product_json(const json& body, Product& p, std::optional<int64_t>* stock) {
  if (auto st = only_fields(
          body, {"sku", "name", "slug", "description", "brand", "category_id", "price", "sale_price", "currency",
                 "specifications", "weight_grams", "images", "featured", "stock", "product_id"});
      !st.ok())
    return st;
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
  if (auto it = body.find("images"); it != body.end()) {
    if (!it->is_array()) return field_error("images", "images must be an array of URLs or {url, alt} objects");
    p.images.clear();
    for (const auto& im : *it) {
      ProductImage image;
      if (im.is_string()) {
        image.url = im.get<std::string>();
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
