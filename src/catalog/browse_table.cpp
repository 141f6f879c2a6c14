#include "catalog/browse_table.h"

#include <algorithm>
#include <iterator>

namespace shopbox {

BrowseTable::BrowseTable(BrowseRows data) : rows_(std::move(data.rows)), brands_(std::move(data.brands)) {
  for (size_t i = 0; i < brands_.size(); ++i) brand_index_.emplace(brands_[i], static_cast<uint32_t>(i));
  // Counting pass, then each category's range, then the fill.
  uint32_t categorised = 0;
  for (const auto& r : rows_)
    if (r.category_id != Row::kNoCategory) {
      ++category_range_[r.category_id].second;
      ++categorised;
    }
  uint32_t next = 0;
  for (auto& [cat, range] : category_range_) {
    uint32_t n = range.second;
    range = {next, next};  // .second advances to the end as rows are placed
    next += n;
  }
  by_category_.resize(categorised);
  for (size_t i = 0; i < rows_.size(); ++i)
    if (rows_[i].category_id != Row::kNoCategory)
      by_category_[category_range_[rows_[i].category_id].second++] = static_cast<uint32_t>(i);
}

namespace {

using Row = BrowseRow;
static_assert(sizeof(Row) == 56, "the row the header promises; it is what RSS pays per product");

// The SQL's rating key: CASE WHEN rating_count = 0 THEN 0 ELSE
// CAST(rating_sum AS REAL) / rating_count END -- the same IEEE division.
double rating_key(const Row& r) {
  return r.rating_count == 0 ? 0.0 : static_cast<double>(r.rating_sum) / static_cast<double>(r.rating_count);
}

// "a comes first" for each sort, mirroring list_products' ORDER BY
// clauses including their product_id tie-breaks, so the order is total.
bool before(ProductSort sort, const Row& a, const Row& b) {
  switch (sort) {
    case ProductSort::newest:  // created_at DESC, product_id DESC
      return a.created_at != b.created_at ? a.created_at > b.created_at : a.id > b.id;
    case ProductSort::price_asc:  // final_price_cents ASC, product_id ASC
      return a.price != b.price ? a.price < b.price : a.id < b.id;
    case ProductSort::price_desc:  // final_price_cents DESC, product_id DESC
      return a.price != b.price ? a.price > b.price : a.id > b.id;
    case ProductSort::rating: {  // rating key DESC, rating_count DESC, product_id DESC
      double ka = rating_key(a), kb = rating_key(b);
      if (ka != kb) return ka > kb;
      return a.rating_count != b.rating_count ? a.rating_count > b.rating_count : a.id > b.id;
    }
    case ProductSort::name:  // name COLLATE NOCASE, product_id (the scan's order)
      return a.name_rank < b.name_rank;
  }
  return a.id < b.id;
}

}  // namespace

BrowseTable::Match BrowseTable::query(const ProductQuery& q, const std::vector<int64_t>& subtree,
                                      const BrowseOptions* options, const std::vector<int64_t>* in_stock_options,
                                      bool facets) const {
  Match out;
  const bool by_options = !q.options.empty();
  if (by_options && (!in_stock_options || in_stock_options->empty())) return out;
  // Brands: a mask over the interned list; names no product has match nothing.
  std::vector<char> brand_ok;
  if (!q.brands.empty()) {
    brand_ok.assign(brands_.size(), 0);
    bool any = false;
    for (const auto& b : catalog_store::brand_filter_values(q.brands)) {
      auto it = brand_index_.find(b);
      if (it != brand_index_.end()) brand_ok[it->second] = any = true;
    }
    if (!any) return out;
  }
  std::vector<int64_t> cats;
  if (q.category_id) {
    cats = subtree;
    std::sort(cats.begin(), cats.end());
  }
  const int64_t min_rating = q.min_rating.value_or(0);
  // Every filter but the category, which the candidate lists below decide
  // when they come from by_category_.
  auto passes = [&](const Row& r) {
    if (q.min_price && r.price < *q.min_price) return false;
    if (q.max_price && r.price > *q.max_price) return false;
    if (!brand_ok.empty() && !brand_ok[r.brand]) return false;
    if (q.min_rating && !(r.rating_count > 0 && r.rating_sum >= min_rating * r.rating_count)) return false;
    return true;
  };

  // An id list (q.ids, the products an option filter keeps, or both) is
  // looked up row by row: it is usually far shorter than the catalog.
  std::vector<int64_t> ids;
  if (!q.ids.empty()) {
    ids = q.ids;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (by_options) {
      std::vector<int64_t> both;
      std::set_intersection(ids.begin(), ids.end(), in_stock_options->begin(), in_stock_options->end(),
                            std::back_inserter(both));
      ids = std::move(both);
      if (ids.empty()) return out;
    }
  } else if (by_options) {
    ids = *in_stock_options;
  }
  std::vector<uint32_t> hits;
  if (!ids.empty()) {
    for (int64_t id : ids) {
      auto it = std::lower_bound(rows_.begin(), rows_.end(), id, [](const Row& r, int64_t v) { return r.id < v; });
      if (it == rows_.end() || it->id != id) continue;
      if (q.category_id && !std::binary_search(cats.begin(), cats.end(), it->category_id)) continue;
      if (passes(*it)) hits.push_back(static_cast<uint32_t>(it - rows_.begin()));
    }
  } else if (q.category_id) {
    for (int64_t cat : cats) {
      auto it = category_range_.find(cat);
      if (it == category_range_.end()) continue;
      for (uint32_t k = it->second.first; k < it->second.second; ++k)
        if (passes(rows_[by_category_[k]])) hits.push_back(by_category_[k]);
    }
  } else {
    hits.reserve(rows_.size());
    for (size_t i = 0; i < rows_.size(); ++i)
      if (passes(rows_[i])) hits.push_back(static_cast<uint32_t>(i));
  }

  out.total = static_cast<int64_t>(hits.size());
  if (facets && options) out.option_facets = count_facets(q, *options, hits);
  page_of(q, hits, out);
  return out;
}

std::vector<OptionFacet> BrowseTable::count_facets(const ProductQuery& q, const BrowseOptions& options,
                                                   const std::vector<uint32_t>& hits) const {
  // The unfiltered browse (the shop's front page) was counted once, when
  // the options were loaded.
  const bool unfiltered = !q.category_id && !q.min_price && !q.max_price && q.brands.empty() && !q.min_rating &&
                          q.ids.empty() && q.options.empty();
  if (unfiltered) return options.all_facets;
  std::vector<int64_t> counts(options.table.value_count(), 0);
  for (uint32_t row : hits)
    if (int32_t at = options.row_option[row]; at >= 0) options.table.count_offered(static_cast<size_t>(at), counts);
  return options.table.facets(counts);
}

void BrowseTable::page_of(const ProductQuery& q, std::vector<uint32_t>& hits, Match& out) const {
  // list_products' LIMIT size OFFSET (page - 1) * size, with SQLite's
  // reading of odd values: a negative offset is 0, a negative limit none.
  const int64_t offset = static_cast<int64_t>(q.page - 1) * q.size;
  if (out.total == 0 || offset >= out.total) return;
  const int64_t first_rank = std::max<int64_t>(0, offset);
  const int64_t end = q.size < 0 ? out.total : std::min<int64_t>(out.total, first_rank + q.size);
  if (end <= first_rank) return;
  // Only the page needs ordering: nth_element puts every row before the
  // page ahead of it, partial_sort orders the page's rows out of the rest.
  auto cmp = [&](uint32_t a, uint32_t b) { return before(q.sort, rows_[a], rows_[b]); };
  auto first = hits.begin() + first_rank;
  if (first_rank > 0) std::nth_element(hits.begin(), first, hits.end(), cmp);
  std::partial_sort(first, hits.begin() + end, hits.end(), cmp);
  out.ids.reserve(static_cast<size_t>(end - first_rank));
  for (auto it = first; it != hits.begin() + end; ++it) out.ids.push_back(rows_[*it].id);
}

Result<std::shared_ptr<const BrowseOptions>> BrowseTable::options(
    const std::function<Result<OptionTable>()>& load) const {
  std::lock_guard<std::mutex> lock(options_mu_);
  if (options_) return options_;
  auto table = load();
  if (!table.ok()) return table.status();
  auto fresh = std::make_shared<BrowseOptions>();
  fresh->table = std::move(*table);
  // Both lists ascend by id: one merge maps every row to its options.
  fresh->row_option.assign(rows_.size(), -1);
  std::vector<int64_t> counts(fresh->table.value_count(), 0);
  size_t k = 0;
  for (size_t i = 0; i < rows_.size() && k < fresh->table.product_count(); ++i) {
    while (k < fresh->table.product_count() && fresh->table.product_id_at(k) < rows_[i].id) ++k;
    if (k < fresh->table.product_count() && fresh->table.product_id_at(k) == rows_[i].id) {
      fresh->row_option[i] = static_cast<int32_t>(k);
      fresh->table.count_offered(k, counts);
    }
  }
  fresh->all_facets = fresh->table.facets(counts);
  options_ = fresh;
  return options_;
}

}  // namespace shopbox
