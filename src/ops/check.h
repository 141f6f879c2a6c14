// `shopbox check`: the invariants of DESIGN.md, checked over a data
// directory (it may be in use by a running server: every check reads from
// snapshots and writes nothing).
//
// Each service may expose `void check_invariants(std::vector<std::string>&
// problems)`; run_checks() calls every one that exists (add yours in
// check.cpp). Checks that belong to no service (SQLite's own integrity) live
// here.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace shopbox {
struct App;

namespace ops {

struct CheckReport {
  std::vector<std::string> problems;                // empty: every invariant holds
  nlohmann::json stats = nlohmann::json::object();  // what was looked at
  bool ok() const { return problems.empty(); }
};

CheckReport run_checks(App& app);

}  // namespace ops
}  // namespace shopbox
