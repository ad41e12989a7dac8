#pragma once
// Strict JWS compact verification (RFC 7515) on OpenSSL 3 EVP.
//   JwsVerifier verifier({"RS256", "ES256"});                // allow-list
//   auto v = verifier.verify(token, jwks);                    // expected<VerifiedJws, JoseError>
//   if (v) use(v->claims().string("sub"));                    // jose::Claims view
// Only JwsVerifier can construct a VerifiedJws, so holding one proves the
// signature was checked. Callers never see alg or kid. Header members that
// would fetch or carry keys (jku, jwk, x5u, x5c) are ignored.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "jose/claims.hpp"
#include "jose/error.hpp"
#include "jose/jwk.hpp"

namespace gatehouse::jose {

class JwsVerifier;

class VerifiedJws {
 public:
  // The payload, parsed as a JSON object (a non-object payload fails verify()).
  [[nodiscard]] const Claims& claims() const { return claims_; }

 private:
  friend class JwsVerifier;
  explicit VerifiedJws(Claims claims) : claims_(std::move(claims)) {}
  Claims claims_;
};

class JwsVerifier {
 public:
  // Asymmetric algorithms only: RS256/384/512, PS256/384/512, ES256/384/512,
  // EdDSA. Anything else in allowed (HS*, none) is dropped at construction.
  explicit JwsVerifier(std::set<std::string> allowed);

  // Max token size 16 KiB. Key selection: by kid when the header has one
  // (a kid with no match is no_matching_key); without kid, every key whose
  // type fits the alg is tried. ECDSA signatures must be raw r||s of exactly
  // the curve's length. Header and claims are JSON objects without duplicate
  // member names, NUL bytes, integers beyond 64 bits or nesting deeper than 32.
  [[nodiscard]] tl::expected<VerifiedJws, JoseError> verify(std::string_view compact,
                                                            const JwkSet& keys) const;

  // The kid in the token's header, if any, without verifying anything: used
  // only by the JWKS cache to decide whether a refetch is needed.
  [[nodiscard]] static std::optional<std::string> peek_kid(std::string_view compact);

 private:
  std::uint32_t allowed_ = 0;  // bit (1 << Alg) for each allowed algorithm
};

}  // namespace gatehouse::jose
