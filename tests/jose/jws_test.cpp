#include "jose/jws.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "jose/test_signer.hpp"

namespace gatehouse::jose {
namespace {

using crypto::base64url_encode;
using testing::public_jwk;
using testing::sign_jws;
namespace keys = testing::test_keys;

constexpr std::string_view kClaims =
    R"({"iss":"https://idp.example.com","sub":"248289761001","aud":"gatehouse","exp":1700003600})";

const std::set<std::string> kAllAsymmetric{"RS256", "RS384", "RS512", "PS256", "PS384",
                                           "PS512", "ES256", "ES384", "ES512", "EdDSA"};

// One key of every supported type, each with a kid naming it.
JwkSet all_keys() {
  const std::string json =
      "{\"keys\":[" + public_jwk(keys::rsa2048(), "rsa") + "," + public_jwk(keys::p256(), "p256") +
      "," + public_jwk(keys::p384(), "p384") + "," + public_jwk(keys::p521(), "p521") + "," +
      public_jwk(keys::ed25519(), "ed") + "]}";
  auto set = JwkSet::parse(json);
  EXPECT_TRUE(set.has_value());
  EXPECT_EQ(set->keys().size(), 5u);
  return std::move(*set);
}

std::string header(std::string_view alg, std::string_view kid, std::string_view extra = "") {
  std::string h = R"({"alg":")" + std::string(alg) + "\"";
  if (!kid.empty()) h += R"(,"kid":")" + std::string(kid) + "\"";
  if (!extra.empty()) h += "," + std::string(extra);
  return h + "}";
}

// Replaces the signature segment of a compact JWS.
std::string with_signature(std::string_view token, std::string_view raw_sig) {
  return std::string(token.substr(0, token.rfind('.') + 1)) + base64url_encode(raw_sig);
}

class JwsVerifierTest : public ::testing::Test {
 protected:
  JwsVerifier verifier_{kAllAsymmetric};
  JwkSet keys_ = all_keys();

  tl::expected<VerifiedJws, JoseError> verify(std::string_view token) const {
    return verifier_.verify(token, keys_);
  }
};

struct AlgCase {
  const char* alg;
  const testing::TestKey& (*key)();
  const char* kid;
};

TEST_F(JwsVerifierTest, EverySupportedAlgorithmVerifiesItsOwnSignature) {
  const AlgCase cases[] = {
      {"RS256", keys::rsa2048, "rsa"}, {"RS384", keys::rsa2048, "rsa"},
      {"RS512", keys::rsa2048, "rsa"}, {"PS256", keys::rsa2048, "rsa"},
      {"PS384", keys::rsa2048, "rsa"}, {"PS512", keys::rsa2048, "rsa"},
      {"ES256", keys::p256, "p256"},   {"ES384", keys::p384, "p384"},
      {"ES512", keys::p521, "p521"},   {"EdDSA", keys::ed25519, "ed"},
  };
  for (const auto& c : cases) {
    const auto token = sign_jws(c.key(), c.alg, header(c.alg, c.kid), kClaims);
    const auto v = verify(token);
    ASSERT_TRUE(v.has_value()) << c.alg << ": " << to_string(v.error());
    EXPECT_EQ(v->claims().string("sub"), "248289761001") << c.alg;
  }
}

TEST_F(JwsVerifierTest, WithoutKidEveryKeyOfTheRightTypeIsTried) {
  auto set = JwkSet::parse("{\"keys\":[" + public_jwk(keys::rsa2048_other(), "a") + "," +
                           public_jwk(keys::rsa2048(), "b") + "]}");
  ASSERT_TRUE(set);
  const auto token = sign_jws(keys::rsa2048(), "RS256", R"({"alg":"RS256"})", kClaims);
  EXPECT_TRUE(verifier_.verify(token, *set).has_value());
}

TEST_F(JwsVerifierTest, AlgNoneIsRejected) {
  const auto token = base64url_encode(R"({"alg":"none"})") + "." + base64url_encode(kClaims) + ".";
  EXPECT_EQ(verify(token).error(), JoseError::alg_none);
}

