#pragma once
// Signing keys for tests: generates RSA-2048 or EC P-256 keys with OpenSSL,
// publishes them as a JWK Set, and signs any header and payload as a compact
// JWS — including malformed and hostile ones (alg none, HMAC with the public
// key as secret), so tests can play a provider and an attacker. Deliberately
// independent of src/jose and src/crypto: the code under test does not check
// itself.
//   TestSigner key = TestSigner::rsa("k1");
//   http.respond(jwks_uri, 200, TestSigner::jwks({&key}));
//   std::string token = key.sign_claims({{"iss", issuer}, {"sub", "u1"}});
//   std::string forged = key.sign({{"alg", "RS256"}, {"kid", "k1"}}, claims);
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

typedef struct evp_pkey_st EVP_PKEY;

namespace gatehouse::testing {

class TestSigner {
 public:
  static TestSigner rsa(std::string kid);      // RSA-2048, signs RS256
  static TestSigner ec_p256(std::string kid);  // P-256, signs ES256 (raw r||s)

  [[nodiscard]] const std::string& kid() const { return kid_; }
  [[nodiscard]] const std::string& alg() const { return alg_; }
  // The public key as a JWK object (kty, kid, use=sig, alg, n/e or crv/x/y).
  [[nodiscard]] nlohmann::json jwk() const;
  // The public key as PEM (SubjectPublicKeyInfo): what an attacker knows.
  [[nodiscard]] std::string public_pem() const;

  // {"keys":[...]} of the given signers.
  [[nodiscard]] static std::string jwks(std::initializer_list<const TestSigner*> signers);

  // header and payload serialised as given; signed with this key's algorithm
  // whatever header["alg"] says.
  [[nodiscard]] std::string sign(const nlohmann::json& header, const nlohmann::json& payload) const;
  // Header {"alg": alg(), "kid": kid(), "typ": "JWT"}.
  [[nodiscard]] std::string sign_claims(const nlohmann::json& payload) const;

  // Attacker tools.
  [[nodiscard]] static std::string unsigned_token(const nlohmann::json& header,
                                                  const nlohmann::json& payload);
  [[nodiscard]] static std::string hmac_token(const nlohmann::json& header,
                                              const nlohmann::json& payload,
                                              std::string_view secret);

  [[nodiscard]] static std::string base64url(std::string_view bytes);

 private:
  struct PkeyFree {
    void operator()(EVP_PKEY* p) const;
  };
  TestSigner(std::string kid, std::string alg, EVP_PKEY* key);
  std::string kid_, alg_;
  std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace gatehouse::testing
