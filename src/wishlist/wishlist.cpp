#include "wishlist/wishlist.h"

#include <chrono>
#include <cstdio>

#include "base/clock.h"
#include "catalog/catalog.h"
#include "inventory/inventory.h"

namespace shopbox {

Wishlist::Wishlist(Sqlite& db, Catalog& catalog, Inventory& inventory, const Config& config)
    : db_(db), catalog_(catalog), inventory_(inventory), config_(config) {
  catalog_.on_change([this](const CatalogChange& ch) {
    if (ch.what == CatalogChange::What::product_upserted) check_product(ch.id);
  });
}

Wishlist::~Wishlist() {
  stop_watcher();
}

Result<std::vector<WishlistItem>> Wishlist::list(int64_t user_id, int page, int size, int64_t* total) {
  std::vector<std::pair<int64_t, std::pair<int64_t, Cents>>> rows;  // product, (added_at, seen price)
  std::vector<WishlistItem> items;
  Status st = db_.read([&](Connection& c) {
    auto count = c.prepare("SELECT COUNT(*) FROM wishlist_items WHERE user_id = ?");
    count.bind(1, user_id);
    *total = count.step() ? count.int64(0) : 0;
    {
      auto q = c.prepare(
          "SELECT product_id, added_at, seen_price_cents FROM wishlist_items WHERE user_id = ? "
          "ORDER BY added_at DESC, product_id DESC LIMIT ? OFFSET ?");
      q.bind(1, user_id).bind(2, static_cast<int64_t>(size)).bind(3, static_cast<int64_t>(page - 1) * size);
      while (q.step()) rows.push_back({q.int64(0), {q.int64(1), q.int64(2)}});
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  for (const auto& [pid, meta] : rows) {
    auto p = catalog_.product(pid);
    if (!p.ok()) {
      if (p.status().kind() != Kind::not_found) return p.status();
      continue;  // deleted since it was added
    }
    WishlistItem item;
    item.product = std::move(*p);
    item.added_at = meta.first;
    item.seen_price = meta.second;
    items.push_back(std::move(item));
  }
  for (auto& item : items) item.stock = inventory_.level(item.product.id);
  return items;
}

Result<bool> Wishlist::add(int64_t user_id, int64_t product_id) {
  auto p = catalog_.product(product_id);
  if (!p.ok()) return p.status();
  bool in_stock = inventory_.level(product_id).available() > 0;
  bool created = false;
  Status st = db_.write([&](Connection& c) {
    auto ins = c.prepare(
        "INSERT OR IGNORE INTO wishlist_items (user_id, product_id, added_at, seen_price_cents, seen_in_stock) "
        "VALUES (?, ?, ?, ?, ?)");
    ins.bind(1, user_id).bind(2, product_id).bind(3, now_seconds()).bind(4, p->final_price());
    ins.bind(5, static_cast<int64_t>(in_stock ? 1 : 0));
    ins.exec();
    created = c.changes() > 0;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return created;
}

Status Wishlist::remove(int64_t user_id, int64_t product_id) {
  return db_.write([&](Connection& c) {
    auto del = c.prepare("DELETE FROM wishlist_items WHERE user_id = ? AND product_id = ?");
    del.bind(1, user_id).bind(2, product_id);
    del.exec();
    if (c.changes() == 0) return Status::NotFound("product is not on your wishlist");
    return Status::Ok();
  });
}

bool Wishlist::contains(int64_t user_id, int64_t product_id) {
  bool found = false;
  log_if_failed(db_.read([&](Connection& c) {
    auto q = c.prepare("SELECT 1 FROM wishlist_items WHERE user_id = ? AND product_id = ?");
    q.bind(1, user_id).bind(2, product_id);
    found = q.step();
    return Status::Ok();
  }),
                "wishlist: contains (read as empty)");
  return found;
}

int Wishlist::check_product(int64_t product_id) {
  // Cheap pre-check on a reader: most products are on nobody's wishlist.
  bool wished = false;
  log_if_failed(db_.read([&](Connection& c) {
    auto q = c.prepare("SELECT 1 FROM wishlist_items WHERE product_id = ? LIMIT 1");
    q.bind(1, product_id);
    wished = q.step();
    return Status::Ok();
  }),
                "wishlist: check_product (read as empty)");
  if (!wished) return 0;
  auto p = catalog_.product(product_id);
  if (!p.ok()) return 0;
  Cents price = p->final_price();
  bool in_stock = inventory_.level(product_id).available() > 0;
  int written = 0;
  log_if_failed(db_.write([&](Connection& c) {
    struct Row {
      int64_t user_id;
      Cents seen_price;
      bool seen_in_stock;
    };
    std::vector<Row> rows;
    {
      auto q = c.prepare("SELECT user_id, seen_price_cents, seen_in_stock FROM wishlist_items WHERE product_id = ?");
      q.bind(1, product_id);
      while (q.step()) rows.push_back({q.int64(0), q.int64(1), q.int64(2) != 0});
    }
    int64_t now = now_seconds();
    for (const auto& r : rows) {
      auto notify = [&](const char* kind, const nlohmann::json& data) {
        auto ins = c.prepare(
            "INSERT INTO notifications (user_id, kind, product_id, payload, created_at) VALUES (?, ?, ?, ?, ?)");
        ins.bind(1, r.user_id).bind(2, kind).bind(3, product_id).bind(4, data.dump()).bind(5, now);
        ins.exec();
        ++written;
      };
      nlohmann::json base = {{"product_id", std::to_string(product_id)}, {"name", p->name}, {"currency", p->currency}};
      if (price < r.seen_price && in_stock) {
        nlohmann::json data = base;
        data["old_price"] = cents_to_json(r.seen_price);
        data["new_price"] = cents_to_json(price);
        notify("wishlist.price_drop", data);
      }
      if (in_stock && !r.seen_in_stock) {
        nlohmann::json data = base;
        data["price"] = cents_to_json(price);
        notify("wishlist.back_in_stock", data);
      }
      // While sold out the seen price stays, so a drop during that time is
      // reported together with the restock.
      Cents seen = in_stock ? price : r.seen_price;
      if (seen != r.seen_price || in_stock != r.seen_in_stock) {
        auto up = c.prepare(
            "UPDATE wishlist_items SET seen_price_cents = ?, seen_in_stock = ? WHERE user_id = ? AND product_id = ?");
        up.bind(1, seen).bind(2, static_cast<int64_t>(in_stock ? 1 : 0)).bind(3, r.user_id).bind(4, product_id);
        up.exec();
      }
    }
    return Status::Ok();
  }),
                "wishlist: check_product (not written; the next run retries)");
  return written;
}

int Wishlist::scan() {
  std::vector<int64_t> products;
  log_if_failed(db_.read([&](Connection& c) {
    auto q = c.prepare("SELECT DISTINCT product_id FROM wishlist_items");
    while (q.step()) products.push_back(q.int64(0));
    return Status::Ok();
  }),
                "wishlist: scan (read as empty)");
  int n = 0;
  for (int64_t pid : products) n += check_product(pid);
  return n;
}

std::vector<Notification> Wishlist::notifications(int64_t user_id, int page, int size, int64_t* total,
                                                  int64_t* unread) {
  std::vector<Notification> out;
  log_if_failed(db_.read([&](Connection& c) {
    auto count = c.prepare("SELECT COUNT(*), COALESCE(SUM(read_at IS NULL), 0) FROM notifications WHERE user_id = ?");
    count.bind(1, user_id);
    if (count.step()) {
      *total = count.int64(0);
      *unread = count.int64(1);
    }
    auto q = c.prepare(
        "SELECT notification_id, kind, product_id, payload, created_at, read_at FROM notifications "
        "WHERE user_id = ? ORDER BY notification_id DESC LIMIT ? OFFSET ?");
    q.bind(1, user_id).bind(2, static_cast<int64_t>(size)).bind(3, static_cast<int64_t>(page - 1) * size);
    while (q.step()) {
      Notification n;
      n.id = q.int64(0);
      n.kind = q.text(1);
      n.product_id = q.opt_int64(2);
      n.data = nlohmann::json::parse(q.text(3), nullptr, false);
      if (n.data.is_discarded()) n.data = nlohmann::json::object();
      n.created_at = q.int64(4);
      n.read_at = q.opt_int64(5);
      out.push_back(std::move(n));
    }
    return Status::Ok();
  }),
                "wishlist: notifications (read as empty)");
  return out;
}

int Wishlist::mark_read(int64_t user_id, std::optional<int64_t> up_to_id) {
  int n = 0;
  log_if_failed(db_.write([&](Connection& c) {
    auto up = c.prepare(
        "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL AND (?3 IS NULL OR notification_id "
        "<= ?3)");
    up.bind(1, now_seconds()).bind(2, user_id).bind(3, up_to_id);
    up.exec();
    n = c.changes();
    return Status::Ok();
  }),
                "wishlist: mark_read (not written; the next run retries)");
  return n;
}

void Wishlist::start_watcher() {
  if (config_.wishlist_watch_seconds <= 0 || thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::seconds(config_.wishlist_watch_seconds), [this] { return stop_; });
      if (stop_) break;
      lock.unlock();
      try {
        scan();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "wishlist watcher: %s\n", e.what());
      }
      lock.lock();
    }
  });
}

void Wishlist::stop_watcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace shopbox
