#include "base/clock.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace shopbox {
namespace {
std::atomic<int64_t> g_offset{0};
}

int64_t now_seconds() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count() + g_offset.load();
}

int64_t now_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() + g_offset.load() * 1000;
}

void set_clock_offset(int64_t seconds) {
  g_offset = seconds;
}

std::string iso8601(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<int64_t> parse_iso8601(std::string_view s) {
  int y, mo, d, h = 0, mi = 0, se = 0;
  std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi, &se) != 6 &&
      std::sscanf(str.c_str(), "%4d-%2d-%2d", &y, &mo, &d) != 3)
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace shopbox
