// Password hashing: scrypt (OpenSSL EVP_PBE_scrypt) with a per-user random
// salt, stored as a self-describing string so the cost can be raised later
// without invalidating existing hashes:
//
//   scrypt$ln=15$r=8$p=3$<salt hex>$<hash hex>
//
// Verification recomputes with the parameters in the string and compares in
// constant time.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace shopbox::passwords {

struct Cost {
  int log_n = 15;  // N = 2^log_n
  int r = 8;
  int p = 3;
};

inline constexpr size_t kMinLength = 8;
inline constexpr size_t kMaxLength = 256;

// 400 weak_password / invalid_request when the password breaks the policy:
// length 8..256 bytes, not all whitespace, not one of the 10,000 most
// common passwords (src/users/common_passwords.txt, compared ignoring ASCII
// case; its source is in common_passwords.NOTICE), and not the account's
// own email or the part of it before the '@'.
[[nodiscard]] Status check_policy(std::string_view password, const char* field = "password",
                                  std::string_view email = {});
// True when `password` (ignoring ASCII case) is on the common-password list.
[[nodiscard]] bool is_common(std::string_view password);

// Never fails for a policy-checked password (throws only if OpenSSL fails).
std::string hash(std::string_view password, const Cost& cost);

// True when `password` matches `stored`. A malformed stored string, or one
// with out-of-range parameters, never matches.
bool verify(std::string_view password, std::string_view stored);

// Burns the same time as verify() against a hash of `cost`, for unknown
// accounts (so response time does not reveal which emails exist).
void dummy_verify(std::string_view password, const Cost& cost);

}  // namespace shopbox::passwords
