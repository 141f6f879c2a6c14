// Request bodies and small tools that many HTTP tests share, so each rule
// of a valid request lives in one place.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "base/clock.h"
#include "support/test_shop.h"

namespace shopbox::testing {

// A complete, valid US shipping address.
inline json address() {
  return {{"name", "John Doe"}, {"street", "123 Main St"}, {"city", "Seattle"},
          {"state", "WA"},      {"zip", "98101"},          {"country", "US"}};
}

// A card for the built-in test gateway: 4242… approves; the README lists
// the numbers that decline or time out.
inline json card(const std::string& number = "4242424242424242") {
  return {{"type", "card"}, {"card_number", number}, {"exp_month", 12}, {"exp_year", 2099}, {"cvc", "123"}};
}

// Puts the clock back when a test that moved it (set_clock_offset) ends,
// even when an assertion ends it early.
struct ClockReset {
  ~ClockReset() { set_clock_offset(0); }
};

// The first column of the first row of `sql` (a COUNT(*)) in the shop's
// SQLite database.
int64_t count_rows(TestShop& shop, const char* sql);

// Runs `script` (SQL statements) in one write transaction of the shop's
// database: fault injection with triggers, or state a test sets by hand.
void exec_sql(TestShop& shop, const std::string& script);

// The payload of the newest outbox event of `type` (a private one holds
// the mail's token until the email module sends it): tests have no inbox.
json last_event(TestShop& shop, const std::string& type);

}  // namespace shopbox::testing
