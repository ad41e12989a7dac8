// JWK Set and single-JWK import: JSON shape, base64url members, RSA and EC
// key construction in OpenSSL (including the on-curve check).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "jose/jwk.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using gatehouse::jose::JwkSet;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const auto set = JwkSet::parse(input)) {
    for (const auto& key : set->keys()) {
      // Every imported key must be usable: a null EVP_PKEY would crash verify.
      if (key == nullptr || key->pkey() == nullptr) std::abort();
      if (key->kid()) (void)set->has_kid(*key->kid());
    }
  }
  if (const auto key = JwkSet::parse_key(input)) {
    if (key->pkey() == nullptr) std::abort();
  }
  return 0;
}
