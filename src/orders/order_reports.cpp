// The admin reports' SQL (order_reports.h). Each statement text is built
// once from constants (kReportedOrderStatuses), never from input: every
// value is bound.
#include "orders/order_reports.h"

#include <algorithm>

#include "base/clock.h"

namespace shopbox {
namespace {

std::string with_reported(const char* head, const char* tail = "") {
  return std::string(head) + kReportedOrderStatuses + tail;
}

// Adds the orders placed in [since, since + width * buckets) into
// out[(created_at - since) / width]: one grouped query per figure.
void add_report_buckets(Connection& c, int64_t since, int64_t width, std::vector<ReportTotals>& out) {
  const int64_t until = since + width * static_cast<int64_t>(out.size());
  static const std::string orders_sql = with_reported(
      "SELECT (created_at - ?1) / ?3, count(*), SUM(total_cents - refunded_cents), SUM(refunded_cents) "
      "FROM orders WHERE created_at >= ?1 AND created_at < ?2 AND status IN ",
      " GROUP BY 1");
  static const std::string units_sql = with_reported(
      "SELECT (o.created_at - ?1) / ?3, SUM(i.quantity) FROM order_items i JOIN orders o ON o.order_id = i.order_id "
      "WHERE o.created_at >= ?1 AND o.created_at < ?2 AND o.status IN ",
      " GROUP BY 1");
  static const std::string refunds_sql = with_reported(
      "SELECT (o.created_at - ?1) / ?3, count(*) FROM refunds r JOIN orders o ON o.order_id = r.order_id "
      "WHERE r.status = 'succeeded' AND o.created_at >= ?1 AND o.created_at < ?2 AND o.status IN ",
      " GROUP BY 1");
  auto bucket = [&](int64_t index) -> ReportTotals* {
    return index >= 0 && index < static_cast<int64_t>(out.size()) ? &out[static_cast<size_t>(index)] : nullptr;
  };
  auto q = c.prepare(orders_sql.c_str());
  q.bind(1, since).bind(2, until).bind(3, width);
  while (q.step()) {
    if (auto* t = bucket(q.int64(0))) {
      t->orders += q.int64(1);
      t->revenue += q.int64(2);
      t->refunded += q.int64(3);
    }
  }
  auto u = c.prepare(units_sql.c_str());
  u.bind(1, since).bind(2, until).bind(3, width);
  while (u.step())
    if (auto* t = bucket(u.int64(0))) t->units += u.int64(1);
  auto r = c.prepare(refunds_sql.c_str());
  r.bind(1, since).bind(2, until).bind(3, width);
  while (r.step())
    if (auto* t = bucket(r.int64(0))) t->refunds += r.int64(1);
}

std::vector<ProductSales> report_product_sales(Connection& c, int64_t since, int64_t until) {
  // product_name is a bare column beside MAX(): SQLite takes it from the
  // latest line, so a renamed product shows its newest name.
  static const std::string sql = with_reported(
      "SELECT i.product_id, i.product_name, SUM(i.quantity), SUM(i.subtotal_cents - i.discount_cents), "
      "MAX(o.created_at) FROM order_items i JOIN orders o ON o.order_id = i.order_id "
      "WHERE o.created_at >= ?1 AND o.created_at < ?2 AND o.status IN ",
      " GROUP BY i.product_id");
  std::vector<ProductSales> out;
  auto q = c.prepare(sql.c_str());
  q.bind(1, since).bind(2, until);
  while (q.step()) out.push_back({q.int64(0), q.text(1), q.int64(2), q.int64(3)});
  std::sort(out.begin(), out.end(), [](const ProductSales& a, const ProductSales& b) {
    if (a.units != b.units) return a.units > b.units;
    if (a.revenue != b.revenue) return a.revenue > b.revenue;
    return a.product_id < b.product_id;
  });
  return out;
}

// A customer is an account (user_id > 0) or a guest's email. Returning:
// they had a counted order placed before the range.
CustomerMix report_customer_mix(Connection& c, int64_t since, int64_t until) {
  static const std::string sql =
      with_reported(
          "SELECT count(*), COALESCE(SUM(earlier), 0) FROM (SELECT CASE WHEN g.user_id > 0 THEN "
          "EXISTS (SELECT 1 FROM orders p WHERE p.user_id = g.user_id AND p.created_at < ?1 AND p.status IN ") +
      with_reported(
          ") ELSE EXISTS (SELECT 1 FROM orders p WHERE p.user_id = 0 AND p.email = g.email AND p.created_at < ?1 "
          "AND p.status IN ") +
      with_reported(
          ") END AS earlier FROM (SELECT user_id, email FROM orders WHERE created_at >= ?1 AND created_at < ?2 "
          "AND status IN ",
          " GROUP BY user_id, CASE WHEN user_id = 0 THEN lower(email) ELSE '' END) g)");
  CustomerMix mix;
  auto q = c.prepare(sql.c_str());
  q.bind(1, since).bind(2, until);
  if (q.step()) {
    mix.returning_customers = q.int64(1);
    mix.new_customers = q.int64(0) - mix.returning_customers;
  }
  return mix;
}

void append_csv_row(std::string& out, const std::vector<std::string>& cells) {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) out += ',';
    out += report_csv_cell(cells[i]);
  }
  out += "\r\n";  // RFC 4180 line ends
}

