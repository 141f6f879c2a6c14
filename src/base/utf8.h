// UTF-8 well-formedness: JSON (responses, specs, the search index) only
// holds UTF-8, so text from outside (query strings, imported files) is
// checked before it gets there.
#pragma once

#include <string_view>

namespace shopbox {

// The offset of the first byte that is not part of well-formed UTF-8 (an
// overlong form, a surrogate, a value past U+10FFFF, a cut sequence), or
// npos when all of `s` is well-formed.
size_t utf8_error_at(std::string_view s);
inline bool valid_utf8(std::string_view s) {
  return utf8_error_at(s) == std::string_view::npos;
}

}  // namespace shopbox
