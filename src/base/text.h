// Small text rules shared by every input path (forms, imports, accounts).
#pragma once

#include <string>
#include <string_view>

namespace shopbox {

// `s` without leading and trailing spaces, tabs, CRs and LFs: what a shopper
// or a spreadsheet adds around a value without meaning it.
std::string trim(std::string_view s);

}  // namespace shopbox
