#include "recommendations/recommendations.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "base/clock.h"
#include "catalog/catalog.h"
#include "inventory/inventory.h"

namespace shopbox {

namespace {

constexpr size_t kMaxBufferedViews = 10000;
constexpr int kRecentlyViewedKept = 50;

bool orders_tables_exist(Connection& c) {
  auto q = c.prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('orders', 'order_items')");
  return q.step() && q.int64(0) == 2;
}

// Adds one order's pairs inside the caller's transaction; false if counted before.
bool count_order(Connection& c, const std::string& order_id, std::vector<int64_t> ids) {
  auto mark = c.prepare("INSERT OR IGNORE INTO recs_counted_orders (order_id, counted_at) VALUES (?, ?)");
  mark.bind(1, order_id).bind(2, now_seconds());
  mark.exec();
  if (c.changes() == 0) return false;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.size() > 100) ids.resize(100);  // bounded work for a huge order
  for (size_t i = 0; i < ids.size(); ++i) {
    for (size_t j = 0; j < ids.size(); ++j) {
      if (i == j) continue;
      auto up = c.prepare(
          "INSERT INTO product_pairs (product_id, other_product_id, orders) VALUES (?, ?, 1) "
          "ON CONFLICT (product_id, other_product_id) DO UPDATE SET orders = orders + 1");
      up.bind(1, ids[i]).bind(2, ids[j]);
      up.exec();
    }
  }
  return true;
}

}  // namespace

Recommendations::Recommendations(Sqlite& db, Catalog& catalog, Inventory& inventory, const Config& config)
    : db_(db), catalog_(catalog), inventory_(inventory), config_(config) {}

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
    if (!orders_tables_exist(c)) return Status::Ok();
    auto q = c.prepare(
        "SELECT o.order_id FROM orders o WHERE o.status IN ('paid', 'processing', 'shipped', 'delivered', "
        "'partially_refunded') AND NOT EXISTS (SELECT 1 FROM recs_counted_orders r WHERE r.order_id = o.order_id) "
        "LIMIT 500");
    while (q.step()) pending.push_back(q.text(0));
    return Status::Ok();
  }),
                "recommendations: sync_orders (read as empty)");
  if (pending.empty()) return 0;
  log_if_failed(db_.write([&](Connection& c) {
    for (const auto& order_id : pending) {
      std::vector<int64_t> ids;
      {
        auto items = c.prepare("SELECT product_id FROM order_items WHERE order_id = ?");
        items.bind(1, order_id);
        while (items.step()) ids.push_back(items.int64(0));
      }
      if (count_order(c, order_id, ids)) ++counted;
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
      auto up = c.prepare(
          "INSERT INTO recently_viewed (user_id, product_id, viewed_at) VALUES (?, ?, ?) "
          "ON CONFLICT (user_id, product_id) DO UPDATE SET viewed_at = excluded.viewed_at");
      up.bind(1, user).bind(2, product).bind(3, stamp);
      up.exec();
      users.insert(user);
    }
    for (int64_t user : users) {
      auto trim = c.prepare(
          "DELETE FROM recently_viewed WHERE user_id = ?1 AND product_id NOT IN "
          "(SELECT product_id FROM recently_viewed WHERE user_id = ?1 ORDER BY viewed_at DESC LIMIT ?2)");
      trim.bind(1, user).bind(2, static_cast<int64_t>(kRecentlyViewedKept));
      trim.exec();
    }
    return Status::Ok();
  }),
                "recommendations: flush_views (not written; the next run retries)");
}

std::set<int64_t> Recommendations::purchased(int64_t user_id) {
  std::set<int64_t> out;
  if (user_id <= 0) return out;
  log_if_failed(db_.read([&](Connection& c) {
    if (!orders_tables_exist(c)) return Status::Ok();
    auto q = c.prepare(
        "SELECT DISTINCT i.product_id FROM orders o JOIN order_items i ON i.order_id = o.order_id "
        "WHERE o.user_id = ? AND o.status IN ('paid', 'processing', 'shipped', 'delivered', 'partially_refunded')");
    q.bind(1, user_id);
    while (q.step()) out.insert(q.int64(0));
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
    StockLevel stock = inventory_.level(id);
    if (stock.available() <= 0) continue;
    auto p = catalog_.product(id);
    if (!p.ok()) continue;
    out.push_back({std::move(*p), stock});
  }
  return out;
}

Result<std::vector<RecommendedProduct>> Recommendations::also_bought(int64_t product_id, int64_t viewer, int limit) {
  auto p = catalog_.product(product_id);
  if (!p.ok()) return p.status();
  std::vector<int64_t> ids;
  Status read3 = db_.read([&](Connection& c) {
    auto q = c.prepare(
        "SELECT other_product_id FROM product_pairs WHERE product_id = ? ORDER BY orders DESC, other_product_id "
        "LIMIT ?");
    q.bind(1, product_id).bind(2, static_cast<int64_t>(limit * 4));
    while (q.step()) ids.push_back(q.int64(0));
    return Status::Ok();
  });
  if (!read3.ok()) return read3;
  std::set<int64_t> exclude = purchased(viewer);
  exclude.insert(product_id);
  return usable(ids, exclude, limit);
}

Result<std::vector<RecommendedProduct>> Recommendations::similar(int64_t product_id, int64_t viewer, int limit) {
  auto p = catalog_.product(product_id);
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
    auto q = c.prepare("SELECT product_id FROM recently_viewed WHERE user_id = ? ORDER BY viewed_at DESC LIMIT ?");
    q.bind(1, user_id).bind(2, static_cast<int64_t>(limit));
    while (q.step()) ids.push_back(q.int64(0));
    return Status::Ok();
  }),
                "recommendations: recently_viewed (read as empty)");
  // Recently viewed shows what the user looked at, even if sold out since.
  std::vector<RecommendedProduct> out;
  for (int64_t id : ids) {
    auto p = catalog_.product(id);
    if (p.ok()) out.push_back({std::move(*p), inventory_.level(id)});
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
      auto q =
          c.prepare("SELECT other_product_id FROM product_pairs WHERE product_id = ? ORDER BY orders DESC LIMIT 10");
      q.bind(1, b);
      while (q.step()) ids.push_back(q.int64(0));
    }
    // 2. Categories of purchases and recent views.
    std::vector<int64_t> seen_products(bought.begin(), bought.end());
    {
      auto q = c.prepare("SELECT product_id FROM recently_viewed WHERE user_id = ? ORDER BY viewed_at DESC LIMIT 20");
      q.bind(1, user_id);
      while (q.step()) seen_products.push_back(q.int64(0));
    }
    std::set<int64_t> seen_cats;
    for (int64_t pid : seen_products) {
      auto q = c.prepare("SELECT category_id FROM products WHERE product_id = ?");
      q.bind(1, pid);
      if (q.step() && !q.is_null(0) && seen_cats.insert(q.int64(0)).second) categories.push_back(q.int64(0));
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