// All orders, whatever their status (the export is the order book; the
// status column tells which ones the reports count).
std::string orders_csv_batch(Connection& c, int64_t since, int64_t until, OrderReports::Cursor& cur) {
  auto q = c.prepare(
      "SELECT created_at, order_id, order_number, status, email, customer_name, "
      "(SELECT COALESCE(SUM(quantity), 0) FROM order_items i WHERE i.order_id = o.order_id), subtotal_cents, "
      "discount_cents, shipping_cents, tax_cents, total_cents, refunded_cents, currency, "
      "CASE WHEN json_valid(shipping_address) THEN json_extract(shipping_address, '$.country') END "
      "FROM orders o WHERE created_at >= ?1 AND created_at < ?2 AND (?5 = 0 OR created_at > ?3 OR "
      "(created_at = ?3 AND order_id > ?4)) ORDER BY created_at, order_id LIMIT ?6");
  q.bind(1, cur.started ? std::max(since, cur.number) : since).bind(2, until).bind(3, cur.number);
  q.bind(4, cur.text).bind(5, cur.started ? 1 : 0).bind(6, OrderReports::kCsvBatchRows);
  std::string out;
  while (q.step()) {
    cur.number = q.int64(0);
    cur.text = q.text(1);
    cur.started = true;
    append_csv_row(out, {iso8601(q.int64(0)), q.text(1), q.is_null(2) ? "" : std::to_string(q.int64(2)), q.text(3),
                         q.text(4), q.text(5), std::to_string(q.int64(6)), format_cents(q.int64(7)),
                         format_cents(q.int64(8)), format_cents(q.int64(9)), format_cents(q.int64(10)),
                         format_cents(q.int64(11)), format_cents(q.int64(12)),
                         format_cents(q.int64(11) - q.int64(12)), q.text(13), q.opt_text(14).value_or("")});
  }
  return out;
}

// Customers with a counted order in the range; email and name are a bare
// column beside MAX(created_at): those of their latest order.
std::string customers_csv_batch(Connection& c, int64_t since, int64_t until, OrderReports::Cursor& cur) {
  static const std::string sql = with_reported(
      "SELECT user_id, CASE WHEN user_id = 0 THEN lower(email) ELSE '' END AS guest, email, customer_name, "
      "MAX(created_at), count(*), SUM(total_cents - refunded_cents) FROM orders "
      "WHERE created_at >= ?1 AND created_at < ?2 AND status IN ",
      " GROUP BY user_id, guest HAVING ?5 = 0 OR user_id > ?3 OR (user_id = ?3 AND guest > ?4) "
      "ORDER BY user_id, guest LIMIT ?6");
  auto q = c.prepare(sql.c_str());
  q.bind(1, since).bind(2, until).bind(3, cur.number).bind(4, cur.text).bind(5, cur.started ? 1 : 0);
  q.bind(6, OrderReports::kCsvBatchRows);
  std::string out;
  while (q.step()) {
    cur.number = q.int64(0);
    cur.text = q.text(1);
    cur.started = true;
    const int64_t orders = q.int64(5);
    const Cents spent = q.int64(6);
    append_csv_row(out, {q.int64(0) ? std::to_string(q.int64(0)) : "", q.int64(0) ? "account" : "guest", q.text(2),
                         q.text(3), std::to_string(orders), format_cents(spent), format_cents(spent / orders),
                         iso8601(q.int64(4))});
  }
  return out;
}

