#include "jose/jwk.hpp"

#include <gtest/gtest.h>

#include "crypto/encoding.hpp"
#include "jose/test_signer.hpp"

namespace gatehouse::jose {
namespace {

using testing::public_jwk;
namespace keys = testing::test_keys;

// RFC 7515 Appendix A.3's P-256 public key.
constexpr std::string_view kP256X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr std::string_view kP256Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

std::string ec_jwk(std::string_view x, std::string_view y, std::string_view crv = "P-256") {
  return R"({"kty":"EC","crv":")" + std::string(crv) + R"(","x":")" + std::string(x) +
         R"(","y":")" + std::string(y) + "\"}";
}

TEST(JwkImport, EveryKeyTypeImportsWithItsType) {
  EXPECT_EQ(JwkSet::parse_key(public_jwk(keys::rsa2048(), "a"))->type(), KeyType::rsa);
  EXPECT_EQ(JwkSet::parse_key(public_jwk(keys::p256(), "a"))->type(), KeyType::ec_p256);
  EXPECT_EQ(JwkSet::parse_key(public_jwk(keys::p384(), "a"))->type(), KeyType::ec_p384);
  EXPECT_EQ(JwkSet::parse_key(public_jwk(keys::p521(), "a"))->type(), KeyType::ec_p521);
  EXPECT_EQ(JwkSet::parse_key(public_jwk(keys::ed25519(), "a"))->type(), KeyType::ed25519);
}

TEST(JwkImport, KidAndAlgAreKept) {
  const auto k = JwkSet::parse_key(public_jwk(keys::p256(), "k1", R"("alg":"ES256")"));
  ASSERT_TRUE(k);
  EXPECT_EQ(k->kid(), "k1");
  EXPECT_EQ(k->alg(), "ES256");
  EXPECT_NE(k->pkey(), nullptr);
}

TEST(JwkImport, Rsa1024KeyIsRejected) {
  EXPECT_EQ(JwkSet::parse_key(public_jwk(keys::rsa1024(), "weak")).error(), JoseError::bad_key);
}

TEST(JwkImport, RsaWithEvenExponentOrHugeExponentIsRejected) {
  const auto good = public_jwk(keys::rsa2048(), "a");
  auto even = good;
  even.replace(even.find("\"e\":\"AQAB\""), 10, R"("e":"AQAC")");
  EXPECT_EQ(JwkSet::parse_key(even).error(), JoseError::bad_key);
  auto huge = good;
  huge.replace(huge.find("\"e\":\"AQAB\""), 10, R"("e":"AQAAAAAB")");
  EXPECT_EQ(JwkSet::parse_key(huge).error(), JoseError::bad_key);
}

TEST(JwkImport, RsaWithMissingModulusIsRejected) {
  EXPECT_EQ(JwkSet::parse_key(R"({"kty":"RSA","e":"AQAB"})").error(), JoseError::bad_key);
  EXPECT_EQ(JwkSet::parse_key(R"({"kty":"RSA","n":5,"e":"AQAB"})").error(), JoseError::bad_key);
}

TEST(JwkImport, PaddedBase64InModulusIsRejected) {
  auto jwk = public_jwk(keys::rsa2048(), "a");
  jwk.insert(jwk.find("\",\"e\""), "=");
  EXPECT_EQ(JwkSet::parse_key(jwk).error(), JoseError::bad_key);
}

TEST(JwkImport, EcPointNotOnCurveIsRejected) {
  // The RFC 7515 A.3 point with the last byte of y changed: off the curve.
  auto y = *crypto::base64url_decode(kP256Y);
  y.back() = static_cast<char>(y.back() ^ 1);
  EXPECT_TRUE(JwkSet::parse_key(ec_jwk(kP256X, kP256Y)).has_value());
  EXPECT_EQ(JwkSet::parse_key(ec_jwk(kP256X, crypto::base64url_encode(y))).error(),
            JoseError::bad_key);
}

TEST(JwkImport, EcPointAtZeroIsRejected) {
  const auto zero = crypto::base64url_encode(std::string(32, '\0'));
  EXPECT_EQ(JwkSet::parse_key(ec_jwk(zero, zero)).error(), JoseError::bad_key);
}

TEST(JwkImport, EcCoordinateOfWrongLengthIsRejected) {
  const auto x = *crypto::base64url_decode(kP256X);
  EXPECT_EQ(JwkSet::parse_key(ec_jwk(crypto::base64url_encode(x.substr(1)), kP256Y)).error(),
            JoseError::bad_key);
  EXPECT_EQ(
      JwkSet::parse_key(ec_jwk(crypto::base64url_encode(std::string(1, '\0') + x), kP256Y)).error(),
      JoseError::bad_key);
}

// A P-256 point presented as P-384 must not import as a P-384 key.
TEST(JwkImport, EcCurveThatDoesNotMatchTheCoordinatesIsRejected) {
  EXPECT_EQ(JwkSet::parse_key(ec_jwk(kP256X, kP256Y, "P-384")).error(), JoseError::bad_key);
}

TEST(JwkImport, UnknownCurveIsUnsupported) {
  EXPECT_EQ(JwkSet::parse_key(ec_jwk(kP256X, kP256Y, "secp256k1")).error(),
            JoseError::unsupported_key);
  EXPECT_EQ(JwkSet::parse_key(R"({"kty":"OKP","crv":"X25519","x":"AAAA"})").error(),
            JoseError::unsupported_key);
}

TEST(JwkImport, SymmetricKeyIsUnsupported) {
  EXPECT_EQ(JwkSet::parse_key(R"({"kty":"oct","k":"c2VjcmV0"})").error(),
            JoseError::unsupported_key);
}

TEST(JwkImport, EncryptionKeyIsNotUsedForVerification) {
  EXPECT_EQ(JwkSet::parse_key(public_jwk(keys::rsa2048(), "enc", R"("use":"enc")")).error(),
            JoseError::unsupported_key);
  EXPECT_TRUE(JwkSet::parse_key(public_jwk(keys::rsa2048(), "sig", R"("use":"sig")")));
}

TEST(JwkImport, KeyOpsWithoutVerifyIsNotUsedForVerification) {
  EXPECT_EQ(JwkSet::parse_key(public_jwk(keys::p256(), "a", R"("key_ops":["encrypt"])")).error(),
            JoseError::unsupported_key);
  EXPECT_TRUE(JwkSet::parse_key(public_jwk(keys::p256(), "a", R"("key_ops":["sign","verify"])")));
  EXPECT_EQ(JwkSet::parse_key(public_jwk(keys::p256(), "a", R"("key_ops":"verify")")).error(),
            JoseError::bad_key);
}

TEST(JwkImport, PrivateMembersAreIgnored) {
  const auto jwk = ec_jwk(kP256X, kP256Y);
  const auto with_d =
      jwk.substr(0, jwk.size() - 1) + R"(,"d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"})";
  EXPECT_TRUE(JwkSet::parse_key(with_d).has_value());
}

TEST(JwkImport, NonStringKidIsRejected) {
  const auto jwk = ec_jwk(kP256X, kP256Y);
  EXPECT_EQ(JwkSet::parse_key(jwk.substr(0, jwk.size() - 1) + R"(,"kid":1})").error(),
            JoseError::bad_key);
}

TEST(JwkImport, NotJsonIsMalformed) {
  EXPECT_EQ(JwkSet::parse_key("{").error(), JoseError::malformed);
  EXPECT_EQ(JwkSet::parse_key("[]").error(), JoseError::malformed);
}

TEST(JwkSetParse, UnusableKeysAreSkippedNotFatal) {
  const std::string json = "{\"keys\":[" + public_jwk(keys::rsa1024(), "weak") + "," +
                           public_jwk(keys::rsa2048(), "enc", R"("use":"enc")") + "," +
                           R"({"kty":"oct","k":"c2VjcmV0"},42,)" +
                           public_jwk(keys::p256(), "good") + "]}";
  const auto set = JwkSet::parse(json);
  ASSERT_TRUE(set);
  ASSERT_EQ(set->keys().size(), 1u);
  EXPECT_TRUE(set->has_kid("good"));
  EXPECT_FALSE(set->has_kid("weak"));
}

TEST(JwkSetParse, MissingKeysArrayIsMalformed) {
  EXPECT_EQ(JwkSet::parse("{}").error(), JoseError::malformed);
  EXPECT_EQ(JwkSet::parse(R"({"keys":{}})").error(), JoseError::malformed);
  EXPECT_EQ(JwkSet::parse("[]").error(), JoseError::malformed);
  EXPECT_EQ(JwkSet::parse("not json").error(), JoseError::malformed);
}

TEST(JwkSetParse, OversizedSetIsRejected) {
  std::string json = R"({"keys":[],"pad":")" + std::string(256 * 1024, 'a') + "\"}";
  EXPECT_EQ(JwkSet::parse(json).error(), JoseError::too_large);
}

TEST(JwkSetParse, MoreThanOneHundredKeysIsRejected) {
  std::string json = "{\"keys\":[";
  for (int i = 0; i < 101; ++i) json += std::string(i ? "," : "") + "{}";
  EXPECT_EQ(JwkSet::parse(json + "]}").error(), JoseError::too_large);
}

}  // namespace
}  // namespace gatehouse::jose
