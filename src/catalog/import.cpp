#include "catalog/import.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "base/json_text.h"
#include "base/money.h"
#include "base/text.h"
#include "base/utf8.h"
#include "catalog/product_json.h"

namespace shopbox {
namespace {

constexpr size_t kMaxErrors = 100;

int64_t line_at(const std::string& text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n');
}

// "Error message" from a Status, naming the field when it has one.
std::string describe(const Status& st) {
  std::string msg = st.message();
  if (st.details().is_object() && st.details().contains("field") && st.details()["field"].is_string()) {
    std::string field = st.details()["field"].get<std::string>();
    if (msg.find(field) == std::string::npos) msg = field + ": " + msg;
  }
  return msg;
}

// The configured limits on options and variants (Catalog::limits(), which
// parsing without a Catalog cannot call).
VariantLimits import_limits(const Config& config) {
  return {static_cast<size_t>(config.max_options_per_product), static_cast<size_t>(config.max_variants_per_product)};
}

// ---------------------------------------------------------------- JSON

// Byte offsets of the top-level array's elements (strings and nesting
// aware), so each item's error can name the line it starts on.
std::vector<size_t> element_offsets(const std::string& text) {
  std::vector<size_t> out;
  int depth = 0;
  bool expect = false;  // the next value starts an element
  for_each_char_outside_strings(text, [&](size_t i, char ch) {
    if (expect && !std::isspace(static_cast<unsigned char>(ch)) && ch != ']') {
      out.push_back(i);
      expect = false;
    }
    if (ch == '[' || ch == '{') {
      ++depth;
      if (depth == 1 && ch == '[') expect = true;
    } else if (ch == ']' || ch == '}') {
      --depth;
    } else if (ch == ',' && depth == 1) {
      expect = true;
    }
    return true;
  });
  return out;
}

// A product's price, or each of its variants' (a new variant would
// otherwise start at the product's price: none, so 0).
std::optional<std::string> missing_price(const nlohmann::json& obj) {
  if (obj.contains("price")) return std::nullopt;
  auto v = obj.find("variants");
  if (v == obj.end() || !v->is_array() || v->empty()) return "price is required";
  for (size_t k = 0; k < v->size(); ++k)
    if (!(*v)[k].is_object() || !(*v)[k].contains("price"))
      return "variants[" + std::to_string(k) + "]: price is required";
  return std::nullopt;
}

void parse_json_import(const std::string& text, const Config& config, ParsedImport& out) {
  // The same nesting limit as request bodies (base/json_text.h): a deep
  // document would crash the copy of each element below.
  if (json_nesting_depth(text) > kMaxJsonDepth) {
    out.errors.push_back({1, "malformed JSON: nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"});
    return;
  }
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    if (auto pos = what.find("syntax error"); pos != std::string::npos) what = what.substr(pos);
    out.errors.push_back({line_at(text, e.byte > 0 ? e.byte - 1 : 0), "malformed JSON: " + what});
    return;
  } catch (const nlohmann::json::exception& e) {
    // A number too large for any type (fuzz finding: "977e20752"); the
    // library does not say where, so the whole file is refused.
    out.errors.push_back({1, std::string("malformed JSON: ") + e.what()});
    return;
  }
  if (!doc.is_array()) {
    out.errors.push_back({1, "a JSON import must be an array of product objects"});
    return;
  }
  auto offsets = element_offsets(text);
  const VariantLimits limits = import_limits(config);
  for (size_t i = 0; i < doc.size() && out.errors.size() < kMaxErrors; ++i) {
    int64_t line = i < offsets.size() ? line_at(text, offsets[i]) : 1;
    nlohmann::json obj = doc[i];
    auto error = [&](const std::string& msg) {
      out.errors.push_back({line, "product " + std::to_string(i + 1) + ": " + msg});
    };
    if (!obj.is_object()) {
      error("must be an object");
      continue;
    }
    ProductUpsert item;
    item.product.currency = config.currency;
    if (auto it = obj.find("category"); it != obj.end()) {
      if (!it->is_string() && !it->is_null()) {
        error("category must be a path such as \"Home/Kitchen\"");
        continue;
      }
      if (it->is_string()) item.category_path = it->get<std::string>();
      obj.erase("category");
    }
    obj.erase("product_id");  // ids belong to the shop they came from; SKUs identify products
    if (auto v = obj.find("variants"); v != obj.end() && v->is_array())
      for (auto& entry : *v)
        if (entry.is_object()) entry.erase("variant_id");  // matched by SKU (Catalog::upsert_products)
    if (auto missing = missing_price(obj)) {
      error(*missing);
      continue;
    }
    if (!obj.contains("name")) {
      error("name is required");
      continue;
    }
    std::optional<int64_t> stock;
    if (auto st = apply_product_json(obj, item.product, &stock); !st.ok()) {
      error(describe(st));
      continue;
    }
    item.stock = stock;
    item.slug_given = obj.contains("slug") && obj["slug"].is_string() && !obj["slug"].get<std::string>().empty();
    item.status_given = obj.contains("status");
    if (auto st = Catalog::validate(item.product, limits); !st.ok()) {
      error(describe(st));
      continue;
    }
    out.items.push_back(std::move(item));
    out.lines.push_back(line);
    out.variant_lines.emplace_back();
  }
}

// ---------------------------------------------------------------- Shopify CSV

std::string strip_html(const std::string& html) {
  std::string out;
  bool in_tag = false;
  for (size_t i = 0; i < html.size(); ++i) {
    char ch = html[i];
    if (in_tag) {
      if (ch == '>') in_tag = false;
      continue;
    }
    if (ch == '<') {
      in_tag = true;
      // Block ends become line breaks so paragraphs stay apart.
      std::string rest = html.substr(i, 5);
      std::transform(rest.begin(), rest.end(), rest.begin(), ::tolower);
      if (rest.rfind("</p", 0) == 0 || rest.rfind("<br", 0) == 0 || rest.rfind("</li", 0) == 0) out += '\n';
      continue;
    }
    if (ch == '&') {
      static const std::pair<const char*, const char*> entities[] = {{"&amp;", "&"},   {"&lt;", "<"},  {"&gt;", ">"},
                                                                     {"&quot;", "\""}, {"&#39;", "'"}, {"&apos;", "'"},
                                                                     {"&nbsp;", " "}};
      bool done = false;
      for (const auto& [name, value] : entities) {
        if (html.compare(i, std::strlen(name), name) == 0) {
          out += value;
          i += std::strlen(name) - 1;
          done = true;
          break;
        }
      }
      if (done) continue;
    }
    out += ch;
  }
  // Collapse runs of blanks; keep single line breaks between paragraphs.
  std::string clean;
  for (char ch : out) {
    if (ch == '\r' || ch == '\t') ch = ' ';
    if (ch == ' ' && (clean.empty() || clean.back() == ' ' || clean.back() == '\n')) continue;
    if (ch == '\n') {
      while (!clean.empty() && clean.back() == ' ') clean.pop_back();
      if (clean.empty() || clean.back() == '\n') continue;
    }
    clean += ch;
  }
  return trim(clean);
}

struct Columns {
  std::map<std::string, size_t> index;
  std::string get(const CsvRecord& r, const char* name) const {
    auto it = index.find(name);
    if (it == index.end() || it->second >= r.fields.size()) return "";
    return trim(r.fields[it->second]);
  }
  bool has(const char* name) const { return index.count(name) > 0; }
};

struct Group {
  std::string handle;
  std::vector<const CsvRecord*> rows;
};

// The header row: column names to positions (a UTF-8 BOM tolerated); false
// (with the error in `out`) when a column every Shopify export has is missing.
bool read_columns(const CsvRecord& header, Columns& cols, ParsedImport& out) {
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string name = trim(header.fields[i]);
    if (i == 0 && name.rfind("\xEF\xBB\xBF", 0) == 0) name = name.substr(3);  // UTF-8 BOM
    cols.index.emplace(name, i);
  }
  for (const char* required : {"Handle", "Title", "Variant Price"})
    if (!cols.has(required)) {
      out.errors.push_back(
          {header.line, std::string("missing column '") + required + "' (is this a Shopify product CSV?)"});
      return false;
    }
  return true;
}

