// GET /api/v1/admin/reports and the CSV exports: every figure is checked
// against the orders this test places through the real checkout, on days it
// chooses by moving the clock (set_clock_offset).
#include <catch2/catch.hpp>

#include "base/clock.h"
#include "base/money.h"
#include "orders/order_reports.h"
#include "support/fixtures.h"
#include "support/test_shop.h"

using shopbox::testing::Headers;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace reports_test {

constexpr int64_t kDay = 86400;

// YYYY-MM-DD of a day number (days since 1970-01-01).
std::string date_of(int64_t day) { return shopbox::iso8601(day * kDay).substr(0, 10); }

// Moves the clock to 12:00 UTC of `day`.
void at_noon(int64_t day) {
  shopbox::set_clock_offset(0);
  shopbox::set_clock_offset(day * kDay + 12 * 3600 - shopbox::now_seconds());
}

shopbox::Cents cents(const json& v) { return shopbox::cents_from_json(v).value(); }

// An order through the real checkout: the given lines, or the caller's cart
// when `items` is empty. Returns the created order.
json place(TestShop& shop, const TestShop::Account& who, const std::vector<json>& items, const std::string& key,
           const std::string& name = "John Doe") {
  Headers h = who.auth;
  h.emplace("Idempotency-Key", key);
  json address = shopbox::testing::address();
  address["name"] = name;
  json body = {{"shipping_address", address}, {"payment_method", shopbox::testing::card()}};
  if (!items.empty()) body["items"] = json(items);
  auto r = shop.post("/api/v1/orders", body, h);
  INFO(r.text);
  REQUIRE(r.status == 201);
  return r.body;
}

json line(const std::string& product_id, int quantity) { return {{"product_id", product_id}, {"quantity", quantity}}; }

std::string report_url(int64_t first, int64_t last, const std::string& extra = "") {
  return "/api/v1/admin/reports?from=" + date_of(first) + "&to=" + date_of(last) + extra;
}

}  // namespace reports_test

