#include "crypto/hash.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/encoding.hpp"
#include "crypto/openssl_ptr.hpp"

namespace gatehouse::crypto {
namespace {

// A digest failure means a broken OpenSSL install, not bad input; carrying on
// would hand out predictable or empty values.
[[noreturn]] void fail(const char* what) {
  (void)std::fprintf(stderr, "gatehouse: OpenSSL %s failed\n", what);
  std::abort();
}

// Fetched once: OpenSSL 3 fetches are costly and the objects are immutable.
const EVP_MD* sha256_md() {
  static const MdPtr md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  if (!md) fail("SHA256 fetch");
  return md.get();
}

EVP_MAC* hmac() {
  static const MacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) fail("HMAC fetch");
  return mac.get();
}

}  // namespace

std::string sha256(std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len,
                 sha256_md(), nullptr) != 1 ||
      len != out.size())
    fail("SHA256");
  return out;
}

std::string sha256_hex(std::string_view data) { return hex_encode(sha256(data)); }

Digest256 sha256_digest(std::string_view data) {
  // A new context per call costs an allocation and a cleanse; one per thread
  // is reset by each init.
  thread_local const MdCtxPtr ctx(EVP_MD_CTX_new());
  Digest256 out{};
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex2(ctx.get(), sha256_md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size())
    fail("SHA256");
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  MacCtxPtr ctx(EVP_MAC_CTX_new(hmac()));
  if (!ctx) fail("HMAC context");
  // OSSL_PARAM wants a non-const pointer; EVP_MAC_init only reads it.
  const std::array<OSSL_PARAM, 2> params{
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_end()};
  // An empty key is legal HMAC; OpenSSL wants a non-null pointer for it.
  static const unsigned char kEmpty = 0;
  const auto* key_ptr = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  std::string out(32, '\0');
  std::size_t len = 0;
  if (EVP_MAC_init(ctx.get(), key_ptr, key.size(), params.data()) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1 ||
      EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, out.size()) !=
          1 ||
      len != out.size())
    fail("HMAC-SHA256");
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gatehouse::crypto
