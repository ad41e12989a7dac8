#pragma once
// Redeems an authorization code at the token endpoint (RFC 6749 §4.1.3) with
// the PKCE verifier, authenticating with the client secret exactly one way
// (RFC 6749 §2.3.1: never basic and post together).
//   TokenClient tokens(http);
//   auto t = tokens.redeem(meta, client, code, pending.code_verifier);  // Result<TokenResponse>
#include <string>

#include "http/client.hpp"
#include "oidc/client_config.hpp"
#include "oidc/failure.hpp"
#include "oidc/metadata.hpp"

namespace gatehouse::oidc {

// Secrets: never log these.
struct TokenResponse {
  std::string access_token;
  std::string id_token;
};

// "Basic " + base64(form_urlencode(id) ":" form_urlencode(secret)): RFC 6749
// §2.3.1 encodes both before joining, so a ':' in the secret survives.
[[nodiscard]] std::string basic_authorization(const std::string& client_id,
                                              const std::string& client_secret);

class TokenClient {
 public:
  explicit TokenClient(http::HttpClient& http) : http_(&http) {}

  // Fails with provider_timeout, client_auth_failed (invalid_client),
  // code_rejected (invalid_grant), token_request_failed (other non-200) or
  // token_response_invalid (RFC 6749 §5.1: JSON object, bounded size,
  // token_type Bearer in any case, access_token; OIDC Core §3.1.3.3: id_token).
  [[nodiscard]] Result<TokenResponse> redeem(const ProviderMetadata& meta,
                                             const ClientConfig& client, const std::string& code,
                                             const std::string& code_verifier) const;

 private:
  http::HttpClient* http_;
};

}  // namespace gatehouse::oidc
