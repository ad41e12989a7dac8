#pragma once
// Why a JWS or JWK was refused. One value per reason; never carries key or
// token material.
#include <string_view>

namespace gatehouse::jose {

enum class JoseError {
  malformed,         // not three base64url segments, bad base64url, bad JSON
  too_large,         // token, header or key set over the size limits
  alg_none,          // "none": never accepted (RFC 8725 §3.1)
  alg_not_allowed,   // HMAC or any algorithm outside the caller's allow-list
  alg_key_mismatch,  // alg does not fit the key's kty/curve (alg confusion)
  unknown_crit,      // "crit" names a member we do not understand (RFC 7515 §4.1.11)
  no_matching_key,   // no key with that kid, or none of a fitting type
  bad_signature,     // signature did not verify, or has the wrong length
  bad_key,           // JWK invalid: missing members, weak RSA, point not on curve
  unsupported_key,   // kty/crv we do not support
};

[[nodiscard]] std::string_view to_string(JoseError e);

}  // namespace gatehouse::jose
