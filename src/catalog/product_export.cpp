#include "catalog/product_export.h"

#include <map>

#include "base/money.h"
#include "catalog/catalog.h"
#include "catalog/catalog_store.h"
#include "catalog/import.h"
#include "inventory/inventory.h"

namespace shopbox {
namespace {

constexpr size_t kExportBatch = 200;  // products per read snapshot

// Shopify's own template's columns that shopbox has data for, in its order,
// then the shopbox metafield columns (import.h).
const std::vector<std::string>& columns() {
  static const std::vector<std::string> cols = {"Handle",
                                                "Title",
                                                "Body (HTML)",
                                                "Vendor",
                                                "Product Category",
                                                "Type",
                                                "Tags",
                                                "Published",
                                                "Option1 Name",
                                                "Option1 Value",
                                                "Option2 Name",
                                                "Option2 Value",
                                                "Option3 Name",
                                                "Option3 Value",
                                                "Variant SKU",
                                                "Variant Grams",
                                                "Variant Inventory Tracker",
                                                "Variant Inventory Qty",
                                                "Variant Inventory Policy",
                                                "Variant Fulfillment Service",
                                                "Variant Price",
                                                "Variant Compare At Price",
                                                "Variant Requires Shipping",
                                                "Variant Taxable",
                                                "Variant Barcode",
                                                "Image Src",
                                                "Image Position",
                                                "Image Alt Text",
                                                "Gift Card",
                                                "Variant Image",
                                                "Variant Weight Unit",
                                                "Status",
                                                kShopboxSkuColumn,
                                                kShopboxSpecsColumn,
                                                kShopboxFeaturedColumn};
  return cols;
}

// A row under construction: cells by column name.
class CsvRow {
 public:
  void set(const std::string& column, std::string value) { cells_[column] = std::move(value); }
  std::string csv() const {
    std::string line;
    bool first = true;
    for (const auto& c : columns()) {
      if (!first) line += ',';
      first = false;
      if (auto it = cells_.find(c); it != cells_.end()) line += csv_field(it->second);
    }
    return line + "\n";
  }

