#include "catalog/product_search.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <tuple>
#include <unordered_map>

#include "catalog/catalog.h"
#include "catalog/option_filter.h"
#include "inventory/inventory.h"

namespace shopbox {
namespace {

constexpr size_t kBatch = 2000;  // documents per commit
constexpr int kStockSweepSeconds = 30;

using CategoryMap = std::unordered_map<int64_t, Category>;

CategoryMap category_map(const std::vector<Category>& all) {
  CategoryMap m;
  for (const auto& c : all) m[c.id] = c;
  return m;
}

std::vector<Category> chain_of(const CategoryMap& cats, std::optional<int64_t> leaf) {
  std::vector<Category> chain;
  for (auto id = leaf; id && chain.size() < 64;) {
    auto it = cats.find(*id);
    if (it == cats.end()) break;
    chain.push_back(it->second);
    id = it->second.parent_id;
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

// Loads products with their variants for these ids; ids not found are
// skipped. A document is in stock when any of its variants is (read from
// the inventory after the SQLite read, as the stock sweep reads it).
std::vector<search::IndexDoc> load_docs(Connection& c, const std::vector<int64_t>& ids, const CategoryMap& cats) {
  std::vector<search::IndexDoc> out;
  if (ids.empty()) return out;
  auto products = catalog_store::get_products(c, ids);
  catalog_store::attach_variants(c, products);
  std::unordered_map<int64_t, std::string> images = catalog_store::primary_image_urls(c, ids);
  out.reserve(products.size());
  for (auto& p : products) {
    // Only products for sale are searchable: leaving the others out makes
    // index_ids and reconcile delete them from the index.
    if (!p.for_sale()) continue;
    if (auto it = images.find(p.id); it != images.end()) p.images.push_back({0, it->second, "", 0, true});
    out.push_back(index_doc(p, chain_of(cats, p.category_id), false));
  }
  return out;
}

bool any_available(const std::vector<StockLevel>& levels) {
  return std::any_of(levels.begin(), levels.end(), [](const StockLevel& l) { return l.available() > 0; });
}

// Sets each document's in_stock from the live levels of its variants.
void add_stock(Inventory& inventory, std::vector<search::IndexDoc>& docs) {
  for (auto& d : docs) d.in_stock = any_available(inventory.levels(d.variant_ids));
}

std::string spec_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

search::IndexDoc index_doc(const Product& p, const std::vector<Category>& chain, bool in_stock) {
  search::IndexDoc d;
  d.id = p.id;
  d.name = p.name;
  d.brand = p.brand;
  d.description = p.description;
  d.sku = p.sku;
  d.slug = p.slug;
  for (const auto& c : chain) {
    d.category_ids.push_back(c.id);
    d.category_names.push_back(c.name);
  }
  if (p.specs.is_object())
    for (auto it = p.specs.begin(); it != p.specs.end(); ++it) d.specs.emplace_back(it.key(), spec_text(it.value()));
  d.price = p.final_price();
  d.original_price = p.price;
  d.currency = p.currency;
  d.rating_sum = p.rating_sum;
  d.rating_count = p.rating_count;
  d.created_at = p.created_at;
  d.in_stock = in_stock;
  if (!p.images.empty()) d.image = p.images.front().url;
  d.price_max = p.price_max;
  for (const auto& v : p.variants) {
    d.variant_ids.push_back(v.id);
    if (!v.sku.empty() && v.sku != p.sku) d.variant_skus.push_back(v.sku);
    if (!v.barcode.empty()) d.barcodes.push_back(v.barcode);
  }
  if (d.variant_ids.empty()) d.variant_ids.push_back(p.id);  // a product read without its variants
  for (auto& o : offered_option_values(p)) d.options.push_back({o.name, o.value, o.position});
  return d;
}

Result<std::unique_ptr<ProductSearch>> ProductSearch::open(Sqlite& db, Inventory& inventory, Catalog& catalog,
                                                           const std::string& data_dir) {
  std::unique_ptr<ProductSearch> s(new ProductSearch(db, inventory, catalog, data_dir + "/search"));
  auto idx = search::Index::open(s->dir_);
  if (!idx.ok()) return idx.status();
  s->index_ = std::move(idx.value());
  ProductSearch* self = s.get();
  catalog.on_change([self](const CatalogChange& change) { self->on_change(change); });
  return s;
}

ProductSearch::ProductSearch(Sqlite& db, Inventory& inventory, Catalog& catalog, std::string dir)
    : db_(db), inventory_(inventory), catalog_(catalog), dir_(std::move(dir)) {}

ProductSearch::~ProductSearch() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  } else {
    // A command without a writer thread (e.g. a CLI import): index what it
    // changed before exiting. If another process holds the index, its
    // periodic reconciliation picks the changes up instead.
    std::vector<int64_t> ids(pending_.begin(), pending_.end());
    if (!ids.empty()) {
      std::lock_guard<std::mutex> work(work_mu_);
      log_if_failed(index_ids(ids), "search: indexing changes at exit (the next reconcile catches up)");
    }
  }
}

void ProductSearch::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  reconcile_wanted_ = true;
  ++enqueued_;  // flush() waits for the start-up reconciliation
  thread_ = std::thread([this] { run(); });
}

void ProductSearch::on_change(const CatalogChange& change) {
  if (change.what == CatalogChange::What::category_changed) {
    // A rename or move changes the path of every product below it: the
    // reconciliation finds exactly those by content hash.
    std::lock_guard<std::mutex> lock(mu_);
    reconcile_wanted_ = true;
    ++enqueued_;
    cv_.notify_one();
    return;
  }
  enqueue(change.id);
}

void ProductSearch::enqueue(int64_t product_id) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.insert(product_id);
  ++enqueued_;
  cv_.notify_one();
}

