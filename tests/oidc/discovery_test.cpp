// OIDC Discovery §4: where the document lives, and why its issuer must match.
#include "oidc/discovery.hpp"

#include "oidc_fixture.hpp"

namespace gatehouse::testing {
namespace {

using namespace std::chrono_literals;
using oidc::Error;

class Discovery : public OidcFixture {};

TEST_F(Discovery, DocumentIsParsed) {
  auto meta = rp->metadata(issuer);
  ASSERT_TRUE(meta);
  EXPECT_EQ((*meta)->issuer, issuer);
  EXPECT_EQ((*meta)->token_endpoint, token_url);
  EXPECT_EQ((*meta)->jwks_uri, jwks_uri);
  EXPECT_EQ((*meta)->userinfo_endpoint, userinfo_url);
  EXPECT_EQ((*meta)->end_session_endpoint, end_session);
  EXPECT_FALSE((*meta)->authorization_response_iss_parameter_supported);
}

TEST_F(Discovery, IssuerPathIsKept) {
  EXPECT_EQ(oidc::discovery_url("https://x/oauth2/default"),
            "https://x/oauth2/default/.well-known/openid-configuration");
  EXPECT_EQ(oidc::discovery_url("https://x/oauth2/default/"),
            "https://x/oauth2/default/.well-known/openid-configuration");
  EXPECT_EQ(oidc::discovery_url("https://x"), "https://x/.well-known/openid-configuration");
}

TEST_F(Discovery, DiscoveryIssuerMismatchIsRejected) {
  // A document that names another issuer (a copied config, a shared host, an
  // attacker's server) must never stand in for this team's.
  auto doc = metadata_json();
  doc["issuer"] = "https://evil.example";
  serve_metadata(doc);
  auto meta = rp->metadata(issuer, &detail);
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error(), Error::issuer_mismatch);
  EXPECT_NE(detail.find("evil.example"), std::string::npos);
}

TEST_F(Discovery, IssuerDifferingOnlyByTrailingSlashIsRejected) {
  auto doc = metadata_json();
  doc["issuer"] = issuer + "/";
  serve_metadata(doc);
  auto meta = rp->metadata(issuer);
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error(), Error::issuer_mismatch);
}

TEST_F(Discovery, PlainHttpEndpointIsRejected) {
  auto doc = metadata_json();
  doc["token_endpoint"] = "http://idp.example/token";
  serve_metadata(doc);
  auto meta = rp->metadata(issuer);
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error(), Error::metadata_invalid);
}

TEST_F(Discovery, LoopbackProviderMayUsePlainHttp) {
  const std::string local = "http://127.0.0.1:9000";
  http.respond(local + "/.well-known/openid-configuration", 200,
               nlohmann::json{{"issuer", local},
                              {"authorization_endpoint", local + "/authorize"},
                              {"token_endpoint", local + "/token"},
                              {"jwks_uri", local + "/keys"}}
                   .dump());
  EXPECT_TRUE(rp->metadata(local));
}

TEST_F(Discovery, PlainHttpIssuerIsRefusedWithoutAsking) {
  auto meta = rp->metadata("http://idp.example");
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error(), Error::issuer_invalid);
  EXPECT_TRUE(http.requests().empty());
}

TEST_F(Discovery, MissingJwksUriIsRejected) {
  auto doc = metadata_json();
  doc.erase("jwks_uri");
  serve_metadata(doc);
  auto meta = rp->metadata(issuer);
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error(), Error::metadata_invalid);
}

TEST_F(Discovery, OnlySymmetricAlgorithmsAreRejected) {
  auto doc = metadata_json();
  doc["id_token_signing_alg_values_supported"] = {"HS256", "none"};
  serve_metadata(doc);
  auto meta = rp->metadata(issuer);
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error(), Error::metadata_invalid);
}

TEST_F(Discovery, Rs256AssumedWhenAlgorithmsNotListed) {
  auto doc = metadata_json();
  doc.erase("id_token_signing_alg_values_supported");
  serve_metadata(doc);
  auto meta = rp->metadata(issuer);
  ASSERT_TRUE(meta);
  EXPECT_EQ((*meta)->id_token_algs(), std::set<std::string>{"RS256"});
}

TEST_F(Discovery, NotJsonIsDiscoveryFailed) {
  http.respond(discovery, 200, "<html>login</html>");
  auto meta = rp->metadata(issuer);
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error(), Error::discovery_failed);
}

TEST_F(Discovery, NotFoundIsDiscoveryFailed) {
  http.respond(discovery, 404, "");
  auto meta = rp->metadata(issuer);
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error(), Error::discovery_failed);
}

TEST_F(Discovery, TimeoutIsProviderTimeout) {
  http.fail(discovery, http::ClientErrorKind::timeout);
  auto meta = rp->metadata(issuer);
  ASSERT_FALSE(meta);
  EXPECT_EQ(meta.error(), Error::provider_timeout);
}

TEST_F(Discovery, CachedUntilTtl) {
  ASSERT_TRUE(rp->metadata(issuer));
  clock.advance(3599s);
  ASSERT_TRUE(rp->metadata(issuer));
  EXPECT_EQ(http.count(discovery), 1u);
  clock.advance(1s);
  ASSERT_TRUE(rp->metadata(issuer));
  EXPECT_EQ(http.count(discovery), 2u);
}

TEST_F(Discovery, LastGoodDocumentServedWhenRefreshFails) {
  ASSERT_TRUE(rp->metadata(issuer));
  http.fail(discovery, http::ClientErrorKind::connect);
  clock.advance(2h);
  EXPECT_TRUE(rp->metadata(issuer));
  EXPECT_TRUE(rp->metadata(issuer));
  EXPECT_EQ(http.count(discovery), 2u);  // not asked again on every sign-in
}

}  // namespace
}  // namespace gatehouse::testing
