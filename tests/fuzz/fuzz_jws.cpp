// JWS compact parsing and verification against a fixed JWKS holding the RFC
// 7515 A.2 (RSA), A.3 (P-256) and RFC 7520 (P-521) public keys, so seeds
// built from those RFC tokens reach the signature code.
//
// Input: a compact token; or "<header JSON>\n<payload>.<signature>", whose
// header is base64url-encoded here so the fuzzer can mutate the JSON itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crypto/encoding.hpp"
#include "jose/jws.hpp"

namespace {

using gatehouse::jose::JwkSet;
using gatehouse::jose::JwsVerifier;

constexpr std::string_view kJwks = R"({"keys":[
{"kty":"RSA","kid":"rsa","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ","e":"AQAB"},
{"kty":"EC","kid":"p256","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
{"kty":"EC","kid":"p521","crv":"P-521","x":"AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt","y":"AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1"}
]})";

// The only signing inputs (header.payload) with signatures under those keys
// (RFC 7515 A.2 and A.3); nothing else may ever verify.
constexpr std::string_view kPayload =
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlf"
    "Q";
constexpr std::string_view kSignedHeaders[] = {"eyJhbGciOiJSUzI1NiJ9", "eyJhbGciOiJFUzI1NiJ9"};

bool is_known_signing_input(std::string_view token) {
  const auto input = token.substr(0, token.rfind('.'));
  for (const auto header : kSignedHeaders)
    if (input.size() == header.size() + 1 + kPayload.size() && input.starts_with(header) &&
        input.ends_with(kPayload) && input[header.size()] == '.')
      return true;
  return false;
}

const JwkSet& keys() {
  static const JwkSet set = [] {
    auto parsed = JwkSet::parse(kJwks);
    if (!parsed || parsed->keys().size() != 3) std::abort();  // the harness itself is broken
    return std::move(*parsed);
  }();
  return set;
}

void exercise(std::string_view token) {
  static const JwsVerifier verifier({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
                                     "ES384", "ES512", "EdDSA", "HS256", "none"});
  const auto verified = verifier.verify(token, keys());
  // Anything else verifying would be a forgery (or a verifier that ignores
  // part of the signed bytes).
  if (verified && !is_known_signing_input(token)) std::abort();
  (void)JwsVerifier::peek_kid(token);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  exercise(input);
  if (const auto nl = input.find('\n'); nl != std::string_view::npos) {
    const std::string token = gatehouse::crypto::base64url_encode(input.substr(0, nl)) + "." +
                              std::string(input.substr(nl + 1));
    exercise(token);
  }
  return 0;
}