TEST_F(JwsVerifierTest, AlgNoneIsRejectedEvenWhenTheCallerAllowsIt) {
  const JwsVerifier careless({"none", "RS256"});
  const auto token = base64url_encode(R"({"alg":"none"})") + "." + base64url_encode(kClaims) + ".";
  EXPECT_EQ(careless.verify(token, keys_).error(), JoseError::alg_none);
}

// Algorithm confusion (CVE-2015-9235 and kin): an attacker signs with HMAC
// using the provider's public key as the secret.
TEST_F(JwsVerifierTest, HmacAlgWithRsaPublicKeyIsRejected) {
  const JwsVerifier careless({"HS256", "RS256"});
  const std::string secret = public_jwk(keys::rsa2048(), "rsa");
  const std::string input =
      base64url_encode(header("HS256", "rsa")) + "." + base64url_encode(kClaims);
  const std::string token = input + "." + base64url_encode(crypto::hmac_sha256(secret, input));
  EXPECT_EQ(careless.verify(token, keys_).error(), JoseError::alg_not_allowed);
  EXPECT_EQ(verify(token).error(), JoseError::alg_not_allowed);
}

TEST_F(JwsVerifierTest, AlgOutsideTheAllowListIsRejected) {
  const JwsVerifier rs_only({"RS256"});
  const auto token = sign_jws(keys::p256(), "ES256", header("ES256", "p256"), kClaims);
  EXPECT_EQ(rs_only.verify(token, keys_).error(), JoseError::alg_not_allowed);
}

TEST_F(JwsVerifierTest, AlgNameIsCaseSensitive) {
  const auto token = sign_jws(keys::rsa2048(), "RS256", header("rs256", "rsa"), kClaims);
  EXPECT_EQ(verify(token).error(), JoseError::alg_not_allowed);
}

TEST_F(JwsVerifierTest, Es256WithP384KeyIsAnAlgKeyMismatch) {
  const auto token = sign_jws(keys::p384(), "ES384", header("ES256", "p384"), kClaims);
  EXPECT_EQ(verify(token).error(), JoseError::alg_key_mismatch);
}

TEST_F(JwsVerifierTest, Rs256WithEcKeyIsAnAlgKeyMismatch) {
  const auto token = sign_jws(keys::rsa2048(), "RS256", header("RS256", "p256"), kClaims);
  EXPECT_EQ(verify(token).error(), JoseError::alg_key_mismatch);
}

TEST_F(JwsVerifierTest, EdDsaWithRsaKeyIsAnAlgKeyMismatch) {
  const auto token = sign_jws(keys::ed25519(), "EdDSA", header("EdDSA", "rsa"), kClaims);
  EXPECT_EQ(verify(token).error(), JoseError::alg_key_mismatch);
}

TEST_F(JwsVerifierTest, TokenAlgDifferentFromTheJwkAlgIsRejected) {
  auto set =
      JwkSet::parse("{\"keys\":[" + public_jwk(keys::rsa2048(), "rsa", R"("alg":"RS256")") + "]}");
  ASSERT_TRUE(set);
  const auto token = sign_jws(keys::rsa2048(), "PS256", header("PS256", "rsa"), kClaims);
  EXPECT_EQ(verifier_.verify(token, *set).error(), JoseError::alg_key_mismatch);
}

TEST_F(JwsVerifierTest, UnknownKidIsNoMatchingKey) {
  const auto token = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rotated"), kClaims);
  EXPECT_EQ(verify(token).error(), JoseError::no_matching_key);
}

TEST_F(JwsVerifierTest, NoKeyOfTheRightTypeIsNoMatchingKey) {
  auto set = JwkSet::parse("{\"keys\":[" + public_jwk(keys::p256(), "p256") + "]}");
  ASSERT_TRUE(set);
  const auto token = sign_jws(keys::rsa2048(), "RS256", R"({"alg":"RS256"})", kClaims);
  EXPECT_EQ(verifier_.verify(token, *set).error(), JoseError::no_matching_key);
}

