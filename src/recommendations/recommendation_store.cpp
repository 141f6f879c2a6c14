#include "recommendations/recommendation_store.h"

namespace shopbox::recommendation_store {

namespace {

bool orders_tables_exist(Connection& c) {
  auto q = c.prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('orders', 'order_items')");
  return q.step() && q.int64(0) == 2;
}

std::vector<int64_t> ids_of(Statement& q) {
  std::vector<int64_t> ids;
  while (q.step()) ids.push_back(q.int64(0));
  return ids;
}

}  // namespace

bool mark_counted(Connection& c, const std::string& order_id, int64_t now) {
  auto mark = c.prepare("INSERT OR IGNORE INTO recs_counted_orders (order_id, counted_at) VALUES (?, ?)");
  mark.bind(1, order_id).bind(2, now);
  mark.exec();
  return c.changes() != 0;
}

void count_pair(Connection& c, int64_t product_id, int64_t other_product_id) {
  auto up = c.prepare(
      "INSERT INTO product_pairs (product_id, other_product_id, orders) VALUES (?, ?, 1) "
      "ON CONFLICT (product_id, other_product_id) DO UPDATE SET orders = orders + 1");
  up.bind(1, product_id).bind(2, other_product_id);
  up.exec();
}

std::vector<std::string> uncounted_orders(Connection& c) {
  std::vector<std::string> pending;
  if (!orders_tables_exist(c)) return pending;
  auto q = c.prepare(
      "SELECT o.order_id FROM orders o WHERE o.status IN ('paid', 'processing', 'shipped', 'delivered', "
      "'partially_refunded') AND NOT EXISTS (SELECT 1 FROM recs_counted_orders r WHERE r.order_id = o.order_id) "
      "LIMIT 500");
  while (q.step()) pending.push_back(q.text(0));
  return pending;
}

std::vector<int64_t> order_products(Connection& c, const std::string& order_id) {
  auto items = c.prepare("SELECT product_id FROM order_items WHERE order_id = ?");
  items.bind(1, order_id);
  return ids_of(items);
}

std::set<int64_t> purchased(Connection& c, int64_t user_id) {
  std::set<int64_t> out;
  if (!orders_tables_exist(c)) return out;
  auto q = c.prepare(
      "SELECT DISTINCT i.product_id FROM orders o JOIN order_items i ON i.order_id = o.order_id "
      "WHERE o.user_id = ? AND o.status IN ('paid', 'processing', 'shipped', 'delivered', 'partially_refunded')");
  q.bind(1, user_id);
  while (q.step()) out.insert(q.int64(0));
  return out;
}

std::vector<int64_t> bought_with(Connection& c, int64_t product_id, int64_t limit) {
  auto q = c.prepare(
      "SELECT other_product_id FROM product_pairs WHERE product_id = ? ORDER BY orders DESC, other_product_id "
      "LIMIT ?");
  q.bind(1, product_id).bind(2, limit);
  return ids_of(q);
}

std::vector<int64_t> strongest_pairs(Connection& c, int64_t product_id) {
  auto q = c.prepare("SELECT other_product_id FROM product_pairs WHERE product_id = ? ORDER BY orders DESC LIMIT 10");
  q.bind(1, product_id);
  return ids_of(q);
}

void record_view(Connection& c, int64_t user_id, int64_t product_id, int64_t stamp) {
  auto up = c.prepare(
      "INSERT INTO recently_viewed (user_id, product_id, viewed_at) VALUES (?, ?, ?) "
      "ON CONFLICT (user_id, product_id) DO UPDATE SET viewed_at = excluded.viewed_at");
  up.bind(1, user_id).bind(2, product_id).bind(3, stamp);
  up.exec();
}

void trim_views(Connection& c, int64_t user_id, int64_t keep) {
  auto trim = c.prepare(
      "DELETE FROM recently_viewed WHERE user_id = ?1 AND product_id NOT IN "
      "(SELECT product_id FROM recently_viewed WHERE user_id = ?1 ORDER BY viewed_at DESC LIMIT ?2)");
  trim.bind(1, user_id).bind(2, keep);
  trim.exec();
}

std::vector<int64_t> recently_viewed(Connection& c, int64_t user_id, int64_t limit) {
  auto q = c.prepare("SELECT product_id FROM recently_viewed WHERE user_id = ? ORDER BY viewed_at DESC LIMIT ?");
  q.bind(1, user_id).bind(2, limit);
  return ids_of(q);
}

std::vector<int64_t> recent_interests(Connection& c, int64_t user_id) {
  auto q = c.prepare("SELECT product_id FROM recently_viewed WHERE user_id = ? ORDER BY viewed_at DESC LIMIT 20");
  q.bind(1, user_id);
  return ids_of(q);
}

std::optional<int64_t> category_of(Connection& c, int64_t product_id) {
  auto q = c.prepare("SELECT category_id FROM products WHERE product_id = ?");
  q.bind(1, product_id);
  if (!q.step() || q.is_null(0)) return std::nullopt;
  return q.int64(0);
}

}  // namespace shopbox::recommendation_store
