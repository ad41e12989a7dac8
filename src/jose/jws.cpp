#include "jose/jws.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

#include <simdjson.h>

#include "crypto/encoding.hpp"
#include "jose/signature.hpp"

namespace gatehouse::jose {
namespace {

constexpr std::size_t kMaxTokenBytes = std::size_t{16} * 1024;
// Real ID tokens nest three or four levels (address, realm_access.roles);
// the bound keeps an attacker's "[[[[..." from growing the parser's stack.
constexpr std::size_t kMaxDepth = 32;

std::uint32_t alg_bit(Alg alg) { return std::uint32_t{1} << static_cast<unsigned>(alg); }

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

// What one thread reuses from token to token, so that a verification
// allocates nothing but the claims document it hands out: the simdjson parser
// (its index buffers, and the document the header is parsed into) and the
// decoded segments. thread_local, so concurrent verifications never share one.
struct Scratch {
  simdjson::dom::parser parser;
  simdjson::dom::document header_doc;
  std::string header;
  std::string payload;
  std::string signature;
  // Member names of the object being checked, see has_duplicate_member().
  std::vector<std::pair<std::uint64_t, std::string_view>> names;
  // The last header that passed every header check, as base64url text, and
  // what it said (see read_header()).
  bool known = false;
  std::string known_header;
  Alg known_alg = Alg::rs256;
  std::optional<std::string> known_kid;

