#include "support/scripted_provider.hpp"

#include <ctime>
#include <map>
#include <mutex>
#include <random>

#include <nlohmann/json.hpp>

#include "support/fake_provider.hpp"
#include "support/http_probe.hpp"

namespace gatehouse::testing {
namespace {

std::string random_hex(std::size_t bytes) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    auto b = static_cast<unsigned>(rng() & 0xff);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

}  // namespace

const char* to_string(Endpoint e) {
  switch (e) {
    case Endpoint::discovery:
      return "discovery";
    case Endpoint::token:
      return "token_endpoint";
    case Endpoint::jwks:
      return "jwks";
  }
  return "?";
}

const char* to_string(Fault f) {
  switch (f) {
    case Fault::none:
      return "none";
    case Fault::hangs:
      return "hangs";
    case Fault::resets_connection:
      return "resets_connection";
    case Fault::answers_500:
      return "answers_500";
    case Fault::answers_html:
      return "answers_html";
    case Fault::answers_50mb_body:
      return "answers_50mb_body";
    case Fault::answers_byte_by_byte:
      return "answers_byte_by_byte";
  }
  return "?";
}

struct ScriptedProvider::Impl {
  std::string client_id, client_secret;
  mutable std::mutex mu;
  struct Grant {
    std::string nonce, sub, email;
  };
  std::map<std::string, Grant> grants;
  Secrets seen;
  std::map<Endpoint, Fault> faults;

  std::unique_ptr<TestHttpServer> issuer_server, token_server, jwks_server;

  // 500 and HTML are answers; the other faults are socket behaviour.
  std::optional<TestResponse> scripted_answer(Endpoint e) {
    std::lock_guard lock(mu);
    auto it = faults.find(e);
    if (it == faults.end()) return std::nullopt;
    if (it->second == Fault::answers_500)
      return TestResponse{.status = 500,
                          .headers = {{"Content-Type", "application/json"}},
                          .body = R"({"error":"server_error"})"};
    if (it->second == Fault::answers_html)
      return TestResponse{
          .status = 200,
          .headers = {{"Content-Type", "text/html"}},
          .body = "<!doctype html><html><body><h1>Down for maintenance</h1></body></html>"};
    return std::nullopt;
  }

  TestResponse discovery(const TestRequest& r) {
    if (auto a = scripted_answer(Endpoint::discovery)) return *a;
    if (r.target != "/.well-known/openid-configuration") return {.status = 404};
    const std::string iss = issuer_server->url("");
    nlohmann::json doc = {{"issuer", iss},
                          {"authorization_endpoint", iss + "/oauth2/v1/authorize"},
                          {"token_endpoint", token_server->url("/oauth2/v1/token")},
                          {"jwks_uri", jwks_server->url("/oauth2/v1/keys")},
                          {"response_types_supported", {"code"}},
                          {"subject_types_supported", {"public"}},
                          {"id_token_signing_alg_values_supported", {"RS256"}},
                          {"token_endpoint_auth_methods_supported", {"client_secret_basic"}},
                          {"code_challenge_methods_supported", {"S256"}},
                          {"authorization_response_iss_parameter_supported", true}};
    return {.status = 200, .headers = {{"Content-Type", "application/json"}}, .body = doc.dump()};
  }

