// Admin reports over a date range, and the CSV exports (docs/admin.md
// "Reports"):
//   GET /api/v1/admin/reports?from=YYYY-MM-DD&to=YYYY-MM-DD[&utc_offset=]
//   GET /api/v1/admin/exports/{orders,customers,products}.csv?from=&to=
//
// The merchant's day is the dashboard's rule: the admin's browser decides
// it (routes_admin_dashboard.cpp: the page sends the start of its own day).
// Here the page sends its UTC offset in minutes (utc_offset, east of UTC,
// default 0), and a date D means [D 00:00, D+1 00:00) at that offset.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <unordered_map>

#include "app.h"
#include "base/clock.h"
#include "base/money.h"
#include "cart/cart.h"
#include "catalog/catalog.h"
#include "http/server.h"
#include "orders/order_reports.h"

namespace shopbox {
using namespace http;

namespace {

constexpr int kReportMaxDays = 366;
constexpr size_t kReportTopRows = 10;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil).
int64_t report_days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string report_date_text(int64_t day) {
  // iso8601 of the day's UTC midnight is "YYYY-MM-DDT00:00:00Z".
  return iso8601(day * 86400).substr(0, 10);
}

// A YYYY-MM-DD query parameter as days since the epoch; 400 otherwise.
Result<int64_t> report_date_param(const Req& req, const char* name) {
  auto v = query(req, name);
  const std::string example = std::string(name) + " must be a date YYYY-MM-DD, e.g. 2026-12-03";
  if (!v) return field_error(name, std::string(name) + " is required (a date YYYY-MM-DD)");
  const std::string& s = *v;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return field_error(name, example);
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return field_error(name, example);
  const int64_t y = std::stoll(s.substr(0, 4)), m = std::stoll(s.substr(5, 2)), d = std::stoll(s.substr(8, 2));
  static const int kMonthDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > kMonthDays[m - 1] || (m == 2 && d == 29 && !leap))
    return field_error(name, std::string(name) + " is not a calendar date: " + s);
  return report_days_from_civil(y, m, d);
}

// The range a request names: first day, number of days, the offset.
struct ReportRange {
  int64_t first_day = 0;  // days since the epoch
  int days = 0;
  int64_t utc_offset_minutes = 0;
  int64_t since() const { return first_day * 86400 - utc_offset_minutes * 60; }
  int64_t until() const { return since() + 86400LL * days; }
};

Result<ReportRange> report_range(const Req& req) {
  auto from = report_date_param(req, "from");
  if (!from.ok()) return from.status();
  auto to = report_date_param(req, "to");
  if (!to.ok()) return to.status();
  if (*from > *to) return field_error("from", "from must be on or before to");
  if (*to - *from + 1 > kReportMaxDays)
    return field_error("to", "a report covers at most " + std::to_string(kReportMaxDays) + " days");
  // UTC-12:00 to UTC+14:00: every zone in use.
  auto offset = query_int(req, "utc_offset", -720, 840);
  if (!offset.ok()) return offset.status();
  ReportRange r;
  r.first_day = *from;
  r.days = static_cast<int>(*to - *from + 1);
  r.utc_offset_minutes = offset->value_or(0);
  return r;
}

json report_totals_json(const ReportTotals& t) {
  return {{"orders", t.orders},
          {"revenue", cents_to_json(t.revenue)},
          {"average_order_value", cents_to_json(t.average_order_value())},
          {"units", t.units},
          {"refunded", cents_to_json(t.refunded)},
          {"refunds", t.refunds}};
}

// The top categories: each product's own category (one batched catalog
// read), summed; products without one (or deleted) are "Uncategorised".
Result<json> report_top_categories(App& app, const std::vector<ProductSales>& products) {
  std::vector<int64_t> ids;
  ids.reserve(products.size());
  for (const auto& p : products) ids.push_back(p.product_id);
  auto category_of = app.catalog->category_ids_of(ids);
  if (!category_of.ok()) return category_of.status();
  struct Sum {
    int64_t category_id = 0;  // 0: uncategorised
    int64_t units = 0;
    Cents revenue = 0;
  };
  std::unordered_map<int64_t, Sum> sums;
  for (const auto& p : products) {
    auto it = category_of->find(p.product_id);
    const int64_t cat = it == category_of->end() ? 0 : it->second;
    Sum& s = sums[cat];
    s.category_id = cat;
    s.units += p.units;
    s.revenue += p.revenue;
  }
  std::vector<Sum> rows;
  for (const auto& [id, s] : sums) rows.push_back(s);
  std::sort(rows.begin(), rows.end(), [](const Sum& a, const Sum& b) {
    if (a.revenue != b.revenue) return a.revenue > b.revenue;
    if (a.units != b.units) return a.units > b.units;
    return a.category_id < b.category_id;
  });
  std::unordered_map<int64_t, Category> names;
  for (auto& c : app.catalog->categories()) names.emplace(c.id, c);  // the catalog's in-memory cache
  json out = json::array();
  for (size_t i = 0; i < rows.size() && i < kReportTopRows; ++i) {
    const Sum& s = rows[i];
    auto n = names.find(s.category_id);
    out.push_back({{"category_id", s.category_id ? id_json(s.category_id) : json(nullptr)},
                   {"name", n == names.end() ? "Uncategorised" : n->second.name},
                   {"path", n == names.end() ? "" : n->second.path},
                   {"units", s.units},
                   {"revenue", cents_to_json(s.revenue)}});
  }
  return out;
}

