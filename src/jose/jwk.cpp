#include "jose/jwk.hpp"

#include <algorithm>
#include <array>
#include <memory>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <nlohmann/json.hpp>

#include "crypto/encoding.hpp"
#include "crypto/openssl_ptr.hpp"

namespace gatehouse::jose {
namespace {

constexpr std::size_t kMaxSetBytes = std::size_t{256} * 1024;
constexpr std::size_t kMaxKeys = 100;
// RFC 8725 §3.5 / NIST SP 800-131A: nothing under 2048 bits. The upper bound
// keeps one verification cheap: a 16384-bit key would make every token a DoS.
constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 8192;

using Json = nlohmann::json;

using Pkey = std::unique_ptr<EVP_PKEY, Jwk::PkeyDeleter>;
using crypto::BignumPtr;
using crypto::ParamBldPtr;
using crypto::ParamPtr;
using crypto::PkeyCtxPtr;

// Any OpenSSL failure while importing leaves errors on this thread's queue;
// they describe attacker-supplied input and must not leak into later calls.
tl::unexpected<JoseError> fail(JoseError e) {
  ERR_clear_error();
  return tl::unexpected(e);
}

// A member that must be a string when present; nullopt with ok=false when it
// has another type.
struct OptionalString {
  bool ok = true;
  std::optional<std::string> value;
};
OptionalString optional_string(const Json& obj, const char* name) {
  const auto it = obj.find(name);
  if (it == obj.end()) return {};
  if (!it->is_string()) return {false, std::nullopt};
  return {true, it->get<std::string>()};
}

std::optional<std::string> b64_member(const Json& obj, const char* name) {
  const auto it = obj.find(name);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return crypto::base64url_decode(it->get_ref<const std::string&>());
}

Pkey from_params(const char* type, const OSSL_PARAM* params) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, const_cast<OSSL_PARAM*>(params)) != 1)
    return nullptr;
  return Pkey(raw);
}

tl::expected<Pkey, JoseError> import_rsa(const Json& obj) {
  const auto n = b64_member(obj, "n");
  const auto e = b64_member(obj, "e");
  if (!n || !e || n->empty() || e->empty()) return fail(JoseError::bad_key);
  // RFC 7518 §6.3.1.1 asks for minimal octets; BN_bin2bn skips leading zero
  // octets, which change nothing, so a sloppy provider is not locked out and
  // the size check below still counts only significant bits.
  // A huge public exponent makes verification slow; real keys use 65537.
  if (e->size() > 4 || (static_cast<unsigned char>(e->back()) & 1) == 0)
    return fail(JoseError::bad_key);

  BignumPtr bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()),
                           static_cast<int>(n->size()), nullptr));
  BignumPtr bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()),
                           static_cast<int>(e->size()), nullptr));
  if (!bn_n || !bn_e) return fail(JoseError::bad_key);
  const int bits = BN_num_bits(bn_n.get());
  if (bits < kMinRsaBits || bits > kMaxRsaBits || !BN_is_odd(bn_n.get()) || BN_is_one(bn_e.get()))
    return fail(JoseError::bad_key);

  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1)
    return fail(JoseError::bad_key);
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  if (!params) return fail(JoseError::bad_key);
  Pkey key = from_params("RSA", params.get());
  if (!key) return fail(JoseError::bad_key);
  return key;
}

struct Curve {
  const char* jwk_name;
  const char* group;  // OpenSSL group name
  KeyType type;
  std::size_t coord_len;
};
constexpr std::array<Curve, 3> kCurves{{
    {"P-256", "P-256", KeyType::ec_p256, 32},
    {"P-384", "P-384", KeyType::ec_p384, 48},
    {"P-521", "P-521", KeyType::ec_p521, 66},
}};

tl::expected<std::pair<KeyType, Pkey>, JoseError> import_ec(const Json& obj) {
  const auto crv = optional_string(obj, "crv");
  if (!crv.ok || !crv.value) return fail(JoseError::bad_key);
  const Curve* curve = nullptr;
  for (const auto& c : kCurves)
    if (*crv.value == c.jwk_name) curve = &c;
  if (curve == nullptr) return fail(JoseError::unsupported_key);

  const auto x = b64_member(obj, "x");
  const auto y = b64_member(obj, "y");
  // RFC 7518 §6.2.1.2: x and y are exactly the coordinate length, so a
  // truncated or padded coordinate is an error, not something to fix up.
  if (!x || !y || x->size() != curve->coord_len || y->size() != curve->coord_len)
    return fail(JoseError::bad_key);
  std::string point;
  point.reserve(1 + 2 * curve->coord_len);
  point.push_back('\x04');  // uncompressed point, SEC 1 §2.3.3
  point += *x;
  point += *y;

  // OSSL_PARAM wants non-const pointers; fromdata only reads them.
  const std::array<OSSL_PARAM, 3> params{
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(curve->group),
                                       0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  Pkey key = from_params("EC", params.data());
  if (!key) return fail(JoseError::bad_key);
  // Invalid-curve attacks feed points off the curve to leak secrets or forge;
  // the full public check also rejects the point at infinity.
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return fail(JoseError::bad_key);
  return std::pair{curve->type, std::move(key)};
}

tl::expected<Pkey, JoseError> import_okp(const Json& obj) {
  const auto crv = optional_string(obj, "crv");
  if (!crv.ok || !crv.value) return fail(JoseError::bad_key);
  // RFC 8037: only Ed25519 is used for JWS here; X25519 is for key agreement.
  if (*crv.value != "Ed25519") return fail(JoseError::unsupported_key);
  const auto x = b64_member(obj, "x");
  if (!x || x->size() != 32) return fail(JoseError::bad_key);
  Pkey key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x->data()), x->size()));
  if (!key) return fail(JoseError::bad_key);
  return key;
}