// Rows grouped by Handle (one Shopify product), in order of first appearance.
std::vector<Group> group_by_handle(const std::vector<CsvRecord>& records, const Columns& cols, ParsedImport& out) {
  std::vector<Group> groups;
  std::map<std::string, size_t> by_handle;
  for (size_t i = 1; i < records.size(); ++i) {
    const CsvRecord& r = records[i];
    bool blank = std::all_of(r.fields.begin(), r.fields.end(), [](const std::string& f) { return trim(f).empty(); });
    if (blank) continue;
    std::string handle = cols.get(r, "Handle");
    if (handle.empty()) {
      out.errors.push_back({r.line, "Handle is empty"});
      continue;
    }
    auto [it, fresh] = by_handle.emplace(handle, groups.size());
    if (fresh) groups.push_back({handle, {}});
    groups[it->second].rows.push_back(&r);
  }
  return groups;
}

// What the product's Title row says for all of its variants.
struct ShopifyProduct {
  std::string handle, title, description, vendor, type, category, tags;
  std::vector<ProductImage> images;  // of the whole product, in Image Position order, at most 20
};

ShopifyProduct read_product(const Group& g, const CsvRecord& main, const Columns& cols) {
  ShopifyProduct sp;
  sp.handle = g.handle;
  sp.title = cols.get(main, "Title");
  sp.description = strip_html(cols.get(main, "Body (HTML)"));
  sp.vendor = cols.get(main, "Vendor");
  sp.type = cols.get(main, "Type");
  sp.category = cols.get(main, "Product Category");
  sp.tags = cols.get(main, "Tags");
  if (sp.category.empty()) sp.category = sp.type;
  return sp;
}

