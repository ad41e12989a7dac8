// Published test vectors: RFC 7515 Appendix A (JWS examples) and RFC 7520 §4
// (JOSE cookbook signatures), copied verbatim from the RFC texts
// (RFC 7520's from the ietf-jose/cookbook repository that the RFC was built from).
#include <gtest/gtest.h>

#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "jose/jws.hpp"
#include "jose/signature.hpp"

namespace gatehouse::jose {
namespace {

// RFC 7515 A.2 / A.3 share this payload: {"iss":"joe",\r\n "exp":1300819380,...}
constexpr std::string_view kA2Payload =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q";

constexpr std::string_view kA1Token =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view kA1Key =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

constexpr std::string_view kA2Jwks = R"({"keys":[{"kty":"RSA",
 "n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
 "e":"AQAB"}]})";
constexpr std::string_view kA2Token =
    "eyJhbGciOiJSUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5"
    "jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L"
    "07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUi"
    "pUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";

constexpr std::string_view kA3Jwks = R"({"keys":[{"kty":"EC","crv":"P-256",
 "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
 "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
 "d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}]})";
constexpr std::string_view kA3Token =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";

// RFC 7520 §3.4 / §3.3 keys (public members only, plus kid and use).
constexpr std::string_view kBilboRsa =
    R"({"kty":"RSA","kid":"bilbo.baggins@hobbiton.example","use":"sig",
 "n":"n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw",
 "e":"AQAB"})";
constexpr std::string_view kBilboEc =
    R"({"kty":"EC","kid":"bilbo.baggins@hobbiton.example","use":"sig","crv":"P-521",
 "x":"AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt",
 "y":"AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1"})";

// "It's a dangerous business, Frodo, going out your door. ..." (RFC 7520 §4)
constexpr std::string_view kHobbitPayload =
    "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250by"
    "B0"
    "aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW"
    "91"
    "IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4";

struct CookbookCase {
  const char* section;
  Alg alg;
  std::string_view jwk;
  std::string_view header;
  std::string_view signature;
};

const CookbookCase kCookbook[] = {
    {"4.1 RS256", Alg::rs256, kBilboRsa,
     "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9",
     "MRjdkly7_-"
     "oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4mwzJdQx996ivp83xuglII7P"
     "NDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0RnltuYv746iYTh_"
     "qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9e"
     "Ro4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-"
     "ZnmKJ3F4"
     "uOZDnd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg"},
    {"4.2 PS384", Alg::ps384, kBilboRsa,
     "eyJhbGciOiJQUzM4NCIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9",
     "cu22eBqkYDKgIlTpzDXGvaFfz6WGoz7fUDcfT0kkOy42miAh2qyBzk1xEsnk2IpN6-"
     "tPid6VrklHkqsGqDqHCdP6O8TTB5dD"
     "DItllVo6_1OLPpcbUrhiUSMxbbXUvdvWXzg-"
     "UD8biiReQFlfz28zGWVsdiNAUf8ZnyPEgVFn442ZdNqiVJRmBqrYRXe8P_ij"
     "Q7p8Vdz0TTrxUeT3lm8d9shnr2lfJT8ImUjvAA2Xez2Mlp8cBE5awDzT0qI0n6uiP1aCN_2_"
     "jLAeQTlqRHtfa64QQSUmFAAj"
     "VKPbByi7xho0uTOcbH510a6GYmJUAfmWjwZ6oD4ifKo8DYM-X72Eaw"},
    {"4.3 ES512", Alg::es512, kBilboEc,
     "eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9",
     "AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-"
     "JZGYNlaAjP2kqaluUIIUnC9qvbu9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPB"
     "u_u_sDDyYjnAMDxXPn7XrT0lw-kvAD890jl8e2puQens_IEKBpHABlsbEPX6sFY8OcGDqoRuBomu9xQ2"},
};

const JwsVerifier kVerifier({"RS256", "PS384", "ES256", "ES512"});

