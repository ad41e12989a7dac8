#pragma once
// A provider played by the test: discovery document, JWKS and token endpoint
// on a FakeHttpClient, a signing key, a fixed clock and a RelyingParty.
//   class MyTest : public OidcFixture {};
//   TEST_F(MyTest, X) { serve_tokens(signer.sign_claims(claims())); auto id = finish(); }
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "oidc/relying_party.hpp"
#include "support/fake_http_client.hpp"
#include "support/fake_random.hpp"
#include "support/fixed_clock.hpp"
#include "support/test_signer.hpp"

namespace gatehouse::testing {

class OidcFixture : public ::testing::Test {
 protected:
  static constexpr std::int64_t kNow = 1'700'000'000;
  const std::string issuer = "https://idp.example";
  const std::string discovery = issuer + "/.well-known/openid-configuration";
  const std::string authorize = issuer + "/authorize";
  const std::string token_url = issuer + "/token";
  const std::string jwks_uri = issuer + "/keys";
  const std::string userinfo_url = issuer + "/userinfo";
  const std::string end_session = issuer + "/logout";

  FixedClock clock{kNow};
  FakeHttpClient http;
  SequenceRandom rng;
  // One RSA key per process: generating one per test would dominate run time.
  static const TestSigner& signer() {
    static const TestSigner s = TestSigner::rsa("key-1");
    return s;
  }

  oidc::ClientConfig client{.issuer = issuer,
                            .client_id = "client-123",
                            .client_secret = "a:b+c%/=",
                            .redirect_uri = "https://gatehouse.example/callback"};
  oidc::PendingAuthorization pending{
      .state = "state-of-this-attempt-0123456789abcdefghijk",
      .nonce = "nonce-of-this-attempt-0123456789abcdefghijk",
      .code_verifier = "verifier-of-this-attempt-0123456789abcdefgh"};

  nlohmann::json metadata_json() const {
    return {
        {"issuer", issuer},
        {"authorization_endpoint", authorize},
        {"token_endpoint", token_url},
        {"jwks_uri", jwks_uri},
        {"userinfo_endpoint", userinfo_url},
        {"end_session_endpoint", end_session},
        {"response_types_supported", {"code"}},
        {"subject_types_supported", {"public"}},
        {"id_token_signing_alg_values_supported", {"RS256"}},
        {"token_endpoint_auth_methods_supported", {"client_secret_basic", "client_secret_post"}},
        {"code_challenge_methods_supported", {"S256"}}};
  }
  void serve_metadata(const nlohmann::json& doc) { http.respond(discovery, 200, doc.dump()); }
  void serve_jwks(std::initializer_list<const TestSigner*> keys) {
    http.respond(jwks_uri, 200, TestSigner::jwks(keys));
  }

  // Valid claims for this client and attempt; tests change one thing.
  nlohmann::json claims() const {
    return {{"iss", issuer},
            {"aud", client.client_id},
            {"sub", "user-42"},
            {"exp", kNow + 300},
            {"iat", kNow - 10},
            {"nonce", pending.nonce},
            {"email", "ada@acme.example"},
            {"name", "Ada"},
            {"email_verified", true}};
  }

  void serve_tokens(const std::string& id_token, const std::string& token_type = "Bearer") {
    http.respond(token_url, 200,
                 nlohmann::json{{"access_token", "access-xyz"},
                                {"token_type", token_type},
                                {"expires_in", 3600},
                                {"id_token", id_token}}
                     .dump());
  }

  static http::Params query(std::initializer_list<std::pair<std::string, std::string>> items) {
    return http::Params(std::vector<std::pair<std::string, std::string>>(items));
  }
  http::Params callback(const std::string& state) const {
    return query({{"code", "code-abc"}, {"state", state}});
  }

  std::unique_ptr<oidc::RelyingParty> rp;
  std::string detail;

  void SetUp() override {
    serve_metadata(metadata_json());
    serve_jwks({&signer()});
    rp = std::make_unique<oidc::RelyingParty>(http, clock, rng);
  }

  tl::expected<oidc::Identity, oidc::Error> finish(const http::Params& params) {
    return rp->finish(client, pending, params, &detail);
  }
  tl::expected<oidc::Identity, oidc::Error> finish_with(const nlohmann::json& id_claims) {
    serve_tokens(signer().sign_claims(id_claims));
    return finish(callback(pending.state));
  }
};

}  // namespace gatehouse::testing