// Images of the whole product, by Image Position then file order.
std::vector<ProductImage> product_images(const Group& g, const Columns& cols, ParsedImport& out) {
  struct Img {
    int64_t position;
    size_t order;
    ProductImage image;
  };
  std::vector<Img> images;
  for (const auto* r : g.rows) {
    std::string src = cols.get(*r, "Image Src");
    if (src.empty()) continue;
    int64_t position = INT64_MAX;
    std::string pos = cols.get(*r, "Image Position");
    if (!pos.empty()) {
      if (pos.find_first_not_of("0123456789") != std::string::npos || pos.size() > 6) {
        out.errors.push_back({r->line, "Image Position '" + pos + "' is not a whole number"});
        continue;
      }
      position = std::stoll(pos);
    }
    if (std::any_of(images.begin(), images.end(), [&](const Img& i) { return i.image.url == src; })) continue;
    ProductImage im;
    im.url = src;
    im.alt = cols.get(*r, "Image Alt Text");
    images.push_back({position, images.size(), im});
  }
  std::stable_sort(images.begin(), images.end(), [](const Img& a, const Img& b) { return a.position < b.position; });
  if (images.size() > 20) images.resize(20);
  std::vector<ProductImage> out_images;
  for (auto& i : images) out_images.push_back(std::move(i.image));
  return out_images;
}

// Price, compare-at price, stock and weight of one variant row onto `v`;
// the error message when one of them does not read.
std::optional<std::string> read_variant_numbers(const CsvRecord& r, const Columns& cols, Variant& v) {
  std::string price_text = cols.get(r, "Variant Price");
  if (price_text.empty()) return "Variant Price is required";
  auto price = parse_cents(price_text);
  if (!price || *price < 0) return "Variant Price '" + price_text + "' is not an amount such as 19.99";
  v.price = *price;
  std::string compare_text = cols.get(r, "Variant Compare At Price");
  if (!compare_text.empty()) {
    auto compare = parse_cents(compare_text);
    if (!compare || *compare < 0)
      return "Variant Compare At Price '" + compare_text + "' is not an amount such as 24.99";
    if (*compare > *price) {  // on sale: list price is the compare-at price
      v.price = *compare;
      v.sale_price = *price;
    }
  }
  std::string qty = cols.get(r, "Variant Inventory Qty");
  if (!qty.empty()) {
    bool negative = qty[0] == '-';
    std::string digits = negative ? qty.substr(1) : qty;
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos)
      return "Variant Inventory Qty '" + qty + "' is not a whole number";
    v.stock_to_set = negative ? 0 : std::stoll(digits);  // Shopify allows overselling into negatives
  }
  std::string grams = cols.get(r, "Variant Grams");
  if (!grams.empty()) {
    char* end = nullptr;
    double g = std::strtod(grams.c_str(), &end);
    if (grams.find_first_not_of("0123456789.") != std::string::npos || *end != '\0' || !(g >= 0 && g <= 10'000'000))
      return "Variant Grams '" + grams + "' is not a weight in grams";
    v.weight_grams = static_cast<int64_t>(g + 0.5);
  }
  return std::nullopt;
}

std::string option_column(int k, const char* what) {
  return "Option" + std::to_string(k + 1) + " " + what;
}

