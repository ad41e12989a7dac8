#include "support/fake_provider.hpp"

#include <stdexcept>
#include <utility>

namespace gatehouse::testing {

FakeProvider::FakeProvider(FakeHttpClient& http, std::string issuer_url, std::string client)
    : issuer(std::move(issuer_url)),
      client_id(std::move(client)),
      discovery(issuer + "/.well-known/openid-configuration"),
      authorize(issuer + "/oauth2/v1/authorize"),
      token_url(issuer + "/oauth2/v1/token"),
      jwks_uri(issuer + "/oauth2/v1/keys"),
      userinfo_url(issuer + "/oauth2/v1/userinfo"),
      end_session(issuer + "/oauth2/v1/logout"),
      http_(http) {
  publish(metadata());
  http_.respond(jwks_uri, 200, TestSigner::jwks({&signer()}));
}

const TestSigner& FakeProvider::signer() {
  static const TestSigner s = TestSigner::rsa("key-1");
  return s;
}

nlohmann::json FakeProvider::metadata() const {
  return {{"issuer", issuer},
          {"authorization_endpoint", authorize},
          {"token_endpoint", token_url},
          {"jwks_uri", jwks_uri},
          {"userinfo_endpoint", userinfo_url},
          {"end_session_endpoint", end_session},
          {"response_types_supported", {"code"}},
          {"subject_types_supported", {"public"}},
          {"id_token_signing_alg_values_supported", {"RS256"}},
          {"token_endpoint_auth_methods_supported", {"client_secret_basic", "client_secret_post"}},
          {"code_challenge_methods_supported", {"S256"}},
          {"authorization_response_iss_parameter_supported", true}};
}

void FakeProvider::publish(const nlohmann::json& doc) { http_.respond(discovery, 200, doc.dump()); }

nlohmann::json FakeProvider::claims(std::string_view sub, std::string_view nonce, std::int64_t now,
                                    std::string_view email, std::string_view name) const {
  return {{"iss", issuer},    {"aud", client_id}, {"sub", sub},
          {"exp", now + 300}, {"iat", now - 10},  {"nonce", nonce},
          {"email", email},   {"name", name},     {"email_verified", true}};
}

void FakeProvider::issue(const nlohmann::json& id_token_claims) {
  http_.respond(token_url, 200,
                nlohmann::json{{"access_token", "access-xyz"},
                               {"token_type", "Bearer"},
                               {"expires_in", 3600},
                               {"id_token", signer().sign_claims(id_token_claims)}}
                    .dump());
}

void FakeProvider::userinfo(const nlohmann::json& doc) {
  http_.respond(userinfo_url, 200, doc.dump());
}

http::Params FakeProvider::callback(const std::string& state, const std::string& code) const {
  return http::Params({{"code", code}, {"state", state}, {"iss", issuer}});
}

FakeProvider::Authorization FakeProvider::authorization(const std::string& url) {
  auto q = url.find('?');
  if (q == std::string::npos) throw std::invalid_argument("authorization URL without a query");
  auto params = http::parse_form(std::string_view(url).substr(q + 1));
  if (!params) throw std::invalid_argument("authorization URL with a bad query");
  Authorization a{url.substr(0, q), *params, params->get("state").value_or(""),
                  params->get("nonce").value_or("")};
  return a;
}

}  // namespace gatehouse::testing
