#include "base/text.h"

namespace shopbox {

std::string trim(std::string_view s) {
  constexpr std::string_view kBlank = " \t\r\n";
  size_t b = s.find_first_not_of(kBlank);
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(kBlank);
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace shopbox