// A row that describes a variant (the others of a Handle only add images).
bool is_variant_row(const CsvRecord& r, const Columns& cols) {
  if (!cols.get(r, "Variant Price").empty() || !cols.get(r, "Variant SKU").empty()) return true;
  for (int k = 0; k < 3; ++k)
    if (!cols.get(r, option_column(k, "Value").c_str()).empty()) return true;
  return false;
}

// The product's options from the Title row's names and the variant rows'
// values (in order of first appearance). Shopify writes a product without
// options as Option1 "Title" = "Default Title".
std::vector<ProductOption> read_options(const CsvRecord& main, const std::vector<const CsvRecord*>& rows,
                                        const Columns& cols) {
  int count = 0;
  for (int k = 0; k < 3; ++k) {
    bool used = !cols.get(main, option_column(k, "Name").c_str()).empty();
    for (const auto* r : rows) used = used || !cols.get(*r, option_column(k, "Value").c_str()).empty();
    if (used) count = k + 1;
  }
  if (count == 1 && std::all_of(rows.begin(), rows.end(), [&](const CsvRecord* r) {
        std::string value = cols.get(*r, "Option1 Value");
        return value.empty() || value == "Default Title";
      }))
    count = 0;
  std::vector<ProductOption> options;
  for (int k = 0; k < count; ++k) {
    ProductOption o;
    o.name = cols.get(main, option_column(k, "Name").c_str());
    if (o.name.empty()) o.name = "Option" + std::to_string(k + 1);
    for (const auto* r : rows) {
      std::string value = cols.get(*r, option_column(k, "Value").c_str());
      bool seen = std::any_of(o.values.begin(), o.values.end(),
                              [&](const std::string& v) { return ascii_lower(v) == ascii_lower(value); });
      if (!value.empty() && !seen) o.values.push_back(value);
    }
    options.push_back(std::move(o));
  }
  return options;
}

// One variant row onto `v`; false (with the error in `out`) when it does
// not read.
bool read_variant(const CsvRecord& r, const std::vector<ProductOption>& options, const Columns& cols, Variant& v,
                  ParsedImport& out) {
  for (size_t k = 0; k < options.size(); ++k) {
    std::string value = cols.get(r, option_column(static_cast<int>(k), "Value").c_str());
    if (value.empty()) {
      out.errors.push_back({r.line, option_column(static_cast<int>(k), "Value") +
                                        " is empty (the product has the option '" + options[k].name + "')"});
      return false;
    }
    v.option_values.push_back(value);
  }
  if (auto error = read_variant_numbers(r, cols, v)) {
    out.errors.push_back({r.line, *error});
    return false;
  }
  v.sku = cols.get(r, "Variant SKU");
  v.barcode = cols.get(r, "Variant Barcode");
  v.image_url = cols.get(r, "Variant Image");
  return true;
}

// The shopbox columns (import.h): the product SKU, specifications and
// featured flag, through the same reader as the API's product JSON.
Status read_shopbox_columns(const CsvRecord& main, const Columns& cols, const ShopifyProduct& sp, Product& p) {
  std::string sku = cols.get(main, kShopboxSkuColumn);
  if (!sku.empty()) p.sku = sku;
  nlohmann::json fields = nlohmann::json::object();
  std::string specs = cols.get(main, kShopboxSpecsColumn);
  if (!specs.empty()) {
    if (json_nesting_depth(specs) > kMaxJsonDepth) return field_error("specifications", "nested too deep");
    fields["specifications"] = nlohmann::json::parse(specs, nullptr, false);
    if (fields["specifications"].is_discarded())
      return field_error("specifications", std::string(kShopboxSpecsColumn) + " is not a JSON object");
  } else {
    nlohmann::json built = nlohmann::json::object();
    if (!sp.tags.empty()) built["Tags"] = sp.tags;
    if (!sp.type.empty() && sp.type != sp.category) built["Type"] = sp.type;
    fields["specifications"] = built;
  }
  // Shopify's Status column: active, draft or archived.
  if (std::string status = trim(cols.get(main, "Status")); !status.empty()) {
    if (!parse_product_status(status)) return field_error("status", "Status must be active, draft or archived");
    fields["status"] = status;
  }
  std::string featured = ascii_lower(cols.get(main, kShopboxFeaturedColumn));
  if (!featured.empty()) {
    if (featured != "true" && featured != "false")
      return field_error("featured", std::string(kShopboxFeaturedColumn) + " must be TRUE or FALSE");
    fields["featured"] = featured == "true";
  }
  return apply_product_json(fields, p, nullptr);
}

