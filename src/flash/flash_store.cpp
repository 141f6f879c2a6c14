#include "flash/flash_store.h"

#include "storage/rows.h"

namespace shopbox::flash_store {
using json = nlohmann::json;

namespace {

FlashOrder read_order(Statement& st) {
  Columns row(st);
  FlashOrder o;
  o.order_id = row.text();
  o.sale_id = row.int64();
  o.user_id = row.int64();
  o.product_id = row.int64();
  o.product_name = row.text();
  o.quantity = row.int64();
  o.unit_price = row.int64();
  o.subtotal = row.int64();
  o.tax = row.int64();
  o.shipping = row.int64();
  o.total = row.int64();
  o.currency = row.text();
  o.status = row.text();
  o.charge_id = row.text();
  o.brand = row.text();
  o.last4 = row.text();
  o.shipping_address = json::parse(row.text(), nullptr, false);
  o.created_at = row.int64();
  row.done();
  return o;
}

#define FLASH_ORDER_COLS                                                                                      \
  "SELECT order_id, sale_id, user_id, product_id, product_name, quantity, unit_price_cents, subtotal_cents, " \
  "tax_cents, shipping_cents, total_cents, currency, status, charge_id, brand, last4, shipping_address, "     \
  "created_at FROM flash_orders "

}  // namespace

int64_t insert_sale(Connection& c, const FlashSaleInput& in, const std::string& currency, const std::string& actor,
                    int64_t now) {
  auto ins = c.prepare(
      "INSERT INTO flash_sales (product_id, sale_price_cents, currency, quantity, per_user_limit, starts_at, "
      "ends_at, created_at, created_by, variant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, in.product_id).bind(2, in.sale_price).bind(3, currency).bind(4, in.quantity);
  ins.bind(5, in.per_user_limit).bind(6, in.starts_at).bind(7, in.ends_at).bind(8, now).bind(9, actor);
  ins.bind(10, in.variant_id);
  ins.exec();
  return c.last_insert_id();
}

void update_sale_terms(Connection& c, const FlashSale& s) {
  c.prepare("UPDATE flash_sales SET sale_price_cents = ?, per_user_limit = ?, starts_at = ?, ends_at = ? WHERE sale_id = ?")
      .bind(1, s.sale_price)
      .bind(2, s.per_user_limit)
      .bind(3, s.starts_at)
      .bind(4, s.ends_at)
      .bind(5, s.id)
      .exec();
}

std::optional<FlashSale> get_sale(Connection& c, int64_t sale_id) {
  auto q = c.prepare(
      "SELECT sale_id, product_id, variant_id, sale_price_cents, currency, quantity, per_user_limit, starts_at, "
      "ends_at, created_at FROM flash_sales WHERE sale_id = ?");
  q.bind(1, sale_id);
  if (!q.step()) return std::nullopt;
  Columns row(q);
  FlashSale f;
  f.id = row.int64();
  f.product_id = row.int64();
  f.variant_id = row.int64();
  f.sale_price = row.int64();
  f.currency = row.text();
  f.quantity = row.int64();
  f.per_user_limit = row.int64();
  f.starts_at = row.int64();
  f.ends_at = row.int64();
  f.created_at = row.int64();
  row.done();
  return f;
}

std::vector<int64_t> current_sale_ids(Connection& c, int64_t now, int64_t limit) {
  auto q = c.prepare("SELECT sale_id FROM flash_sales WHERE ends_at > ? ORDER BY starts_at, sale_id LIMIT ?");
  q.bind(1, now).bind(2, limit);
  std::vector<int64_t> ids;
  while (q.step()) ids.push_back(q.int64(0));
  return ids;
}

void insert_order(Connection& c, const FlashOrder& o, const std::string& token) {
  auto ins = c.prepare(
      "INSERT INTO flash_orders (order_id, sale_id, user_id, product_id, product_name, quantity, unit_price_cents, "
      "subtotal_cents, tax_cents, shipping_cents, total_cents, currency, status, token, charge_id, brand, last4, "
      "shipping_address, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, o.order_id).bind(2, o.sale_id).bind(3, o.user_id).bind(4, o.product_id).bind(5, o.product_name);
  ins.bind(6, o.quantity).bind(7, o.unit_price).bind(8, o.subtotal).bind(9, o.tax).bind(10, o.shipping);
  ins.bind(11, o.total).bind(12, o.currency).bind(13, o.status).bind(14, token).bind(15, o.charge_id);
  ins.bind(16, o.brand).bind(17, o.last4).bind(18, o.shipping_address.dump()).bind(19, o.created_at);
  ins.exec();
}

std::optional<FlashOrder> get_order(Connection& c, const std::string& order_id, int64_t user_id) {
  auto q = c.prepare(FLASH_ORDER_COLS "WHERE order_id = ? AND user_id = ?");
  q.bind(1, order_id).bind(2, user_id);
  if (!q.step()) return std::nullopt;
  return read_order(q);
}

std::string order_id_for_token(Connection& c, const std::string& token) {
  auto q = c.prepare("SELECT order_id FROM flash_orders WHERE token = ?");
  q.bind(1, token);
  return q.step() ? q.text(0) : std::string();
}

std::vector<Oversold> oversold_sales(Connection& c) {
  auto q = c.prepare(
      "SELECT f.sale_id, f.quantity, COALESCE(SUM(o.quantity), 0) FROM flash_sales f "
      "LEFT JOIN flash_orders o ON o.sale_id = f.sale_id GROUP BY f.sale_id HAVING COALESCE(SUM(o.quantity), 0) > "
      "f.quantity");
  std::vector<Oversold> out;
  while (q.step()) out.push_back({q.int64(0), q.int64(1), q.int64(2)});
  return out;
}

}  // namespace shopbox::flash_store