bool ProductSearch::flush(int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!thread_.joinable()) {
    // No writer thread (CLI): index synchronously.
    std::vector<int64_t> ids(pending_.begin(), pending_.end());
    pending_.clear();
    lock.unlock();
    std::lock_guard<std::mutex> work(work_mu_);
    return index_ids(ids).ok();
  }
  uint64_t target = enqueued_;
  return done_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return done_ >= target || stop_; });
}

void ProductSearch::run() {
  auto last_sweep = std::chrono::steady_clock::now();
  auto last_refresh = last_sweep;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::seconds(1),
                 [&] { return stop_ || !pending_.empty() || reconcile_wanted_ || reindex_wanted_; });
    if (stop_) break;
    uint64_t covered = enqueued_;
    if (reindex_wanted_) {
      reindex_wanted_ = false;
      reindexing_ = true;
      uint64_t req = reindex_requests_;
      // Changes queued until now are in SQLite, so the rebuild includes them.
      pending_.clear();
      lock.unlock();
      auto t0 = std::chrono::steady_clock::now();
      Result<int64_t> n = Status::Internal("not run");
      {
        std::lock_guard<std::mutex> work(work_mu_);
        n = do_reindex();
      }
      double secs = seconds_since(t0);
      lock.lock();
      reindexing_ = false;
      reindex_done_ = req;
      last_reindex_status_ = n.ok() ? Status::Ok() : n.status();
      if (n.ok()) {
        last_reindex_docs_ = *n;
        last_reindex_seconds_ = secs;
        done_ = std::max(done_, covered);
      }
      done_cv_.notify_all();
      continue;
    }
    if (reconcile_wanted_) {
      reconcile_wanted_ = false;
      pending_.clear();  // reconciliation covers every product
      lock.unlock();
      Status st;
      {
        std::lock_guard<std::mutex> work(work_mu_);
        st = reconcile();
      }
      lock.lock();
      if (st.ok()) {
        done_ = std::max(done_, covered);
      } else {
        std::fprintf(stderr, "search: reconcile failed: %s\n", st.message().c_str());
        reconcile_wanted_ = true;  // try again on the next tick
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::seconds(1));
        lock.lock();
      }
      done_cv_.notify_all();
      continue;
    }
    if (!pending_.empty()) {
      std::vector<int64_t> ids;
      while (!pending_.empty() && ids.size() < kBatch) {
        ids.push_back(*pending_.begin());
        pending_.erase(pending_.begin());
      }
      bool drained = pending_.empty();
      lock.unlock();
      Status st;
      {
        std::lock_guard<std::mutex> work(work_mu_);
        st = index_ids(ids);
      }
      lock.lock();
      if (st.ok()) {
        if (drained) done_ = std::max(done_, covered);
        done_cv_.notify_all();
      } else {
        std::fprintf(stderr, "search: indexing failed: %s\n", st.message().c_str());
        pending_.insert(ids.begin(), ids.end());
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::seconds(1));
        lock.lock();
      }
      continue;
    }
    // Idle: notice a swap by another process (`shopbox reindex`), sweep stock.
    auto now = std::chrono::steady_clock::now();
    if (now - last_refresh >= std::chrono::seconds(1)) {
      last_refresh = now;
      lock.unlock();
      bool swapped = index_->refresh();
      lock.lock();
      if (swapped) reconcile_wanted_ = true;
    }
    if (now - last_sweep >= std::chrono::seconds(kStockSweepSeconds)) {
      last_sweep = now;
      lock.unlock();
      stock_sweep();
      lock.lock();
    }
  }
}

