// Reading query results into structs: each store has one reader per table
// (Row read_x(Statement&)), which reads the row with Columns, and these two
// run it over every row of a query, or its first row only.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/sqlite.h"

namespace shopbox {

// A JSON column as stored (text the shop itself wrote); `fallback` when the
// text does not parse, so a damaged row reads as empty rather than throwing.
inline nlohmann::json stored_json(const std::string& text, nlohmann::json fallback) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

// One result row, read left to right in the SELECT's order. A reader names
// no column numbers, so it cannot drift from its column list: done()
// checks that exactly every selected column was read, and a column added
// to the list but not to the reader (or the reverse) throws the first
// time any test reads such a row.
class Columns {
 public:
  explicit Columns(const Statement& st) : st_(st) {}
  int64_t int64() { return st_.int64(next()); }
  double real() { return st_.real(next()); }
  std::string text() { return st_.text(next()); }
  std::optional<std::string> opt_text() { return st_.opt_text(next()); }
  std::optional<int64_t> opt_int64() { return st_.opt_int64(next()); }
  bool boolean() { return st_.int64(next()) != 0; }
  // Whether the next column is NULL (it is not read).
  bool next_is_null() const { return st_.is_null(i_); }
  void done() const {
    if (i_ != st_.column_count())
      throw std::logic_error("row reader read " + std::to_string(i_) + " of " + std::to_string(st_.column_count()) +
                             " selected columns");
  }

 private:
  int next() { return i_++; }
  const Statement& st_;
  int i_ = 0;
};

template <typename Row>
std::vector<Row> all_rows(Statement& st, Row (*read)(Statement&)) {
  std::vector<Row> out;
  while (st.step()) out.push_back(read(st));
  return out;
}

template <typename Row>
std::optional<Row> first_row(Statement& st, Row (*read)(Statement&)) {
  if (!st.step()) return std::nullopt;
  return read(st);
}

}  // namespace shopbox