TEST_F(JwsVerifierTest, SignatureByAnotherKeyIsRejected) {
  const auto token = sign_jws(keys::rsa2048_other(), "RS256", header("RS256", "rsa"), kClaims);
  EXPECT_EQ(verify(token).error(), JoseError::bad_signature);
}

TEST_F(JwsVerifierTest, TamperedPayloadIsRejected) {
  const auto token = sign_jws(keys::p256(), "ES256", header("ES256", "p256"), kClaims);
  const auto forged = sign_jws(keys::p256(), "ES256", header("ES256", "p256"),
                               R"({"iss":"https://idp.example.com","sub":"admin"})");
  const auto d1 = token.find('.');
  const auto d2 = token.rfind('.');
  const std::string spliced = forged.substr(0, forged.rfind('.')) + token.substr(d2);
  ASSERT_NE(spliced.substr(d1), token.substr(d1));
  EXPECT_EQ(verify(spliced).error(), JoseError::bad_signature);
}

TEST_F(JwsVerifierTest, EcdsaSignatureOfWrongLengthIsRejected) {
  const auto token = sign_jws(keys::p256(), "ES256", header("ES256", "p256"), kClaims);
  auto raw = *crypto::base64url_decode(token.substr(token.rfind('.') + 1));
  EXPECT_EQ(verify(with_signature(token, raw.substr(0, 63))).error(), JoseError::bad_signature);
  EXPECT_EQ(verify(with_signature(token, raw + '\0')).error(), JoseError::bad_signature);
}

TEST_F(JwsVerifierTest, EcdsaSignatureInDerIsRejected) {
  const auto token =
      sign_jws(keys::p256(), "ES256", header("ES256", "p256"), kClaims, {.ecdsa_der = true});
  EXPECT_EQ(verify(token).error(), JoseError::bad_signature);
}

// r = s = 0 verifies in broken ECDSA code ("psychic signatures", CVE-2022-21449).
TEST_F(JwsVerifierTest, EcdsaAllZeroSignatureIsRejected) {
  const auto token = sign_jws(keys::p256(), "ES256", header("ES256", "p256"), kClaims);
  EXPECT_EQ(verify(with_signature(token, std::string(64, '\0'))).error(), JoseError::bad_signature);
}

TEST_F(JwsVerifierTest, TruncatedRsaSignatureIsRejected) {
  const auto token = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"), kClaims);
  auto raw = *crypto::base64url_decode(token.substr(token.rfind('.') + 1));
  EXPECT_EQ(verify(with_signature(token, raw.substr(1))).error(), JoseError::bad_signature);
  EXPECT_EQ(verify(with_signature(token, "")).error(), JoseError::bad_signature);
}

// RFC 7518 §3.5 fixes the salt length to the hash length.
TEST_F(JwsVerifierTest, PssSignatureWithOtherSaltLengthIsRejected) {
  const auto token = sign_jws(keys::rsa2048(), "PS256", header("PS256", "rsa"), kClaims,
                              {.pss_salt = RSA_PSS_SALTLEN_MAX});
  EXPECT_EQ(verify(token).error(), JoseError::bad_signature);
}

TEST_F(JwsVerifierTest, Rs256SignatureDoesNotPassAsPs256) {
  const auto rs = sign_jws(keys::rsa2048(), "RS256", header("PS256", "rsa"), kClaims);
  EXPECT_EQ(verify(rs).error(), JoseError::bad_signature);
}

TEST_F(JwsVerifierTest, UnknownCritIsRejected) {
  const auto token = sign_jws(keys::rsa2048(), "RS256",
                              header("RS256", "rsa", R"("crit":["exp"],"exp":1)"), kClaims);
  EXPECT_EQ(verify(token).error(), JoseError::unknown_crit);
}

TEST_F(JwsVerifierTest, EmptyCritIsMalformed) {
  const auto token =
      sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa", R"("crit":[])"), kClaims);
  EXPECT_EQ(verify(token).error(), JoseError::malformed);
}

TEST_F(JwsVerifierTest, CritThatIsNotAnArrayIsMalformed) {
  const auto token =
      sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa", R"("crit":"exp")"), kClaims);
  EXPECT_EQ(verify(token).error(), JoseError::malformed);
}

// RFC 7797 unencoded payloads would change what the signature covers.
TEST_F(JwsVerifierTest, B64HeaderIsRejected) {
  const auto token =
      sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa", R"("b64":false)"), kClaims);
  EXPECT_EQ(verify(token).error(), JoseError::unknown_crit);
}

TEST_F(JwsVerifierTest, DuplicateAlgInHeaderIsRejected) {
  const auto token =
      sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa", R"("alg":"none")"), kClaims);
  EXPECT_EQ(verify(token).error(), JoseError::malformed);
}

// RFC 8725 §3.10: a header must not choose where keys come from.
TEST_F(JwsVerifierTest, JkuHeaderIsIgnored) {
  const auto token =
      sign_jws(keys::rsa2048(), "RS256",
               header("RS256", "rsa", R"("jku":"https://evil.example/jwks")"), kClaims);
  EXPECT_TRUE(verify(token).has_value());
  const auto evil =
      sign_jws(keys::rsa2048_other(), "RS256",
               header("RS256", "rsa", R"("jku":"https://evil.example/jwks")"), kClaims);
  EXPECT_EQ(verify(evil).error(), JoseError::bad_signature);
}

TEST_F(JwsVerifierTest, EmbeddedJwkHeaderIsNotTrusted) {
  const auto& attacker = keys::rsa2048_other();
  const std::string embedded = "\"jwk\":" + public_jwk(attacker, "evil");
  const auto with_kid = sign_jws(attacker, "RS256", header("RS256", "evil", embedded), kClaims);
  EXPECT_EQ(verify(with_kid).error(), JoseError::no_matching_key);
  const auto without_kid = sign_jws(attacker, "RS256", header("RS256", "", embedded), kClaims);
  EXPECT_EQ(verify(without_kid).error(), JoseError::bad_signature);
}

TEST_F(JwsVerifierTest, X5uAndX5cHeadersAreIgnored) {
  const auto token = sign_jws(
      keys::p256(), "ES256",
      header("ES256", "p256", R"("x5u":"https://evil.example/c.pem","x5c":["MIIB"])"), kClaims);
  EXPECT_TRUE(verify(token).has_value());
}

TEST_F(JwsVerifierTest, PaddedBase64IsRejected) {
  // A 2048-bit RSA signature is 256 bytes, whose base64 needs one '='.
  const auto token = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"), kClaims);
  EXPECT_TRUE(verify(token).has_value());
  EXPECT_EQ(verify(token + "=").error(), JoseError::malformed);
}

TEST_F(JwsVerifierTest, NonCanonicalBase64IsRejected) {
  // 256 bytes -> 342 characters whose last carries 4 unused bits; setting one
  // gives a second spelling of the same signature.
  const auto token = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"), kClaims);
  std::string other = token;
  const std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  other.back() = alphabet[alphabet.find(other.back()) | 1];
  ASSERT_NE(other, token);
  EXPECT_EQ(verify(other).error(), JoseError::malformed);
}

TEST_F(JwsVerifierTest, StandardBase64AlphabetIsRejected) {
  auto token = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"), kClaims);
  for (char& c : token) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  const auto v = verify(token);
  // Some signatures have neither character; only then would the token be unchanged.
  if (token.find_first_of("+/") != std::string::npos) {
    EXPECT_EQ(v.error(), JoseError::malformed);
  }
}

TEST_F(JwsVerifierTest, WhitespaceInTokenIsRejected) {
  const auto token = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"), kClaims);
  EXPECT_EQ(verify(token + "\n").error(), JoseError::malformed);
  EXPECT_EQ(verify(" " + token).error(), JoseError::malformed);
}

TEST_F(JwsVerifierTest, TokenOver16KiBIsRejectedBeforeParsing) {
  const std::string huge(16 * 1024 + 1, 'A');
  EXPECT_EQ(verify(huge).error(), JoseError::too_large);
}

TEST_F(JwsVerifierTest, WrongSegmentCountIsMalformed) {
  const auto token = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"), kClaims);
  EXPECT_EQ(verify(token + ".AAAA").error(), JoseError::malformed);
  EXPECT_EQ(verify(token.substr(0, token.rfind('.'))).error(), JoseError::malformed);
  EXPECT_EQ(verify("").error(), JoseError::malformed);
  EXPECT_EQ(verify("..").error(), JoseError::malformed);
}

TEST_F(JwsVerifierTest, HeaderThatIsNotAJsonObjectIsMalformed) {
  for (const char* h : {R"(["RS256"])", R"("RS256")", "{", "null"}) {
    const auto token = sign_jws(keys::rsa2048(), "RS256", h, kClaims);
    EXPECT_EQ(verify(token).error(), JoseError::malformed) << h;
  }
}

TEST_F(JwsVerifierTest, MissingOrNonStringAlgIsMalformed) {
  for (const char* h : {R"({"kid":"rsa"})", R"({"alg":256,"kid":"rsa"})"}) {
    const auto token = sign_jws(keys::rsa2048(), "RS256", h, kClaims);
    EXPECT_EQ(verify(token).error(), JoseError::malformed) << h;
  }
}

TEST_F(JwsVerifierTest, NonStringKidIsMalformed) {
  const auto token = sign_jws(keys::rsa2048(), "RS256", R"({"alg":"RS256","kid":7})", kClaims);
  EXPECT_EQ(verify(token).error(), JoseError::malformed);
}

TEST_F(JwsVerifierTest, SignedPayloadThatIsNotAJsonObjectIsMalformed) {
  for (const char* p : {"[1]", "\"claims\"", "not json"}) {
    const auto token = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"), p);
    EXPECT_EQ(verify(token).error(), JoseError::malformed) << p;
  }
}

TEST_F(JwsVerifierTest, DuplicateClaimInASignedTokenIsMalformed) {
  // Two "sub" members: one parser would take the first, another the last.
  const auto token = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"),
                              R"({"sub":"alice","sub":"mallory","iss":"https://idp.example"})");
  EXPECT_EQ(verify(token).error(), JoseError::malformed);
}

TEST_F(JwsVerifierTest, NulByteTruncationOfClaimsOrHeaderIsMalformed) {
  // nlohmann stops at NUL: what follows would be signed but never read.
  const std::string claims = std::string(R"({"sub":"alice"})") + '\0' + R"({"sub":"mallory"})";
  EXPECT_EQ(verify(sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"), claims)).error(),
            JoseError::malformed);
  const std::string hdr = header("RS256", "rsa") + '\0' + "junk";
  EXPECT_EQ(verify(sign_jws(keys::rsa2048(), "RS256", hdr, kClaims)).error(), JoseError::malformed);
}

// The same name spelled with an escape: a parser comparing raw bytes would
// see two different members, one comparing decoded names two "sub"s.
TEST_F(JwsVerifierTest, DuplicateClaimSpelledWithAnEscapeIsMalformed) {
  const auto token = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"),
                              R"({"sub":"alice","s\u0075b":"mallory"})");
  EXPECT_EQ(verify(token).error(), JoseError::malformed);
}

TEST_F(JwsVerifierTest, DuplicateAlgSpelledWithAnEscapeIsRejected) {
  const auto token =
      sign_jws(keys::rsa2048(), "RS256", R"({"alg":"RS256","\u0061lg":"none"})", kClaims);
  EXPECT_EQ(verify(token).error(), JoseError::malformed);
}

// Past 32 members the duplicate check sorts instead of comparing pairs, so a
// header of a thousand members (checked before any signature) costs
// n log n; the check must still find the one repeated name.
TEST_F(JwsVerifierTest, DuplicateAmongAThousandHeaderMembersIsRejected) {
  std::string members;
  for (int i = 0; i < 1000; ++i) members += "\"m" + std::to_string(i) + "\":0,";
  const auto distinct =
      sign_jws(keys::rsa2048(), "RS256", "{" + members + R"("alg":"RS256","kid":"rsa"})", kClaims);
  EXPECT_TRUE(verify(distinct).has_value());
  const auto repeated = sign_jws(keys::rsa2048(), "RS256",
                                 "{" + members + R"("m700":1,"alg":"RS256","kid":"rsa"})", kClaims);
  EXPECT_EQ(verify(repeated).error(), JoseError::malformed);
}

// An integer no 64-bit type holds: one parser rounds it to a double, another
// wraps or clamps it, so the signed bytes mean two different numbers.
TEST_F(JwsVerifierTest, IntegerClaimBeyond64BitsIsMalformedNotRounded) {
  for (const char* exp : {"18446744073709551616", "-9223372036854775809", "1e400"}) {
    const auto token = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"),
                                std::string(R"({"sub":"a","exp":)") + exp + "}");
    EXPECT_EQ(verify(token).error(), JoseError::malformed) << exp;
  }
  const auto widest = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"),
                               R"({"sub":"a","exp":18446744073709551615})");
  ASSERT_TRUE(verify(widest).has_value());
  EXPECT_EQ(verify(widest)->claims().number("exp"), 18446744073709551615.0);
}

// "[[[[..." nested thousands deep: refused by a depth bound, not by a stack
// overflow, in the header (before the signature) and in signed claims.
TEST_F(JwsVerifierTest, DeeplyNestedJsonIsMalformedNotAStackOverflow) {
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  const auto claims =
      sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"), R"({"sub":"a","x":)" + deep + "}");
  EXPECT_EQ(verify(claims).error(), JoseError::malformed);
  const auto hdr =
      sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa", R"("x":)" + deep), kClaims);
  EXPECT_EQ(verify(hdr).error(), JoseError::malformed);
  // What providers really send (address, realm_access.roles) still passes.
  const auto usual = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"),
                              R"({"sub":"a","realm_access":{"roles":[["x"]]}})");
  EXPECT_TRUE(verify(usual).has_value());
}

// simdjson reads a few bytes past the text it parses; the decoded payload
// must end where the token says, whatever a longer earlier token left in
// the thread's buffer.
TEST_F(JwsVerifierTest, ShortTokenAfterALongOneReadsOnlyItsOwnClaims) {
  const auto long_token = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"),
                                   R"({"sub":"alice","pad":")" + std::string(4000, 'p') + "\"}");
  const auto short_token =
      sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"), R"({"sub":"bob"})");
  ASSERT_TRUE(verify(long_token).has_value());
  const auto v = verify(short_token);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->claims().string("sub"), "bob");
  EXPECT_FALSE(v->claims().contains("pad"));
}

TEST_F(JwsVerifierTest, InvalidUtf8OrLoneSurrogateInClaimsIsMalformed) {
  for (const std::string& claims :
       {std::string(R"({"sub":")") + "\xff" + "\"}", std::string(R"({"sub":"\ud800"})")}) {
    const auto token = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"), claims);
    EXPECT_EQ(verify(token).error(), JoseError::malformed) << claims;
  }
}

// A thread remembers the last header that passed; a token with that header
// must still be judged by this verifier's allow-list and this token's bytes.
TEST_F(JwsVerifierTest, RememberedHeaderIsStillCheckedAgainstEachVerifiersAllowList) {
  const auto token = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"), kClaims);
  ASSERT_TRUE(verify(token).has_value());
  const JwsVerifier es_only({"ES256"});
  EXPECT_EQ(es_only.verify(token, keys_).error(), JoseError::alg_not_allowed);
  const auto forged = with_signature(token, std::string(256, 'x'));
  EXPECT_EQ(verify(forged).error(), JoseError::bad_signature);
  EXPECT_TRUE(verify(token).has_value());
}

TEST_F(JwsVerifierTest, AlternatingHeadersEachSelectTheirOwnKey) {
  const auto rsa = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"), kClaims);
  const auto ec = sign_jws(keys::p256(), "ES256", header("ES256", "p256"), kClaims);
  const auto crit =
      sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa", R"("crit":["x"])"), kClaims);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(verify(rsa).has_value());
    EXPECT_EQ(JwsVerifier::peek_kid(ec), "p256");
    EXPECT_TRUE(verify(ec).has_value());
    EXPECT_EQ(verify(crit).error(), JoseError::unknown_crit);
    EXPECT_EQ(JwsVerifier::peek_kid(rsa), "rsa");
  }
}

