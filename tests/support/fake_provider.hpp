#pragma once
// An OpenID provider played by the test on a FakeHttpClient: discovery, JWKS,
// token and UserInfo endpoints under one issuer, and an RSA key that signs
// ID tokens. Several providers can share one FakeHttpClient (one per team).
// The flow reads the nonce back, so a test answers the token endpoint only
// after it has seen the authorization URL:
//   FakeProvider idp(http, "https://idp.example");
//   auto s = flow.start({.team_id = "acme"});
//   auto req = FakeProvider::authorization(s->redirect_url);   // state, nonce, ...
//   idp.issue(idp.claims("user-1", req.nonce, clock.unix_seconds()));
//   flow.callback(idp.callback(req.state), s->browser_cookie);
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/form.hpp"
#include "support/fake_http_client.hpp"
#include "support/test_signer.hpp"

namespace gatehouse::testing {

class FakeProvider {
 public:
  // Publishes the discovery document and the JWKS at once.
  FakeProvider(FakeHttpClient& http, std::string issuer, std::string client_id = "client-123");

  const std::string issuer;
  const std::string client_id;
  const std::string discovery, authorize, token_url, jwks_uri, userinfo_url, end_session;

  // Okta-like metadata: code flow, S256, RS256, basic and post client auth,
  // userinfo and end_session endpoints.
  [[nodiscard]] nlohmann::json metadata() const;
  void publish(const nlohmann::json& metadata);

  // Valid ID-token claims for this provider and client; tests change one thing.
  [[nodiscard]] nlohmann::json claims(std::string_view sub, std::string_view nonce,
                                      std::int64_t now, std::string_view email = "ada@acme.example",
                                      std::string_view name = "Ada") const;
  // The token endpoint answers with these claims, signed by signer().
  void issue(const nlohmann::json& id_token_claims);
  // UserInfo answers with this document.
  void userinfo(const nlohmann::json& doc);

  // What the browser brings back to /sso/callback on success (RFC 9207 iss included).
  [[nodiscard]] http::Params callback(const std::string& state,
                                      const std::string& code = "code-abc") const;

  // The query of an authorization request URL, as the provider would read it.
  struct Authorization {
    std::string endpoint;  // scheme://host/path, without the query
    http::Params params;
    std::string state, nonce;
  };
  [[nodiscard]] static Authorization authorization(const std::string& url);

  // One RSA key per process: generating one per test would dominate run time.
  [[nodiscard]] static const TestSigner& signer();

 private:
  FakeHttpClient& http_;
};

}  // namespace gatehouse::testing