Status ProductSearch::index_ids(const std::vector<int64_t>& ids) {
  if (ids.empty()) return Status::Ok();
  auto cats = category_map(catalog_.categories());
  std::vector<search::IndexDoc> docs;
  Status st = db_.read([&](Connection& c) {
    docs = load_docs(c, ids, cats);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  add_stock(inventory_, docs);
  std::set<int64_t> found;
  for (auto& d : docs) found.insert(d.id);
  std::vector<int64_t> deletes;
  for (auto id : ids)
    if (!found.count(id)) deletes.push_back(id);
  return index_->write(docs, deletes);
}

Status ProductSearch::reconcile() {
  auto cats = category_map(catalog_.categories());
  std::unordered_map<int64_t, std::string> indexed;
  try {
    index_->for_each_hash([&](int64_t id, const std::string& h) { indexed.emplace(id, h); });
  } catch (const Xapian::Error& e) {
    return Status::Internal("cannot read search index: " + e.get_description());
  }
  std::vector<int64_t> all;
  Status st = db_.read([&](Connection& c) {
    catalog_store::for_each_product_id(c, [&](int64_t id) { all.push_back(id); });
    return Status::Ok();
  });
  if (!st.ok()) return st;
  int64_t fixed = 0;
  std::vector<search::IndexDoc> batch;
  for (size_t i = 0; i < all.size(); i += 500) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return Status::Ok();
    }
    std::vector<int64_t> ids(all.begin() + static_cast<long>(i),
                             all.begin() + static_cast<long>(std::min(all.size(), i + 500)));
    std::vector<search::IndexDoc> docs;
    st = db_.read([&](Connection& c) {
      docs = load_docs(c, ids, cats);
      return Status::Ok();
    });
    if (!st.ok()) return st;
    add_stock(inventory_, docs);
    for (auto& d : docs) {
      auto it = indexed.find(d.id);
      bool same = it != indexed.end() && it->second == d.content_hash();
      if (it != indexed.end()) indexed.erase(it);
      if (!same) batch.push_back(std::move(d));
    }
    if (batch.size() >= kBatch) {
      if (auto w = index_->write(batch, {}); !w.ok()) return w;
      fixed += static_cast<int64_t>(batch.size());
      batch.clear();
    }
  }
  std::vector<int64_t> gone;
  for (auto& [id, h] : indexed) gone.push_back(id);  // in the index, not in SQLite
  if (!batch.empty() || !gone.empty()) {
    if (auto w = index_->write(batch, gone); !w.ok()) return w;
    fixed += static_cast<int64_t>(batch.size() + gone.size());
  }
  std::lock_guard<std::mutex> lock(mu_);
  reconciled_ = fixed;
  return Status::Ok();
}

void ProductSearch::stock_sweep() {
  std::vector<int64_t> flipped;
  try {
    std::vector<std::tuple<int64_t, bool, std::vector<int64_t>>> states;
    index_->for_each_in_stock([&](int64_t id, bool s, const std::vector<int64_t>& variants) {
      states.emplace_back(id, s, variants);
    });
    for (auto& [id, indexed, variants] : states)
      if (indexed != any_available(inventory_.levels(variants))) flipped.push_back(id);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "search: stock sweep failed: %s\n", e.what());
    return;
  }
  if (flipped.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  pending_.insert(flipped.begin(), flipped.end());
  ++enqueued_;
}

ProductStock ProductSearch::live_stock(const search::Hit& hit) {
  ProductStock stock{inventory_.levels(hit.variant_ids)};
  bool live = stock.in_stock();
  if (live != hit.in_stock) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!pending_.count(hit.id)) {
      pending_.insert(hit.id);
      ++enqueued_;
      cv_.notify_one();
    }
  }
  return stock;
}

