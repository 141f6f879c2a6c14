// The product search index, on Xapian. Knows nothing about HTTP or about
// the catalog service: callers hand it plain IndexDoc values and queries.
//
// Layout on disk: <dir>/current is a symlink to one index directory
// (<dir>/idx-<stamp>). A rebuild writes a new directory beside it, then
// swaps the symlink with rename(2), so readers always see a complete index
// and a crash mid-rebuild leaves the old one in place.
//
// Threads: Xapian Database objects are not thread-safe, so readers come
// from a pool of handles (each used by one thread at a time, reopened when
// a commit or a swap made it stale); the one WritableDatabase sits behind
// a mutex. Every write() commits before it returns (durable, visible).
//
// Document mapping (docid == product id, so deletes and tie-breaks are
// by product id):
//   text   name (wdf x6, also under prefix N for autocomplete), brand (x3),
//          category path names (x2), description, specs ("key value");
//          English stemming (STEM_SOME), spelling data from name, brand
//          and categories.
//          option values (text x1, no spelling: "XL" is not a typo of anything)
//   terms  XC<id> for the category and each ancestor, XB<brand lowercase>,
//          XS1 / XS0 in stock (any variant), XK<sku lowercase> for every
//          variant's SKU and XG<barcode lowercase> for every barcode, with
//          a wdf so that typing a code ranks its product first.
//   values price (final, sortable_serialise of cents), rating average,
//          rating count, created_at, brand, category chain "1/5/9",
//          in stock "1"/"0", content hash (reconciliation), offered option
//          values (facets), variant ids (the stock sweep).
//   data   the fields a result list shows, so results need no SQL.
#pragma once

#include <xapian.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/money.h"
#include "base/status.h"

namespace shopbox::search {

// An option value a product offers (some variant has it), with its place
// in the option's list of values.
struct OptionValue {
  std::string name;
  std::string value;
  int position = 0;
};

// Everything the index stores about one product.
struct IndexDoc {
  int64_t id = 0;
  std::string name;
  std::string brand;
  std::string description;
  std::string sku;
  std::string slug;
  std::vector<int64_t> category_ids;        // root first, leaf last (empty: none)
  std::vector<std::string> category_names;  // same order
  std::vector<std::pair<std::string, std::string>> specs;
  Cents price = 0;           // final (discounted) price
  Cents original_price = 0;  // list price
  std::string currency = "USD";
  int64_t rating_sum = 0;
  int64_t rating_count = 0;
  int64_t created_at = 0;
  bool in_stock = false;  // any variant has a unit
  std::string image;
  std::optional<Cents> price_max;    // highest variant final price, when above `price`
  std::vector<int64_t> variant_ids;  // in the product's order; the first is the product id
  std::vector<std::string> variant_skus;
  std::vector<std::string> barcodes;  // non-empty ones
  std::vector<OptionValue> options;
  // Hash of every field above; the index keeps it so a caller can find
  // documents that differ from the source (crash recovery, missed events).
  std::string content_hash() const;
};

enum class Sort { relevance, price_asc, price_desc, rating, newest, popularity };

struct Query {
  std::string text;                    // user words; empty: browse
  std::optional<int64_t> category_id;  // includes subcategories
  std::vector<std::string> brands;     // any of (exact brand names)
  std::optional<Cents> min_price;      // final price, inclusive
  std::optional<Cents> max_price;
  std::optional<int> min_rating;  // average >= min_rating (unrated never match)
  std::optional<bool> in_stock;
  // Only these documents (ascending ids), when restrict_ids: for filters
  // the index cannot answer itself (option filters read live stock).
  bool restrict_ids = false;
  std::vector<int64_t> ids;
  Sort sort = Sort::relevance;
  int page = 1;
  int size = 20;
  bool facets = true;
  bool spelling = true;  // try "did you mean" when nothing matches
};

struct Hit {
  int64_t id = 0;
  std::string name, brand, sku, slug, currency, image;
  std::optional<int64_t> category_id;  // leaf
  Cents price = 0, original_price = 0;
  int64_t rating_sum = 0, rating_count = 0, created_at = 0;
  bool in_stock = false;       // as indexed
  std::optional<Cents> price_max;
  std::vector<int64_t> variant_ids;
  double score = 0;            // relevance percentage 0..100
  std::string name_highlight;  // HTML-escaped, matches in <mark>
  std::string snippet;         // description excerpt, HTML-escaped, <mark>
};

struct PriceBucket {
  std::string label;        // "0-50", "1000+"
  Cents lo = 0;             // inclusive
  std::optional<Cents> hi;  // exclusive
  int64_t count = 0;
};

struct Facets {
  std::vector<std::pair<std::string, int64_t>> brands;  // by count desc, then name
  std::vector<std::pair<int64_t, int64_t>> categories;  // category id (with ancestors), count desc
  std::vector<PriceBucket> price_ranges;
  std::vector<std::pair<int, int64_t>> ratings;  // min_rating 4,3,2,1 -> count
  int64_t in_stock = 0;
  // Matching documents offering each option value, one entry per distinct
  // (name, value) spelling, unordered; position: the lowest met.
  std::vector<std::pair<OptionValue, int64_t>> options;
};

struct Results {
  int64_t total = 0;
  std::vector<Hit> hits;
  Facets facets;
  std::string did_you_mean;  // spelling suggestion for the query, if any
  bool corrected = false;    // hits are for did_you_mean (the query matched nothing)
};

struct Suggestion {
  std::string text;
  int64_t product_id = 0;
};

struct IndexStats {
  int64_t documents = 0;
  int64_t bytes = 0;
  std::string path;
  uint64_t generation = 0;
};

class Index {
 public:
  // Opens (creating if needed) the index under `dir` (data_dir/search).
  static Result<std::unique_ptr<Index>> open(const std::string& dir);
  ~Index();

