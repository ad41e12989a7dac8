#include "jose/error.hpp"

namespace gatehouse::jose {

std::string_view to_string(JoseError e) {
  switch (e) {
    case JoseError::malformed:
      return "malformed JWS or JWK";
    case JoseError::too_large:
      return "JWS or JWK set too large";
    case JoseError::alg_none:
      return "unsigned token (alg none) refused";
    case JoseError::alg_not_allowed:
      return "signature algorithm not allowed";
    case JoseError::alg_key_mismatch:
      return "signature algorithm does not fit the key";
    case JoseError::unknown_crit:
      return "token requires an extension we do not support";
    case JoseError::no_matching_key:
      return "no key in the key set matches the token";
    case JoseError::bad_signature:
      return "signature does not verify";
    case JoseError::bad_key:
      return "invalid key";
    case JoseError::unsupported_key:
      return "unsupported key";
  }
  return "unknown JOSE error";
}

}  // namespace gatehouse::jose
