// Small text rules shared by every input path (forms, imports, accounts).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace shopbox {

// `s` without leading and trailing spaces, tabs, CRs and LFs: what a shopper
// or a spreadsheet adds around a value without meaning it.
std::string trim(std::string_view s);

// The items of a comma-separated list ("a, b,,c" -> a, b, c), each trimmed,
// empty ones dropped: config lists (origins, proxies) and header lists
// (X-Forwarded-For).
std::vector<std::string> split_list(std::string_view list);

// `s` with A-Z turned into a-z, nothing else touched: emails, header
// values and media types compare this way.
std::string ascii_lower(std::string_view s);
// `s` with a-z turned into A-Z, nothing else touched: country and region
// codes, environment variable names.
std::string ascii_upper(std::string_view s);

// Text made safe inside HTML or XML (element content and quoted
// attributes): & < > " ' become entities (&#39; is valid in both).
std::string markup_escape(std::string_view s);

}  // namespace shopbox
