#include "wishlist/wishlist_store.h"

#include "storage/rows.h"

namespace shopbox::wishlist_store {

namespace {

WishedProduct read_wished(Statement& st) {
  Columns row(st);
  WishedProduct w;
  w.product_id = row.int64();
  w.added_at = row.int64();
  w.seen_price = row.int64();
  row.done();
  return w;
}

Wisher read_wisher(Statement& st) {
  Columns row(st);
  Wisher w;
  w.user_id = row.int64();
  w.seen_price = row.int64();
  w.seen_in_stock = row.boolean();
  row.done();
  return w;
}

Notification read_notification(Statement& st) {
  Columns row(st);
  Notification n;
  n.id = row.int64();
  n.kind = row.text();
  n.product_id = row.opt_int64();
  n.data = nlohmann::json::parse(row.text(), nullptr, false);
  if (n.data.is_discarded()) n.data = nlohmann::json::object();
  n.created_at = row.int64();
  n.read_at = row.opt_int64();
  row.done();
  return n;
}

}  // namespace

int64_t count_wished(Connection& c, int64_t user_id) {
  auto count = c.prepare("SELECT COUNT(*) FROM wishlist_items WHERE user_id = ?");
  count.bind(1, user_id);
  return count.step() ? count.int64(0) : 0;
}

std::vector<WishedProduct> wished_page(Connection& c, int64_t user_id, int page, int size) {
  auto q = c.prepare(
      "SELECT product_id, added_at, seen_price_cents FROM wishlist_items WHERE user_id = ? "
      "ORDER BY added_at DESC, product_id DESC LIMIT ? OFFSET ?");
  q.bind(1, user_id).bind(2, static_cast<int64_t>(size)).bind(3, static_cast<int64_t>(page - 1) * size);
  return all_rows(q, read_wished);
}

bool add(Connection& c, int64_t user_id, int64_t product_id, Cents seen_price, bool in_stock, int64_t now) {
  auto ins = c.prepare(
      "INSERT OR IGNORE INTO wishlist_items (user_id, product_id, added_at, seen_price_cents, seen_in_stock) "
      "VALUES (?, ?, ?, ?, ?)");
  ins.bind(1, user_id).bind(2, product_id).bind(3, now).bind(4, seen_price);
  ins.bind(5, static_cast<int64_t>(in_stock ? 1 : 0));
  ins.exec();
  return c.changes() > 0;
}

bool remove(Connection& c, int64_t user_id, int64_t product_id) {
  auto del = c.prepare("DELETE FROM wishlist_items WHERE user_id = ? AND product_id = ?");
  del.bind(1, user_id).bind(2, product_id);
  del.exec();
  return c.changes() != 0;
}

bool contains(Connection& c, int64_t user_id, int64_t product_id) {
  auto q = c.prepare("SELECT 1 FROM wishlist_items WHERE user_id = ? AND product_id = ?");
  q.bind(1, user_id).bind(2, product_id);
  return q.step();
}

bool is_wished(Connection& c, int64_t product_id) {
  auto q = c.prepare("SELECT 1 FROM wishlist_items WHERE product_id = ? LIMIT 1");
  q.bind(1, product_id);
  return q.step();
}

std::vector<int64_t> wished_products(Connection& c) {
  auto q = c.prepare("SELECT DISTINCT product_id FROM wishlist_items");
  std::vector<int64_t> products;
  while (q.step()) products.push_back(q.int64(0));
  return products;
}

std::vector<Wisher> wishers(Connection& c, int64_t product_id) {
  auto q = c.prepare("SELECT user_id, seen_price_cents, seen_in_stock FROM wishlist_items WHERE product_id = ?");
  q.bind(1, product_id);
  return all_rows(q, read_wisher);
}

void set_seen(Connection& c, int64_t user_id, int64_t product_id, Cents seen_price, bool in_stock) {
  auto up = c.prepare(
      "UPDATE wishlist_items SET seen_price_cents = ?, seen_in_stock = ? WHERE user_id = ? AND product_id = ?");
  up.bind(1, seen_price).bind(2, static_cast<int64_t>(in_stock ? 1 : 0)).bind(3, user_id).bind(4, product_id);
  up.exec();
}

void add_notification(Connection& c, int64_t user_id, const std::string& kind, int64_t product_id,
                      const nlohmann::json& data, int64_t now) {
  auto ins =
      c.prepare("INSERT INTO notifications (user_id, kind, product_id, payload, created_at) VALUES (?, ?, ?, ?, ?)");
  ins.bind(1, user_id).bind(2, kind).bind(3, product_id).bind(4, data.dump()).bind(5, now);
  ins.exec();
}

std::optional<NotificationCounts> count_notifications(Connection& c, int64_t user_id) {
  auto count = c.prepare("SELECT COUNT(*), COALESCE(SUM(read_at IS NULL), 0) FROM notifications WHERE user_id = ?");
  count.bind(1, user_id);
  if (!count.step()) return std::nullopt;
  Columns row(count);
  NotificationCounts n;
  n.total = row.int64();
  n.unread = row.int64();
  row.done();
  return n;
}

std::vector<Notification> notifications_page(Connection& c, int64_t user_id, int page, int size) {
  auto q = c.prepare(
      "SELECT notification_id, kind, product_id, payload, created_at, read_at FROM notifications "
      "WHERE user_id = ? ORDER BY notification_id DESC LIMIT ? OFFSET ?");
  q.bind(1, user_id).bind(2, static_cast<int64_t>(size)).bind(3, static_cast<int64_t>(page - 1) * size);
  return all_rows(q, read_notification);
}

int mark_read(Connection& c, int64_t user_id, std::optional<int64_t> up_to_id, int64_t now) {
  auto up = c.prepare(
      "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL AND (?3 IS NULL OR notification_id "
      "<= ?3)");
  up.bind(1, now).bind(2, user_id).bind(3, up_to_id);
  up.exec();
  return c.changes();
}

}  // namespace shopbox::wishlist_store
