// Money: integer minor units (cents) plus a currency code. Never a float.
//
// JSON carries money as a decimal number in major units with at most two
// decimals (84.99). Conversion goes through the number's text, so 0.1 + 0.2
// problems never reach a stored amount.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace shopbox {

using Cents = int64_t;

// Largest amount accepted from outside: one billion in major units.
inline constexpr Cents kMaxCents = 100'000'000'000LL;

// Parses "84.99", "84.9", "84", "-3.50" into cents. Rejects more than two
// decimals, exponents, empty strings and anything over kMaxCents.
std::optional<Cents> parse_cents(std::string_view text);

// Parses a JSON number (integer or float) into cents, via its shortest text
// representation so 84.99 stays 8499. Strings with a decimal are accepted too.
std::optional<Cents> cents_from_json(const nlohmann::json& value);

// Cents as a JSON number in major units with at most two decimals.
nlohmann::json cents_to_json(Cents cents);

// "84.99" (always two decimals), for text output such as CSV and logs.
std::string format_cents(Cents cents);

// amount * basis_points / 10000, rounded half-up (away from zero on ties).
Cents apply_basis_points(Cents amount, int64_t basis_points);

// True for a three-letter upper-case ISO-4217-looking code.
bool valid_currency(std::string_view code);

}  // namespace shopbox
