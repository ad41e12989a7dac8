// The authorization request (PKCE, fresh secrets) and the checks on the
// browser's way back: login CSRF (RFC 9700 §4.7), mix-up (RFC 9207).
#include "oidc/authorization.hpp"

#include <set>

#include "oidc_fixture.hpp"

namespace gatehouse::testing {
namespace {

using oidc::Error;

class Authorization : public OidcFixture {
 protected:
  http::Params query_of(const std::string& url) {
    auto q = url.find('?');
    auto params = http::parse_form(url.substr(q + 1));
    EXPECT_TRUE(params);
    return params ? *params : http::Params{};
  }
};

TEST_F(Authorization, PkceVerifierLengthAndChallengeS256) {
  // RFC 7636 Appendix B (the RFC reads "E9Melhoa2Ow...", checked with Python hashlib).
  EXPECT_EQ(oidc::pkce_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  auto start = rp->start(client, std::nullopt);
  ASSERT_TRUE(start);
  const auto& verifier = start->pending.code_verifier;
  EXPECT_GE(verifier.size(), 43u);
  EXPECT_LE(verifier.size(), 128u);
  EXPECT_EQ(verifier.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"),
            std::string::npos);
  auto q = query_of(start->url);
  EXPECT_EQ(q.get("code_challenge"), oidc::pkce_challenge_s256(verifier));
  EXPECT_EQ(q.get("code_challenge_method"), "S256");
  EXPECT_EQ(start->url.find(verifier), std::string::npos);  // the verifier never leaves the server
}

TEST_F(Authorization, StateAndNonceHaveAtLeast128Bits) {
  auto a = rp->start(client, std::nullopt);
  auto b = rp->start(client, std::nullopt);
  ASSERT_TRUE(a && b);
  // 32 random bytes in base64url: 43 characters of 6 bits each = 256 bits.
  for (const auto* s : {&a->pending.state, &a->pending.nonce, &a->pending.code_verifier})
    EXPECT_GE(s->size() * 6, 128u);
  std::set<std::string> all{a->pending.state, a->pending.nonce, a->pending.code_verifier,
                            b->pending.state, b->pending.nonce, b->pending.code_verifier};
  EXPECT_EQ(all.size(), 6u);  // fresh for each attempt, and all different
}

TEST_F(Authorization, UrlCarriesCodeFlowParameters) {
  auto start = rp->start(client, std::string("ada@acme.example"));
  ASSERT_TRUE(start);
  EXPECT_EQ(start->url.rfind(authorize + "?", 0), 0u);
  auto q = query_of(start->url);
  EXPECT_EQ(q.get("response_type"), "code");
  EXPECT_EQ(q.get("client_id"), client.client_id);
  EXPECT_EQ(q.get("redirect_uri"), client.redirect_uri);
  EXPECT_EQ(q.get("scope"), "openid email profile");
  EXPECT_EQ(q.get("state"), start->pending.state);
  EXPECT_EQ(q.get("nonce"), start->pending.nonce);
  EXPECT_EQ(q.get("login_hint"), "ada@acme.example");
}

TEST_F(Authorization, EndpointQueryIsKept) {
  auto doc = metadata_json();
  doc["authorization_endpoint"] = authorize + "?tenant=acme";
  serve_metadata(doc);
  auto start = rp->start(client, std::nullopt);
  ASSERT_TRUE(start);
  EXPECT_EQ(start->url.rfind(authorize + "?tenant=acme&response_type=code", 0), 0u);
}

TEST_F(Authorization, ProviderWithoutS256IsRefused) {
  auto doc = metadata_json();
  doc["code_challenge_methods_supported"] = {"plain"};
  serve_metadata(doc);
  auto start = rp->start(client, std::nullopt);
  ASSERT_FALSE(start);
  EXPECT_EQ(start.error(), Error::metadata_invalid);
}

TEST_F(Authorization, StateMismatchIsLoginCsrf) {
  // An attacker sends the victim a callback carrying the attacker's own code.
  auto id = finish(callback("state-from-the-attackers-own-attempt-0123456"));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::state_mismatch);
  EXPECT_EQ(oidc::classify(id.error()), oidc::ErrorClass::bad_request);
  EXPECT_EQ(http.count(token_url), 0u);
}

TEST_F(Authorization, MissingStateIsLoginCsrf) {
  auto id = finish(query({{"code", "code-abc"}}));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::state_mismatch);
  EXPECT_TRUE(http.requests().empty());  // refused before any call to the provider
}

TEST_F(Authorization, EmptyPendingStateNeverMatches) {
  pending.state = "";
  auto id = finish(callback(""));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::state_mismatch);
}

TEST_F(Authorization, MixUpAttackIssParameterFromOtherIssuerIsRejected) {
  auto params =
      query({{"code", "code-abc"}, {"state", pending.state}, {"iss", "https://evil.example"}});
  auto id = finish(params);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::iss_mismatch);
  EXPECT_EQ(http.count(token_url), 0u);  // the code never goes to the wrong token endpoint
}

TEST_F(Authorization, IssParameterWithSuffixIsRejected) {
  auto params = query({{"code", "code-abc"}, {"state", pending.state}, {"iss", issuer + "/"}});
  auto id = finish(params);
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::iss_mismatch);
}

TEST_F(Authorization, IssMissingWhenAdvertisedIsRejected) {
  auto doc = metadata_json();
  doc["authorization_response_iss_parameter_supported"] = true;
  serve_metadata(doc);
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::iss_missing);
}

TEST_F(Authorization, IssMatchingWhenAdvertisedIsAccepted) {
  auto doc = metadata_json();
  doc["authorization_response_iss_parameter_supported"] = true;
  serve_metadata(doc);
  serve_tokens(signer().sign_claims(claims()));
  auto id = finish(query({{"code", "code-abc"}, {"state", pending.state}, {"iss", issuer}}));
  EXPECT_TRUE(id) << detail;
}

TEST_F(Authorization, IssAbsentIsAcceptedWhenNotAdvertised) {
  serve_tokens(signer().sign_claims(claims()));
  EXPECT_TRUE(finish(callback(pending.state))) << detail;
}

TEST_F(Authorization, AccessDeniedIsRefused) {
  auto id =
      finish(query({{"state", pending.state},
                    {"error", "access_denied"},
                    {"error_description", "User is not assigned to the client application."}}));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::access_denied);
  EXPECT_EQ(oidc::classify(id.error()), oidc::ErrorClass::refused);
  EXPECT_NE(detail.find("not assigned"), std::string::npos);  // the operator sees why
}

TEST_F(Authorization, ErrorFromAnotherIssuerIsMixUpNotRefusal) {
  // RFC 9207 §2.4: iss is checked on error responses too.
  auto id = finish(query(
      {{"state", pending.state}, {"error", "access_denied"}, {"iss", "https://evil.example"}}));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::iss_mismatch);
}

TEST_F(Authorization, OtherProviderErrorIsReported) {
  auto id = finish(query({{"state", pending.state}, {"error", "invalid_scope"}}));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::provider_error);
}

TEST_F(Authorization, ErrorDescriptionControlCharactersAreNeutralised) {
  auto id = finish(query({{"state", pending.state},
                          {"error", "server_error"},
                          {"error_description", "bad\nINFO forged log line"}}));
  ASSERT_FALSE(id);
  EXPECT_EQ(detail.find('\n'), std::string::npos);
}

TEST_F(Authorization, MissingCodeIsRejected) {
  auto id = finish(query({{"state", pending.state}}));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::code_missing);
}

}  // namespace
}  // namespace gatehouse::testing
