#include "crypto/random.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include <openssl/rand.h>

#include "crypto/encoding.hpp"

namespace gatehouse::crypto {

void SystemRandom::fill(std::span<std::uint8_t> out) {
  // RAND_bytes takes an int length; large requests go in chunks.
  while (!out.empty()) {
    const std::size_t n = std::min<std::size_t>(out.size(), INT_MAX);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
      (void)std::fputs("gatehouse: CSPRNG failure, stopping\n", stderr);
      std::abort();
    }
    out = out.subspan(n);
  }
}

std::string random_bytes(Random& rng, std::size_t nbytes) {
  std::string out(nbytes, '\0');
  rng.fill(std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(out.data()), out.size()));
  return out;
}

std::string random_token(Random& rng, std::size_t nbytes) {
  return base64url_encode(random_bytes(rng, nbytes));
}

}  // namespace gatehouse::crypto
