// Code redemption at the token endpoint: client authentication exactly one
// way (RFC 6749 §2.3.1), and a strict reading of the response (§5.1).
#include "oidc/token_client.hpp"

#include "oidc_fixture.hpp"

namespace gatehouse::testing {
namespace {

using oidc::Error;

class TokenClient : public OidcFixture {
 protected:
  std::string header(const http::ClientRequest& req, const std::string& name) {
    for (const auto& [k, v] : req.headers)
      if (k == name) return v;
    return {};
  }
  http::Params body_of(const http::ClientRequest& req) {
    auto p = http::parse_form(req.body);
    EXPECT_TRUE(p);
    return p ? *p : http::Params{};
  }
  void serve_token_json(const nlohmann::json& doc, int status = 200) {
    http.respond(token_url, status, doc.dump());
  }
};

TEST_F(TokenClient, ClientSecretBasicEncodesSpecialCharacters) {
  // RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined with ':'
  // and base64'd; a raw ':' in "a:b+c%/=" would split the secret.
  EXPECT_EQ(oidc::basic_authorization("client-123", "a:b+c%/="),
            "Basic Y2xpZW50LTEyMzphJTNBYiUyQmMlMjUlMkYlM0Q=");
  ASSERT_TRUE(finish_with(claims())) << detail;
  auto req = http.last(token_url);
  ASSERT_TRUE(req);
  EXPECT_EQ(header(*req, "authorization"), "Basic Y2xpZW50LTEyMzphJTNBYiUyQmMlMjUlMkYlM0Q=");
}

TEST_F(TokenClient, RequestCarriesCodeVerifierAndRedirectUri) {
  ASSERT_TRUE(finish_with(claims())) << detail;
  auto req = http.last(token_url);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->method, "POST");
  EXPECT_EQ(req->content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(req->timeout.count(), 0);  // the client's GATEHOUSE_IDP_TIMEOUT_MS applies
  auto body = body_of(*req);
  EXPECT_EQ(body.get("grant_type"), "authorization_code");
  EXPECT_EQ(body.get("code"), "code-abc");
  EXPECT_EQ(body.get("redirect_uri"), client.redirect_uri);
  EXPECT_EQ(body.get("code_verifier"), pending.code_verifier);
}

TEST_F(TokenClient, ClientSecretPostUsedWhenOnlyMethod) {
  auto doc = metadata_json();
  doc["token_endpoint_auth_methods_supported"] = {"client_secret_post"};
  serve_metadata(doc);
  ASSERT_TRUE(finish_with(claims())) << detail;
  auto req = http.last(token_url);
  ASSERT_TRUE(req);
  auto body = body_of(*req);
  EXPECT_EQ(body.get("client_id"), client.client_id);
  EXPECT_EQ(body.get("client_secret"), "a:b+c%/=");
  EXPECT_EQ(header(*req, "authorization"), "");
}

TEST_F(TokenClient, NeverBothClientAuthMethods) {
  for (auto methods : {nlohmann::json::array({"client_secret_basic"}),
                       nlohmann::json::array({"client_secret_basic", "client_secret_post"}),
                       nlohmann::json::array({"client_secret_post"}), nlohmann::json(nullptr)}) {
    auto doc = metadata_json();
    if (methods.is_null())
      doc.erase("token_endpoint_auth_methods_supported");
    else
      doc["token_endpoint_auth_methods_supported"] = methods;
    serve_metadata(doc);
    rp = std::make_unique<oidc::RelyingParty>(http, clock, rng);  // fresh metadata cache
    ASSERT_TRUE(finish_with(claims())) << detail;
    auto req = http.last(token_url);
    ASSERT_TRUE(req);
    const bool basic = !header(*req, "authorization").empty();
    const bool post = body_of(*req).has("client_secret");
    EXPECT_NE(basic, post) << methods.dump();
  }
}

TEST_F(TokenClient, OnlyUnsupportedAuthMethodsIsMetadataInvalid) {
  auto doc = metadata_json();
  doc["token_endpoint_auth_methods_supported"] = {"private_key_jwt"};
  serve_metadata(doc);
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::metadata_invalid);
}

TEST_F(TokenClient, TokenTypeBearerIsCaseInsensitive) {
  for (const char* type : {"Bearer", "bearer", "BEARER"}) {
    serve_tokens(signer().sign_claims(claims()), type);
    EXPECT_TRUE(finish(callback(pending.state))) << type << ": " << detail;
  }
}

TEST_F(TokenClient, TokenTypeOtherThanBearerIsRejected) {
  serve_tokens(signer().sign_claims(claims()), "DPoP");
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::token_response_invalid);
}

TEST_F(TokenClient, TokenResponseWithoutIdTokenIsRejected) {
  // Plain OAuth (no openid scope honoured) must not pass as a sign-in.
  serve_token_json({{"access_token", "access-xyz"}, {"token_type", "Bearer"}});
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::token_response_invalid);
}

TEST_F(TokenClient, TokenResponseWithoutAccessTokenIsRejected) {
  serve_token_json({{"id_token", signer().sign_claims(claims())}, {"token_type", "Bearer"}});
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::token_response_invalid);
}

TEST_F(TokenClient, NonJsonTokenResponseIsRejected) {
  http.respond(token_url, 200, "<html>hello</html>");
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::token_response_invalid);
}

TEST_F(TokenClient, OversizedTokenResponseIsRejected) {
  std::string oversized(70 * 1024, ' ');  // (not `string + "{}"`: g++ 12's false -Warray-bounds)
  oversized += "{}";
  http.respond(token_url, 200, oversized);
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::token_response_invalid);
}

TEST_F(TokenClient, InvalidGrantIsCodeRejected) {
  serve_token_json({{"error", "invalid_grant"}}, 400);
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::code_rejected);
}

TEST_F(TokenClient, InvalidClientIsClientAuthFailed) {
  serve_token_json({{"error", "invalid_client"}, {"error_description", "bad secret a:b+c%/="}},
                   401);
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::client_auth_failed);
  EXPECT_EQ(detail.find("a:b+c"), std::string::npos);  // provider text is not echoed
}

TEST_F(TokenClient, ServerErrorIsTokenRequestFailed) {
  http.respond(token_url, 503, "busy");
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::token_request_failed);
  EXPECT_EQ(http.count(token_url), 1u);  // no retry: the code is single-use
}

TEST_F(TokenClient, TimeoutIsProviderTimeout) {
  http.fail(token_url, http::ClientErrorKind::timeout);
  auto id = finish(callback(pending.state));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error(), Error::provider_timeout);
  EXPECT_EQ(oidc::classify(id.error()), oidc::ErrorClass::provider_timeout);
  EXPECT_EQ(http.count(token_url), 1u);
}

}  // namespace
}  // namespace gatehouse::testing
