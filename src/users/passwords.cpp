#include "users/passwords.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <charconv>
#include <mutex>
#include <semaphore>
#include <stdexcept>
#include <thread>
#include <unordered_set>
#include <vector>

#include "base/crypto.h"
#include "base/text.h"

namespace shopbox {
// The common-password list, embedded at build time (cmake/embed_text.cmake).
extern const char kCommonPasswords[];
extern const size_t kCommonPasswords_size;
}  // namespace shopbox

namespace shopbox::passwords {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

bool from_hex(std::string_view hex, std::vector<unsigned char>& out) {
  if (hex.size() % 2) return false;
  out.resize(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, v, 16);
    if (ec != std::errc() || p != hex.data() + 2 * i + 2) return false;
    out[i] = static_cast<unsigned char>(v);
  }
  return true;
}

bool valid_cost(const Cost& c) {
  // Bounds keep a corrupted or hostile stored string from asking for
  // gigabytes of memory or minutes of CPU.
  return c.log_n >= 1 && c.log_n <= 20 && c.r >= 1 && c.r <= 32 && c.p >= 1 && c.p <= 16;
}

// Each scrypt run holds 128 * r * N bytes (32 MiB at the default cost).
// Running at most a few at once bounds memory however many sign-ins the
// worker pool takes at the same moment; the rest wait their turn.
std::counting_semaphore<64>& hash_slots() {
  static std::counting_semaphore<64> slots(std::clamp<std::ptrdiff_t>(std::thread::hardware_concurrency(), 2, 8));
  return slots;
}

bool derive(std::string_view password, const unsigned char* salt, size_t salt_len, const Cost& c, unsigned char* out,
            size_t out_len) {
  hash_slots().acquire();
  struct Release {
    ~Release() { hash_slots().release(); }
  } release;
  uint64_t n = uint64_t{1} << c.log_n;
  // scrypt needs 128 * r * N bytes (plus 128 * r * p); allow that with room.
  uint64_t maxmem = 128ull * c.r * n * 2 + 128ull * c.r * c.p + (1u << 20);
  return EVP_PBE_scrypt(password.data(), password.size(), salt, salt_len, n, static_cast<uint64_t>(c.r),
                        static_cast<uint64_t>(c.p), maxmem, out, out_len) == 1;
}

bool parse_param(std::string_view part, std::string_view name, int& out) {
  if (part.size() <= name.size() + 1 || part.substr(0, name.size()) != name || part[name.size()] != '=') return false;
  auto digits = part.substr(name.size() + 1);
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  return ec == std::errc() && p == digits.data() + digits.size();
}

}  // namespace

bool is_common(std::string_view password) {
  // Built once, on first use, from the list embedded in the binary.
  static const std::unordered_set<std::string_view> common = [] {
    std::unordered_set<std::string_view> set;
    std::string_view all(kCommonPasswords, kCommonPasswords_size);
    set.reserve(10'000);
    size_t pos = 0;
    while (pos < all.size()) {
      size_t end = all.find('\n', pos);
      if (end == std::string_view::npos) end = all.size();
      if (end > pos) set.insert(all.substr(pos, end - pos));
      pos = end + 1;
    }
    return set;
  }();
  if (password.size() > 64) return false;  // the list's longest is far shorter
  std::string lower = ascii_lower(password);
  return common.count(lower) > 0;
}

Status check_policy(std::string_view password, const char* field, std::string_view email) {
  auto weak = [&](const std::string& why) {
    return Status(Kind::invalid, "weak_password", std::string(field) + " " + why, {{"field", field}});
  };
  if (password.size() < kMinLength) return weak("must be at least 8 characters");
  if (password.size() > kMaxLength)
    return Status(Kind::invalid, "invalid_request", std::string(field) + " must be at most 256 characters",
                  {{"field", field}});
  bool all_space = true;
  for (char ch : password)
    if (ch != ' ' && ch != '\t') all_space = false;
  if (all_space) return weak("must not be only spaces");
  if (is_common(password)) return weak("is one of the most common passwords; choose another");
  if (!email.empty()) {
    std::string p = ascii_lower(password), e = ascii_lower(email);
    std::string local = e.substr(0, e.find('@'));
    if (p == e || p == local) return weak("must not be your email address");
  }
  return Status::Ok();
}

std::string hash(std::string_view password, const Cost& cost) {
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, sizeof salt) != 1) throw std::runtime_error("RAND_bytes failed");
  unsigned char out[kHashBytes];
  if (!valid_cost(cost) || !derive(password, salt, sizeof salt, cost, out, sizeof out))
    throw std::runtime_error("scrypt failed");
  return "scrypt$ln=" + std::to_string(cost.log_n) + "$r=" + std::to_string(cost.r) + "$p=" + std::to_string(cost.p) +
         "$" + to_hex(salt, sizeof salt) + "$" + to_hex(out, sizeof out);
}

bool verify(std::string_view password, std::string_view stored) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (parts.size() < 7) {
    size_t dollar = stored.find('$', start);
    parts.push_back(stored.substr(start, dollar == std::string_view::npos ? std::string_view::npos : dollar - start));
    if (dollar == std::string_view::npos) break;
    start = dollar + 1;
  }
  if (parts.size() != 6 || parts[0] != "scrypt") return false;
  Cost c;
  if (!parse_param(parts[1], "ln", c.log_n) || !parse_param(parts[2], "r", c.r) || !parse_param(parts[3], "p", c.p))
    return false;
  if (!valid_cost(c)) return false;
  std::vector<unsigned char> salt, expected;
  if (!from_hex(parts[4], salt) || !from_hex(parts[5], expected) || salt.empty() || expected.empty() ||
      expected.size() > 64)
    return false;
  std::vector<unsigned char> got(expected.size());
  if (!derive(password, salt.data(), salt.size(), c, got.data(), got.size())) return false;
  return constant_time_equal(std::string_view(reinterpret_cast<const char*>(got.data()), got.size()),
                             std::string_view(reinterpret_cast<const char*>(expected.data()), expected.size()));
}

void dummy_verify(std::string_view password, const Cost& cost) {
  static std::mutex mu;
  static std::string dummy;
  static Cost dummy_cost{0, 0, 0};
  std::string stored;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (dummy.empty() || dummy_cost.log_n != cost.log_n || dummy_cost.r != cost.r || dummy_cost.p != cost.p) {
      dummy = hash("dummy password for unknown accounts", cost);
      dummy_cost = cost;
    }
    stored = dummy;
  }
  (void)verify(password, stored);
}

}  // namespace shopbox::passwords
