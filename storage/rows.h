// Reading query results into structs: each store has one reader per table
// (Row read_x(Statement&), columns in its SELECT's order) and these two
// run it over every row of a query, or its first row only.
#pragma once

#include <optional>
#include <vector>

#include "storage/sqlite.h"

namespace shopbox {

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
