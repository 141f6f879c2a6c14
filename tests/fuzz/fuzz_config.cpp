// Fuzz target: the config file (TOML via toml++) as `shopbox serve
// --config` reads it, then what the server builds from the values (the
// rate-limit specs).
//
// Findings: crashes, sanitizer reports, exceptions escaping (toml++ throws
// parse_error; load_config must turn every failure into a Status), and a
// config accepted with values validate() forbids.
#include <string>

#include "config_file.h"
#include "fuzz/fuzz_common.h"
#include "http/rate_limit.h"

using namespace shopbox;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto cfg = parse_config_toml(text, "fuzz.toml");
  if (!cfg.ok()) {
    if (cfg.status().message().empty()) fuzz_fail("config error without a message");
    return 0;
  }
  const Config& c = cfg.value();
  if (c.threads < 1 || c.threads > 1024) fuzz_fail("accepted server.threads " + std::to_string(c.threads));
  if (c.port < 0 || c.port > 65535) fuzz_fail("accepted server.port " + std::to_string(c.port));
  if (c.tax_rate_bp > 10000) fuzz_fail("accepted tax_rate_bp " + std::to_string(c.tax_rate_bp));
  (void)http::RateLimiter::create(c);
  return 0;
}
