#include "oidc/id_token_validator.hpp"

#include <algorithm>

#include "crypto/hash.hpp"
#include "jose/jws.hpp"

namespace gatehouse::oidc {
namespace {
Failure from_jose(jose::JoseError e) {
  std::string detail = "id_token: " + std::string(jose::to_string(e));
  switch (e) {
    case jose::JoseError::malformed:
    case jose::JoseError::too_large:
      return {Error::id_token_malformed, std::move(detail)};
    case jose::JoseError::no_matching_key:
      return {Error::id_token_unknown_key, std::move(detail)};
    default:
      // alg none, HMAC, an alg the provider does not advertise, an alg that
      // does not fit the key, unknown crit, a bad signature: all one answer.
      return {Error::id_token_invalid_signature, std::move(detail)};
  }
}

std::optional<std::string> optional_text(const jose::Claims& claims, std::string_view name) {
  const auto s = claims.string(name);
  if (!s || s->empty()) return std::nullopt;
  return std::string(*s);
}

std::optional<bool> optional_flag(const jose::Claims& claims, std::string_view name) {
  if (const auto b = claims.boolean(name)) return b;
  if (const auto s = claims.string(name)) {
    if (*s == "true") return true;
    if (*s == "false") return false;
  }
  return std::nullopt;
}

}  // namespace

Result<VerifiedIdToken> IdTokenValidator::validate(const std::string& id_token,
                                                   const ProviderMetadata& meta,
                                                   const std::string& client_id,
                                                   const std::string& expected_nonce) const {
  // §3.1.3.7 step 6: the signature, with keys from jwks_uri only; header
  // members that carry or fetch keys (jku, jwk, x5u, x5c) are ignored by
  // JwsVerifier (RFC 8725 §3.10).
  auto keys = jwks_->keys_for(meta.issuer, meta.jwks_uri, jose::JwsVerifier::peek_kid(id_token));
  if (!keys) return tl::unexpected(keys.error());
  const jose::JwsVerifier verifier(meta.id_token_algs());
  auto verified = verifier.verify(id_token, **keys);
  if (!verified) return tl::unexpected(from_jose(verified.error()));
  const jose::Claims& claims = verified->claims();

  // Step 2: exact match, so "https://idp" never accepts "https://idp1".
  const auto iss = claims.string("iss");
  if (!iss) return fail(Error::id_token_missing_claim, "id_token: no iss");
  if (*iss != meta.issuer)
    return fail(Error::id_token_wrong_issuer, "id_token: iss " + printable(*iss));

  // Step 3: aud is a string or an array of strings that contains client_id.
  std::size_t audiences = 0;
  bool ours = false;
  switch (claims.type("aud")) {
    case jose::Claims::Type::absent:
      return fail(Error::id_token_missing_claim, "id_token: no aud");
    case jose::Claims::Type::string:
      audiences = 1;
      ours = *claims.string("aud") == client_id;
      break;
    case jose::Claims::Type::array: {
      const auto list = claims.string_array("aud");
      if (!list) return fail(Error::id_token_wrong_audience, "id_token: aud has a non-string");
      audiences = list->size();
      ours = std::find(list->begin(), list->end(), client_id) != list->end();
      break;
    }
    default:
      return fail(Error::id_token_wrong_audience, "id_token: aud is neither string nor array");
  }
  if (!ours)
    return fail(Error::id_token_wrong_audience, "id_token: aud does not contain our client_id");

  // Steps 4-5: with several audiences the token must say it was issued to
  // us (azp), and an azp naming another client is never accepted.
  const auto azp = claims.string("azp");
  if (claims.contains("azp") && !azp)
    return fail(Error::id_token_azp_mismatch, "id_token: azp not a string");
  if (audiences > 1 && !azp)
    return fail(Error::id_token_azp_mismatch, "id_token: several aud, no azp");
  if (azp && *azp != client_id)
    return fail(Error::id_token_azp_mismatch, "id_token: azp is another client");

  // Steps 9-10: exp in the future and iat not in the future, each with the
  // allowed skew; both required (strict by default). NumericDate (RFC 7519
  // §2): integer or fractional seconds.
  const double now = static_cast<double>(clock_->unix_seconds());
  const double skew = static_cast<double>(skew_.count());
  auto exp = claims.number("exp");
  if (!exp) return fail(Error::id_token_missing_claim, "id_token: no numeric exp");
  if (now >= *exp + skew) return fail(Error::id_token_expired, "id_token: expired");
  auto iat = claims.number("iat");
  if (!iat) return fail(Error::id_token_missing_claim, "id_token: no numeric iat");
  if (*iat > now + skew)
    return fail(Error::id_token_issued_in_future, "id_token: iat in the future");
  if (claims.contains("nbf")) {
    auto nbf = claims.number("nbf");
    if (!nbf) return fail(Error::id_token_missing_claim, "id_token: nbf not numeric");
    if (*nbf > now + skew)
      return fail(Error::id_token_issued_in_future, "id_token: nbf in the future");
  }

  // OIDC Core §2: sub is required, at most 255 ASCII characters; the
  // account key is (team, sub), so an empty one must never pass.
  const auto sub = claims.string("sub");
  if (!sub || sub->empty() || sub->size() > 255)
    return fail(Error::id_token_missing_claim, "id_token: no valid sub");

  // Step 11: the nonce binds the token to this attempt (replay, injection).
  const auto nonce = claims.string("nonce");
  if (!nonce) return fail(Error::id_token_missing_claim, "id_token: no nonce");
  if (expected_nonce.empty() || !crypto::constant_time_equal(*nonce, expected_nonce))
    return fail(Error::nonce_mismatch, "id_token: nonce is not this attempt's");

  VerifiedIdToken out;
  out.sub_ = *sub;
  out.issuer_ = *iss;
  out.email_ = optional_text(claims, "email");
  out.name_ = optional_text(claims, "name");
  out.email_verified_ = optional_flag(claims, "email_verified");
  out.raw_ = id_token;
  return out;
}

}  // namespace gatehouse::oidc