TEST_F(JwsVerifierTest, EmptyKeySetMatchesNothing) {
  const JwkSet empty;
  const auto token = sign_jws(keys::rsa2048(), "RS256", header("RS256", "rsa"), kClaims);
  EXPECT_EQ(verifier_.verify(token, empty).error(), JoseError::no_matching_key);
}

// Verify contexts are reused per key: a failed check must leave nothing
// behind that lets a later forgery pass or a later valid token fail.
TEST_F(JwsVerifierTest, ReusedVerifyContextsKeepNoStateBetweenTokens) {
  for (const char* alg : {"RS256", "PS256"}) {
    const auto good = sign_jws(keys::rsa2048(), alg, header(alg, "rsa"), kClaims);
    const auto bad = sign_jws(keys::rsa2048_other(), alg, header(alg, "rsa"), kClaims);
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(verify(bad).error(), JoseError::bad_signature) << alg;
      EXPECT_TRUE(verify(good).has_value()) << alg;
    }
  }
}

TEST_F(JwsVerifierTest, ConcurrentVerificationsWithOneKeySetAgree) {
  const auto good = sign_jws(keys::p256(), "ES256", header("ES256", "p256"), kClaims);
  const auto bad = sign_jws(keys::p256(), "ES256", header("ES256", "p256"), R"({"sub":"x"})");
  const std::string forged = bad.substr(0, bad.rfind('.')) + good.substr(good.rfind('.'));
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if (!verify(good).has_value()) ++failures[t];
        if (verify(forged).has_value()) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const int f : failures) EXPECT_EQ(f, 0);
}