json report_days_json(const SalesReport& report, int64_t first_day) {
  json days = json::array();
  for (size_t i = 0; i < report.days.size(); ++i) {
    json d = report_totals_json(report.days[i].totals);
    d["date"] = report_date_text(first_day + static_cast<int64_t>(i));
    days.push_back(std::move(d));
  }
  return days;
}

void send_report(App& app, const Req& req, Res& res) {
  auto range = report_range(req);
  if (!range.ok()) return send_error(res, range.status());
  OrderReports reports(*app.db);
  auto report = reports.sales(range->since(), range->days);
  if (!report.ok()) return send_error(res, report.status());
  ReportRange prev = *range;
  prev.first_day -= range->days;  // the same number of days, just before
  auto previous = reports.totals(prev.since(), prev.until());
  if (!previous.ok()) return send_error(res, previous.status());
  auto categories = report_top_categories(app, report->products);
  if (!categories.ok()) return send_error(res, categories.status());
  json products = json::array();
  for (size_t i = 0; i < report->products.size() && i < kReportTopRows; ++i) {
    const auto& p = report->products[i];
    products.push_back(
        {{"product_id", id_json(p.product_id)}, {"name", p.name}, {"units", p.units}, {"revenue", cents_to_json(p.revenue)}});
  }
  const auto carts = app.cart->activity(range->since(), range->until());
  json previous_json = report_totals_json(*previous);
  previous_json["from"] = report_date_text(prev.first_day);
  previous_json["to"] = report_date_text(prev.first_day + prev.days - 1);
  send_json(res, 200,
            {{"from", report_date_text(range->first_day)},
             {"to", report_date_text(range->first_day + range->days - 1)},
             {"utc_offset", range->utc_offset_minutes},
             {"since", iso8601(range->since())},
             {"until", iso8601(range->until())},
             {"currency", app.config.currency},
             {"totals", report_totals_json(report->totals)},
             {"previous", previous_json},
             {"days", report_days_json(*report, range->first_day)},
             {"top_products", products},
             {"top_categories", *categories},
             {"customers",
              {{"new", report->customers.new_customers}, {"returning", report->customers.returning_customers}}},
             {"conversion",
              {{"carts_with_items_added", carts.carts_with_items_added},
               {"carts_ordered", carts.carts_ordered},
               {"rate", carts.carts_with_items_added ? json(static_cast<double>(carts.carts_ordered) /
                                                            static_cast<double>(carts.carts_with_items_added))
                                                     : json(nullptr)}}}});
}

// Streams one export: the BOM and header first, then a batch of rows per
// call of the content provider, each read from its own snapshot, so a
// large export is never built whole nor holds the database for long.
void send_export(App& app, ReportExport which, const char* name, const Req& req, Res& res) {
  auto range = report_range(req);
  if (!range.ok()) return send_error(res, range.status());
  struct ExportState {
    explicit ExportState(Sqlite& db) : reports(db) {}
    OrderReports reports;
    OrderReports::Cursor cursor;
    bool header_sent = false;
  };
  auto state = std::make_shared<ExportState>(*app.db);
  const int64_t since = range->since(), until = range->until();
  const std::string file = std::string(name) + "-" + report_date_text(range->first_day) + "-to-" +
                           report_date_text(range->first_day + range->days - 1) + ".csv";
  res.set_header("Content-Disposition", "attachment; filename=\"" + file + "\"");
  res.set_header("Cache-Control", "no-store");
  res.set_chunked_content_provider(
      "text/csv; charset=utf-8", [state, which, since, until, file](size_t, httplib::DataSink& sink) {
        if (!state->header_sent) {
          state->header_sent = true;
          // The UTF-8 byte order mark: Excel reads the file as UTF-8 only with it.
          const std::string head = "\xEF\xBB\xBF" + OrderReports::csv_header(which);
          return sink.write(head.data(), head.size());
        }
        auto batch = state->reports.csv_batch(which, since, until, state->cursor);
        if (!batch.ok()) {
          // The status line has gone out: all that is left is to cut the
          // response short, so the download fails instead of looking complete.
          std::fprintf(stderr, "error: export %s: %s\n", file.c_str(), batch.status().message().c_str());
          return false;
        }
        if (batch->empty()) {
          sink.done();
          return true;
        }
        return sink.write(batch->data(), batch->size());
      });
}

}  // namespace

void register_admin_report_routes(HttpServer& server, App& app) {
  server.add({"GET", "/api/v1/admin/reports", Access::admin, "admin",
              "Sales over from..to (YYYY-MM-DD, inclusive, at most 366 days; utc_offset minutes, default 0): totals "
              "and those of the previous period of equal length, every day zero-filled, top 10 products and "
              "categories, new vs returning customers, cart-to-order conversion (docs/admin.md \"Reports\")"},
             [&app](const Req& req, Res& res, const Principal&) { send_report(app, req, res); });
  struct ExportRoute {
    const char* path;
    ReportExport which;
    const char* name;
    const char* doc;
  };
  static const ExportRoute kExports[] = {
      {"/api/v1/admin/exports/orders.csv", ReportExport::orders, "orders",
       "CSV of every order placed in from..to (any status), streamed"},
      {"/api/v1/admin/exports/customers.csv", ReportExport::customers, "customers",
       "CSV of the customers with a counted order in from..to, streamed"},
      {"/api/v1/admin/exports/products.csv", ReportExport::products, "products",
       "CSV of what each variant sold in from..to, streamed"},
  };
  for (const auto& e : kExports) {
    server.add({"GET", e.path, Access::admin, "admin", e.doc}, [&app, e](const Req& req, Res& res, const Principal&) {
      send_export(app, e.which, e.name, req, res);
    });
  }
}

}  // namespace shopbox
