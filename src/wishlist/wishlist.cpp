#include "wishlist/wishlist.h"

#include <chrono>
#include <cstdio>

#include "base/clock.h"
#include "catalog/catalog.h"
#include "events/outbox.h"
#include "inventory/inventory.h"
#include "wishlist/wishlist_store.h"

namespace shopbox {

Wishlist::Wishlist(Sqlite& db, Catalog& catalog, const Config& config) : db_(db), catalog_(catalog), config_(config) {
  catalog_.on_change([this](const CatalogChange& ch) {
    if (ch.what == CatalogChange::What::product_upserted) check_product(ch.id);
  });
}

Wishlist::~Wishlist() {
  stop_watcher();
}

Result<std::vector<WishlistItem>> Wishlist::list(int64_t user_id, int page, int size, int64_t* total) {
  std::vector<WishedProduct> rows;
  std::vector<WishlistItem> items;
  Status st = db_.read([&](Connection& c) {
    *total = wishlist_store::count_wished(c, user_id);
    rows = wishlist_store::wished_page(c, user_id, page, size);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  for (const auto& row : rows) {
    auto p = catalog_.product_for_shoppers(row.product_id);
    if (!p.ok()) {
      if (p.status().kind() != Kind::not_found) return p.status();
      continue;  // deleted or taken off sale since it was added
    }
    WishlistItem item;
    item.product = std::move(*p);
    item.added_at = row.added_at;
    item.seen_price = row.seen_price;
    items.push_back(std::move(item));
  }
  for (auto& item : items) item.stock = catalog_.stock(item.product);
  return items;
}

Result<bool> Wishlist::add(int64_t user_id, int64_t product_id) {
  auto p = catalog_.product_for_shoppers(product_id);
  if (!p.ok()) return p.status();
  bool in_stock = catalog_.stock(*p).in_stock();
  bool created = false;
  Status st = db_.write([&](Connection& c) {
    created = wishlist_store::add(c, user_id, product_id, p->final_price(), in_stock, now_seconds());
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return created;
}

Status Wishlist::remove(int64_t user_id, int64_t product_id) {
  return db_.write([&](Connection& c) {
    if (!wishlist_store::remove(c, user_id, product_id)) return Status::NotFound("product is not on your wishlist");
    return Status::Ok();
  });
}

bool Wishlist::contains(int64_t user_id, int64_t product_id) {
  bool found = false;
  log_if_failed(db_.read([&](Connection& c) {
    found = wishlist_store::contains(c, user_id, product_id);
    return Status::Ok();
  }),
                "wishlist: contains (read as empty)");
  return found;
}

int Wishlist::check_product(int64_t product_id) {
  // Cheap pre-check on a reader: most products are on nobody's wishlist.
  bool wished = false;
  log_if_failed(db_.read([&](Connection& c) {
    wished = wishlist_store::is_wished(c, product_id);
    return Status::Ok();
  }),
                "wishlist: check_product (read as empty)");
  if (!wished) return 0;
  auto p = catalog_.product(product_id);
  if (!p.ok()) return 0;
  Cents price = p->final_price();
  bool in_stock = catalog_.stock(*p).in_stock();
  int written = 0;
  log_if_failed(db_.write([&](Connection& c) {
    std::vector<Wisher> rows = wishlist_store::wishers(c, product_id);
    int64_t now = now_seconds();
    for (const auto& r : rows) {
      auto notify = [&](const char* kind, const nlohmann::json& data) {
        wishlist_store::add_notification(c, r.user_id, kind, product_id, data, now);
        // The same news by email (src/email/), committed with the notification.
        nlohmann::json event = data;
        event["user_id"] = std::to_string(r.user_id);
        outbox::append(c, kind, event);
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
      if (seen != r.seen_price || in_stock != r.seen_in_stock)
        wishlist_store::set_seen(c, r.user_id, product_id, seen, in_stock);
    }
    return Status::Ok();
  }),
                "wishlist: check_product (not written; the next run retries)");
  return written;
}

int Wishlist::scan() {
  std::vector<int64_t> products;
  log_if_failed(db_.read([&](Connection& c) {
    products = wishlist_store::wished_products(c);
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
    if (auto counts = wishlist_store::count_notifications(c, user_id)) {
      *total = counts->total;
      *unread = counts->unread;
    }
    out = wishlist_store::notifications_page(c, user_id, page, size);
    return Status::Ok();
  }),
                "wishlist: notifications (read as empty)");
  return out;
}

int Wishlist::mark_read(int64_t user_id, std::optional<int64_t> up_to_id) {
  int n = 0;
  log_if_failed(db_.write([&](Connection& c) {
    n = wishlist_store::mark_read(c, user_id, up_to_id, now_seconds());
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
