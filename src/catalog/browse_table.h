// BrowseTable: what GET /api/v1/products filters and sorts on, one compact
// row per product (BrowseRow, 56 bytes), so a browse costs a
// pass over the matching rows in memory plus a primary-key read per product
// on the page, instead of a COUNT(*) and an ORDER BY over the matches in
// SQLite on every request.
//
// Contract: query() gives exactly the ids, in the same order, and the same
// total as catalog_store::list_products over the rows the table was built
// from (tests/http/test_browse.cpp checks it against SQLite on random
// catalogs and queries). Immutable once built, so any number of threads may
// query it; Catalog decides when it is stale (catalog.h).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/catalog_store.h"

namespace shopbox {

class BrowseTable {
 public:
  explicit BrowseTable(BrowseRows data);

  struct Match {
    std::vector<int64_t> ids;  // the requested page, in order
    int64_t total = 0;         // every match
  };
  // `subtree`: when q.category_id is set, that category and all its
  // descendants (the caller knows the category tree; the table does not).
  Match query(const ProductQuery& q, const std::vector<int64_t>& subtree) const;

 private:
  using Row = BrowseRow;
  std::vector<Row> rows_;  // ascending id (binary search for q.ids)
  std::vector<std::string> brands_;
  std::unordered_map<std::string, uint32_t> brand_index_;
  // Row indexes grouped by category id (ascending within a category), and
  // each category's [begin, end) in it: a category browse touches only the
  // rows of its subtree. One flat array, not a vector per category.
  std::vector<uint32_t> by_category_;
  std::unordered_map<int64_t, std::pair<uint32_t, uint32_t>> category_range_;
};

}  // namespace shopbox