// The line an error of item `i` belongs on: its variant's row when the
// error names variants[k], else the product's line.
int64_t error_line(const ParsedImport& parsed, size_t i, const Status& st) {
  int64_t line = i < parsed.lines.size() ? parsed.lines[i] : 1;
  const auto& d = st.details();
  if (!d.is_object() || !d.contains("field") || !d["field"].is_string() || i >= parsed.variant_lines.size())
    return line;
  const std::string& field = d["field"].get_ref<const std::string&>();
  if (field.rfind("variants[", 0) != 0) return line;
  size_t k = std::strtoul(field.c_str() + 9, nullptr, 10);
  return k < parsed.variant_lines[i].size() ? parsed.variant_lines[i][k] : line;
}

// One Handle's rows as one product with its variants.
void read_group(const Group& g, const CsvRecord& main, const Columns& cols, const Config& config, ParsedImport& out) {
  ShopifyProduct sp = read_product(g, main, cols);
  sp.images = product_images(g, cols, out);
  std::vector<const CsvRecord*> rows;
  for (const auto* r : g.rows)
    if (is_variant_row(*r, cols)) rows.push_back(r);
  if (rows.empty()) rows.push_back(&main);  // reports the missing Variant Price on the Title row
  ProductUpsert item;
  Product& p = item.product;
  p.currency = config.currency;
  p.name = sp.title;
  p.description = sp.description;
  p.brand = sp.vendor;
  p.slug = Catalog::slugify(sp.handle);
  p.images = sp.images;
  p.options = read_options(main, rows, cols);
  item.category_path = sp.category;
  std::vector<int64_t> lines;
  for (const auto* r : rows) {
    Variant v;
    if (!read_variant(*r, p.options, cols, v, out)) return;
    p.variants.push_back(std::move(v));
    lines.push_back(r->line);
  }
  // A product without options is edited through its product fields
  // (catalog/variants.h check_variants): its only variant's SKU, prices
  // and weight go there. A product with options is known by its Handle.
  if (p.options.empty() && p.variants.size() == 1) {
    const Variant& v = p.variants.front();
    p.sku = v.sku.empty() ? p.slug : v.sku;
    p.price = v.price;
    p.sale_price = v.sale_price;
    p.weight_grams = v.weight_grams;
  } else {
    p.sku = p.slug;
  }
  if (auto st = read_shopbox_columns(main, cols, sp, p); !st.ok()) {
    out.errors.push_back({main.line, describe(st)});
    return;
  }
  item.status_given = !trim(cols.get(main, "Status")).empty();
  out.items.push_back(std::move(item));
  out.lines.push_back(main.line);
  out.variant_lines.push_back(std::move(lines));
  if (auto st = Catalog::validate(out.items.back().product, import_limits(config)); !st.ok()) {
    out.errors.push_back({error_line(out, out.items.size() - 1, st), describe(st)});
    out.items.pop_back();
    out.lines.pop_back();
    out.variant_lines.pop_back();
  }
}

void parse_shopify_csv(const std::string& text, const Config& config, ParsedImport& out) {
  auto records = parse_csv(text);
  if (!records.ok()) {
    out.errors.push_back({records.status().details().value("line", int64_t{1}), records.status().message()});
    return;
  }
  if (records->empty()) {
    out.errors.push_back({1, "the file is empty (expected a header row)"});
    return;
  }
  Columns cols;
  if (!read_columns((*records)[0], cols, out)) return;
  for (const auto& g : group_by_handle(*records, cols, out)) {
    if (out.errors.size() >= kMaxErrors) break;
    auto main =
        std::find_if(g.rows.begin(), g.rows.end(), [&](const CsvRecord* r) { return !cols.get(*r, "Title").empty(); });
    if (main == g.rows.end()) {
      out.errors.push_back({g.rows.front()->line, "product '" + g.handle + "' has no row with a Title"});
      continue;
    }
    read_group(g, **main, cols, config, out);
  }
  if (out.items.empty() && out.errors.empty()) out.errors.push_back({1, "the file has no product rows"});
}

