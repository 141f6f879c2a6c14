// The one way untrusted JSON text becomes a value: request bodies, import
// files, a peer's replies, a backup's manifest.
//
// Why a nesting limit: nlohmann's parser survives any depth, but copying,
// dumping, comparing or destroying a value recurses once per level, so a
// 300 KB body of 150,000 nested arrays overflows the stack of whichever
// handler touches it next (a remote crash). No JSON the shop reads needs
// more than a handful of levels, so text nested deeper than kMaxJsonDepth
// is refused before the parser builds anything, and no caller ever holds a
// deep value.
//
// Thread rule: pure functions, callable from any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "base/status.h"

namespace shopbox {

// Deepest array/object nesting accepted ({"a": [1]} is depth 2).
inline constexpr int kMaxJsonDepth = 64;

// Calls visit(offset, ch) for every character of `text` that is not inside
// a string literal (a string's opening quote is visited, its contents and
// closing quote are not), until visit returns false. The one scanner of
// JSON structure: nesting depth here, element offsets in the importer.
template <typename Visit>
void for_each_char_outside_strings(std::string_view text, Visit visit) {
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char ch = text[i];
    if (in_string) {
      if (ch == '\\')
        ++i;  // the escaped character cannot end the string
      else if (ch == '"')
        in_string = false;
      continue;
    }
    if (ch == '"') in_string = true;
    if (!visit(i, ch)) return;
  }
}

// The deepest nesting of `text` (brackets inside strings do not count),
// scanning no further than one level past `stop_above`. Malformed text is
// measured as far as it goes; the parser reports what is wrong with it.
[[nodiscard]] int json_nesting_depth(std::string_view text, int stop_above = kMaxJsonDepth);

// Parses `text`: 400 invalid_json when it is not JSON or nests deeper than
// `max_depth` (details.max_depth names the limit). Never throws.
[[nodiscard]] Result<nlohmann::json> parse_json_text(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace shopbox
