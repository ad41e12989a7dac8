#include "oidc/authorization.hpp"

#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"

namespace gatehouse::oidc {

std::string pkce_challenge_s256(const std::string& code_verifier) {
  return crypto::base64url_encode(crypto::sha256(code_verifier));
}

AuthorizationStart build_authorization(const ProviderMetadata& meta, const ClientConfig& client,
                                       crypto::Random& rng,
                                       const std::optional<std::string>& login_hint) {
  AuthorizationStart out;
  out.pending.state = crypto::random_token(rng, kRandomBytes);
  out.pending.nonce = crypto::random_token(rng, kRandomBytes);
  // RFC 7636 §4.1: 43..128 characters of [A-Za-z0-9-._~]; base64url of 32
  // bytes is exactly 43 such characters.
  out.pending.code_verifier = crypto::random_token(rng, kRandomBytes);

  std::vector<std::pair<std::string, std::string>> query{
      {"response_type", "code"},
      {"client_id", client.client_id},
      {"redirect_uri", client.redirect_uri},
      {"scope", "openid email profile"},
      {"state", out.pending.state},
      {"nonce", out.pending.nonce},
      {"code_challenge", pkce_challenge_s256(out.pending.code_verifier)},
      {"code_challenge_method", "S256"},
  };
  if (login_hint && !login_hint->empty()) query.emplace_back("login_hint", *login_hint);
  // RFC 6749 §3.1: the endpoint may carry its own query, which is kept.
  const char sep = meta.authorization_endpoint.find('?') == std::string::npos ? '?' : '&';
  out.url = meta.authorization_endpoint + sep + http::encode_form(query);
  return out;
}

Result<std::string> check_authorization_response(const ProviderMetadata& meta,
                                                 const PendingAuthorization& pending,
                                                 const http::Params& params) {
  auto state = params.get("state");
  // An empty saved state would match an empty parameter: refuse both.
  if (!state || pending.state.empty() || !crypto::constant_time_equal(*state, pending.state))
    return fail(Error::state_mismatch, state ? "state does not match the attempt" : "no state");

  auto iss = params.get("iss");
  if (iss) {
    if (*iss != meta.issuer)
      return fail(Error::iss_mismatch, "iss " + printable(*iss) + " != " + printable(meta.issuer));
  } else if (meta.authorization_response_iss_parameter_supported) {
    return fail(Error::iss_missing, "provider advertises iss but the response has none");
  }

  if (auto error = params.get("error")) {
    std::string detail = "error=" + printable(*error, 64);
    if (auto description = params.get("error_description"))
      detail += " error_description=" + printable(*description);
    return fail(*error == "access_denied" ? Error::access_denied : Error::provider_error,
                std::move(detail));
  }

  auto code = params.get("code");
  if (!code || code->empty()) return fail(Error::code_missing, "no code and no error");
  return *code;
}

}  // namespace gatehouse::oidc
