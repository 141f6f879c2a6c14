#include "orders/order_store.h"

#include "base/clock.h"
#include "base/crypto.h"
#include "storage/rows.h"

namespace shopbox {

PaymentTransaction PaymentTransaction::captured_charge(const Order& o, std::string method, std::string provider,
                                                       std::string charge_id, std::string idempotency_key,
                                                       int64_t now) {
  PaymentTransaction t;
  t.id = "txn_" + random_hex(10);
  t.order_id = o.id;
  t.kind = "charge";
  t.method = std::move(method);
  t.provider = std::move(provider);
  t.provider_id = std::move(charge_id);
  t.amount = o.total;
  t.currency = o.currency;
  t.status = "completed";
  t.idempotency_key = std::move(idempotency_key);
  t.created_at = t.updated_at = now;
  return t;
}

}  // namespace shopbox

namespace shopbox::order_store {
using json = nlohmann::json;

namespace {
constexpr const char* kOrderSelect =
    "SELECT order_id, user_id, status, subtotal_cents, discount_cents, tax_cents, shipping_cents, total_cents, "
    "refunded_cents, currency, shipping_address, billing_address, payment_method, reservation_id, idempotency_key, "
    "shard, client_ip, card_fingerprint, estimated_delivery, created_at, updated_at, paid_at, shipped_at, "
    "delivered_at, cancelled_at, tax_included_cents, pricing, COALESCE(order_number, 0), email, customer_name "
    "FROM orders ";

Order read_order(Statement& st) {
  Columns row(st);
  Order o;
  o.id = row.text();
  o.user_id = row.int64();
  // A stored status this build does not know reads as pending: such an
  // order can be seen but no transition (other than to paid) applies.
  o.status = parse_order_status(row.text()).value_or(OrderStatus::pending);
  o.subtotal = row.int64();
  o.discount = row.int64();
  o.tax = row.int64();
  o.shipping = row.int64();
  o.total = row.int64();
  o.refunded = row.int64();
  o.currency = row.text();
  o.shipping_address = stored_json(row.text(), json::object());
  o.billing_address = stored_json(row.text(), json::object());
  o.payment_method = stored_json(row.text(), json::object());
  o.reservation_id = row.text();
  o.idempotency_key = row.text();
  o.shard = row.text();
  o.client_ip = row.text();
  o.card_fingerprint = row.text();
  o.estimated_delivery = row.opt_int64().value_or(0);
  o.created_at = row.int64();
  o.updated_at = row.int64();
  o.paid_at = row.opt_int64();
  o.shipped_at = row.opt_int64();
  o.delivered_at = row.opt_int64();
  o.cancelled_at = row.opt_int64();
  o.tax_included = row.int64();
  o.pricing = stored_json(row.text(), json::object());
  o.order_number = row.int64();
  o.email = row.text();
  o.customer_name = row.text();
  row.done();
  return o;
}

RefundRecord read_refund(Statement& st) {
  Columns row(st);
  RefundRecord r;
  r.id = row.text();
  r.order_id = row.text();
  r.amount = row.int64();
  r.lines = stored_json(row.text(), json::array());
  r.restock = row.int64() != 0;
  r.restocked = row.int64() != 0;
  r.reason = row.text();
  r.status = row.text();
  r.provider_refund_id = row.text();
  r.actor = row.text();
  r.created_at = row.int64();
  r.updated_at = row.int64();
  row.done();
  return r;
}
#define REFUND_COLS                                                                                                  \
  "SELECT refund_id, order_id, amount_cents, lines, restock, restocked, reason, status, provider_refund_id, actor, " \
  "created_at, updated_at FROM refunds "

ReturnRecord read_return(Statement& st) {
  Columns row(st);
  ReturnRecord r;
  r.id = row.int64();
  r.order_id = row.text();
  r.user_id = row.int64();
  r.lines = stored_json(row.text(), json::array());
  r.reason = row.text();
  r.status = row.text();
  r.refund_id = row.opt_text();
  r.created_at = row.int64();
  r.decided_at = row.opt_int64();
  r.decided_by = row.text();
  r.decision_reason = row.text();
  row.done();
  return r;
}
#define RETURN_COLS \
  "SELECT return_id, order_id, user_id, lines, reason, status, refund_id, created_at, decided_at, decided_by, " \
  "decision_reason FROM returns "

Shipment read_shipment(Statement& st) {
  Columns row(st);
  Shipment s;
  s.id = row.int64();
  s.order_id = row.text();
  s.carrier = row.text();
  s.tracking_number = row.text();
  s.status = row.text();
  s.shipped_at = row.int64();
  s.delivered_at = row.opt_int64();
  row.done();
  return s;
}
#define SHIPMENT_COLS \
  "SELECT shipment_id, order_id, carrier, tracking_number, status, shipped_at, delivered_at FROM shipments "

}  // namespace

// ---- orders ----

void insert_order(Connection& c, const Order& o) {
  c.prepare(
       "INSERT INTO orders(order_id, user_id, status, subtotal_cents, discount_cents, tax_cents, shipping_cents, "
       "total_cents, refunded_cents, currency, shipping_address, billing_address, payment_method, reservation_id, "
       "idempotency_key, shard, client_ip, card_fingerprint, estimated_delivery, created_at, updated_at, paid_at, "
       "tax_included_cents, pricing, order_number, email, customer_name) "
       "VALUES (?,?,?,?,?,?,?,?,0,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
      .bind(1, o.id)
      .bind(2, o.user_id)
      .bind(3, status_name(o.status))
      .bind(4, o.subtotal)
      .bind(5, o.discount)
      .bind(6, o.tax)
      .bind(7, o.shipping)
      .bind(8, o.total)
      .bind(9, o.currency)
      .bind(10, o.shipping_address.dump())
      .bind(11, o.billing_address.dump())
      .bind(12, o.payment_method.dump())
      .bind(13, o.reservation_id)
      .bind(14, o.idempotency_key)
      .bind(15, o.shard)
      .bind(16, o.client_ip)
      .bind(17, o.card_fingerprint)
      .bind(18, o.estimated_delivery)
      .bind(19, o.created_at)
      .bind(20, o.updated_at)
      .bind(21, o.paid_at)
      .bind(22, o.tax_included)
      .bind(23, o.pricing.is_object() ? o.pricing.dump() : std::string("{}"))
      .bind(24, o.order_number)
      .bind(25, o.email)
      .bind(26, o.customer_name)
      .exec();
  for (const auto& it : o.items) {
    c.prepare(
         "INSERT INTO order_items(order_id, product_id, product_name, product_image, sku, quantity, "
         "unit_price_cents, subtotal_cents, variant_id, variant_title, selected_options, discount_cents, tax_cents) "
         "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
        .bind(1, o.id)
        .bind(2, it.product_id)
        .bind(3, it.name)
        .bind(4, it.image)
        .bind(5, it.sku)
        .bind(6, it.quantity)
        .bind(7, it.unit_price)
        .bind(8, it.subtotal)
        .bind(9, it.variant_id > 0 ? it.variant_id : it.product_id)
        .bind(10, it.variant_title)
        .bind(11, it.selected_options.is_object() ? it.selected_options.dump() : std::string("{}"))
        .bind(12, it.discount)
        .bind(13, it.tax)
        .exec();
  }
  c.prepare("INSERT INTO order_events(order_id, from_status, to_status, actor, note, created_at) VALUES (?,?,?,?,?,?)")
      .bind(1, o.id)
      .bind(2, "")
      .bind(3, status_name(o.status))
      .bind(4, "user:" + std::to_string(o.user_id))
      .bind(5, "checkout")
      .bind(6, o.created_at)
      .exec();
}

std::optional<Order> get_order(Connection& c, const std::string& order_id) {
  std::optional<Order> o;
  {
    auto st = c.prepare((std::string(kOrderSelect) + "WHERE order_id = ?").c_str());
    st.bind(1, order_id);
    o = first_row(st, read_order);
  }
  if (!o) return std::nullopt;
  auto it = c.prepare(
      "SELECT order_item_id, product_id, variant_id, product_name, product_image, sku, variant_title, "
      "selected_options, quantity, unit_price_cents, subtotal_cents, refunded_quantity, returned_quantity, "
      "restocked_quantity, discount_cents, tax_cents FROM order_items WHERE order_id = ? ORDER BY order_item_id");
  it.bind(1, order_id);
  while (it.step()) {
    Columns row(it);
    OrderItem item;
    item.id = row.int64();
    item.product_id = row.int64();
    item.variant_id = row.int64();
    item.name = row.text();
    item.image = row.text();
    item.sku = row.text();
    item.variant_title = row.text();
    item.selected_options = stored_json(row.text(), nlohmann::json::object());
    item.quantity = row.int64();
    item.unit_price = row.int64();
    item.subtotal = row.int64();
    item.refunded_quantity = row.int64();
    item.returned_quantity = row.int64();
    item.restocked_quantity = row.int64();
    item.discount = row.int64();
    item.tax = row.opt_int64();
    row.done();
    o->items.push_back(std::move(item));
  }
  return o;
}

std::vector<Order> list_orders(Connection& c, const OrderFilter& f, int64_t* total) {
  // The WHERE clause is joined from fixed fragments, one per filter that is
  // set; every value is a bound parameter (no SQL built from input).
  std::string where;
  auto add = [&](const char* cond) { where += where.empty() ? std::string("WHERE ") + cond : std::string(" AND ") + cond; };
  if (f.user_id) add("user_id = ?1");
  if (f.status) add("status = ?2");
  if (f.order_number && !f.email_contains.empty())
    add("(order_number = ?5 OR email LIKE ?6 ESCAPE '\\')");
  else if (f.order_number)
    add("order_number = ?5");
  else if (!f.email_contains.empty())
    add("email LIKE ?6 ESCAPE '\\'");
  if (!f.email.empty()) add("email = ?7");
  where += " ";
  std::string like;
  for (char ch : f.email_contains) {
    if (ch == '%' || ch == '_' || ch == '\\') like += '\\';
    like += ch;
  }
  auto bind = [&](Statement& st) {
    if (f.user_id) st.bind(1, *f.user_id);
    if (f.status) st.bind(2, status_name(*f.status));
    if (f.order_number) st.bind(5, *f.order_number);
    if (!f.email_contains.empty()) st.bind(6, "%" + like + "%");
    if (!f.email.empty()) st.bind(7, f.email);
  };
  {
    auto st = c.prepare((std::string("SELECT count(*) FROM orders ") + where).c_str());
    bind(st);
    *total = st.step() ? st.int64(0) : 0;
  }
  auto st = c.prepare(
      (std::string(kOrderSelect) + where + "ORDER BY created_at DESC, order_id DESC LIMIT ?3 OFFSET ?4").c_str());
  bind(st);
  st.bind(3, f.limit).bind(4, f.offset);
  return all_rows(st, read_order);
}

void set_status(Connection& c, const std::string& order_id, OrderStatus from, OrderStatus to, const std::string& actor,
                const std::string& note) {
  int64_t now = now_seconds();
  const char* sql = "UPDATE orders SET status = ?1, updated_at = ?2 WHERE order_id = ?3";
  if (to == OrderStatus::shipped)
    sql = "UPDATE orders SET status = ?1, updated_at = ?2, shipped_at = ?2 WHERE order_id = ?3";
  if (to == OrderStatus::delivered)
    sql = "UPDATE orders SET status = ?1, updated_at = ?2, delivered_at = ?2 WHERE order_id = ?3";
  if (to == OrderStatus::cancelled)
    sql = "UPDATE orders SET status = ?1, updated_at = ?2, cancelled_at = ?2 WHERE order_id = ?3";
  if (to == OrderStatus::paid) sql = "UPDATE orders SET status = ?1, updated_at = ?2, paid_at = ?2 WHERE order_id = ?3";
  c.prepare(sql).bind(1, status_name(to)).bind(2, now).bind(3, order_id).exec();
  c.prepare("INSERT INTO order_events(order_id, from_status, to_status, actor, note, created_at) VALUES (?,?,?,?,?,?)")
      .bind(1, order_id)
      .bind(2, status_name(from))
      .bind(3, status_name(to))
      .bind(4, actor)
      .bind(5, note)
      .bind(6, now)
      .exec();
}

void set_refunded(Connection& c, const std::string& order_id, Cents refunded) {
  c.prepare("UPDATE orders SET refunded_cents = ?, updated_at = ? WHERE order_id = ?")
      .bind(1, refunded)
      .bind(2, now_seconds())
      .bind(3, order_id)
      .exec();
}

void add_item_counts(Connection& c, int64_t item_id, int64_t refunded, int64_t returned, int64_t restocked) {
  c.prepare(
       "UPDATE order_items SET refunded_quantity = refunded_quantity + ?, returned_quantity = returned_quantity + ?, "
       "restocked_quantity = restocked_quantity + ? WHERE order_item_id = ?")
      .bind(1, refunded)
      .bind(2, returned)
      .bind(3, restocked)
      .bind(4, item_id)
      .exec();
}

std::vector<json> order_events(Connection& c, const std::string& order_id) {
  std::vector<json> out;
  auto st = c.prepare(
      "SELECT from_status, to_status, actor, note, created_at FROM order_events WHERE order_id = ? ORDER BY event_id");
  st.bind(1, order_id);
  while (st.step())
    out.push_back({{"from", st.text(0)},
                   {"to", st.text(1)},
                   {"actor", st.text(2)},
                   {"note", st.text(3)},
                   {"at", iso8601(st.int64(4))}});
  return out;
}

int64_t count_orders_by(Connection& c, const char* column, const std::string& value, int64_t since) {
  std::string col = column;
  const char* sql = nullptr;
  if (col == "user_id")
    sql = "SELECT count(*) FROM orders WHERE user_id = ? AND created_at >= ?";
  else if (col == "client_ip")
    sql = "SELECT count(*) FROM orders WHERE client_ip = ? AND created_at >= ?";
  else if (col == "card_fingerprint")
    sql = "SELECT count(*) FROM orders WHERE card_fingerprint = ? AND created_at >= ?";
  else if (col == "email")
    sql = "SELECT count(*) FROM orders WHERE email = ? AND created_at >= ?";
  else
    return 0;
  auto st = c.prepare(sql);
  if (col == "user_id")
    st.bind(1, static_cast<int64_t>(std::stoll(value)));
  else
    st.bind(1, value);
  st.bind(2, since);
  return st.step() ? st.int64(0) : 0;
}

int64_t next_order_number(Connection& c, int64_t first) {
  auto st = c.prepare("SELECT MAX(order_number) FROM orders");
  std::optional<int64_t> top;
  if (st.step()) top = st.opt_int64(0);
  return top && *top >= first ? *top + 1 : first;
}

std::optional<Order> find_by_number(Connection& c, int64_t order_number) {
  auto st = c.prepare((std::string(kOrderSelect) + "WHERE order_number = ?").c_str());
  st.bind(1, order_number);
  auto o = first_row(st, read_order);
  if (o) o = get_order(c, o->id);  // with its lines
  return o;
}

std::vector<std::string> claim_guest_orders(Connection& c, const std::string& email, int64_t user_id) {
  std::vector<std::string> ids;
  {
    auto st = c.prepare("SELECT order_id FROM orders WHERE user_id = 0 AND email = ? ORDER BY created_at");
    st.bind(1, email);
    while (st.step()) ids.push_back(st.text(0));
  }
  c.prepare("UPDATE orders SET user_id = ? WHERE user_id = 0 AND email = ?").bind(1, user_id).bind(2, email).exec();
  return ids;
}

namespace {
constexpr const char* kCountedOrder = "status NOT IN ('cancelled', 'pending_payment', 'pending')";
}  // namespace

SalesTotals sales_between(Connection& c, int64_t since, int64_t until) {
  SalesTotals t;
  auto st = c.prepare((std::string("SELECT count(*), COALESCE(SUM(total_cents - refunded_cents), 0), "
                                   "COALESCE(SUM(refunded_cents), 0) FROM orders WHERE created_at >= ? AND "
                                   "created_at < ? AND ") +
                       kCountedOrder)
                          .c_str());
  st.bind(1, since).bind(2, until);
  if (st.step()) {
    t.orders = st.int64(0);
    t.revenue = st.int64(1);
    t.refunded = st.int64(2);
  }
  auto waiting = c.prepare("SELECT count(*) FROM orders WHERE status = 'pending_payment'");
  if (waiting.step()) t.awaiting_payment = waiting.int64(0);
  return t;
}

std::vector<CustomerTotals> totals_by_user(Connection& c, const std::vector<int64_t>& user_ids) {
  std::vector<CustomerTotals> out;
  const std::string sql = std::string(
                              "SELECT count(*), COALESCE(SUM(total_cents - refunded_cents), 0), "
                              "COALESCE(MAX(created_at), 0) FROM orders WHERE user_id = ? AND ") +
                          kCountedOrder;
  for (int64_t id : user_ids) {
    auto st = c.prepare(sql.c_str());
    st.bind(1, id);
    if (!st.step() || st.int64(0) == 0) continue;
    CustomerTotals t;
    t.user_id = id;
    t.orders = st.int64(0);
    t.spent = st.int64(1);
    t.last_order_at = st.int64(2);
    out.push_back(t);
  }
  return out;
}

std::vector<CustomerTotals> guest_customers(Connection& c, const std::string& q, int64_t offset, int64_t limit,
                                            int64_t* total) {
  std::string where = std::string(" FROM orders WHERE user_id = 0 AND email <> '' AND ") + kCountedOrder +
                      " AND (?1 = '' OR instr(lower(email), lower(?1)) > 0 OR instr(lower(customer_name), "
                      "lower(?1)) > 0)";
  {
    auto st = c.prepare(("SELECT count(DISTINCT email)" + where).c_str());
    st.bind(1, q);
    *total = st.step() ? st.int64(0) : 0;
  }
  // SQLite's bare column with MAX(): customer_name comes from the row that
  // has the latest created_at (the guest's latest order).
  auto st = c.prepare(("SELECT email, customer_name, MAX(created_at), count(*), SUM(total_cents - refunded_cents)" +
                       where + " GROUP BY email ORDER BY MAX(created_at) DESC LIMIT ?2 OFFSET ?3")
                          .c_str());
  st.bind(1, q).bind(2, limit).bind(3, offset);
  std::vector<CustomerTotals> out;
  while (st.step()) {
    CustomerTotals t;
    t.email = st.text(0);
    t.name = st.text(1);
    t.last_order_at = st.int64(2);
    t.orders = st.int64(3);
    t.spent = st.int64(4);
    out.push_back(t);
  }
  return out;
}

std::vector<std::string> pending_payment_orders(Connection& c, int64_t created_before) {
  auto st = c.prepare(
      "SELECT order_id FROM orders WHERE status = 'pending_payment' AND created_at < ? ORDER BY created_at LIMIT 200");
  st.bind(1, created_before);
  std::vector<std::string> ids;
  while (st.step()) ids.push_back(st.text(0));
  return ids;
}

std::optional<std::string> order_of_provider_charge(Connection& c, const std::string& provider_id) {
  auto st = c.prepare(
      "SELECT order_id FROM payment_transactions WHERE provider_transaction_id = ? AND kind = 'charge' LIMIT 1");
  st.bind(1, provider_id);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

bool note_gateway_event(Connection& c, const std::string& event_id, const std::string& type, int64_t now) {
  c.prepare("INSERT OR IGNORE INTO gateway_events(event_id, type, received_at) VALUES (?,?,?)")
      .bind(1, event_id)
      .bind(2, type)
      .bind(3, now)
      .exec();
  return c.changes() > 0;
}

bool gateway_event_seen(Connection& c, const std::string& event_id) {
  auto st = c.prepare("SELECT 1 FROM gateway_events WHERE event_id = ?");
  st.bind(1, event_id);
  return st.step();
}

std::string secret(Connection& c, const std::string& name, const std::string& if_new) {
  c.prepare("INSERT OR IGNORE INTO order_secrets(name, secret) VALUES (?, ?)").bind(1, name).bind(2, if_new).exec();
  auto st = c.prepare("SELECT secret FROM order_secrets WHERE name = ?");
  st.bind(1, name);
  return st.step() ? st.text(0) : std::string();
}

void insert_lookup_code(Connection& c, const std::string& order_id, const std::string& code_hash, int64_t expires_at,
                        int64_t now) {
  c.prepare("INSERT INTO order_lookup_codes(order_id, code_hash, expires_at, created_at) VALUES (?,?,?,?)")
      .bind(1, order_id)
      .bind(2, code_hash)
      .bind(3, expires_at)
      .bind(4, now)
      .exec();
}

bool use_lookup_code(Connection& c, const std::string& order_id, const std::string& code_hash, int64_t now,
                     int max_failed_tries) {
  // The order's newest live code: older ones die when a new one is sent.
  auto st = c.prepare(
      "SELECT code_id, code_hash FROM order_lookup_codes WHERE order_id = ? AND used_at IS NULL AND expires_at > ? "
      "AND failed_tries < ? ORDER BY code_id DESC LIMIT 1");
  st.bind(1, order_id).bind(2, now).bind(3, max_failed_tries);
  if (!st.step()) return false;
  int64_t id = st.int64(0);
  bool match = constant_time_equal(st.text(1), code_hash);
  if (match)
    c.prepare("UPDATE order_lookup_codes SET used_at = ? WHERE code_id = ?").bind(1, now).bind(2, id).exec();
  else
    c.prepare("UPDATE order_lookup_codes SET failed_tries = failed_tries + 1 WHERE code_id = ?").bind(1, id).exec();
  return match;
}

// ---- payment transactions ----

void insert_transaction(Connection& c, const PaymentTransaction& t, const std::string& note) {
  c.prepare(
       "INSERT INTO payment_transactions(transaction_id, order_id, kind, payment_method, payment_provider, "
       "provider_transaction_id, amount_cents, currency, status, idempotency_key, created_at, updated_at) "
       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
      .bind(1, t.id)
      .bind(2, t.order_id)
      .bind(3, t.kind)
      .bind(4, t.method)
      .bind(5, t.provider)
      .bind(6, t.provider_id)
      .bind(7, t.amount)
      .bind(8, t.currency)
      .bind(9, t.status)
      .bind(10, t.idempotency_key)
      .bind(11, t.created_at)
      .bind(12, t.updated_at)
      .exec();
  c.prepare(
       "INSERT INTO payment_events(transaction_id, from_status, to_status, amount_cents, note, created_at) VALUES "
       "(?,?,?,?,?,?)")
      .bind(1, t.id)
      .bind(2, "")
      .bind(3, t.status)
      .bind(4, t.amount)
      .bind(5, note)
      .bind(6, t.created_at)
      .exec();
}

void set_transaction_status(Connection& c, const std::string& txn_id, const std::string& to, Cents amount,
                            const std::string& note) {
  std::string from;
  {
    auto st = c.prepare("SELECT status FROM payment_transactions WHERE transaction_id = ?");
    st.bind(1, txn_id);
    if (st.step()) from = st.text(0);
  }
  int64_t now = now_seconds();
  c.prepare("UPDATE payment_transactions SET status = ?, updated_at = ? WHERE transaction_id = ?")
      .bind(1, to)
      .bind(2, now)
      .bind(3, txn_id)
      .exec();
  c.prepare(
       "INSERT INTO payment_events(transaction_id, from_status, to_status, amount_cents, note, created_at) VALUES "
       "(?,?,?,?,?,?)")
      .bind(1, txn_id)
      .bind(2, from)
      .bind(3, to)
      .bind(4, amount)
      .bind(5, note)
      .bind(6, now)
      .exec();
}

std::vector<PaymentTransaction> transactions(Connection& c, const std::string& order_id) {
  std::vector<PaymentTransaction> out;
  auto st = c.prepare(
      "SELECT transaction_id, order_id, kind, payment_method, payment_provider, provider_transaction_id, "
      "amount_cents, currency, status, idempotency_key, created_at, updated_at FROM payment_transactions "
      "WHERE order_id = ? ORDER BY created_at, rowid");
  st.bind(1, order_id);
  while (st.step())
    out.push_back({st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.int64(6), st.text(7),
                   st.text(8), st.text(9), st.int64(10), st.int64(11)});
  return out;
}

std::vector<json> payment_events(Connection& c, const std::string& txn_id) {
  std::vector<json> out;
  auto st = c.prepare(
      "SELECT from_status, to_status, amount_cents, note, created_at FROM payment_events WHERE transaction_id = ? "
      "ORDER BY event_id");
  st.bind(1, txn_id);
  while (st.step())
    out.push_back({{"from", st.text(0)},
                   {"to", st.text(1)},
                   {"amount", cents_to_json(st.int64(2))},
                   {"note", st.text(3)},
                   {"at", iso8601(st.int64(4))}});
  return out;
}

// ---- refunds ----

void insert_refund(Connection& c, const RefundRecord& r) {
  c.prepare(
       "INSERT INTO refunds(refund_id, order_id, amount_cents, lines, restock, restocked, reason, status, "
       "provider_refund_id, actor, created_at, updated_at) VALUES (?,?,?,?,?,0,?,?,?,?,?,?)")
      .bind(1, r.id)
      .bind(2, r.order_id)
      .bind(3, r.amount)
      .bind(4, r.lines.dump())
      .bind(5, r.restock ? 1 : 0)
      .bind(6, r.reason)
      .bind(7, r.status)
      .bind(8, r.provider_refund_id)
      .bind(9, r.actor)
      .bind(10, r.created_at)
      .bind(11, r.updated_at)
      .exec();
}

void update_refund(Connection& c, const std::string& refund_id, const std::string& status,
                   const std::string& provider_refund_id) {
  c.prepare("UPDATE refunds SET status = ?, provider_refund_id = ?, updated_at = ? WHERE refund_id = ?")
      .bind(1, status)
      .bind(2, provider_refund_id)
      .bind(3, now_seconds())
      .bind(4, refund_id)
      .exec();
}

void set_refund_restocked(Connection& c, const std::string& refund_id) {
  c.prepare("UPDATE refunds SET restocked = 1, updated_at = ? WHERE refund_id = ?")
      .bind(1, now_seconds())
      .bind(2, refund_id)
      .exec();
}

std::optional<RefundRecord> get_refund(Connection& c, const std::string& refund_id) {
  auto st = c.prepare(REFUND_COLS "WHERE refund_id = ?");
  st.bind(1, refund_id);
  return first_row(st, read_refund);
}

std::vector<RefundRecord> refunds(Connection& c, const std::string& order_id) {
  auto st = c.prepare(REFUND_COLS "WHERE order_id = ? ORDER BY created_at, rowid");
  st.bind(1, order_id);
  return all_rows(st, read_refund);
}

std::vector<RefundRecord> refunds_needing_work(Connection& c) {
  auto st = c.prepare(
      REFUND_COLS
      "WHERE status = 'pending' OR (status = 'succeeded' AND restock = 1 AND restocked = 0) ORDER BY created_at");
  return all_rows(st, read_refund);
}

// ---- shipments ----

int64_t insert_shipment(Connection& c, const std::string& order_id, const std::string& carrier,
                        const std::string& tracking_number, int64_t at) {
  c.prepare("INSERT INTO shipments(order_id, carrier, tracking_number, status, shipped_at) VALUES (?,?,?,'shipped',?)")
      .bind(1, order_id)
      .bind(2, carrier)
      .bind(3, tracking_number)
      .bind(4, at)
      .exec();
  return c.last_insert_id();
}

void add_tracking_event(Connection& c, int64_t shipment_id, const TrackingEvent& e) {
  c.prepare(
       "INSERT INTO tracking_events(shipment_id, status, location, description, occurred_at, created_at) VALUES "
       "(?,?,?,?,?,?)")
      .bind(1, shipment_id)
      .bind(2, e.status)
      .bind(3, e.location)
      .bind(4, e.description)
      .bind(5, e.occurred_at)
      .bind(6, now_seconds())
      .exec();
}

void mark_shipments_delivered(Connection& c, const std::string& order_id, int64_t at) {
  c.prepare("UPDATE shipments SET status = 'delivered', delivered_at = ? WHERE order_id = ? AND status <> 'delivered'")
      .bind(1, at)
      .bind(2, order_id)
      .exec();
}

std::vector<Shipment> shipments(Connection& c, const std::string& order_id) {
  std::vector<Shipment> out;
  {
    auto st = c.prepare(SHIPMENT_COLS "WHERE order_id = ? ORDER BY shipment_id");
    st.bind(1, order_id);
    out = all_rows(st, read_shipment);
  }
  for (auto& s : out) {
    auto st = c.prepare(
        "SELECT event_id, status, location, description, occurred_at FROM tracking_events "
        "WHERE shipment_id = ? ORDER BY occurred_at, event_id");
    st.bind(1, s.id);
    while (st.step()) s.events.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.int64(4)});
  }
  return out;
}

// ---- returns ----

int64_t insert_return(Connection& c, const ReturnRecord& r) {
  c.prepare("INSERT INTO returns(order_id, user_id, lines, reason, status, created_at) VALUES (?,?,?,?,?,?)")
      .bind(1, r.order_id)
      .bind(2, r.user_id)
      .bind(3, r.lines.dump())
      .bind(4, r.reason)
      .bind(5, r.status)
      .bind(6, r.created_at)
      .exec();
  return c.last_insert_id();
}

std::optional<ReturnRecord> get_return(Connection& c, int64_t return_id) {
  auto st = c.prepare(RETURN_COLS "WHERE return_id = ?");
  st.bind(1, return_id);
  return first_row(st, read_return);
}

std::vector<ReturnRecord> returns_of(Connection& c, const std::string& order_id) {
  auto st = c.prepare(RETURN_COLS "WHERE order_id = ? ORDER BY return_id");
  st.bind(1, order_id);
  return all_rows(st, read_return);
}

std::vector<ReturnRecord> list_returns(Connection& c, const std::optional<std::string>& status, int64_t offset,
                                       int64_t limit, int64_t* total) {
  if (status) {
    auto n = c.prepare("SELECT count(*) FROM returns WHERE status = ?");
    n.bind(1, *status);
    *total = n.step() ? n.int64(0) : 0;
    auto st = c.prepare(RETURN_COLS "WHERE status = ? ORDER BY return_id DESC LIMIT ? OFFSET ?");
    st.bind(1, *status).bind(2, limit).bind(3, offset);
    return all_rows(st, read_return);
  }
  auto n = c.prepare("SELECT count(*) FROM returns");
  *total = n.step() ? n.int64(0) : 0;
  auto st = c.prepare(RETURN_COLS "ORDER BY return_id DESC LIMIT ? OFFSET ?");
  st.bind(1, limit).bind(2, offset);
  return all_rows(st, read_return);
}

void reopen_return(Connection& c, int64_t return_id) {
  c.prepare(
       "UPDATE returns SET status = 'requested', refund_id = NULL, decided_at = NULL, decided_by = '' "
       "WHERE return_id = ? AND status = 'approved'")
      .bind(1, return_id)
      .exec();
}

bool decide_return(Connection& c, int64_t return_id, const std::string& status,
                   const std::optional<std::string>& refund_id, const std::string& actor, const std::string& reason,
                   int64_t at) {
  // Only a request still 'requested' is decided: of two admins approving
  // at once, the second changes nothing (and so refunds nothing).
  c.prepare(
       "UPDATE returns SET status = ?, refund_id = ?, decided_at = ?, decided_by = ?, decision_reason = ? "
       "WHERE return_id = ? AND status = 'requested'")
      .bind(1, status)
      .bind(2, refund_id)
      .bind(3, at)
      .bind(4, actor)
      .bind(5, reason)
      .bind(6, return_id)
      .exec();
  return c.changes() > 0;
}

// ---- recovery ----

std::vector<std::pair<std::string, std::string>> orders_awaiting_stock(Connection& c) {
  auto st = c.prepare(
      "SELECT o.order_id, o.reservation_id FROM orders o WHERE o.status NOT IN ('cancelled', 'refunded') "
      "AND substr(o.reservation_id, 1, ?2) <> ?1 AND NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = "
      "o.order_id AND e.note = 'stock taken at recovery')");
  st.bind(1, std::string(kFlashOrderPrefix)).bind(2, static_cast<int64_t>(kFlashOrderPrefix.size()));
  std::vector<std::pair<std::string, std::string>> ids;
  while (st.step()) ids.push_back({st.text(0), st.text(1)});
  return ids;
}

}  // namespace shopbox::order_store

namespace shopbox {

const char* status_name(OrderStatus status) {
  switch (status) {
    case OrderStatus::pending:
      return "pending";
    case OrderStatus::paid:
      return "paid";
    case OrderStatus::shipped:
      return "shipped";
    case OrderStatus::delivered:
      return "delivered";
    case OrderStatus::partially_refunded:
      return "partially_refunded";
    case OrderStatus::refunded:
      return "refunded";
    case OrderStatus::cancelled:
      return "cancelled";
    case OrderStatus::pending_payment:
      return "pending_payment";
  }
  return "pending";
}

std::optional<OrderStatus> parse_order_status(std::string_view text) {
  for (auto s :
       {OrderStatus::pending, OrderStatus::paid, OrderStatus::shipped, OrderStatus::delivered,
        OrderStatus::partially_refunded, OrderStatus::refunded, OrderStatus::cancelled, OrderStatus::pending_payment})
    if (text == status_name(s)) return s;
  return std::nullopt;
}

}  // namespace shopbox
