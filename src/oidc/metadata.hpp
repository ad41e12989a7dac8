#pragma once
// What an OpenID provider publishes about itself (OIDC Discovery §3), parsed
// and checked once, then shared read-only between sign-ins.
//   auto meta = parse_metadata(body, "https://acme.okta.com");   // Result<ProviderMetadata>
//   JwsVerifier verifier(meta->id_token_algs());
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "oidc/failure.hpp"

namespace gatehouse::oidc {

struct ProviderMetadata {
  std::string issuer, authorization_endpoint, token_endpoint, jwks_uri;
  std::optional<std::string> userinfo_endpoint, end_session_endpoint;
  std::vector<std::string> token_endpoint_auth_methods_supported,
      id_token_signing_alg_values_supported, code_challenge_methods_supported;
  bool authorization_response_iss_parameter_supported = false;

  // The asymmetric algorithms the provider advertises; RS256 when it lists
  // none (Discovery §3: RS256 MUST be supported). Never none, never HS*.
  [[nodiscard]] std::set<std::string> id_token_algs() const;
};

enum class ClientAuthMethod { client_secret_basic, client_secret_post };

// client_secret_basic unless the provider lists client_secret_post and not
// basic (SPEC §7); when the list is absent the default is basic (Discovery §3).
// nullopt when it lists neither: gatehouse has only a client secret.
[[nodiscard]] std::optional<ClientAuthMethod> choose_client_auth(const ProviderMetadata& meta);

// Discovery §4.3: the document's issuer must be exactly the configured one.
// Endpoints must be https (http only on loopback, SPEC §2) without fragment.
// Fails with issuer_mismatch or metadata_invalid.
[[nodiscard]] Result<ProviderMetadata> parse_metadata(std::string_view json,
                                                      const std::string& expected_issuer);

// The issuer checks that need no network: https (or loopback http), no query,
// no fragment (Discovery §3, "issuer"). Fails with issuer_invalid.
[[nodiscard]] Result<void> check_issuer(const std::string& issuer);

// <issuer>/.well-known/openid-configuration, the issuer's path kept and a
// terminating "/" removed first (Discovery §4).
[[nodiscard]] std::string discovery_url(const std::string& issuer);

}  // namespace gatehouse::oidc