// Every thread has its own parser; the claims each returns are its own.
TEST_F(JwsVerifierTest, ConcurrentVerificationsReadTheirOwnClaims) {
  std::vector<std::string> tokens;
  for (int t = 0; t < 4; ++t)
    tokens.push_back(sign_jws(keys::p256(), "ES256", header("ES256", "p256"),
                              R"({"sub":"user-)" + std::to_string(t) + "\"}"));
  std::vector<int> wrong(tokens.size(), 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const auto v = verify(tokens[t]);
        if (!v || v->claims().string("sub") != "user-" + std::to_string(t)) ++wrong[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const int w : wrong) EXPECT_EQ(w, 0);
}

TEST(JwsPeekKid, ReturnsTheHeaderKidWithoutVerifying) {
  const auto token = sign_jws(keys::p256(), "ES256", header("ES256", "k-2024"), kClaims);
  EXPECT_EQ(JwsVerifier::peek_kid(token), "k-2024");
  EXPECT_EQ(JwsVerifier::peek_kid(with_signature(token, "x")), "k-2024");
}

TEST(JwsPeekKid, NoKidOrGarbageGivesNothing) {
  const auto token = sign_jws(keys::p256(), "ES256", R"({"alg":"ES256"})", kClaims);
  EXPECT_EQ(JwsVerifier::peek_kid(token), std::nullopt);
  EXPECT_EQ(JwsVerifier::peek_kid("a.b.c"), std::nullopt);
  EXPECT_EQ(JwsVerifier::peek_kid(""), std::nullopt);
}

TEST(JoseErrorText, NamesEveryReason) {
  for (const auto e :
       {JoseError::malformed, JoseError::too_large, JoseError::alg_none, JoseError::alg_not_allowed,
        JoseError::alg_key_mismatch, JoseError::unknown_crit, JoseError::no_matching_key,
        JoseError::bad_signature, JoseError::bad_key, JoseError::unsupported_key})
    EXPECT_NE(to_string(e), "unknown JOSE error");
}

}  // namespace
}  // namespace gatehouse::jose
