#include "base/json_text.h"

#include <algorithm>

namespace shopbox {

int json_nesting_depth(std::string_view text, int stop_above) {
  int depth = 0, deepest = 0;
  for_each_char_outside_strings(text, [&](size_t, char ch) {
    if (ch == '[' || ch == '{') {
      deepest = std::max(deepest, ++depth);
      return deepest <= stop_above;
    }
    if ((ch == ']' || ch == '}') && depth > 0) --depth;
    return true;
  });
  return deepest;
}

Result<nlohmann::json> parse_json_text(std::string_view text, int max_depth) {
  if (json_nesting_depth(text, max_depth) > max_depth)
    return Status(Kind::invalid, "invalid_json",
                  "JSON nests deeper than " + std::to_string(max_depth) + " levels of arrays and objects",
                  {{"max_depth", max_depth}});
  // Numbers beyond any type throw out_of_range even with exceptions off for
  // syntax errors (a fuzz finding in the importer): catch every json error.
  try {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) return Status(Kind::invalid, "invalid_json", "not valid JSON");
    return j;
  } catch (const nlohmann::json::exception&) {
    return Status(Kind::invalid, "invalid_json", "not valid JSON (a number out of range)");
  }
}

}  // namespace shopbox
