// The admin reports over the orders module's own tables (orders,
// order_items, refunds): totals for a range and the one before it, per-day
// rows, best-selling products, new vs returning customers, and the rows of
// the CSV exports, read in batches so an export never sits in memory whole.
//
// Which orders a report counts (kReportedOrderStatuses, written once here):
// orders whose money was captured: paid, shipped, delivered,
// partially_refunded and refunded. Not pending / pending_payment (no money
// yet) and not cancelled (the money went back). A refunded order still
// counts as an order; its refunds come off the revenue.
//
// Everything is attributed to the time the order was PLACED (created_at):
// a refund made later lowers the revenue of the day the order was placed,
// so a past report changes when an old order is refunded.
//
// Thread rule: stateless over Sqlite; any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/money.h"
#include "base/status.h"
#include "storage/sqlite.h"

namespace shopbox {

// The SQL list behind "which orders a report counts" (above).
inline constexpr const char* kReportedOrderStatuses =
    "('paid', 'shipped', 'delivered', 'partially_refunded', 'refunded')";

struct ReportTotals {
  int64_t orders = 0;
  Cents revenue = 0;   // order totals (items, shipping, tax, less discounts) less their refunds
  int64_t units = 0;   // units sold on those orders (refunded units included)
  Cents refunded = 0;  // refunded on those orders
  int64_t refunds = 0; // succeeded refunds on those orders
  Cents average_order_value() const { return orders ? revenue / orders : 0; }
};

// One day of the range: [start, start + 86400).
struct ReportDay {
  int64_t start = 0;
  ReportTotals totals;
};

// What one product sold in the range: its lines' subtotals less their
// share of the discounts (before tax and shipping, before refunds).
struct ProductSales {
  int64_t product_id = 0;
  std::string name;  // as on its latest line
  int64_t units = 0;
  Cents revenue = 0;
};

struct CustomerMix {
  // Customers (an account, or a guest by email) with a counted order in the
  // range: new when their first counted order ever is in the range.
  int64_t new_customers = 0;
  int64_t returning_customers = 0;
};

struct SalesReport {
  ReportTotals totals;
  std::vector<ReportDay> days;          // every day of the range, zero-filled
  std::vector<ProductSales> products;   // every product sold, most units first (then revenue, then id)
  CustomerMix customers;
};

// The CSV exports. Each batch is a block of complete CSV lines (no header);
// an empty batch is the end.
enum class ReportExport { orders, customers, products };

class OrderReports {
 public:
  explicit OrderReports(Sqlite& db) : db_(db) {}

  // [since, since + days * 86400): days of exactly 86400 seconds.
  [[nodiscard]] Result<SalesReport> sales(int64_t since, int days);
  // Totals only (the previous period).
  [[nodiscard]] Result<ReportTotals> totals(int64_t since, int64_t until);

  // The header line of an export.
  static std::string csv_header(ReportExport which);
  // Where an export is: the key of the last row written.
  struct Cursor {
    int64_t number = 0;  // orders: created_at; customers: user_id; products: variant_id
    std::string text;    // orders: order_id; customers: guest email
    bool started = false;
  };
  // The next batch of rows placed in [since, until) after `cursor` (which it
  // moves on); "" when there are no more.
  [[nodiscard]] Result<std::string> csv_batch(ReportExport which, int64_t since, int64_t until, Cursor& cursor);
  static constexpr int kCsvBatchRows = 500;

 private:
  Sqlite& db_;
};

// One CSV cell: RFC 4180 quoting (a comma, quote, CR or LF quotes the
// cell, quotes double), and CSV-injection protection: a cell starting with
// = + - @ TAB or CR gets a leading ' so a spreadsheet shows it as text
// instead of running it as a formula.
std::string report_csv_cell(std::string_view value);

}  // namespace shopbox
