#include "base/money.h"

#include <cmath>
#include <cstdio>

namespace shopbox {

std::optional<Cents> parse_cents(std::string_view s) {
  if (s.empty() || s.size() > 32) return std::nullopt;
  bool negative = false;
  size_t i = 0;
  if (s[0] == '-') {
    negative = true;
    i = 1;
  }
  Cents whole = 0;
  size_t digits = 0;
  for (; i < s.size() && s[i] != '.'; ++i, ++digits) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    whole = whole * 10 + (s[i] - '0');
    if (whole > kMaxCents / 100) return std::nullopt;
  }
  Cents frac = 0;
  if (i < s.size()) {  // at '.'
    ++i;
    size_t frac_digits = 0;
    for (; i < s.size(); ++i, ++frac_digits) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      // Only cents count; keeping every digit overflowed int64 on a long
      // fraction (a fuzz finding: "-3.5222222222222222222222222").
      if (frac_digits < 2) frac = frac * 10 + (s[i] - '0');
      // "12.500" (a float printer's trailing zeros) is fine; "12.999" has
      // sub-cent precision and is refused.
      else if (s[i] != '0')
        return std::nullopt;
    }
    if (frac_digits == 0) return std::nullopt;  // "12." is malformed
    if (frac_digits == 1) frac *= 10;
  }
  if (digits == 0) return std::nullopt;
  Cents cents = whole * 100 + frac;
  if (cents > kMaxCents) return std::nullopt;  // "1000000000.1": whole passed, cents did not (fuzz finding)
  return negative ? -cents : cents;
}

std::optional<Cents> cents_from_json(const nlohmann::json& v) {
  if (v.is_number_integer()) {
    if (v.is_number_unsigned()) {
      auto u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(kMaxCents / 100)) return std::nullopt;
      return static_cast<Cents>(u) * 100;
    }
    auto n = v.get<int64_t>();
    if (n > kMaxCents / 100 || n < -kMaxCents / 100) return std::nullopt;
    return n * 100;
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || std::fabs(d) > static_cast<double>(kMaxCents / 100)) return std::nullopt;
    // nlohmann prints the shortest text that round-trips, so 84.99 -> "84.99".
    return parse_cents(v.dump());
  }
  if (v.is_string()) return parse_cents(v.get<std::string>());
  return std::nullopt;
}

nlohmann::json cents_to_json(Cents cents) {
  if (cents % 100 == 0) return cents / 100;
  // Print exactly two decimals, then let the JSON number carry it; the
  // shortest round-trip representation of e.g. 84.99 is "84.99".
  return std::stod(format_cents(cents));
}

std::string format_cents(Cents cents) {
  char buf[40];
  Cents a = cents < 0 ? -cents : cents;
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", cents < 0 ? "-" : "", static_cast<long long>(a / 100),
                static_cast<long long>(a % 100));
  return buf;
}

Cents apply_basis_points(Cents amount, int64_t bp) {
  __int128 p = static_cast<__int128>(amount) * bp;
  __int128 q = p / 10000, r = p % 10000;
  if (r < 0) r = -r;
  if (r * 2 >= 10000) q += (p < 0 ? -1 : 1);
  return static_cast<Cents>(q);
}

bool valid_currency(std::string_view c) {
  if (c.size() != 3) return false;
  for (char ch : c)
    if (ch < 'A' || ch > 'Z') return false;
  return true;
}

}  // namespace shopbox