// One row per variant sold in the range (counted orders).
std::string products_csv_batch(Connection& c, int64_t since, int64_t until, OrderReports::Cursor& cur) {
  static const std::string sql = with_reported(
      "SELECT i.variant_id, i.product_id, i.sku, i.product_name, i.variant_title, MAX(o.created_at), "
      "SUM(i.quantity), SUM(i.refunded_quantity), SUM(i.subtotal_cents - i.discount_cents) "
      "FROM order_items i JOIN orders o ON o.order_id = i.order_id "
      "WHERE o.created_at >= ?1 AND o.created_at < ?2 AND o.status IN ",
      " GROUP BY i.variant_id HAVING ?4 = 0 OR i.variant_id > ?3 ORDER BY i.variant_id LIMIT ?5");
  auto q = c.prepare(sql.c_str());
  q.bind(1, since).bind(2, until).bind(3, cur.number).bind(4, cur.started ? 1 : 0).bind(5, OrderReports::kCsvBatchRows);
  std::string out;
  while (q.step()) {
    cur.number = q.int64(0);
    cur.started = true;
    append_csv_row(out, {std::to_string(q.int64(1)), std::to_string(q.int64(0)), q.text(2), q.text(3), q.text(4),
                         std::to_string(q.int64(6)), std::to_string(q.int64(7)), format_cents(q.int64(8)),
                         iso8601(q.int64(5))});
  }
  return out;
}

}  // namespace

std::string report_csv_cell(std::string_view value) {
  std::string cell;
  if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' ||
                         value[0] == '\t' || value[0] == '\r'))
    cell = "'";
  cell += value;
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char ch : cell) {
    if (ch == '"') quoted += '"';
    quoted += ch;
  }
  return quoted + "\"";
}

Result<SalesReport> OrderReports::sales(int64_t since, int days) {
  SalesReport report;
  std::vector<ReportTotals> buckets(static_cast<size_t>(std::max(days, 0)));
  const int64_t until = since + 86400LL * static_cast<int64_t>(buckets.size());
  Status st = db_.read([&](Connection& c) {
    add_report_buckets(c, since, 86400, buckets);
    report.products = report_product_sales(c, since, until);
    report.customers = report_customer_mix(c, since, until);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  for (size_t i = 0; i < buckets.size(); ++i) {
    const ReportTotals& d = buckets[i];
    report.days.push_back({since + 86400LL * static_cast<int64_t>(i), d});
    report.totals.orders += d.orders;
    report.totals.revenue += d.revenue;
    report.totals.units += d.units;
    report.totals.refunded += d.refunded;
    report.totals.refunds += d.refunds;
  }
  return report;
}

Result<ReportTotals> OrderReports::totals(int64_t since, int64_t until) {
  std::vector<ReportTotals> one(1);
  if (until <= since) return one[0];
  Status st = db_.read([&](Connection& c) {
    add_report_buckets(c, since, until - since, one);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return one[0];
}

std::string OrderReports::csv_header(ReportExport which) {
  std::vector<std::string> cols;
  switch (which) {
    case ReportExport::orders:
      cols = {"Placed at (UTC)", "Order ID", "Order number", "Status", "Email", "Customer", "Units", "Subtotal",
              "Discount", "Shipping", "Tax", "Total", "Refunded", "Net", "Currency", "Ship to country"};
      break;
    case ReportExport::customers:
      cols = {"Customer ID", "Kind", "Email", "Name", "Orders", "Spent", "Average order", "Last order at (UTC)"};
      break;
    case ReportExport::products:
      cols = {"Product ID", "Variant ID", "SKU", "Product", "Variant", "Units sold", "Units refunded",
              "Revenue", "Last sold at (UTC)"};
      break;
  }
  std::string line;
  append_csv_row(line, cols);
  return line;
}

Result<std::string> OrderReports::csv_batch(ReportExport which, int64_t since, int64_t until, Cursor& cursor) {
  std::string out;
  Status st = db_.read([&](Connection& c) {
    switch (which) {
      case ReportExport::orders: out = orders_csv_batch(c, since, until, cursor); break;
      case ReportExport::customers: out = customers_csv_batch(c, since, until, cursor); break;
      case ReportExport::products: out = products_csv_batch(c, since, until, cursor); break;
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace shopbox
