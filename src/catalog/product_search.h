// Product search: keeps the Xapian index (search/) in step with the
// catalog and answers search, autocomplete and "more like this".
//
// How the index follows the catalog (docs/search.md has the reasoning):
//  * Catalog::on_change puts the product id in an in-memory queue; one
//    writer thread drains it in batches (a bulk load of 100k products
//    becomes a few dozen commits, not 100k), reads the products from
//    SQLite, adds stock state from Inventory and commits to Xapian.
//  * Durability comes from SQLite, which is the queue of record: at
//    start-up (and after any swap or category change) the writer thread
//    reconciles the index with SQLite by content hash, so a change whose
//    indexing was lost to a crash is indexed again, and a deleted product
//    that survived in the index is removed.
//  * flush() waits until everything queued before it is committed: the
//    admin routes and tests use it for read-your-writes.
//  * Stock: in_stock (any variant has a unit) is indexed (a boolean term,
//    so the filter is a cheap posting list). Reservations and sales change stock without catalog
//    events, so a sweep re-indexes every product whose in-stock state
//    flipped (every 30 s), and any search that returns a product whose live
//    state differs queues it at once. Result lists always show live stock.
//  * reindex() rebuilds from SQLite into a new directory and swaps it in
//    atomically while searches keep being served from the old one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "catalog/catalog_store.h"
#include "catalog/option_filter.h"
#include "search/index.h"
#include "storage/sqlite.h"

namespace shopbox {

class Catalog;
class Inventory;
struct CatalogChange;

struct SearchSuggestion {
  std::string text;
  std::string type;  // "product" or "category"
  int64_t id = 0;    // product or category id
};

class ProductSearch {
 public:
  static Result<std::unique_ptr<ProductSearch>> open(Sqlite& db, Inventory& inventory, Catalog& catalog,
                                                     const std::string& data_dir);
  ~ProductSearch();

  // Starts the writer thread and its start-up reconciliation (App::recover).
  void start();
  // Queues a product for (re)indexing or removal.
  void enqueue(int64_t product_id);
  // Waits (up to timeout_ms) until every change queued before the call is
  // committed to the index. false on timeout.
  bool flush(int timeout_ms = 30000);

  // Rebuilds the whole index from SQLite aside, then swaps it in.
  Result<int64_t> reindex();

  // `options`: option.<Name>=<value> choices (option_filter.h): only
  // products with an in-stock variant matching all of them.
  Result<search::Results> search(search::Query q, const OptionChoices& options = {});
  std::vector<SearchSuggestion> suggest(const std::string& text, size_t limit);
  Result<std::vector<search::Hit>> similar(int64_t product_id, size_t limit);
  // Live stock of the hit's variants (inventory); queues a re-index when
  // its in-stock state disagrees with the indexed one.
  ProductStock live_stock(const search::Hit& hit);

  struct State {
    search::IndexStats index;
    size_t pending = 0;
    bool reindexing = false;
    int64_t last_reindex_docs = -1;
    double last_reindex_seconds = 0;
    int64_t reconciled = 0;  // documents fixed by the last reconciliation
  };
  State state();
  std::vector<Category> categories();

 private:
  ProductSearch(Sqlite& db, Inventory& inventory, Catalog& catalog, std::string dir);
  void on_change(const CatalogChange& change);
  void run();
  // Indexes these ids now (from SQLite); ids no longer in SQLite are deleted.
  Status index_ids(const std::vector<int64_t>& ids);
  Status reconcile();
  void stock_sweep();
  Result<int64_t> do_reindex();

  Sqlite& db_;
  Inventory& inventory_;
  Catalog& catalog_;
  std::string dir_;
  std::unique_ptr<search::Index> index_;

  std::mutex mu_;
  std::condition_variable cv_;       // wakes the writer
  std::condition_variable done_cv_;  // wakes flush()
  std::set<int64_t> pending_;
  uint64_t enqueued_ = 0;  // sequence of the last enqueue
  uint64_t done_ = 0;      // every enqueue <= done_ is committed
  bool reconcile_wanted_ = false;
  bool reindex_wanted_ = false;
  bool reindexing_ = false;
  uint64_t reindex_requests_ = 0, reindex_done_ = 0;
  Status last_reindex_status_;
  int64_t last_reindex_docs_ = -1;
  double last_reindex_seconds_ = 0;
  int64_t reconciled_ = 0;
  bool stop_ = false;
  std::thread thread_;
  std::mutex work_mu_;  // one indexing job at a time (writer thread, reindex, offline drain)
};

// Maps a catalog product (with its category chain, options and variants)
// to an index document: every variant's SKU and barcode, the option
// values its variants offer.
search::IndexDoc index_doc(const Product& p, const std::vector<Category>& chain, bool in_stock);

}  // namespace shopbox
