#pragma once
// Public keys from a JWK Set (RFC 7517), imported into OpenSSL EVP_PKEYs.
//   auto set = JwkSet::parse(jwks_json_text);   // expected<JwkSet, JoseError>
// Keys that are unusable for verification (unknown kty, use=enc, key_ops
// without "verify", RSA < 2048 bits, EC point not on the curve) are skipped,
// not fatal: a provider may publish encryption keys beside signing keys.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "jose/error.hpp"

typedef struct evp_pkey_st EVP_PKEY;

namespace gatehouse::jose {

enum class KeyType { rsa, ec_p256, ec_p384, ec_p521, ed25519 };

class Jwk {
 public:
  struct PkeyDeleter {
    void operator()(EVP_PKEY* p) const;
  };
  Jwk(KeyType type, std::optional<std::string> kid, std::optional<std::string> alg,
      std::unique_ptr<EVP_PKEY, PkeyDeleter> key);

  [[nodiscard]] KeyType type() const { return type_; }
  [[nodiscard]] const std::optional<std::string>& kid() const { return kid_; }
  // The JWK's own "alg" member when present; a token's alg must then equal it.
  [[nodiscard]] const std::optional<std::string>& alg() const { return alg_; }
  [[nodiscard]] EVP_PKEY* pkey() const { return key_.get(); }

  // Initialised OpenSSL verify contexts for this key, reused across tokens so
  // a verification costs the public-key operation, not a method fetch.
  // Internal to jose (defined in signature.cpp); thread-safe.
  struct VerifyCache;
  struct VerifyCacheDeleter {
    void operator()(VerifyCache* c) const;
  };
  [[nodiscard]] VerifyCache& verify_cache() const { return *cache_; }

 private:
  static VerifyCache* new_verify_cache();

  KeyType type_;
  std::optional<std::string> kid_;
  std::optional<std::string> alg_;
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key_;
  std::unique_ptr<VerifyCache, VerifyCacheDeleter> cache_;
};

class JwkSet {
 public:
  // A JSON object {"keys":[...]}; bounded size (256 KiB) and key count (100).
  static tl::expected<JwkSet, JoseError> parse(std::string_view json);
  // One JWK JSON object; errors say why it is unusable.
  static tl::expected<Jwk, JoseError> parse_key(std::string_view json);

  [[nodiscard]] const std::vector<std::shared_ptr<const Jwk>>& keys() const { return keys_; }
  [[nodiscard]] bool has_kid(std::string_view kid) const;

 private:
  std::vector<std::shared_ptr<const Jwk>> keys_;
};

}  // namespace gatehouse::jose
