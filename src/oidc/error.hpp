#pragma once
// Why a sign-in through an OpenID provider failed. One value per reason, so
// logs, metrics and audit can count each; mapped to words a person reads
// (message), a stable slug (code) and an HTTP status class (classify) in
// exactly one place, error.cpp.
//   if (!r) { log(code(r.error()), detail); page(status_for(classify(r.error())),
//   message(r.error())); }
// None of the three ever contains a token, code, secret or verifier.
#include <string_view>

namespace gatehouse::oidc {

enum class Error {
  // Discovery (OIDC Discovery §4) and keys.
  issuer_invalid,  // configured issuer is not https (http only on loopback), or has query/fragment
  discovery_failed,  // .well-known/openid-configuration unreachable, not 200, or not a JSON object
  issuer_mismatch,  // the document's "issuer" is not exactly the configured issuer (Discovery §4.3)
  metadata_invalid,  // a required member missing, an endpoint not https, no usable alg/auth
                     // method/S256
  jwks_failed,  // jwks_uri unreachable or not a usable JWK Set, and no earlier keys to fall back on
  provider_timeout,  // any call to the provider ran out of GATEHOUSE_IDP_TIMEOUT_MS

  // Authorization response (the redirect back to us).
  state_mismatch,  // state missing or not this attempt's: login CSRF (RFC 9700 §4.7)
  iss_missing,     // no "iss" although the provider advertises it (RFC 9207 §2.4)
  iss_mismatch,    // "iss" names another issuer: mix-up attack (RFC 9207 §2.4, RFC 9700 §4.4)
  access_denied,   // error=access_denied: the person or the provider's policy said no
  provider_error,  // any other error= from the provider (invalid_scope, server_error, ...)
  code_missing,    // neither code nor error in the response

  // Token endpoint (RFC 6749 §4.1.3, §5.1, §5.2).
  client_auth_failed,  // error=invalid_client: wrong client id or secret for this team
  code_rejected,       // error=invalid_grant: code expired, already used, or PKCE/redirect mismatch
  token_request_failed,    // unreachable, or any other non-200 answer
  token_response_invalid,  // not JSON, too large, token_type not Bearer, no access_token or
                           // id_token

  // ID token (OIDC Core §3.1.3.7).
  id_token_malformed,          // not a compact JWS with a JSON object payload
  id_token_invalid_signature,  // bad signature, alg none/HMAC/not advertised, alg-key mismatch
  id_token_unknown_key,        // no key with the token's kid, even after refetching the JWKS
  id_token_wrong_issuer,       // iss is not exactly the issuer
  id_token_wrong_audience,     // aud does not contain our client_id
  id_token_azp_mismatch,       // several audiences without azp, or azp is another client
  id_token_expired,            // exp (plus skew) has passed
  id_token_issued_in_future,   // iat or nbf later than now plus skew
  id_token_missing_claim,      // exp, iat, sub or nonce absent or of the wrong type
  nonce_mismatch,  // nonce is not this attempt's: replay or injection (OIDC Core §15.5.2)

  // UserInfo (OIDC Core §5.3).
  userinfo_failed,        // unreachable, not 200, or not a JSON object
  userinfo_sub_mismatch,  // UserInfo's sub differs from the ID token's: token substitution (§5.3.2)
};

// How the HTTP layer should answer.
enum class ErrorClass {
  bad_request,          // 400: the browser brought a response that does not belong to this attempt
  refused,              // 403: the provider or the person declined
  provider_misbehaved,  // 502: the provider (or its configuration here) gave something unusable
  provider_timeout,     // 504: the provider did not answer in time
};

// Words a person can act on; names no token, code or secret.
[[nodiscard]] std::string_view message(Error e);
// Short stable slug for logs, metrics and audit, e.g. "id_token_wrong_audience".
[[nodiscard]] std::string_view code(Error e);
[[nodiscard]] ErrorClass classify(Error e);

}  // namespace gatehouse::oidc
