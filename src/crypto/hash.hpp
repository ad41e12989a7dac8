#pragma once
// Digests and MACs on OpenSSL 3 EVP.
//   std::string d = sha256("abc");            // 32 raw bytes
//   bool same = constant_time_equal(a, b);    // no early exit on mismatch
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace gatehouse::crypto {

[[nodiscard]] std::string sha256(std::string_view data);      // raw 32 bytes
[[nodiscard]] std::string sha256_hex(std::string_view data);  // 64 hex chars
using Digest256 = std::array<std::uint8_t, 32>;
// The same digest with no allocation (a per-thread context): for hot paths.
[[nodiscard]] Digest256 sha256_digest(std::string_view data);
// Hash for unordered containers keyed by a SHA-256 digest: its first 8 bytes
// are already uniformly spread, so they are the hash.
struct Digest256Hash {
  std::size_t operator()(const Digest256& d) const noexcept {
    std::size_t h;
    static_assert(sizeof h <= sizeof d);
    std::memcpy(&h, d.data(), sizeof h);
    return h;
  }
};
[[nodiscard]] std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
// Compares in time that depends only on the lengths.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace gatehouse::crypto