TEST_CASE("the report over a date range counts what the shop sold, day by day", "[reports][admin][http]") {
  using namespace reports_test;
  shopbox::testing::ClockReset reset_clock;
  TestShop shop;
  const std::string lighting = shop.create_category("Lighting");
  const std::string kitchen = shop.create_category("Kitchen");
  const std::string lamp = shop.create_product({{"name", "Lamp"}, {"price", 40.00}, {"category_id", lighting}}, 100);
  const std::string mug = shop.create_product({{"name", "Mug"}, {"price", 10.00}, {"category_id", kitchen}}, 100);
  const std::string poster = shop.create_product({{"name", "Poster"}, {"price", 5.00}}, 100);
  auto alice = shop.register_user("alice@example.com");
  auto bob = shop.register_user("bob@example.com");
  auto carol = shop.register_user("carol@example.com");
  auto dave = shop.register_user("dave@example.com");
  auto erin = shop.register_user("erin@example.com");

  const int64_t today = shopbox::now_seconds() / kDay;
  const int64_t r0 = today - 9, r4 = today - 5;  // the range: 5 days

  // The previous period (the 5 days before r0): Alice's first order.
  at_noon(today - 12);
  const json first = place(shop, alice, {line(lamp, 1)}, "a1");

  at_noon(r0);
  const json a2 = place(shop, alice, {line(mug, 2)}, "a2");  // returning
  const json b1 = place(shop, bob, {line(lamp, 1), line(mug, 1)}, "b1");
  at_noon(r0 + 2);
  const json b2 = place(shop, bob, {line(poster, 3)}, "b2");
  const json c1 = place(shop, carol, {line(lamp, 1)}, "c1");
  auto cancel = shop.post("/api/v1/orders/" + c1["order_id"].get<std::string>() + "/cancel", json::object(), carol.auth);
  INFO(cancel.text);
  REQUIRE(cancel.status == 200);
  // Erin fills a cart and never orders.
  at_noon(r0 + 3);
  REQUIRE(shop.post("/api/v1/cart/items", line(poster, 1), erin.auth).status == 201);
  // Dave orders from his cart; 5.00 of it is refunded.
  at_noon(r4);
  REQUIRE(shop.post("/api/v1/cart/items", line(mug, 1), dave.auth).status == 201);
  REQUIRE(shop.post("/api/v1/cart/items", line(lamp, 1), dave.auth).status == 201);
  const json d1 = place(shop, dave, {}, "d1");
  REQUIRE(d1["items"].size() == 2);
  auto refund = shop.post("/api/v1/admin/orders/" + d1["order_id"].get<std::string>() + "/refunds",
                          {{"amount", 5}, {"reason", "scratched"}}, shop.admin());
  INFO(refund.text);
  REQUIRE(refund.status / 100 == 2);
  shopbox::set_clock_offset(0);

  auto r = shop.get(report_url(r0, r4), shop.admin());
  INFO(r.text);
  REQUIRE(r.status == 200);
  const json& t = r.body["totals"];
  const shopbox::Cents placed = cents(a2["pricing"]["total"]) + cents(b1["pricing"]["total"]) + cents(b2["pricing"]["total"]) + cents(d1["pricing"]["total"]);
  CHECK(r.body["from"] == date_of(r0));
  CHECK(r.body["to"] == date_of(r4));
  CHECK(t["orders"] == 4);  // Carol's cancelled order is not counted
  CHECK(cents(t["revenue"]) == placed - 500);
  CHECK(cents(t["refunded"]) == 500);
  CHECK(t["refunds"] == 1);
  CHECK(cents(t["average_order_value"]) == (placed - 500) / 4);
  CHECK(t["units"] == 2 + 2 + 3 + 2);

  // Every day is there, the empty ones with zeros.
  const json& days = r.body["days"];
  REQUIRE(days.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(days[i]["date"] == date_of(r0 + i));
  CHECK(days[0]["orders"] == 2);
  CHECK(cents(days[0]["revenue"]) == cents(a2["pricing"]["total"]) + cents(b1["pricing"]["total"]));
  CHECK(days[1]["orders"] == 0);
  CHECK(cents(days[1]["revenue"]) == 0);
  CHECK(days[2]["orders"] == 1);
  CHECK(days[2]["units"] == 3);
  CHECK(days[3]["orders"] == 0);
  CHECK(days[4]["orders"] == 1);
  CHECK(cents(days[4]["revenue"]) == cents(d1["pricing"]["total"]) - 500);
  CHECK(cents(days[4]["refunded"]) == 500);

  // Best sellers: Mug 4 units, Poster 3, Lamp 2; by category Lighting
  // (2 x 40.00) before Kitchen (4 x 10.00) before the uncategorised poster.
  const json& top = r.body["top_products"];
  REQUIRE(top.size() == 3);
  CHECK(top[0]["product_id"] == mug);
  CHECK(top[0]["units"] == 4);
  CHECK(cents(top[0]["revenue"]) == 4000);
  CHECK(top[1]["product_id"] == poster);
  CHECK(top[2]["product_id"] == lamp);
  CHECK(cents(top[2]["revenue"]) == 8000);
  const json& cats = r.body["top_categories"];
  REQUIRE(cats.size() == 3);
  CHECK(cats[0]["category_id"] == lighting);
  CHECK(cats[0]["name"] == "Lighting");
  CHECK(cats[1]["category_id"] == kitchen);
  CHECK(cats[1]["units"] == 4);
  CHECK(cats[2]["category_id"].is_null());
  CHECK(cents(cats[2]["revenue"]) == 1500);

  // Bob and Dave ordered for the first time; Alice had ordered before.
  CHECK(r.body["customers"]["new"] == 2);
  CHECK(r.body["customers"]["returning"] == 1);
  // Two carts had items added (Erin's, Dave's); one became an order.
  CHECK(r.body["conversion"]["carts_with_items_added"] == 2);
  CHECK(r.body["conversion"]["carts_ordered"] == 1);
  CHECK(r.body["conversion"]["rate"].get<double>() == Approx(0.5));

  // The previous period: Alice's first order only.
  const json& prev = r.body["previous"];
  CHECK(prev["from"] == date_of(r0 - 5));
  CHECK(prev["to"] == date_of(r0 - 1));
  CHECK(prev["orders"] == 1);
  CHECK(cents(prev["revenue"]) == cents(first["pricing"]["total"]));
  CHECK(prev["units"] == 1);

  // At UTC+13 the orders placed at 12:00 UTC fall on the next local day.
  auto east = shop.get(report_url(r0, r4, "&utc_offset=780"), shop.admin());
  REQUIRE(east.status == 200);
  CHECK(east.body["days"][0]["orders"] == 0);
  CHECK(east.body["days"][1]["orders"] == 2);
  CHECK(east.body["totals"]["orders"] == 3);  // Dave's (r4 + 1 local) is out

  // A range with nothing in it is all zeros, not an error.
  auto empty = shop.get(report_url(today - 400, today - 398), shop.admin());
  REQUIRE(empty.status == 200);
  CHECK(empty.body["totals"]["orders"] == 0);
  CHECK(empty.body["days"].size() == 3);
  CHECK(empty.body["conversion"]["rate"].is_null());
}

TEST_CASE("the report refuses bad ranges and anyone but an admin", "[reports][admin][http]") {
  using namespace reports_test;
  TestShop shop;
  auto buyer = shop.register_user("shopper@example.com");
  auto code_of = [&](const std::string& qs) {
    auto r = shop.get("/api/v1/admin/reports" + qs, shop.admin());
    CHECK(r.status == 400);
    return r.body["error"]["code"].get<std::string>() + ":" + r.body["error"]["details"].value("field", "");
  };
  CHECK(code_of("") == "invalid_request:from");
  CHECK(code_of("?from=2026-11-01") == "invalid_request:to");
  CHECK(code_of("?from=yesterday&to=2026-11-01") == "invalid_request:from");
  CHECK(code_of("?from=2026-02-30&to=2026-03-01") == "invalid_request:from");
  CHECK(code_of("?from=2026-11-02&to=2026-11-01") == "invalid_request:from");
  CHECK(code_of("?from=2025-01-01&to=2026-01-02") == "invalid_request:to");  // 367 days
  CHECK(code_of("?from=2026-11-01&to=2026-11-02&utc_offset=900") == "invalid_request:utc_offset");
  CHECK(shop.get("/api/v1/admin/reports?from=2024-01-01&to=2024-12-31", shop.admin()).status == 200);  // 366 days
  CHECK(shop.get("/api/v1/admin/exports/orders.csv?from=2026-11-02&to=2026-11-01", shop.admin()).status == 400);

  const std::string ok = "?from=2026-11-01&to=2026-11-07";
  CHECK(shop.get("/api/v1/admin/reports" + ok, buyer.auth).status == 403);
  CHECK(shop.get("/api/v1/admin/reports" + ok).status == 401);
  for (const char* name : {"orders", "customers", "products"}) {
    CHECK(shop.get(std::string("/api/v1/admin/exports/") + name + ".csv" + ok, buyer.auth).status == 403);
    CHECK(shop.get(std::string("/api/v1/admin/exports/") + name + ".csv" + ok).status == 401);
  }
}

TEST_CASE("the CSV exports quote, defuse formulas and start with a BOM", "[reports][admin][http]") {
  using namespace reports_test;
  TestShop shop;
  const std::string formula = shop.create_product({{"name", "=HYPERLINK(\"http://evil\")"}, {"price", 12.50}}, 10);
  auto bob = shop.register_user("bob@example.com");
  const json o = place(shop, bob, {line(formula, 2)}, "csv1", "Bob \"The Builder\", Jr.");
  const int64_t today = shopbox::now_seconds() / kDay;
  const std::string range = "?from=" + date_of(today - 1) + "&to=" + date_of(today + 1);

  auto orders = shop.get("/api/v1/admin/exports/orders.csv" + range, shop.admin());
  REQUIRE(orders.status == 200);
  CHECK(orders.header("Content-Type").rfind("text/csv", 0) == 0);
  CHECK(orders.header("Content-Disposition") ==
        "attachment; filename=\"orders-" + date_of(today - 1) + "-to-" + date_of(today + 1) + ".csv\"");
  REQUIRE(orders.text.rfind("\xEF\xBB\xBF", 0) == 0);
  CHECK(orders.text.find("\xEF\xBB\xBFPlaced at (UTC),Order ID,") == 0);
  CHECK(orders.text.find(",\"Bob \"\"The Builder\"\", Jr.\",") != std::string::npos);
  CHECK(orders.text.find(o["order_id"].get<std::string>()) != std::string::npos);

  auto products = shop.get("/api/v1/admin/exports/products.csv" + range, shop.admin());
  REQUIRE(products.status == 200);
  // Quoted (it holds quotes) and prefixed with ' so a spreadsheet shows text.
  CHECK(products.text.find(",\"'=HYPERLINK(\"\"http://evil\"\")\",") != std::string::npos);
  CHECK(products.text.find(",2,0,25.00,") != std::string::npos);

  auto customers = shop.get("/api/v1/admin/exports/customers.csv" + range, shop.admin());
  REQUIRE(customers.status == 200);
  CHECK(customers.text.find("account,bob@example.com,\"Bob \"\"The Builder\"\", Jr.\",1,") != std::string::npos);

  CHECK(shopbox::report_csv_cell("-2+3") == "'-2+3");
  CHECK(shopbox::report_csv_cell("@SUM(A1)") == "'@SUM(A1)");
  CHECK(shopbox::report_csv_cell("+1") == "'+1");
  CHECK(shopbox::report_csv_cell("\tx") == "'\tx");
  CHECK(shopbox::report_csv_cell("\rx") == "\"'\rx\"");
  CHECK(shopbox::report_csv_cell("plain") == "plain");
  CHECK(shopbox::report_csv_cell("a\nb") == "\"a\nb\"");
}

TEST_CASE("a 2,000-order export streams in batches", "[reports][admin][http]") {
  using namespace reports_test;
  TestShop shop;
  // 2,000 orders written straight to the table: the export reads rows, and
  // 2,000 checkouts would test the checkout instead.
  shopbox::testing::exec_sql(
      shop,
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
      "INSERT INTO orders (order_id, user_id, status, subtotal_cents, tax_cents, shipping_cents, total_cents, "
      "currency, shipping_address, billing_address, payment_method, reservation_id, idempotency_key, shard, "
      "created_at, updated_at, order_number, email, customer_name) "
      "SELECT 'ord_bulk_' || i, 0, 'paid', 1000, 0, 0, 1000, 'USD', '{}', '{}', '{}', 'res_' || i, 'key_' || i, "
      "'s1', 1700000000 + i * 60, 1700000000 + i * 60, 5000 + i, 'guest' || i || '@example.com', 'Guest ' || i "
      "FROM n");
  const int64_t first_day = 1700000000 / kDay;
  const std::string range = "?from=" + date_of(first_day) + "&to=" + date_of(first_day + 2);
  auto r = shop.get("/api/v1/admin/exports/orders.csv" + range, shop.admin());
  REQUIRE(r.status == 200);
  CHECK(r.header("Transfer-Encoding") == "chunked");  // streamed, no Content-Length
  size_t lines = 0;
  for (char ch : r.text) lines += ch == '\n';
  CHECK(lines == 2001);  // the header and every order, none twice across batches
  CHECK(r.text.find("ord_bulk_1,") != std::string::npos);
  CHECK(r.text.find("ord_bulk_2000,") != std::string::npos);
  auto c = shop.get("/api/v1/admin/exports/customers.csv" + range, shop.admin());
  REQUIRE(c.status == 200);
  lines = 0;
  for (char ch : c.text) lines += ch == '\n';
  CHECK(lines == 2001);  // 2,000 guests, each once
  auto report = shop.get("/api/v1/admin/reports" + range, shop.admin());
  REQUIRE(report.status == 200);
  CHECK(report.body["totals"]["orders"] == 2000);
  CHECK(report.body["customers"]["new"] == 2000);
}
