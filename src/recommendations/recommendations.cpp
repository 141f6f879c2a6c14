#include "recommendations/recommendations.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "base/clock.h"
#include "catalog/catalog.h"
#include "inventory/inventory.h"
#include "recommendations/recommendation_store.h"

namespace shopbox {

namespace {

constexpr size_t kMaxBufferedViews = 10000;
constexpr int kRecentlyViewedKept = 50;

// Adds one order's pairs inside the caller's transaction; false if counted before.
bool count_order(Connection& c, const std::string& order_id, std::vector<int64_t> ids) {
  if (!recommendation_store::mark_counted(c, order_id, now_seconds())) return false;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.size() > 100) ids.resize(100);  // bounded work for a huge order
  for (size_t i = 0; i < ids.size(); ++i) {
    for (size_t j = 0; j < ids.size(); ++j) {
      if (i != j) recommendation_store::count_pair(c, ids[i], ids[j]);
    }
  }
  return true;
}

}  // namespace

Recommendations::Recommendations(Sqlite& db, Catalog& catalog)
    : db_(db), catalog_(catalog) {}

Recommendations::~Recommendations() {
  stop();
}

Status Recommendations::record_order(const std::string& order_id, const std::vector<int64_t>& product_ids) {
  if (order_id.empty()) return Status::Invalid("order id is required");
  return db_.write([&](Connection& c) {
    count_order(c, order_id, product_ids);
    return Status::Ok();
  });
}

int Recommendations::sync_orders() {
  int counted = 0;
  std::vector<std::string> pending;
  log_if_failed(db_.read([&](Connection& c) {
    pending = recommendation_store::uncounted_orders(c);
    return Status::Ok();
  }),
                "recommendations: sync_orders (read as empty)");
  if (pending.empty()) return 0;
  log_if_failed(db_.write([&](Connection& c) {
    for (const auto& order_id : pending) {
      if (count_order(c, order_id, recommendation_store::order_products(c, order_id))) ++counted;
    }
    return Status::Ok();
  }),
                "recommendations: sync_orders (not written; the next run retries)");
  return counted;
}

void Recommendations::record_view(int64_t user_id, int64_t product_id) {
  std::lock_guard<std::mutex> lock(views_mu_);
  if (views_.size() >= kMaxBufferedViews) return;  // shed load rather than grow without bound
  views_.push_back({user_id, product_id});
}

void Recommendations::flush_views() {
  std::vector<std::pair<int64_t, int64_t>> batch;
  {
    std::lock_guard<std::mutex> lock(views_mu_);
    batch.swap(views_);
  }
  if (batch.empty()) return;
  std::set<int64_t> users;
  log_if_failed(db_.write([&](Connection& c) {
    for (const auto& [user, product] : batch) {
      // A strictly increasing stamp (microsecond-ish) orders views even
      // within one millisecond or across flushes.
      int64_t stamp = std::max(last_view_stamp_ + 1, now_millis() * 1000);
      last_view_stamp_ = stamp;
      recommendation_store::record_view(c, user, product, stamp);
      users.insert(user);
    }
    for (int64_t user : users) recommendation_store::trim_views(c, user, kRecentlyViewedKept);
    return Status::Ok();
  }),
                "recommendations: flush_views (not written; the next run retries)");
}

std::set<int64_t> Recommendations::purchased(int64_t user_id) {
  std::set<int64_t> out;
  if (user_id <= 0) return out;
  log_if_failed(db_.read([&](Connection& c) {
    out = recommendation_store::purchased(c, user_id);
    return Status::Ok();
  }),
                "recommendations: purchased (read as empty)");
  return out;
}

std::vector<RecommendedProduct> Recommendations::usable(const std::vector<int64_t>& ids,
                                                        const std::set<int64_t>& exclude, int limit) {
  std::vector<RecommendedProduct> out;
  std::set<int64_t> seen;
  for (int64_t id : ids) {
    if (static_cast<int>(out.size()) >= limit) break;
    if (exclude.count(id) || !seen.insert(id).second) continue;
    auto p = catalog_.product_for_shoppers(id);
    if (!p.ok()) continue;
    ProductStock stock = catalog_.stock(*p);
    if (!stock.in_stock()) continue;
    out.push_back({std::move(*p), std::move(stock)});
  }
  return out;
}

