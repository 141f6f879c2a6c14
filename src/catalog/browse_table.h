// BrowseTable: what GET /api/v1/products filters and sorts on, one compact
// row per product (BrowseRow, 56 bytes), so a browse costs a
// pass over the matching rows in memory plus a primary-key read per product
// on the page, instead of a COUNT(*) and an ORDER BY over the matches in
// SQLite on every request.
//
// Contract: query() gives exactly the ids, in the same order, and the same
// total as catalog_store::list_products over the rows the table was built
// from (tests/http/test_browse.cpp checks it against SQLite on random
// catalogs and queries). The option filter, which SQL browse lacks, narrows
// the candidates to the ids the caller passes (option_filter.h). Immutable once built, so any number of threads may
// query it; Catalog decides when it is stale (catalog.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/catalog_store.h"
#include "catalog/option_filter.h"

namespace shopbox {

// The option part of the catalog for one browse table (option_filter.h),
// loaded on the first browse or search that needs it and then kept with
// the table, so it is dropped and rebuilt exactly when the table is.
struct BrowseOptions {
  OptionTable table;
  std::vector<int32_t> row_option;       // browse row -> OptionTable product index, -1: no options
  std::vector<OptionFacet> all_facets;   // over every product: the unfiltered browse's, counted once
};

class BrowseTable {
 public:
  explicit BrowseTable(BrowseRows data);

  struct Match {
    std::vector<int64_t> ids;  // the requested page, in order
    int64_t total = 0;         // every match
    std::vector<OptionFacet> option_facets;  // over every match, when asked for
  };
  // `subtree`: when q.category_id is set, that category and all its
  // descendants (the caller knows the category tree; the table does not).
  // `options`: needed when q.options is set or facets are wanted; then
  // `in_stock_options` holds the ids (ascending) that pass q.options
  // (OptionTable::in_stock_matching: stock is the inventory's, not ours).
  Match query(const ProductQuery& q, const std::vector<int64_t>& subtree, const BrowseOptions* options = nullptr,
              const std::vector<int64_t>* in_stock_options = nullptr, bool facets = false) const;

  // The option table of this browse table's generation: `load` runs once
  // (the first caller's; concurrent callers wait for it). A failed load is
  // not kept.
  Result<std::shared_ptr<const BrowseOptions>> options(const std::function<Result<OptionTable>()>& load) const;

 private:
  using Row = BrowseRow;
  std::vector<OptionFacet> count_facets(const ProductQuery& q, const BrowseOptions& options,
                                       const std::vector<uint32_t>& hits) const;
  // Orders the page's part of `hits` and puts its ids in out.ids.
  void page_of(const ProductQuery& q, std::vector<uint32_t>& hits, Match& out) const;

  std::vector<Row> rows_;  // ascending id (binary search for q.ids)
  std::vector<std::string> brands_;
  std::unordered_map<std::string, uint32_t> brand_index_;
  // Row indexes grouped by category id (ascending within a category), and
  // each category's [begin, end) in it: a category browse touches only the
  // rows of its subtree. One flat array, not a vector per category.
  std::vector<uint32_t> by_category_;
  std::unordered_map<int64_t, std::pair<uint32_t, uint32_t>> category_range_;

  // Filled once by options(); the table is otherwise immutable.
  mutable std::mutex options_mu_;
  mutable std::shared_ptr<const BrowseOptions> options_;
};

}  // namespace shopbox