TEST(Rfc7515, A2Rs256Verifies) {
  const auto keys = JwkSet::parse(kA2Jwks);
  ASSERT_TRUE(keys);
  const auto v = kVerifier.verify(kA2Token, *keys);
  ASSERT_TRUE(v.has_value()) << to_string(v.error());
  EXPECT_EQ(v->claims().string("iss"), "joe");
  EXPECT_EQ(v->claims().number("exp"), 1300819380.0);
  EXPECT_EQ(v->claims().boolean("http://example.com/is_root"), true);
}

TEST(Rfc7515, A3Es256Verifies) {
  const auto keys = JwkSet::parse(kA3Jwks);  // the private "d" is present and ignored
  ASSERT_TRUE(keys);
  const auto v = kVerifier.verify(kA3Token, *keys);
  ASSERT_TRUE(v.has_value()) << to_string(v.error());
  EXPECT_EQ(v->claims().string("iss"), "joe");
}

// A.1 is a valid HS256 token (our HMAC reproduces its signature), yet it must
// never verify: HMAC with a shared secret is not how a provider signs ID tokens here.
TEST(Rfc7515, A1Hs256IsRejectedEvenThoughItsHmacIsCorrect) {
  const auto key = crypto::base64url_decode(kA1Key);
  ASSERT_TRUE(key);
  const auto input = kA1Token.substr(0, kA1Token.rfind('.'));
  EXPECT_EQ(crypto::base64url_encode(crypto::hmac_sha256(*key, input)),
            kA1Token.substr(kA1Token.rfind('.') + 1));
  const JwsVerifier careless({"HS256", "RS256"});
  const auto keys = JwkSet::parse(kA2Jwks);
  EXPECT_EQ(careless.verify(kA1Token, *keys).error(), JoseError::alg_not_allowed);
}

TEST(Rfc7515, A2WithAlteredPayloadFails) {
  const auto keys = JwkSet::parse(kA2Jwks);
  std::string token(kA2Token);
  token[30] = token[30] == 'A' ? 'B' : 'A';
  EXPECT_EQ(kVerifier.verify(token, *keys).error(), JoseError::bad_signature);
}

TEST(Rfc7520, CookbookSignaturesVerify) {
  for (const auto& c : kCookbook) {
    const auto key = JwkSet::parse_key(c.jwk);
    ASSERT_TRUE(key) << c.section;
    const std::string input = std::string(c.header) + "." + std::string(kHobbitPayload);
    const auto sig = crypto::base64url_decode(c.signature);
    ASSERT_TRUE(sig) << c.section;
    EXPECT_TRUE(verify_signature(c.alg, *key, input, *sig)) << c.section;
    std::string altered = input;
    altered.back() = 'x';
    EXPECT_FALSE(verify_signature(c.alg, *key, altered, *sig)) << c.section;
  }
}

// The cookbook payload is prose, not claims: the signature holds, but the
// verifier still refuses to hand it out as an ID token.
TEST(Rfc7520, CookbookTokensVerifyButProseIsNotClaims) {
  for (const auto& c : kCookbook) {
    const auto keys = JwkSet::parse("{\"keys\":[" + std::string(c.jwk) + "]}");
    ASSERT_TRUE(keys) << c.section;
    const std::string token =
        std::string(c.header) + "." + std::string(kHobbitPayload) + "." + std::string(c.signature);
    EXPECT_EQ(kVerifier.verify(token, *keys).error(), JoseError::malformed) << c.section;
  }
}

TEST(Rfc7520, CookbookSignatureUnderTheWrongAlgFails) {
  const auto key = JwkSet::parse_key(kBilboRsa);
  const auto& ps384 = kCookbook[1];
  const std::string input = std::string(ps384.header) + "." + std::string(kHobbitPayload);
  EXPECT_FALSE(
      verify_signature(Alg::rs384, *key, input, *crypto::base64url_decode(ps384.signature)));
  EXPECT_FALSE(
      verify_signature(Alg::ps256, *key, input, *crypto::base64url_decode(ps384.signature)));
}

}  // namespace
}  // namespace gatehouse::jose
