#include <catch2/catch.hpp>

#include "base/money.h"

using namespace shopbox;

TEST_CASE("parse_cents reads decimal text exactly", "[unit][money]") {
  CHECK(parse_cents("84.99") == 8499);
  CHECK(parse_cents("84.9") == 8490);
  CHECK(parse_cents("84") == 8400);
  CHECK(parse_cents("0.01") == 1);
  CHECK(parse_cents("-3.50") == -350);
  CHECK(parse_cents("12.500") == 1250);
  CHECK_FALSE(parse_cents("12.999"));
  CHECK_FALSE(parse_cents(""));
  CHECK_FALSE(parse_cents("12."));
  CHECK_FALSE(parse_cents(".5"));
  CHECK_FALSE(parse_cents("1e3"));
  CHECK_FALSE(parse_cents("abc"));
  CHECK_FALSE(parse_cents("99999999999999"));
  // Long fractions (fuzz finding: the digits overflowed int64 before the
  // sub-cent check ran).
  CHECK_FALSE(parse_cents("-3.522222222222222222222222220"));
  CHECK(parse_cents("1.5000000000000000000000000000") == 150);
  CHECK_FALSE(parse_cents("1.0000000000000000000000000001"));
  CHECK(parse_cents(format_cents(kMaxCents)) == kMaxCents);
  CHECK_FALSE(parse_cents(format_cents(kMaxCents) + "1"));
  CHECK_FALSE(parse_cents("1000000000.1"));
}

TEST_CASE("JSON money round-trips through cents", "[unit][money]") {
  CHECK(cents_from_json(nlohmann::json::parse("84.99")) == 8499);
  CHECK(cents_from_json(nlohmann::json::parse("0.1")) == 10);
  CHECK(cents_from_json(nlohmann::json(5)) == 500);
  CHECK(cents_from_json(nlohmann::json("19.95")) == 1995);
  CHECK_FALSE(cents_from_json(nlohmann::json::parse("1.005")));
  CHECK_FALSE(cents_from_json(nlohmann::json(true)));
  CHECK(cents_to_json(8499).dump() == "84.99");
  CHECK(cents_to_json(8500).dump() == "85");
  CHECK(cents_to_json(1).dump() == "0.01");
  CHECK(format_cents(-1234) == "-12.34");
}

TEST_CASE("basis points round half up", "[unit][money]") {
  CHECK(apply_basis_points(16998, 900) == 1530);  // the seed's 169.98 * 9 % = 15.2982 -> 15.30
  CHECK(apply_basis_points(50, 900) == 5);        // 4.5 cents -> 5
  CHECK(apply_basis_points(49, 900) == 4);        // 4.41 -> 4
  CHECK(apply_basis_points(0, 900) == 0);
}