// Two items with one SKU (a product's or a variant's) would silently
// overwrite each other: the later one is an error naming the earlier line.
void check_unique_skus(ParsedImport& out) {
  std::map<std::string, std::pair<size_t, int64_t>> seen;  // sku -> item, line
  for (size_t i = 0; i < out.items.size() && out.errors.size() < kMaxErrors; ++i) {
    const Product& p = out.items[i].product;
    auto claim = [&](const std::string& sku, int64_t line) {
      auto [it, fresh] = seen.emplace(sku, std::make_pair(i, line));
      if (fresh || it->second.first == i) return true;
      out.errors.push_back({line, "SKU '" + sku + "' already appears on line " + std::to_string(it->second.second)});
      return false;
    };
    if (!claim(p.sku, out.lines[i])) continue;
    for (size_t k = 0; k < p.variants.size(); ++k) {
      bool own_line = i < out.variant_lines.size() && k < out.variant_lines[i].size();
      if (!claim(p.variants[k].sku, own_line ? out.variant_lines[i][k] : out.lines[i])) break;
    }
  }
}

}  // namespace

Result<std::vector<CsvRecord>> parse_csv(const std::string& text) {
  std::vector<CsvRecord> out;
  int64_t line = 1;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    CsvRecord rec;
    rec.line = line;
    std::string field;
    bool end_of_record = false;
    while (!end_of_record) {
      if (i < n && text[i] == '"') {
        int64_t opened = line;
        ++i;
        bool closed = false;
        while (i < n) {
          char ch = text[i];
          if (ch == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (ch == '\n') ++line;
          field += ch;
          ++i;
        }
        if (!closed)
          return Status::Invalid("line " + std::to_string(opened) + ": quoted field is never closed",
                                 {{"line", opened}});
        // Text after the closing quote up to the delimiter is kept as-is.
        while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') field += text[i++];
      } else {
        while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') field += text[i++];
      }
      rec.fields.push_back(std::move(field));
      field.clear();
      if (i >= n) {
        end_of_record = true;
      } else if (text[i] == ',') {
        ++i;
      } else {
        if (text[i] == '\r') ++i;
        if (i < n && text[i] == '\n') ++i;
        ++line;
        end_of_record = true;
      }
    }
    out.push_back(std::move(rec));
  }
  return out;
}

ImportFormat detect_import_format(const std::string& filename, const std::string& text) {
  auto ends_with = [&](const char* ext) {
    std::string lower = filename;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    size_t len = std::strlen(ext);
    return lower.size() >= len && lower.compare(lower.size() - len, len, ext) == 0;
  };
  if (ends_with(".json")) return ImportFormat::json;
  if (ends_with(".csv")) return ImportFormat::shopify_csv;
  size_t first = text.find_first_not_of(" \t\r\n");
  return first != std::string::npos && text[first] == '[' ? ImportFormat::json : ImportFormat::shopify_csv;
}

ParsedImport parse_import(const std::string& text, ImportFormat format, const Config& config) {
  ParsedImport out;
  // Names, descriptions and specs end up in JSON, which holds only UTF-8
  // (a fuzz finding: a 0xFF byte in a CSV cell answered 500).
  if (size_t bad = utf8_error_at(text); bad != std::string_view::npos) {
    int64_t line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n');
    out.errors.push_back({line, "the file is not UTF-8 text (byte " + std::to_string(bad + 1) + ")"});
    return out;
  }
  if (format == ImportFormat::json)
    parse_json_import(text, config, out);
  else
    parse_shopify_csv(text, config, out);
  check_unique_skus(out);
  std::stable_sort(out.errors.begin(), out.errors.end(),
                   [](const ImportError& a, const ImportError& b) { return a.line < b.line; });
  if (out.errors.size() > kMaxErrors) out.errors.resize(kMaxErrors);
  return out;
}

ImportReport import_products(Catalog& catalog, const std::string& text, ImportFormat format, const Config& config,
                             const std::string& actor) {
  ImportReport report;
  ParsedImport parsed = parse_import(text, format, config);
  report.items = static_cast<int64_t>(parsed.items.size());
  if (!parsed.errors.empty()) {
    report.errors = std::move(parsed.errors);
    return report;
  }
  // The items move into the catalog; keep what names their lines.
  ParsedImport where;
  where.lines = std::move(parsed.lines);
  where.variant_lines = std::move(parsed.variant_lines);
  auto summary = catalog.upsert_products(std::move(parsed.items), actor);
  if (!summary.ok()) {
    const auto& d = summary.status().details();
    int64_t line = 1;
    if (d.is_object() && d.contains("index") && d["index"].is_number_unsigned())
      line = error_line(where, d["index"].get<size_t>(), summary.status());
    report.errors.push_back({line, describe(summary.status())});
    return report;
  }
  report.summary = *summary;
  report.ok = true;
  return report;
}

}  // namespace shopbox
