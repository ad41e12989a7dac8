// OIDC Core §3.1.3.7, one test per rule, named after the attack it stops.
#include "oidc/id_token_validator.hpp"

#include "oidc_fixture.hpp"

namespace gatehouse::testing {
namespace {

using oidc::Error;

class IdTokenValidator : public OidcFixture {};

TEST_F(IdTokenValidator, ValidTokenIsAccepted) {
  auto id = finish_with(claims());
  ASSERT_TRUE(id) << detail;
  EXPECT_EQ(id->sub, "user-42");
  EXPECT_EQ(id->issuer, issuer);
  EXPECT_EQ(id->email, "ada@acme.example");
  EXPECT_EQ(id->name, "Ada");
  EXPECT_EQ(id->email_verified, true);
  EXPECT_FALSE(id->id_token.empty());
}

TEST_F(IdTokenValidator, EcSignedTokenIsAcceptedWhenAdvertised) {
  auto ec = TestSigner::ec_p256("ec-1");
  auto doc = metadata_json();
  doc["id_token_signing_alg_values_supported"] = {"RS256", "ES256"};
  serve_metadata(doc);
  serve_jwks({&signer(), &ec});
  serve_tokens(ec.sign_claims(claims()));
  EXPECT_TRUE(finish(callback(pending.state))) << detail;
}

TEST_F(IdTokenValidator, AlgNotAdvertisedIsRejected) {
  // The provider says RS256 only; an ES256 token under a key it somehow
  // published must not pass.
  auto ec = TestSigner::ec_p256("ec-1");
  serve_jwks({&signer(), &ec});
  serve_tokens(ec.sign_claims(claims()));
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_invalid_signature);
}

TEST_F(IdTokenValidator, IssuerWithSuffixIsRejected) {
  auto c = claims();
  c["iss"] = issuer + "1";  // https://idp.example1: a prefix match would accept it
  auto id = finish_with(c);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_wrong_issuer);
}

TEST_F(IdTokenValidator, IssuerWithTrailingSlashIsRejected) {
  auto c = claims();
  c["iss"] = issuer + "/";
  auto id = finish_with(c);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_wrong_issuer);
}

TEST_F(IdTokenValidator, AudienceForAnotherClientIsRejected) {
  auto c = claims();
  c["aud"] = "client-of-another-app";
  auto id = finish_with(c);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_wrong_audience);
}

TEST_F(IdTokenValidator, AudienceArrayContainingClientIsAcceptedWithAzp) {
  auto c = claims();
  c["aud"] = {"other", client.client_id};
  c["azp"] = client.client_id;
  EXPECT_TRUE(finish_with(c)) << detail;
}

TEST_F(IdTokenValidator, MultipleAudiencesWithoutAzpAreRejected) {
  auto c = claims();
  c["aud"] = {client.client_id, "other"};
  auto id = finish_with(c);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_azp_mismatch);
}

TEST_F(IdTokenValidator, AzpOfAnotherClientIsRejected) {
  auto c = claims();
  c["aud"] = {client.client_id, "other"};
  c["azp"] = "other";
  auto id = finish_with(c);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_azp_mismatch);
}

TEST_F(IdTokenValidator, ExpiredTokenIsRejected) {
  auto c = claims();
  c["exp"] = kNow - 61;
  auto id = finish_with(c);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_expired);
}

TEST_F(IdTokenValidator, ExpiredWithinSkewIsAccepted) {
  auto c = claims();
  c["exp"] = kNow - 59;
  EXPECT_TRUE(finish_with(c)) << detail;
}

TEST_F(IdTokenValidator, MissingExpIsRejected) {
  auto c = claims();
  c.erase("exp");
  auto id = finish_with(c);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_missing_claim);
}

TEST_F(IdTokenValidator, ExpAsStringIsRejected) {
  auto c = claims();
  c["exp"] = std::to_string(kNow + 300);
  auto id = finish_with(c);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_missing_claim);
}

TEST_F(IdTokenValidator, IatInFutureIsRejected) {
  auto c = claims();
  c["iat"] = kNow + 61;
  auto id = finish_with(c);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_issued_in_future);
}

TEST_F(IdTokenValidator, IatInFutureWithinSkewIsAccepted) {
  auto c = claims();
  c["iat"] = kNow + 59;
  EXPECT_TRUE(finish_with(c)) << detail;
}

