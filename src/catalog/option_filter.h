// Option filters and option facets, for browse (GET /api/v1/products) and
// search alike: the one place that answers "which products have an
// in-stock variant matching these options" and "how many of these products
// offer Size M".
//
// The rules (DESIGN.md "Products, variants and stock"):
//  * A filter is a list of option.<Name>=<value> choices (names and values
//    compared case-insensitively, as variants.h compares them). A product
//    passes when ONE of its variants has every chosen value and has a unit
//    available; a product without that option never passes.
//  * A facet value counts the products, among the matches, that offer it:
//    that have at least one variant with that value, in stock or not. So
//    the counts depend on the catalog only, never on live stock, and a
//    search index or a cache may hold them. Facets of several spellings
//    of one name or value ("color", "Color") are merged under the first
//    spelling met.
//
// OptionTable is an immutable in-memory copy of the option part of the
// catalog (products with options, their variants' values), read from
// SQLite in one pass; the catalog keeps one per browse-table generation
// (Catalog::option_table), so it follows every catalog write. Stock is
// never copied: the filter reads it live from the inventory.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status.h"
#include "catalog/product.h"
#include "storage/sqlite.h"

namespace shopbox {

class Inventory;

// option.<Name>=<value> choices, as ProductQuery::options holds them.
using OptionChoices = std::vector<std::pair<std::string, std::string>>;

constexpr size_t kMaxOptionFilters = 10;
constexpr size_t kMaxOptionFilterText = 100;  // an option name or value (variants.cpp allows 100)

// The option.<Name>=<value> entries among query parameters (httplib's
// Params is such a multimap), checked: a name and a value of 1..100
// characters of UTF-8, at most 10 of them. 400 invalid_request naming the
// parameter otherwise. Other parameters are ignored.
[[nodiscard]] Result<OptionChoices> option_choices(const std::multimap<std::string, std::string>& params);

// One value of one option with the products counted for it, before
// grouping. `position`: the value's place in the merchant's list (the
// lowest over the products counted), so facets list S, M, L in that order.
struct OptionValueCount {
  std::string name;
  std::string value;
  int position = 0;
  int64_t count = 0;
};

struct OptionFacet {
  std::string name;
  std::vector<std::pair<std::string, int64_t>> values;  // merchant's order, then by count
};

// Groups raw counts into facets: names case-insensitively (the most
// counted first), values case-insensitively within a name, zero counts
// dropped, at most kMaxFacetNames names and kMaxFacetValues values each.
constexpr size_t kMaxFacetNames = 20;
constexpr size_t kMaxFacetValues = 100;
std::vector<OptionFacet> group_option_facets(const std::vector<OptionValueCount>& raw);
// facets.options of search and browse: [{"name": "Size", "values": [{"value": "M", "count": 17}]}].
nlohmann::json option_facets_json(const std::vector<OptionFacet>& facets);
// filters_applied.options: {"Size": "M"} (a name chosen twice: its values in a list).
nlohmann::json option_choices_json(const OptionChoices& choices);

// The option values a product offers (used by at least one variant), with
// their positions: what a facet counts the product for. Search indexes
// these per document.
std::vector<OptionValueCount> offered_option_values(const Product& p);

class OptionTable {
 public:
  // Reads product_options and the variants of products that have options
  // (one snapshot: call inside a read transaction).
  static OptionTable load(Connection& c);

  // The products (ascending id) with at least one variant that has every
  // chosen value and available stock (read from `inventory` now).
  // `candidates`, when given (ascending ids), limits the answer to them.
  std::vector<int64_t> in_stock_matching(const OptionChoices& choices, Inventory& inventory,
                                         const std::vector<int64_t>* candidates = nullptr) const;

  // Index of a product in this table (products with options only), or -1.
  int32_t product_index(int64_t product_id) const;
  size_t product_count() const { return products_.size(); }
  int64_t product_id_at(size_t index) const { return products_[index].id; }
  // Adds one to counts[value] for each value the product at `index`
  // offers; `counts` has value_count() entries.
  void count_offered(size_t index, std::vector<int64_t>& counts) const;
  size_t value_count() const { return values_.size(); }
  // Counts (by value, as count_offered fills them) as facets.
  std::vector<OptionFacet> facets(const std::vector<int64_t>& counts) const;

 private:
  struct ProductEntry {
    int64_t id = 0;
    uint32_t first_variant = 0, variant_count = 0;  // into variants_
    uint32_t first_offered = 0, offered_count = 0;  // into offered_
    uint32_t option_count = 0;
    uint32_t names[Product::kMaxOptions] = {0, 0, 0};  // name ids, by option position
  };
  struct VariantEntry {
    int64_t id = 0;
    uint32_t values[Product::kMaxOptions] = {0, 0, 0};  // value ids, by option position
  };
  struct ValueEntry {
    uint32_t name = 0;  // name id
    std::string value;  // first spelling met
    int position = 0;   // lowest position met
  };
  uint32_t intern_name(const std::string& name);
  uint32_t intern_value(uint32_t name, const std::string& value, int position);

  std::vector<ProductEntry> products_;  // ascending id
  std::vector<VariantEntry> variants_;
  std::vector<uint32_t> offered_;                   // distinct value ids per product
  std::vector<std::vector<uint32_t>> postings_;     // value id -> indexes of products offering it
  std::vector<std::string> names_;                  // name id -> first spelling met
  std::unordered_map<std::string, uint32_t> name_ids_;   // folded name -> id
  std::vector<ValueEntry> values_;
  std::unordered_map<std::string, uint32_t> value_ids_;  // name id + '\x1f' + folded value -> id
};

}  // namespace shopbox
