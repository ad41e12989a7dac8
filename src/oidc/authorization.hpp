#pragma once
// The authorization request (OIDC Core §3.1.2.1 with PKCE, RFC 7636) and the
// checks on the browser's way back (RFC 6749 §4.1.2, RFC 9207), before any
// call to the token endpoint.
//   auto start = build_authorization(meta, client, rng, login_hint);
//   save(start.pending);  redirect(start.url);
//   ...
//   auto code = check_authorization_response(meta, saved, query_params);  // Result<std::string>
#include <optional>
#include <string>

#include "crypto/random.hpp"
#include "http/form.hpp"
#include "oidc/client_config.hpp"
#include "oidc/failure.hpp"
#include "oidc/metadata.hpp"

namespace gatehouse::oidc {

// What the server must keep (server-side, single-use) between start and
// callback. Secret: never log it or put it in a URL other than this one.
struct PendingAuthorization {
  std::string state, nonce, code_verifier;
};

struct AuthorizationStart {
  std::string url;
  PendingAuthorization pending;
};

// 32 random bytes, base64url: 43 characters, 256 bits (SPEC §7 asks >= 128).
inline constexpr std::size_t kRandomBytes = 32;

// RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))).
[[nodiscard]] std::string pkce_challenge_s256(const std::string& code_verifier);

// Fresh state, nonce and verifier for each attempt; response_type=code,
// scope "openid email profile", code_challenge_method=S256.
[[nodiscard]] AuthorizationStart build_authorization(const ProviderMetadata& meta,
                                                     const ClientConfig& client,
                                                     crypto::Random& rng,
                                                     const std::optional<std::string>& login_hint);

// Checks, in this order, and returns the code:
//  1. state present and equal to the attempt's, compared in constant time
//     (login CSRF, RFC 9700 §4.7), before anything else is believed;
//  2. iss equal to the issuer when present, and present when the provider
//     advertises it (RFC 9207 §2.4: mix-up), also on error responses;
//  3. error= mapped (access_denied -> refused, anything else -> provider_error);
//  4. a non-empty code.
[[nodiscard]] Result<std::string> check_authorization_response(const ProviderMetadata& meta,
                                                               const PendingAuthorization& pending,
                                                               const http::Params& params);

}  // namespace gatehouse::oidc