TEST_F(IdTokenValidator, MissingIatIsRejected) {
  auto c = claims();
  c.erase("iat");
  auto id = finish_with(c);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_missing_claim);
}

TEST_F(IdTokenValidator, NotBeforeInFutureIsRejected) {
  auto c = claims();
  c["nbf"] = kNow + 120;
  auto id = finish_with(c);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_issued_in_future);
}

TEST_F(IdTokenValidator, MissingSubIsRejected) {
  auto c = claims();
  c.erase("sub");
  auto id = finish_with(c);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_missing_claim);
}

TEST_F(IdTokenValidator, EmptySubIsRejected) {
  // Accounts are keyed by (team, sub): an empty sub would merge people.
  auto c = claims();
  c["sub"] = "";
  auto id = finish_with(c);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_missing_claim);
}

TEST_F(IdTokenValidator, NonceReplayFromAnotherAttemptIsRejected) {
  auto c = claims();
  c["nonce"] = "nonce-of-an-earlier-attempt-0123456789abcdef";
  auto id = finish_with(c);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::nonce_mismatch);
}

TEST_F(IdTokenValidator, MissingNonceIsRejected) {
  auto c = claims();
  c.erase("nonce");
  auto id = finish_with(c);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_missing_claim);
}

TEST_F(IdTokenValidator, AlgNoneIsRejected) {
  serve_tokens(TestSigner::unsigned_token({{"alg", "none"}, {"kid", signer().kid()}}, claims()));
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_invalid_signature);
}

TEST_F(IdTokenValidator, AlgNoneIsRejectedEvenWhenAdvertised) {
  auto doc = metadata_json();
  doc["id_token_signing_alg_values_supported"] = {"RS256", "none"};
  serve_metadata(doc);
  serve_tokens(TestSigner::unsigned_token({{"alg", "none"}}, claims()));
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_invalid_signature);
}

TEST_F(IdTokenValidator, HmacSignedWithPublicKeyAsSecretIsRejected) {
  // Key confusion: an attacker who knows the RSA public key MACs a token
  // with it and hopes the verifier uses the key bytes as an HMAC secret.
  auto doc = metadata_json();
  doc["id_token_signing_alg_values_supported"] = {"RS256", "HS256"};
  serve_metadata(doc);
  serve_tokens(TestSigner::hmac_token({{"alg", "HS256"}, {"kid", signer().kid()}}, claims(),
                                      signer().public_pem()));
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_invalid_signature);
}

TEST_F(IdTokenValidator, SignatureByAnotherKeyIsRejected) {
  auto attacker = TestSigner::rsa(signer().kid());  // same kid, different key
  serve_tokens(attacker.sign_claims(claims()));
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_invalid_signature);
}

TEST_F(IdTokenValidator, TamperedPayloadIsRejected) {
  std::string token = signer().sign_claims(claims());
  auto c = claims();
  c["sub"] = "admin";
  std::string forged = signer().sign_claims(c);
  // Signature of the honest token on the forged payload.
  auto dot1 = forged.find('.'), dot2 = forged.rfind('.');
  std::string spliced = forged.substr(0, dot2) + token.substr(token.rfind('.'));
  ASSERT_NE(dot1, dot2);
  serve_tokens(spliced);
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_invalid_signature);
}

TEST_F(IdTokenValidator, JkuInHeaderIsIgnored) {
  // A header pointing at the attacker's keys must not make us fetch them.
  auto attacker = TestSigner::rsa("attacker");
  serve_tokens(attacker.sign(
      {{"alg", "RS256"}, {"kid", "attacker"}, {"jku", "https://evil.example/keys"}}, claims()));
  http.respond("https://evil.example/keys", 200, TestSigner::jwks({&attacker}));
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_unknown_key);
  EXPECT_EQ(http.count("https://evil.example/keys"), 0u);
}

TEST_F(IdTokenValidator, GarbageTokenIsMalformed) {
  serve_tokens("not-a-jwt");
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_malformed);
}

TEST_F(IdTokenValidator, EmailVerifiedAsStringIsUnderstood) {
  auto c = claims();
  c["email_verified"] = "false";
  auto id = finish_with(c);
  ASSERT_TRUE(id) << detail;
  EXPECT_EQ(id->email_verified, false);
}

}  // namespace
}  // namespace gatehouse::testing