tl::expected<Jwk, JoseError> import_key(const Json& obj) {
  if (!obj.is_object()) return tl::unexpected(JoseError::malformed);
  const auto kty = optional_string(obj, "kty");
  const auto kid = optional_string(obj, "kid");
  const auto alg = optional_string(obj, "alg");
  const auto use = optional_string(obj, "use");
  if (!kty.ok || !kty.value || !kid.ok || !alg.ok || !use.ok)
    return tl::unexpected(JoseError::bad_key);

  // RFC 7517 §4.2/§4.3: a key published for encryption, or whose operations
  // exclude "verify", must not verify signatures.
  if (use.value && *use.value != "sig") return tl::unexpected(JoseError::unsupported_key);
  if (const auto ops = obj.find("key_ops"); ops != obj.end()) {
    if (!ops->is_array()) return tl::unexpected(JoseError::bad_key);
    bool verify = false;
    for (const auto& op : *ops) {
      if (!op.is_string()) return tl::unexpected(JoseError::bad_key);
      if (op.get_ref<const std::string&>() == "verify") verify = true;
    }
    if (!verify) return tl::unexpected(JoseError::unsupported_key);
  }

  // Private members (d, p, q, dp, dq, qi) are ignored: only the public part
  // is imported, so a leaked private JWK never becomes a signing key here.
  const std::string& type = *kty.value;
  if (type == "RSA") {
    auto key = import_rsa(obj);
    if (!key) return tl::unexpected(key.error());
    return Jwk(KeyType::rsa, kid.value, alg.value, std::move(*key));
  }
  if (type == "EC") {
    auto key = import_ec(obj);
    if (!key) return tl::unexpected(key.error());
    return Jwk(key->first, kid.value, alg.value, std::move(key->second));
  }
  if (type == "OKP") {
    auto key = import_okp(obj);
    if (!key) return tl::unexpected(key.error());
    return Jwk(KeyType::ed25519, kid.value, alg.value, std::move(*key));
  }
  // "oct" lands here too: a symmetric key never verifies (RFC 8725 §3.1).
  return tl::unexpected(JoseError::unsupported_key);
}

}  // namespace

void Jwk::PkeyDeleter::operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }

Jwk::Jwk(KeyType type, std::optional<std::string> kid, std::optional<std::string> alg,
         std::unique_ptr<EVP_PKEY, PkeyDeleter> key)
    : type_(type),
      kid_(std::move(kid)),
      alg_(std::move(alg)),
      key_(std::move(key)),
      cache_(new_verify_cache()) {}

tl::expected<JwkSet, JoseError> JwkSet::parse(std::string_view json) {
  if (json.size() > kMaxSetBytes) return tl::unexpected(JoseError::too_large);
  const Json doc = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return tl::unexpected(JoseError::malformed);
  const auto keys = doc.find("keys");
  if (keys == doc.end() || !keys->is_array()) return tl::unexpected(JoseError::malformed);
  if (keys->size() > kMaxKeys) return tl::unexpected(JoseError::too_large);

  JwkSet set;
  for (const auto& entry : *keys) {
    // RFC 7517 §5: skip keys we cannot use rather than reject the whole set.
    auto key = import_key(entry);
    if (key) set.keys_.push_back(std::make_shared<const Jwk>(std::move(*key)));
  }
  return set;
}

tl::expected<Jwk, JoseError> JwkSet::parse_key(std::string_view json) {
  if (json.size() > kMaxSetBytes) return tl::unexpected(JoseError::too_large);
  const Json doc = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return tl::unexpected(JoseError::malformed);
  return import_key(doc);
}

bool JwkSet::has_kid(std::string_view kid) const {
  return std::any_of(keys_.begin(), keys_.end(),
                     [&](const auto& k) { return k->kid() && *k->kid() == kid; });
}

}  // namespace gatehouse::jose
