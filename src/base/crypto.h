// Small wrappers over OpenSSL for the few primitives the shop needs.
#pragma once

#include <string>
#include <string_view>

namespace shopbox {

// Lower-case hex of n bytes.
std::string to_hex(const unsigned char* p, size_t n);

// `bytes` bytes from RAND_bytes, hex-encoded (2*bytes characters).
std::string random_hex(size_t bytes);

// Lower-case hex SHA-256 of the input. Used to store tokens hashed.
std::string sha256_hex(std::string_view data);

// HMAC-SHA256(key, data) as lower-case hex (webhook signatures).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// Constant-time comparison of two equal-length strings.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace shopbox
