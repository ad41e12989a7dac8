// The facade as the sign-in flows use it, end to end against a fake provider.
#include "oidc/relying_party.hpp"

#include "oidc_fixture.hpp"

namespace gatehouse::testing {
namespace {

using oidc::Error;

class RelyingParty : public OidcFixture {};

TEST_F(RelyingParty, StartThenFinishSignsIn) {
  auto start = rp->start(client, std::nullopt);
  ASSERT_TRUE(start);
  pending = start->pending;
  serve_tokens(signer().sign_claims(claims()));
  auto id = finish(callback(pending.state));
  ASSERT_TRUE(id) << detail;
  EXPECT_EQ(id->sub, "user-42");
  // Discovery once, JWKS once, token once: nothing else talks to the provider.
  EXPECT_EQ(http.count(discovery), 1u);
  EXPECT_EQ(http.count(jwks_uri), 1u);
  EXPECT_EQ(http.count(token_url), 1u);
  EXPECT_EQ(http.requests().size(), 3u);
}

TEST_F(RelyingParty, FailureDetailsNeverContainSecrets) {
  // Regression guard for SPEC §7: every detail line is meant for logs.
  const std::string secrets[] = {client.client_secret, "code-abc",    pending.code_verifier,
                                 pending.nonce,        pending.state, "access-xyz"};
  auto check = [&](const char* scenario) {
    for (const auto& s : secrets)
      EXPECT_EQ(detail.find(s), std::string::npos) << scenario << ": " << detail;
    EXPECT_FALSE(detail.empty()) << scenario;
    detail.clear();
  };
  EXPECT_FALSE(finish(callback("wrong-state-0123456789abcdefghijklmnopqrstu")));
  check("state");
  http.respond(token_url, 400,
               R"({"error":"invalid_grant","error_description":"code code-abc used"})");
  EXPECT_FALSE(finish(callback(pending.state)));
  check("invalid_grant");
  auto c = claims();
  c["nonce"] = "other";
  EXPECT_FALSE(finish_with(c));
  check("nonce");
  c = claims();
  c["aud"] = "other";
  EXPECT_FALSE(finish_with(c));
  check("aud");
}

TEST_F(RelyingParty, ForgedCallbackCostsNoProviderCall) {
  EXPECT_FALSE(finish(callback("x")));
  EXPECT_TRUE(http.requests().empty());
}

TEST_F(RelyingParty, KeyRotationIsFollowed) {
  ASSERT_TRUE(finish_with(claims())) << detail;
  auto rotated = TestSigner::rsa("key-2");
  serve_jwks({&signer(), &rotated});
  serve_tokens(rotated.sign_claims(claims()));
  ASSERT_TRUE(finish(callback(pending.state))) << detail;
  EXPECT_EQ(http.count(jwks_uri), 2u);
}

TEST_F(RelyingParty, UnknownKidAfterRefetchIsUnknownKey) {
  auto stranger = TestSigner::rsa("key-x");
  serve_tokens(stranger.sign_claims(claims()));
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::id_token_unknown_key);
}

TEST_F(RelyingParty, ProviderDownDuringJwksIsReported) {
  http.fail(jwks_uri, http::ClientErrorKind::tls);
  serve_tokens(signer().sign_claims(claims()));
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::jwks_failed);
}

}  // namespace
}  // namespace gatehouse::testing
