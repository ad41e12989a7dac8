#pragma once
// Test-only key generation and JWS signing, so attack tokens are built from
// real keys instead of hand-edited bytes.
//   const auto& k = test_keys::rsa2048();
//   std::string t = sign_jws(k, "RS256", R"({"alg":"RS256","kid":"rsa"})", R"({"sub":"1"})");
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "crypto/encoding.hpp"

namespace gatehouse::jose::testing {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PrivateKey = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct TestKey {
  PrivateKey key;
  std::string kty;    // "RSA", "EC", "OKP"
  std::string crv;    // for EC/OKP
  std::size_t coord;  // EC coordinate length
};

inline std::string bn_member(EVP_PKEY* k, const char* name, std::size_t pad = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(k, name, &bn) != 1) throw std::runtime_error("get bn");
  std::string out(pad ? pad : static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return crypto::base64url_encode(out);
}

// The public JWK members (without braces' extras), e.g. to add kid/alg/use.
inline std::string public_members(const TestKey& k) {
  if (k.kty == "RSA")
    return R"("kty":"RSA","n":")" + bn_member(k.key.get(), OSSL_PKEY_PARAM_RSA_N) + R"(","e":")" +
           bn_member(k.key.get(), OSSL_PKEY_PARAM_RSA_E) + "\"";
  if (k.kty == "EC")
    return R"("kty":"EC","crv":")" + k.crv + R"(","x":")" +
           bn_member(k.key.get(), OSSL_PKEY_PARAM_EC_PUB_X, k.coord) + R"(","y":")" +
           bn_member(k.key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, k.coord) + "\"";
  std::string raw(32, '\0');
  std::size_t len = raw.size();
  EVP_PKEY_get_raw_public_key(k.key.get(), reinterpret_cast<unsigned char*>(raw.data()), &len);
  return R"("kty":"OKP","crv":"Ed25519","x":")" + crypto::base64url_encode(raw) + "\"";
}

// {"kty":...,"kid":kid} plus any extra members ("\"alg\":\"RS256\"").
inline std::string public_jwk(const TestKey& k, std::string_view kid, std::string_view extra = "") {
  std::string j = "{" + public_members(k) + R"(,"kid":")" + std::string(kid) + "\"";
  if (!extra.empty()) j += "," + std::string(extra);
  return j + "}";
}

inline TestKey generate(const char* type, const char* param, std::string kty, std::string crv,
                        std::size_t coord) {
  EVP_PKEY* raw = nullptr;
  if (std::string_view(type) == "RSA")
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(std::stoi(param)));
  else if (std::string_view(type) == "EC")
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", param);
  else
    raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (!raw) throw std::runtime_error("keygen");
  return TestKey{PrivateKey(raw), std::move(kty), std::move(crv), coord};
}

namespace test_keys {
// Generated once per test run: RSA key generation is slow in a debug build.
inline const TestKey& rsa2048() {
  static const TestKey k = generate("RSA", "2048", "RSA", "", 0);
  return k;
}
inline const TestKey& rsa2048_other() {
  static const TestKey k = generate("RSA", "2048", "RSA", "", 0);
  return k;
}
inline const TestKey& rsa1024() {
  static const TestKey k = generate("RSA", "1024", "RSA", "", 0);
  return k;
}
inline const TestKey& p256() {
  static const TestKey k = generate("EC", "P-256", "EC", "P-256", 32);
  return k;
}
inline const TestKey& p384() {
  static const TestKey k = generate("EC", "P-384", "EC", "P-384", 48);
  return k;
}
inline const TestKey& p521() {
  static const TestKey k = generate("EC", "P-521", "EC", "P-521", 66);
  return k;
}
inline const TestKey& ed25519() {
  static const TestKey k = generate("ED25519", "", "OKP", "Ed25519", 32);
  return k;
}
}  // namespace test_keys

inline const char* digest_for(std::string_view alg) {
  if (alg.ends_with("256")) return "SHA256";
  if (alg.ends_with("384")) return "SHA384";
  if (alg.ends_with("512")) return "SHA512";
  return nullptr;
}

struct SignOptions {
  bool ecdsa_der = false;  // leave the ECDSA signature in DER (wrong for JOSE)
  int pss_salt = RSA_PSS_SALTLEN_DIGEST;
};

// The raw signature over input with the private key, as JOSE carries it.
inline std::string sign_raw(const TestKey& k, std::string_view alg, std::string_view input,
                            SignOptions opt = {}) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  const char* md = alg == "EdDSA" ? nullptr : digest_for(alg);
  if (EVP_DigestSignInit_ex(ctx.get(), &pctx, md, nullptr, nullptr, k.key.get(), nullptr) != 1)
    throw std::runtime_error("sign init");
  if (alg.starts_with("PS")) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, opt.pss_salt);
  }
  std::size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  EVP_DigestSign(ctx.get(), nullptr, &len, in, input.size());
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                     input.size()) != 1)
    throw std::runtime_error("sign");
  sig.resize(len);
  if (k.kty != "EC" || opt.ecdsa_der) return sig;
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  std::string raw(2 * k.coord, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  BN_bn2binpad(ECDSA_SIG_get0_r(es), out, static_cast<int>(k.coord));
  BN_bn2binpad(ECDSA_SIG_get0_s(es), out + k.coord, static_cast<int>(k.coord));
  ECDSA_SIG_free(es);
  return raw;
}

inline std::string sign_jws(const TestKey& k, std::string_view alg, std::string_view header,
                            std::string_view payload, SignOptions opt = {}) {
  const std::string input =
      crypto::base64url_encode(header) + "." + crypto::base64url_encode(payload);
  return input + "." + crypto::base64url_encode(sign_raw(k, alg, input, opt));
}

}  // namespace gatehouse::jose::testing