Result<std::vector<RecommendedProduct>> Recommendations::also_bought(int64_t product_id, int64_t viewer, int limit) {
  auto p = catalog_.product_for_shoppers(product_id);
  if (!p.ok()) return p.status();
  std::vector<int64_t> ids;
  Status read3 = db_.read([&](Connection& c) {
    ids = recommendation_store::bought_with(c, product_id, static_cast<int64_t>(limit * 4));
    return Status::Ok();
  });
  if (!read3.ok()) return read3;
  std::set<int64_t> exclude = purchased(viewer);
  exclude.insert(product_id);
  return usable(ids, exclude, limit);
}

Result<std::vector<RecommendedProduct>> Recommendations::similar(int64_t product_id, int64_t viewer, int limit) {
  auto p = catalog_.product_for_shoppers(product_id);
  if (!p.ok()) return p.status();
  std::vector<int64_t> ids;
  auto add_from = [&](ProductQuery q) {
    q.sort = ProductSort::rating;
    q.page = 1;
    q.size = std::min(100, limit * 4);
    auto page = catalog_.browse(q);
    if (page.ok())
      for (const auto& x : page->products) ids.push_back(x.id);
  };
  if (p->category_id) {
    ProductQuery q;
    q.category_id = p->category_id;
    add_from(q);
  }
  if (!p->brand.empty()) {
    ProductQuery q;
    q.brands = {p->brand};
    add_from(q);
  }
  std::set<int64_t> exclude = purchased(viewer);
  exclude.insert(product_id);
  return usable(ids, exclude, limit);
}

std::vector<RecommendedProduct> Recommendations::recently_viewed(int64_t user_id, int limit) {
  flush_views();
  std::vector<int64_t> ids;
  log_if_failed(db_.read([&](Connection& c) {
    ids = recommendation_store::recently_viewed(c, user_id, limit);
    return Status::Ok();
  }),
                "recommendations: recently_viewed (read as empty)");
  // Recently viewed shows what the user looked at, even if sold out since.
  std::vector<RecommendedProduct> out;
  for (int64_t id : ids) {
    auto p = catalog_.product_for_shoppers(id);
    if (!p.ok()) continue;
    ProductStock stock = catalog_.stock(*p);
    out.push_back({std::move(*p), std::move(stock)});
  }
  return out;
}

std::vector<RecommendedProduct> Recommendations::personal(int64_t user_id, int limit) {
  flush_views();
  std::set<int64_t> bought = purchased(user_id);
  std::vector<int64_t> ids;
  std::vector<int64_t> categories;  // most relevant first
  log_if_failed(db_.read([&](Connection& c) {
    // 1. What buyers of the user's purchases also bought, strongest first.
    for (int64_t b : bought) {
      auto pairs = recommendation_store::strongest_pairs(c, b);
      ids.insert(ids.end(), pairs.begin(), pairs.end());
    }
    // 2. Categories of purchases and recent views.
    std::vector<int64_t> seen_products(bought.begin(), bought.end());
    auto viewed = recommendation_store::recent_interests(c, user_id);
    seen_products.insert(seen_products.end(), viewed.begin(), viewed.end());
    std::set<int64_t> seen_cats;
    for (int64_t pid : seen_products) {
      auto cat = recommendation_store::category_of(c, pid);
      if (cat && seen_cats.insert(*cat).second) categories.push_back(*cat);
    }
    return Status::Ok();
  }),
                "recommendations: personal (read as empty)");
  for (int64_t cat : categories) {
    if (ids.size() > static_cast<size_t>(limit) * 4) break;
    ProductQuery q;
    q.category_id = cat;
    q.sort = ProductSort::rating;
    q.size = std::min(100, limit * 2);
    auto page = catalog_.browse(q);
    if (page.ok())
      for (const auto& x : page->products) ids.push_back(x.id);
  }
  // 3. Best rated overall fills the row.
  ProductQuery q;
  q.sort = ProductSort::rating;
  q.size = std::min(100, limit * 3);
  auto page = catalog_.browse(q);
  if (page.ok())
    for (const auto& x : page->products) ids.push_back(x.id);
  return usable(ids, bought, limit);
}

void Recommendations::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    int tick = 0;
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; });
      if (stop_) break;
      lock.unlock();
      try {
        flush_views();
        if (++tick % 5 == 0) sync_orders();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "recommendations: %s\n", e.what());
      }
      lock.lock();
    }
  });
}

void Recommendations::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  flush_views();
}

}  // namespace shopbox