  TestResponse token(const TestRequest& r) {
    if (auto a = scripted_answer(Endpoint::token)) return *a;
    const std::string body = "?" + r.body;
    const std::string code = query_param(body, "code");
    std::lock_guard lock(mu);
    seen.code_verifiers.push_back(query_param(body, "code_verifier"));
    seen.client_authorizations.push_back(r.header("authorization"));
    auto it = grants.find(code);
    if (it == grants.end())
      return {.status = 400,
              .headers = {{"Content-Type", "application/json"}},
              .body = R"({"error":"invalid_grant"})"};
    Grant g = it->second;
    grants.erase(it);
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    nlohmann::json claims = {{"iss", issuer_server->url("")},
                             {"aud", client_id},
                             {"sub", g.sub},
                             {"exp", now + 300},
                             {"iat", now - 5},
                             {"nonce", g.nonce},
                             {"email", g.email},
                             {"name", "Person " + g.sub},
                             {"email_verified", true}};
    std::string id_token = FakeProvider::signer().sign_claims(claims);
    std::string access = "at-" + random_hex(24);
    seen.id_tokens.push_back(id_token);
    seen.access_tokens.push_back(access);
    nlohmann::json out = {{"access_token", access},
                          {"token_type", "Bearer"},
                          {"expires_in", 3600},
                          {"id_token", id_token}};
    return {.status = 200, .headers = {{"Content-Type", "application/json"}}, .body = out.dump()};
  }

  TestResponse jwks(const TestRequest&) {
    if (auto a = scripted_answer(Endpoint::jwks)) return *a;
    return {.status = 200,
            .headers = {{"Content-Type", "application/json"}},
            .body = TestSigner::jwks({&FakeProvider::signer()})};
  }

  TestHttpServer& server(Endpoint e) {
    switch (e) {
      case Endpoint::discovery:
        return *issuer_server;
      case Endpoint::token:
        return *token_server;
      case Endpoint::jwks:
        return *jwks_server;
    }
    return *issuer_server;
  }
};

ScriptedProvider::ScriptedProvider(std::string client_id, std::string client_secret)
    : impl_(std::make_unique<Impl>()) {
  // The signing key is generated on first use (RSA-2048: 0.1 s in a release
  // build, seconds under ASan). Inside the token endpoint that first use
  // outlasted gatehouse's provider timeout and failed a healthy sign-in
  // (CI, 2026-11-29), so it happens here, before any gatehouse asks.
  (void)FakeProvider::signer();
  auto& i = *impl_;
  i.client_id = std::move(client_id);
  i.client_secret = std::move(client_secret);
  i.issuer_server =
      std::make_unique<TestHttpServer>([&i](const TestRequest& r) { return i.discovery(r); });
  i.token_server =
      std::make_unique<TestHttpServer>([&i](const TestRequest& r) { return i.token(r); });
  i.jwks_server =
      std::make_unique<TestHttpServer>([&i](const TestRequest& r) { return i.jwks(r); });
}

ScriptedProvider::~ScriptedProvider() = default;

std::string ScriptedProvider::issuer() const { return impl_->issuer_server->url(""); }
const std::string& ScriptedProvider::client_id() const { return impl_->client_id; }
const std::string& ScriptedProvider::client_secret() const { return impl_->client_secret; }

std::string ScriptedProvider::grant(const std::string& nonce, const std::string& sub,
                                    const std::string& email) {
  std::string code = "code-" + random_hex(16);
  std::lock_guard lock(impl_->mu);
  impl_->grants[code] = {nonce, sub, email};
  impl_->seen.codes.push_back(code);
  return code;
}

void ScriptedProvider::set_fault(Endpoint endpoint, Fault fault) {
  {
    std::lock_guard lock(impl_->mu);
    impl_->faults[endpoint] = fault;
  }
  Behaviour how = Behaviour::answer;
  switch (fault) {
    case Fault::hangs:
      how = Behaviour::never_answer;
      break;
    case Fault::resets_connection:
      how = Behaviour::reset_after_request;
      break;
    case Fault::answers_50mb_body:
      how = Behaviour::endless_body;
      break;
    case Fault::answers_byte_by_byte:
      how = Behaviour::drip;
      break;
    default:
      break;
  }
  impl_->server(endpoint).set_behaviour(how, std::chrono::milliseconds(50));
}

ScriptedProvider::Secrets ScriptedProvider::secrets() const {
  std::lock_guard lock(impl_->mu);
  return impl_->seen;
}

}  // namespace gatehouse::testing
