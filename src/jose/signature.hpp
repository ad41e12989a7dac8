#pragma once
// JWS signature algorithms (RFC 7518 §3) and the check of one signature with
// one key. JwsVerifier parses and picks keys; this file only maps an "alg" to
// OpenSSL.
//   auto alg = parse_alg("ES256");                      // std::optional<Alg>
//   if (alg && alg_fits_key(*alg, key.type()))
//     ok = verify_signature(*alg, key, signing_input, raw_signature);
#include <optional>
#include <string_view>

#include "jose/jwk.hpp"

namespace gatehouse::jose {

enum class Alg { rs256, rs384, rs512, ps256, ps384, ps512, es256, es384, es512, eddsa };

// Asymmetric algorithms only: "none" and HS* give nullopt, so a public key can
// never be used as an HMAC secret (RFC 8725 §2.1, §3.1).
[[nodiscard]] std::optional<Alg> parse_alg(std::string_view name);
[[nodiscard]] std::string_view alg_name(Alg alg);

// RS*/PS* need an RSA key, ES256/384/512 exactly P-256/384/521, EdDSA Ed25519.
[[nodiscard]] bool alg_fits_key(Alg alg, KeyType type);

// signature is as carried in a JWS: for ECDSA the raw r||s of exactly twice the
// coordinate length (RFC 7518 §3.4), for RSA exactly the modulus length.
// The key must fit the alg (checked again here).
[[nodiscard]] bool verify_signature(Alg alg, const Jwk& key, std::string_view signing_input,
                                    std::string_view signature);

}  // namespace gatehouse::jose
