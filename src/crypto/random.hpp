#pragma once
// Cryptographically secure randomness behind an interface, so tests can make
// attempts and tokens reproducible.
//   SystemRandom rng;  std::string state = random_token(rng, 32);
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace gatehouse::crypto {

class Random {
 public:
  virtual ~Random() = default;
  // Fills out with random bytes. Aborts the process if the CSPRNG fails:
  // continuing with weak randomness would be worse than stopping.
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

// OpenSSL RAND_bytes.
class SystemRandom final : public Random {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

// nbytes random bytes, base64url without padding (32 bytes -> 43 characters).
[[nodiscard]] std::string random_token(Random& rng, std::size_t nbytes);
// nbytes random bytes as raw bytes in a string.
[[nodiscard]] std::string random_bytes(Random& rng, std::size_t nbytes);

}  // namespace gatehouse::crypto
