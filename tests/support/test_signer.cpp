#include "support/test_signer.hpp"

#include <stdexcept>
#include <vector>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

namespace gatehouse::testing {
namespace {

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("TestSigner: ") + what);
}

std::string bn_bytes(const EVP_PKEY* key, const char* param, int pad) {
  BIGNUM* bn = nullptr;
  check(EVP_PKEY_get_bn_param(key, param, &bn) == 1, "get_bn_param");
  int len = pad > 0 ? pad : BN_num_bytes(bn);
  std::string out(static_cast<std::size_t>(len), '\0');
  check(BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), len) == len, "bn2binpad");
  BN_free(bn);
  return out;
}

std::string signing_input(const nlohmann::json& header, const nlohmann::json& payload) {
  return TestSigner::base64url(header.dump()) + "." + TestSigner::base64url(payload.dump());
}

}  // namespace

void TestSigner::PkeyFree::operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }

TestSigner::TestSigner(std::string kid, std::string alg, EVP_PKEY* key)
    : kid_(std::move(kid)), alg_(std::move(alg)), key_(key, PkeyFree{}) {}

TestSigner TestSigner::rsa(std::string kid) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
  check(key != nullptr, "RSA keygen");
  return TestSigner(std::move(kid), "RS256", key);
}

TestSigner TestSigner::ec_p256(std::string kid) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  check(key != nullptr, "EC keygen");
  return TestSigner(std::move(kid), "ES256", key);
}

std::string TestSigner::base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (bytes.size() - i == 1) {
    unsigned v = byte(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

nlohmann::json TestSigner::jwk() const {
  nlohmann::json j{{"kid", kid_}, {"use", "sig"}, {"alg", alg_}};
  if (alg_ == "RS256") {
    j["kty"] = "RSA";
    j["n"] = base64url(bn_bytes(key_.get(), OSSL_PKEY_PARAM_RSA_N, 0));
    j["e"] = base64url(bn_bytes(key_.get(), OSSL_PKEY_PARAM_RSA_E, 0));
  } else {
    j["kty"] = "EC";
    j["crv"] = "P-256";
    j["x"] = base64url(bn_bytes(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32));
    j["y"] = base64url(bn_bytes(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32));
  }
  return j;
}

std::string TestSigner::public_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  check(PEM_write_bio_PUBKEY(bio, key_.get()) == 1, "PEM_write_bio_PUBKEY");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

std::string TestSigner::jwks(std::initializer_list<const TestSigner*> signers) {
  nlohmann::json keys = nlohmann::json::array();
  for (const auto* s : signers) keys.push_back(s->jwk());
  return nlohmann::json{{"keys", keys}}.dump();
}

std::string TestSigner::sign(const nlohmann::json& header, const nlohmann::json& payload) const {
  const std::string input = signing_input(header, payload);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  check(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_.get()) == 1, "DigestSignInit");
  std::size_t len = 0;
  check(EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                       input.size()) == 1,
        "DigestSign size");
  std::string sig(len, '\0');
  check(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1,
        "DigestSign");
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  if (alg_ == "ES256") {
    // JWS wants raw r||s (RFC 7518 §3.4), OpenSSL gives DER.
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    check(es != nullptr, "d2i_ECDSA_SIG");
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(es);
    sig = raw;
  }
  return input + "." + base64url(sig);
}

std::string TestSigner::sign_claims(const nlohmann::json& payload) const {
  return sign({{"alg", alg_}, {"kid", kid_}, {"typ", "JWT"}}, payload);
}

std::string TestSigner::unsigned_token(const nlohmann::json& header,
                                       const nlohmann::json& payload) {
  return signing_input(header, payload) + ".";
}

std::string TestSigner::hmac_token(const nlohmann::json& header, const nlohmann::json& payload,
                                   std::string_view secret) {
  const std::string input = signing_input(header, payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + base64url(std::string(reinterpret_cast<char*>(mac), len));
}

}  // namespace gatehouse::testing