Result<int64_t> ProductSearch::do_reindex() {
  auto cats = category_map(catalog_.categories());
  std::vector<int64_t> all;
  Status st = db_.read([&](Connection& c) {
    catalog_store::for_each_product_id(c, [&](int64_t id) { all.push_back(id); });
    return Status::Ok();
  });
  if (!st.ok()) return st;
  Status inner;
  auto n = index_->rebuild([&](const std::function<void(const search::IndexDoc&)>& add) {
    for (size_t i = 0; i < all.size() && inner.ok(); i += 500) {
      std::vector<int64_t> ids(all.begin() + static_cast<long>(i),
                               all.begin() + static_cast<long>(std::min(all.size(), i + 500)));
      std::vector<search::IndexDoc> docs;
      inner = db_.read([&](Connection& c) {
        docs = load_docs(c, ids, cats);
        return Status::Ok();
      });
      add_stock(inventory_, docs);
      for (auto& d : docs) add(d);
    }
  });
  if (!inner.ok()) return inner;
  if (!n.ok()) return n;
  // Products changed while the rebuild read SQLite are queued and will be
  // indexed next; a reconciliation also covers changes the rebuild's
  // snapshot straddled.
  std::lock_guard<std::mutex> lock(mu_);
  reconcile_wanted_ = true;
  return n;
}

Result<int64_t> ProductSearch::reindex() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!thread_.joinable()) {
    lock.unlock();
    std::lock_guard<std::mutex> work(work_mu_);
    return do_reindex();
  }
  uint64_t req = ++reindex_requests_;
  reindex_wanted_ = true;
  cv_.notify_one();
  done_cv_.wait(lock, [&] { return reindex_done_ >= req || stop_; });
  if (stop_) return Status(Kind::unavailable, "unavailable", "shutting down");
  if (!last_reindex_status_.ok()) return last_reindex_status_;
  return last_reindex_docs_;
}

Result<search::Results> ProductSearch::search(search::Query q, const OptionChoices& options) {
  if (!options.empty()) {
    // Stock decides this filter, so it is answered outside the index: the
    // products with an in-stock variant matching every choice, now.
    auto table = catalog_.option_table();
    if (!table.ok()) return table.status();
    q.restrict_ids = true;
    q.ids = (*table)->in_stock_matching(options, inventory_);
  }
  return index_->search(q);
}

Result<std::vector<search::Hit>> ProductSearch::similar(int64_t product_id, size_t limit) {
  return index_->similar(product_id, limit);
}

std::vector<Category> ProductSearch::categories() {
  return catalog_.categories();
}

std::vector<SearchSuggestion> ProductSearch::suggest(const std::string& text, size_t limit) {
  std::vector<SearchSuggestion> out;
  // Words of the query, lower-case; the last one is a prefix.
  std::vector<std::string> words;
  std::string cur;
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || ch >= 0x80) {
      cur += static_cast<char>(std::tolower(ch));
    } else if (!cur.empty()) {
      words.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) words.push_back(cur);
  if (words.empty()) return out;
  bool last_complete = !text.empty() && !std::isalnum(static_cast<unsigned char>(text.back()));
  // Categories whose name has every query word (the last as a prefix).
  for (const auto& c : catalog_.categories()) {
    std::vector<std::string> name_words;
    std::string w;
    for (unsigned char ch : c.name + " ") {
      if (std::isalnum(ch) || ch >= 0x80) {
        w += static_cast<char>(std::tolower(ch));
      } else if (!w.empty()) {
        name_words.push_back(w);
        w.clear();
      }
    }
    bool all = true;
    for (size_t i = 0; i < words.size() && all; ++i) {
      bool prefix = i + 1 == words.size() && !last_complete;
      all = std::any_of(name_words.begin(), name_words.end(),
                        [&](const std::string& nw) { return prefix ? nw.rfind(words[i], 0) == 0 : nw == words[i]; });
    }
    if (all) out.push_back({c.name, "category", c.id});
    if (out.size() >= 3) break;
  }
  for (auto& s : index_->suggest(text, limit)) {
    if (out.size() >= limit) break;
    out.push_back({s.text, "product", s.product_id});
  }
  return out;
}

ProductSearch::State ProductSearch::state() {
  State s;
  s.index = index_->stats();
  std::lock_guard<std::mutex> lock(mu_);
  s.pending = pending_.size();
  s.reindexing = reindexing_ || reindex_wanted_;
  s.last_reindex_docs = last_reindex_docs_;
  s.last_reindex_seconds = last_reindex_seconds_;
  s.reconciled = reconciled_;
  return s;
}

}  // namespace shopbox
