// Wall-clock time as Unix seconds, and ISO-8601 formatting for the API.
//
// Tests may move time forward with set_clock_offset() so expiry rules
// (reservations, carts, sessions) can be checked without sleeping.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shopbox {

int64_t now_seconds();
int64_t now_millis();
void set_clock_offset(int64_t seconds);  // tests only

std::string iso8601(int64_t unix_seconds);  // "2026-02-09T10:30:00Z"
std::optional<int64_t> parse_iso8601(std::string_view text);

}  // namespace shopbox