  Scratch() {
    if (parser.allocate(4096, kMaxDepth) != simdjson::SUCCESS) throw std::bad_alloc();
  }
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// Decodes a base64url segment into out with SIMDJSON_PADDING spare bytes of
// capacity behind it: simdjson reads (never uses) that far past the text.
bool decode_padded(std::string_view b64, std::string& out) {
  out.reserve(b64.size() + simdjson::SIMDJSON_PADDING);  // decoded is shorter than b64
  return crypto::base64url_decode_into(b64, out);
}

// Equal names have equal tags: length, first, middle and last byte. Cheap
// enough to compute for every member; unequal names may share one.
std::uint64_t name_tag(std::string_view name) {
  if (name.empty()) return 0;
  const auto byte = [&](std::size_t i) {
    return std::uint64_t{static_cast<unsigned char>(name[i])};
  };
  return name.size() | byte(0) << 32 | byte(name.size() / 2) << 40 | byte(name.size() - 1) << 48;
}

// Two members with one name (RFC 7515 §5.2 and RFC 7519 §4 allow refusing
// them): two "alg" or two "sub" members are a classic way to make two
// parsers disagree about what was verified; simdjson keeps both.
bool has_duplicate_member(simdjson::dom::object object, Scratch& s) {
  // An ID token's few dozen members: a 256-bit filter of the tags says
  // which names might have been seen; only those are compared with the
  // earlier names.
  constexpr std::size_t kFew = 32;
  // Left uninitialised: only the first n entries are read.
  std::array<std::uint64_t, kFew> tags;
  std::array<const char*, kFew> names;  // each name's length is in its tag
  std::array<std::uint64_t, 4> filter{};
  std::size_t n = 0;
  auto it = object.begin();
  for (; it != object.end() && n < kFew; ++it, ++n) {
    const std::string_view name = it.key();
    const std::uint64_t tag = name_tag(name);
    const std::uint64_t slot = (tag * 0x9e3779b97f4a7c15ULL) >> 56;
    const std::uint64_t bit = std::uint64_t{1} << (slot & 63);
    if ((filter[slot >> 6] & bit) != 0)
      for (std::size_t j = 0; j < n; ++j)
        if (tags[j] == tag && std::memcmp(names[j], name.data(), name.size()) == 0) return true;
    filter[slot >> 6] |= bit;
    tags[n] = tag;
    names[n] = name.data();
  }
  if (it == object.end()) return false;
  // More (an attacker's header can hold a thousand, checked before the
  // signature): sort (tag, name) pairs so equal names end up side by side,
  // n log n however the names are chosen.
  auto& all = s.names;
  all.clear();
  for (it = object.begin(); it != object.end(); ++it)
    all.emplace_back(name_tag(it.key()), it.key());
  std::sort(all.begin(), all.end());
  return std::adjacent_find(all.begin(), all.end()) != all.end();
}

// A JSON object (RFC 8259, validated in full by simdjson: UTF-8, escapes,
// numbers) with no duplicate member names at its top level, no NUL byte (a
// parser that stops at NUL would read `{"sub":"a"}\0{"sub":"b"}` as the
// first object only), no integer beyond 64 bits (one parser rounds it to a
// double, another refuses or wraps it) and at most kMaxDepth levels.
// text must have SIMDJSON_PADDING bytes of capacity behind it.
std::optional<simdjson::dom::object> parse_object(const std::string& text,
                                                  simdjson::dom::document& into, Scratch& s) {
  if (std::memchr(text.data(), '\0', text.size()) != nullptr) return std::nullopt;
  simdjson::dom::object object;
  if (s.parser.parse_into_document(into, text.data(), text.size(), false).get(object) !=
      simdjson::SUCCESS)
    return std::nullopt;
  if (has_duplicate_member(object, s)) return std::nullopt;
  return object;
}

// The header, parsed into the thread's header document: valid until the next
// header parse on this thread.
std::optional<simdjson::dom::object> parse_header(std::string_view b64, Scratch& s) {
  if (!decode_padded(b64, s.header)) return std::nullopt;
  return parse_object(s.header, s.header_doc, s);
}

struct HeaderFacts {
  Alg alg;
  std::optional<std::string_view> kid;  // valid until the thread's next header
};

tl::expected<HeaderFacts, JoseError> read_header(std::string_view b64, std::uint32_t allowed,
                                                 Scratch& s) {
  // Same text, same answer (base64url decoding is strict, so one text is one
  // byte string): a provider signs every token with the same header, and
  // IdTokenValidator peeks at the kid just before verifying.
  if (s.known && b64 == s.known_header) {
    if ((allowed & alg_bit(s.known_alg)) == 0) return tl::unexpected(JoseError::alg_not_allowed);
    return HeaderFacts{s.known_alg, s.known_kid};
  }
  const auto header = parse_header(b64, s);
  if (!header) return tl::unexpected(JoseError::malformed);

  std::string_view alg_text;
  if (header->at_key("alg").get(alg_text) != simdjson::SUCCESS)
    return tl::unexpected(JoseError::malformed);
  // RFC 8725 §3.1: an unsigned token is never acceptable, whatever the caller allows.
  if (alg_text == "none") return tl::unexpected(JoseError::alg_none);
  const auto alg = parse_alg(alg_text);
  if (!alg || (allowed & alg_bit(*alg)) == 0) return tl::unexpected(JoseError::alg_not_allowed);

  // RFC 7515 §4.1.11: crit lists extensions the recipient must understand.
  // We understand none, so any listed name fails; an empty or non-array crit
  // is malformed by the same section.
  if (simdjson::dom::element crit; header->at_key("crit").get(crit) == simdjson::SUCCESS) {
    simdjson::dom::array names;
    if (crit.get_array().get(names) != simdjson::SUCCESS || names.size() == 0)
      return tl::unexpected(JoseError::malformed);
    for (const simdjson::dom::element name : names)
      if (!name.is_string()) return tl::unexpected(JoseError::malformed);
    return tl::unexpected(JoseError::unknown_crit);
  }
  // RFC 7797: "b64" changes what is signed; we do not implement it, and
  // guessing its meaning would verify something other than what was signed.
  if (header->at_key("b64").error() == simdjson::SUCCESS)
    return tl::unexpected(JoseError::unknown_crit);

  std::optional<std::string_view> kid;
  if (simdjson::dom::element k; header->at_key("kid").get(k) == simdjson::SUCCESS) {
    std::string_view text;
    if (k.get_string().get(text) != simdjson::SUCCESS) return tl::unexpected(JoseError::malformed);
    kid = text;
  }
  // jku, jwk, x5u and x5c are deliberately never read: keys come only from
  // the issuer's JWKS (RFC 8725 §3.10, OIDC Core §10.1).

  s.known = true;
  s.known_header.assign(b64);
  s.known_alg = *alg;
  s.known_kid = kid;
  return HeaderFacts{*alg, kid};
}

}  // namespace

JwsVerifier::JwsVerifier(std::set<std::string> allowed) {
  // HS* and "none" never get in, whatever the configuration says (RFC 8725 §3.1).
  for (const auto& name : allowed)
    if (const auto alg = parse_alg(name)) allowed_ |= alg_bit(*alg);
}

tl::expected<VerifiedJws, JoseError> JwsVerifier::verify(std::string_view compact,
                                                         const JwkSet& keys) const {
  if (compact.size() > kMaxTokenBytes) return tl::unexpected(JoseError::too_large);
  const auto seg = split(compact);
  if (!seg) return tl::unexpected(JoseError::malformed);
  Scratch& s = scratch();
  const auto header = read_header(seg->header, allowed_, s);
  if (!header) return tl::unexpected(header.error());
  const Alg alg = header->alg;
  const std::string_view alg_text = alg_name(alg);
  const auto& kid = header->kid;

  if (!crypto::base64url_decode_into(seg->signature, s.signature))
    return tl::unexpected(JoseError::malformed);
  if (!decode_padded(seg->payload, s.payload)) return tl::unexpected(JoseError::malformed);

  bool kid_found = false;
  bool key_fits = false;
  bool verified = false;
  for (const auto& key : keys.keys()) {
    if (kid && (!key->kid() || *key->kid() != *kid)) continue;
    kid_found = true;
    // The JWK's own alg pins the key to one algorithm (RFC 7517 §4.4).
    if (!alg_fits_key(alg, key->type()) || (key->alg() && *key->alg() != alg_text)) continue;
    key_fits = true;
    if (verify_signature(alg, *key, seg->signing_input, s.signature)) {
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
  // little parsing as possible. The document is the one allocation that
  // outlives this call: the returned Claims owns it.
  Claims::Document doc(new simdjson::dom::document);
  if (!parse_object(s.payload, *doc, s)) return tl::unexpected(JoseError::malformed);
  return VerifiedJws(Claims(std::move(doc)));
}

std::optional<std::string> JwsVerifier::peek_kid(std::string_view compact) {
  if (compact.size() > kMaxTokenBytes) return std::nullopt;
  const auto seg = split(compact);
  if (!seg) return std::nullopt;
  Scratch& s = scratch();
  if (s.known && seg->header == s.known_header) return s.known_kid;
  const auto header = parse_header(seg->header, s);
  if (!header) return std::nullopt;
  std::string_view kid;
  if (header->at_key("kid").get(kid) != simdjson::SUCCESS) return std::nullopt;
  return std::string(kid);
}

}  // namespace gatehouse::jose
