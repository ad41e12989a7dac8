#pragma once
// Validates an ID token as OIDC Core §3.1.3.7 says, strictly: the only way
// to get a VerifiedIdToken, so holding one proves every check passed.
//   IdTokenValidator validator(jwks, clock, std::chrono::seconds(60));
//   auto v = validator.validate(raw, meta, client.client_id, pending.nonce);
//   if (v) use(v->sub(), v->email());
#include <chrono>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "oidc/failure.hpp"
#include "oidc/jwks_cache.hpp"
#include "oidc/metadata.hpp"

namespace gatehouse::oidc {

class IdTokenValidator;

class VerifiedIdToken {
 public:
  [[nodiscard]] const std::string& sub() const { return sub_; }
  [[nodiscard]] const std::string& issuer() const { return issuer_; }
  [[nodiscard]] const std::optional<std::string>& email() const { return email_; }
  [[nodiscard]] const std::optional<std::string>& name() const { return name_; }
  // From a JSON boolean or the strings "true"/"false" (some providers send those).
  [[nodiscard]] const std::optional<bool>& email_verified() const { return email_verified_; }
  // The compact token, only for id_token_hint at logout. Never log it.
  [[nodiscard]] const std::string& raw() const { return raw_; }

 private:
  friend class IdTokenValidator;
  VerifiedIdToken() = default;
  std::string sub_, issuer_;
  std::optional<std::string> email_, name_;
  std::optional<bool> email_verified_;
  std::string raw_;
};

class IdTokenValidator {
 public:
  IdTokenValidator(JwksCache& jwks, const Clock& clock, std::chrono::seconds clock_skew)
      : jwks_(&jwks), clock_(&clock), skew_(clock_skew) {}

  // Signature by a key from the issuer's JWKS (an unknown kid refetches it
  // once, rate-limited) with an asymmetric alg the provider advertises;
  // iss exact; aud contains client_id; azp required with several audiences
  // and equal to client_id whenever present; exp and iat required; nbf
  // honoured; sub required; nonce equal (constant time). Skew applies to
  // exp, iat and nbf.
  [[nodiscard]] Result<VerifiedIdToken> validate(const std::string& id_token,
                                                 const ProviderMetadata& meta,
                                                 const std::string& client_id,
                                                 const std::string& expected_nonce) const;

 private:
  JwksCache* jwks_;
  const Clock* clock_;
  std::chrono::seconds skew_;
};

}  // namespace gatehouse::oidc