  // Adds/replaces and deletes documents, then commits. Thread-safe.
  Status write(const std::vector<IndexDoc>& upserts, const std::vector<int64_t>& deletes);

  Result<Results> search(const Query& q);
  // Product names completing the last word of `prefix` (autocomplete).
  std::vector<Suggestion> suggest(const std::string& prefix, size_t limit);
  // "More like this": products sharing the most informative terms.
  Result<std::vector<Hit>> similar(int64_t id, size_t limit);

  // Calls fn(id, content_hash) for every indexed document (id order).
  void for_each_hash(const std::function<void(int64_t, const std::string&)>& fn);
  // Calls fn(id, in_stock as indexed, variant ids) for every document.
  void for_each_in_stock(const std::function<void(int64_t, bool, const std::vector<int64_t>&)>& fn);

  // Builds a fresh index in a new directory from `produce` (which calls its
  // argument once per document), then swaps it in atomically. Safe while
  // another process serves from this directory (it notices the swap via
  // refresh()). Returns the number of documents indexed.
  static Result<int64_t> build_aside(const std::string& dir,
                                     const std::function<void(const std::function<void(const IndexDoc&)>&)>& produce);
  // Same, for this open index: the writer moves to the new directory.
  Result<int64_t> rebuild(const std::function<void(const std::function<void(const IndexDoc&)>&)>& produce);
  // Notices a swap made by another process; true when it switched.
  bool refresh();

  IndexStats stats();
  // The price buckets facets report (also used to parse nothing: fixed).
  static std::vector<PriceBucket> price_buckets();

 private:
  explicit Index(std::string dir);
  Status open_current();
  struct Reader;
  struct Lease;
  Lease lease();
  void release(Reader* r);

  std::string dir_;
  std::mutex write_mu_;
  std::unique_ptr<Xapian::WritableDatabase> writer_;  // may be null: another process holds the lock
  std::string path_;                                  // the directory `current` pointed at when opened (under pool_mu_)

  std::mutex pool_mu_;
  std::vector<Reader*> free_;
  std::vector<std::unique_ptr<Reader>> all_;
  std::atomic<uint64_t> generation_{1};  // bumped on every commit
  std::atomic<uint64_t> epoch_{1};       // bumped when `current` moves

  // What facets and sort keys need of every document, in memory (by
  // docid), rebuilt from the value streams when the index changes: reading
  // the same values from each matching document costs a B-tree lookup per
  // value, which dominated faceted searches.
  struct Table;
  std::shared_ptr<const Table> table_for(Xapian::Database& db, uint64_t epoch, uint64_t generation);
  std::mutex table_mu_;
  std::shared_ptr<const Table> table_;

  // Result cache: normalised query -> results, valid for one index version.
  struct Cached {
    uint64_t epoch = 0, generation = 0;
    Results results;
  };
  using CacheList = std::list<std::pair<std::string, Cached>>;
  std::mutex cache_mu_;
  // Results of recent searches are kept (least recently used first out)
  // until the index changes.
  static constexpr size_t kCacheEntries = 256;
  CacheList lru_;  // most recent first
  std::unordered_map<std::string, CacheList::iterator> cache_;
  Result<Results> search_uncached(const Query& q);
};

}  // namespace shopbox::search
