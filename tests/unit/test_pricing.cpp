#include <catch2/catch.hpp>

#include "config.h"
#include "pricing/pricing.h"

using namespace shopbox;

TEST_CASE("the seed's cart: 169.98 gives tax 15.30, free shipping, total 185.28", "[unit][pricing]") {
  Config cfg;
  auto t = price_order(16998, 0, cfg);
  CHECK(t.subtotal == 16998);
  CHECK(t.discount == 0);
  CHECK(t.tax == 1530);
  CHECK(t.shipping == 0);
  CHECK(t.total == 18528);
}

TEST_CASE("free shipping only strictly over the threshold", "[unit][pricing]") {
  Config cfg;
  CHECK(price_order(5000, 0, cfg).shipping == 599);  // exactly $50.00: pays shipping
  CHECK(price_order(5001, 0, cfg).shipping == 0);
  CHECK(price_order(4999, 0, cfg).shipping == 599);
  // The threshold applies to subtotal - discount.
  CHECK(price_order(6000, 1000, cfg).shipping == 599);
  CHECK(price_order(6000, 999, cfg).shipping == 0);
  auto t = price_order(1000, 0, cfg);
  CHECK(t.tax == 90);
  CHECK(t.total == 1000 + 90 + 599);
}

TEST_CASE("tax is on subtotal minus discount, rounded half-up to the cent", "[unit][pricing]") {
  Config cfg;
  CHECK(price_order(50, 0, cfg).tax == 5);          // 4.5 cents -> 5
  CHECK(price_order(49, 0, cfg).tax == 4);          // 4.41 -> 4
  CHECK(price_order(16998, 998, cfg).tax == 1440);  // 9 % of 160.00
  auto t = price_order(10000, 2500, cfg);
  CHECK(t.tax == 675);
  CHECK(t.total == 7500 + 675 + 0);
}

TEST_CASE("a discount larger than the subtotal never makes a negative total", "[unit][pricing]") {
  Config cfg;
  auto t = price_order(1000, 5000, cfg);
  CHECK(t.discount == 1000);
  CHECK(t.tax == 0);
  CHECK(t.total == 599);
  CHECK(price_order(1000, -5, cfg).discount == 0);
}

TEST_CASE("an empty cart costs nothing, and the rules come from config", "[unit][pricing]") {
  Config cfg;
  auto empty = price_order(0, 0, cfg);
  CHECK(empty.total == 0);
  CHECK(empty.shipping == 0);
  cfg.tax_rate_bp = 2000;
  cfg.free_shipping_threshold = 10000;
  cfg.flat_shipping = 1000;
  auto t = price_order(8000, 0, cfg);
  CHECK(t.tax == 1600);
  CHECK(t.shipping == 1000);
  CHECK(t.total == 10600);
}
