// ID-token verification cost through the public API, keys imported once as
// the JWKS cache would hold them. bench/crypto-ratio compares the
// RS256 number with `openssl speed rsa2048`.
#include <benchmark/benchmark.h>

#include <openssl/evp.h>

#include "../tests/jose/test_signer.hpp"
#include "crypto/encoding.hpp"
#include "jose/jws.hpp"
#include "jose/signature.hpp"

namespace {

using gatehouse::jose::JwkSet;
using gatehouse::jose::JwsVerifier;
namespace testing = gatehouse::jose::testing;

// Shaped like a real provider's ID token (~1 KiB compact with RS256).
constexpr std::string_view kClaims = R"({
  "iss":"https://accounts.example.com/realms/acme","sub":"f1c6e4a2-5b7d-4d1e-9a3c-2e8b7f0d9c41",
  "aud":"gatehouse-7f3a9c2e","azp":"gatehouse-7f3a9c2e","exp":1700003600,"iat":1700000000,
  "auth_time":1699999990,"nonce":"q3V6Gk2sZpW9mR1tYx8cLb4nH0dFjA7eUoP5iK","at_hash":"77QmUPtjPfzWtF2AnpK9RQ",
  "sid":"b9c1f0e2-6a4d-4b8e-8f2a-1d3c5e7a9b0c","email":"jane.doe@acme.example","email_verified":true,
  "name":"Jane Doe","given_name":"Jane","family_name":"Doe","preferred_username":"jane",
  "locale":"en-GB","acr":"urn:mace:incommon:iap:silver","amr":["pwd","otp"]})";

struct Fixture {
  JwsVerifier verifier{{"RS256", "ES256"}};
  JwkSet keys;
  std::string rs256;
  std::string es256;

  Fixture() {
    const auto& rsa = testing::test_keys::rsa2048();
    const auto& ec = testing::test_keys::p256();
    // Two keys, as providers publish during rotation; the kid picks one.
    keys = *JwkSet::parse("{\"keys\":[" + testing::public_jwk(ec, "ec-1") + "," +
                          testing::public_jwk(rsa, "rsa-1") + "]}");
    rs256 =
        testing::sign_jws(rsa, "RS256", R"({"alg":"RS256","kid":"rsa-1","typ":"JWT"})", kClaims);
    es256 = testing::sign_jws(ec, "ES256", R"({"alg":"ES256","kid":"ec-1","typ":"JWT"})", kClaims);
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

void BM_VerifyIdToken_RS256(benchmark::State& state) {
  const auto& f = fixture();
  for (auto _ : state) {
    auto v = f.verifier.verify(f.rs256, f.keys);
    if (!v) state.SkipWithError("RS256 token did not verify");
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(f.rs256.size()) + " byte token");
}
BENCHMARK(BM_VerifyIdToken_RS256);

void BM_VerifyIdToken_ES256(benchmark::State& state) {
  const auto& f = fixture();
  for (auto _ : state) {
    auto v = f.verifier.verify(f.es256, f.keys);
    if (!v) state.SkipWithError("ES256 token did not verify");
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyIdToken_ES256);

// Only the signature check (hash + RSA) on an already split token: the crypto
// share of BM_VerifyIdToken_RS256, without base64 and JSON.
void BM_VerifySignature_RS256(benchmark::State& state) {
  const auto& f = fixture();
  const std::string_view token = f.rs256;
  const auto input = token.substr(0, token.rfind('.'));
  const auto sig = *gatehouse::crypto::base64url_decode(token.substr(token.rfind('.') + 1));
  const auto& key = *f.keys.keys()[1];
  for (auto _ : state) {
    if (!gatehouse::jose::verify_signature(gatehouse::jose::Alg::rs256, key, input, sig))
      state.SkipWithError("signature did not verify");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifySignature_RS256);

// The bare RSA public-key operation as `openssl speed` measures it: one
// context set up once, PKCS#1 v1.5 over a fixed digest. The floor for RS256.
void BM_RawRsa2048Verify(benchmark::State& state) {
  const auto& rsa = testing::test_keys::rsa2048();
  const std::string digest(32, 'd');
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> sctx(
      EVP_PKEY_CTX_new(rsa.key.get(), nullptr), &EVP_PKEY_CTX_free);
  EVP_PKEY_sign_init(sctx.get());
  std::string sig(256, '\0');
  std::size_t len = sig.size();
  EVP_PKEY_sign(sctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> vctx(
      EVP_PKEY_CTX_new(rsa.key.get(), nullptr), &EVP_PKEY_CTX_free);
  EVP_PKEY_verify_init(vctx.get());
  for (auto _ : state) {
    const int ok =
        EVP_PKEY_verify(vctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), len,
                        reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
    if (ok != 1) state.SkipWithError("raw verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawRsa2048Verify);

}  // namespace
