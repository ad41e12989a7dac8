#include "jose/jws.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "crypto/encoding.hpp"
#include "jose/signature.hpp"

namespace gatehouse::jose {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kMaxTokenBytes = std::size_t{16} * 1024;

struct Segments {
  std::string_view header;
  std::string_view payload;
  std::string_view signature;
  std::string_view signing_input;  // header "." payload, what was signed
};

// RFC 7515 §7.1: exactly three segments. Empty payloads (detached content,
// RFC 7515 Appendix F) are not something an ID token can be. An empty
// signature passes here so that "alg":"none" tokens are named as such.
std::optional<Segments> split(std::string_view compact) {
  const auto d1 = compact.find('.');
  if (d1 == std::string_view::npos) return std::nullopt;
  const auto d2 = compact.find('.', d1 + 1);
  if (d2 == std::string_view::npos || compact.find('.', d2 + 1) != std::string_view::npos)
    return std::nullopt;
  Segments s{compact.substr(0, d1), compact.substr(d1 + 1, d2 - d1 - 1), compact.substr(d2 + 1),
             compact.substr(0, d2)};
  if (s.header.empty() || s.payload.empty()) return std::nullopt;
  return s;
}

// A JSON object with no duplicate member names at its top level (RFC 7515
// §5.2 and RFC 7519 §4 allow refusing them: two "alg" or two "sub" members
// are a classic way to make two parsers disagree about what was verified)
// and no NUL byte anywhere: nlohmann's lexer takes NUL as the end of input,
// so `{"sub":"a"}\0anything` would parse as `{"sub":"a"}` (found by a
// differential fuzz against a strict parser).
std::optional<Json> parse_object(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  std::vector<std::string> seen;
  bool duplicate = false;
  const Json::parser_callback_t on_event = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::key && depth == 1) {
      const auto& name = parsed.get_ref<const std::string&>();
      if (std::find(seen.begin(), seen.end(), name) != seen.end())
        duplicate = true;
      else
        seen.push_back(name);
    }
    return true;
  };
  Json out = Json::parse(text, on_event, /*allow_exceptions=*/false);
  if (duplicate || !out.is_object()) return std::nullopt;
  return out;
}

std::optional<Json> parse_header(std::string_view b64) {
  const auto text = crypto::base64url_decode(b64);
  if (!text) return std::nullopt;
  return parse_object(*text);
}

}  // namespace

JwsVerifier::JwsVerifier(std::set<std::string> allowed) : allowed_(std::move(allowed)) {
  // HS* and "none" never get in, whatever the configuration says (RFC 8725 §3.1).
  std::erase_if(allowed_, [](const std::string& name) { return !parse_alg(name).has_value(); });
}

tl::expected<VerifiedJws, JoseError> JwsVerifier::verify(std::string_view compact,
                                                         const JwkSet& keys) const {
  if (compact.size() > kMaxTokenBytes) return tl::unexpected(JoseError::too_large);
  const auto seg = split(compact);
  if (!seg) return tl::unexpected(JoseError::malformed);
  const auto header = parse_header(seg->header);
  if (!header) return tl::unexpected(JoseError::malformed);

  const auto alg_it = header->find("alg");
  if (alg_it == header->end() || !alg_it->is_string()) return tl::unexpected(JoseError::malformed);
  const auto& alg_text = alg_it->get_ref<const std::string&>();
  // RFC 8725 §3.1: an unsigned token is never acceptable, whatever the caller allows.
  if (alg_text == "none") return tl::unexpected(JoseError::alg_none);
  const auto alg = parse_alg(alg_text);
  if (!alg || !allowed_.contains(alg_text)) return tl::unexpected(JoseError::alg_not_allowed);

  // RFC 7515 §4.1.11: crit lists extensions the recipient must understand.
  // We understand none, so any listed name fails; an empty or non-array crit
  // is malformed by the same section.
  if (const auto crit = header->find("crit"); crit != header->end()) {
    if (!crit->is_array() || crit->empty()) return tl::unexpected(JoseError::malformed);
    for (const auto& name : *crit)
      if (!name.is_string()) return tl::unexpected(JoseError::malformed);
    return tl::unexpected(JoseError::unknown_crit);
  }
  // RFC 7797: "b64" changes what is signed; we do not implement it, and
  // guessing its meaning would verify something other than what was signed.
  if (header->contains("b64")) return tl::unexpected(JoseError::unknown_crit);

  std::optional<std::string_view> kid;
  if (const auto k = header->find("kid"); k != header->end()) {
    if (!k->is_string()) return tl::unexpected(JoseError::malformed);
    kid = k->get_ref<const std::string&>();
  }
  // jku, jwk, x5u and x5c are deliberately never read: keys come only from
  // the issuer's JWKS (RFC 8725 §3.10, OIDC Core §10.1).

  const auto signature = crypto::base64url_decode(seg->signature);
  if (!signature) return tl::unexpected(JoseError::malformed);
  const auto payload = crypto::base64url_decode(seg->payload);
  if (!payload) return tl::unexpected(JoseError::malformed);

  bool kid_found = false;
  bool key_fits = false;
  bool verified = false;
  for (const auto& key : keys.keys()) {
    if (kid && (!key->kid() || *key->kid() != *kid)) continue;
    kid_found = true;
    // The JWK's own alg pins the key to one algorithm (RFC 7517 §4.4).
    if (!alg_fits_key(*alg, key->type()) || (key->alg() && *key->alg() != alg_text)) continue;
    key_fits = true;
    if (verify_signature(*alg, *key, seg->signing_input, *signature)) {
      verified = true;
      break;
    }
  }
  if (!key_fits) {
    return tl::unexpected(kid && kid_found ? JoseError::alg_key_mismatch
                                           : JoseError::no_matching_key);
  }
  if (!verified) return tl::unexpected(JoseError::bad_signature);

  // Parsed only after the signature holds: unauthenticated input gets as
  // little parsing as possible.
  auto claims = parse_object(*payload);
  if (!claims) return tl::unexpected(JoseError::malformed);
  return VerifiedJws(std::move(*claims));
}

std::optional<std::string> JwsVerifier::peek_kid(std::string_view compact) {
  if (compact.size() > kMaxTokenBytes) return std::nullopt;
  const auto seg = split(compact);
  if (!seg) return std::nullopt;
  const auto header = parse_header(seg->header);
  if (!header) return std::nullopt;
  const auto kid = header->find("kid");
  if (kid == header->end() || !kid->is_string()) return std::nullopt;
  return kid->get<std::string>();
}

}  // namespace gatehouse::jose