 private:
  std::map<std::string, std::string> cells_;
};

// Plain text as Shopify's Body (HTML): one paragraph per line, escaped, so
// the importer's HTML-to-text gives the same text back.
std::string body_html(const std::string& text) {
  std::string out, para;
  auto flush = [&] {
    if (!para.empty()) out += "<p>" + para + "</p>";
    para.clear();
  };
  for (char ch : text) {
    switch (ch) {
      case '\n':
        flush();
        break;
      case '&':
        para += "&amp;";
        break;
      case '<':
        para += "&lt;";
        break;
      case '>':
        para += "&gt;";
        break;
      case '"':
        para += "&quot;";
        break;
      default:
        para += ch;
    }
  }
  flush();
  return out;
}

std::string spec_text(const nlohmann::json& specs, const char* key) {
  auto it = specs.find(key);
  return it != specs.end() && it->is_string() ? it->get<std::string>() : "";
}

// The rows of one product: its variants, then the images left over.
std::string product_rows(const Product& p, const std::vector<StockLevel>& stock, const std::string& category) {
  std::string out;
  const size_t rows = std::max(p.variants.size(), p.images.size());
  for (size_t i = 0; i < rows; ++i) {
    CsvRow r;
    r.set("Handle", p.slug);
    if (i == 0) {
      r.set("Title", p.name);
      r.set("Body (HTML)", body_html(p.description));
      r.set("Vendor", p.brand);
      r.set("Product Category", category);
      // A Type without a category would come back as the category.
      if (!category.empty()) r.set("Type", spec_text(p.specs, "Type"));
      r.set("Tags", spec_text(p.specs, "Tags"));
      r.set("Published", p.for_sale() ? "TRUE" : "FALSE");
      r.set("Gift Card", "FALSE");
      r.set("Status", product_status_name(p.status));
      for (size_t k = 0; k < p.options.size(); ++k)
        r.set("Option" + std::to_string(k + 1) + " Name", p.options[k].name);
      if (p.options.empty()) r.set("Option1 Name", "Title");
      r.set(kShopboxSkuColumn, p.sku);
      r.set(kShopboxSpecsColumn, p.specs.is_object() && !p.specs.empty() ? p.specs.dump() : "");
      r.set(kShopboxFeaturedColumn, p.featured ? "TRUE" : "FALSE");
    }
    if (i < p.variants.size()) {
      const Variant& v = p.variants[i];
      for (size_t k = 0; k < p.options.size() && k < v.option_values.size(); ++k)
        r.set("Option" + std::to_string(k + 1) + " Value", v.option_values[k]);
      if (p.options.empty()) r.set("Option1 Value", "Default Title");
      r.set("Variant SKU", v.sku);
      r.set("Variant Grams", v.weight_grams ? std::to_string(*v.weight_grams) : "");
      r.set("Variant Weight Unit", "g");
      r.set("Variant Inventory Tracker", "shopify");
      // The total on hand: what set_total takes back on import (available
      // would shrink by the reserved units on every round trip).
      r.set("Variant Inventory Qty", std::to_string(i < stock.size() ? stock[i].total : 0));
      r.set("Variant Inventory Policy", "deny");
      r.set("Variant Fulfillment Service", "manual");
      r.set("Variant Price", format_cents(v.final_price()));
      r.set("Variant Compare At Price", v.final_price() < v.price ? format_cents(v.price) : "");
      r.set("Variant Requires Shipping", "TRUE");
      r.set("Variant Taxable", "TRUE");
      r.set("Variant Barcode", v.barcode);
      r.set("Variant Image", v.image_url);
    }
    if (i < p.images.size()) {
      r.set("Image Src", p.images[i].url);
      r.set("Image Position", std::to_string(i + 1));
      r.set("Image Alt Text", p.images[i].alt);
    }
    out += r.csv();
  }
  return out;
}

std::string header_row() {
  std::string line;
  for (const auto& c : columns()) {
    if (!line.empty()) line += ',';
    line += csv_field(c);
  }
  line += '\n';
  return line;
}

}  // namespace

const std::vector<std::string>& product_export_columns() {
  return columns();
}

std::string csv_field(std::string_view value) {
  bool quote = value.find_first_of(",\"\r\n") != std::string_view::npos ||
               (!value.empty() &&
                (value.front() == ' ' || value.back() == ' ' || value.front() == '\t' || value.back() == '\t'));
  if (!quote) return std::string(value);
  std::string out = "\"";
  for (char ch : value) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

Status export_products_csv(Sqlite& db, Catalog& catalog, Inventory& inventory,
                           const std::function<Status(std::string_view)>& out) {
  std::vector<int64_t> ids;
  Status st = db.read([&](Connection& c) {
    catalog_store::for_each_product_id(c, [&](int64_t id) { ids.push_back(id); });
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (auto w = out(header_row()); !w.ok()) return w;
  for (size_t from = 0; from < ids.size(); from += kExportBatch) {
    std::vector<Product> batch;
    st = db.read([&](Connection& c) {
      for (size_t i = from; i < std::min(ids.size(), from + kExportBatch); ++i)
        if (auto p = catalog_store::get_product(c, ids[i])) batch.push_back(std::move(*p));
      return Status::Ok();
    });
    if (!st.ok()) return st;
    std::vector<int64_t> variant_ids;
    for (const auto& p : batch)
      for (const auto& v : p.variants) variant_ids.push_back(v.id);
    std::vector<StockLevel> levels = inventory.levels(variant_ids);
    size_t at = 0;
    for (const auto& p : batch) {
      std::vector<StockLevel> stock;
      for (size_t k = 0; k < p.variants.size() && at < levels.size(); ++k) stock.push_back(levels[at++]);
      if (auto w = out(product_rows(p, stock, catalog.category_path(p.category_id))); !w.ok()) return w;
    }
  }
  return Status::Ok();
}

Result<std::string> export_products_csv(Sqlite& db, Catalog& catalog, Inventory& inventory) {
  std::string text;
  Status st = export_products_csv(db, catalog, inventory, [&](std::string_view piece) {
    text.append(piece);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return text;
}

}  // namespace shopbox
