#include "jose/signature.hpp"

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "crypto/openssl_ptr.hpp"

namespace gatehouse::jose {

// Number of Alg values: one cache slot each.
constexpr std::size_t kAlgCount = static_cast<std::size_t>(Alg::eddsa) + 1;

// Contexts per algorithm, handed out one thread at a time. Bounded so a burst
// of concurrent verifications does not leave memory behind.
struct Jwk::VerifyCache {
  static constexpr std::size_t kMaxIdlePerAlg = 8;
  std::mutex mu;
  std::array<std::vector<EVP_PKEY_CTX*>, kAlgCount> idle;

  ~VerifyCache() {
    for (auto& list : idle)
      for (auto* c : list) EVP_PKEY_CTX_free(c);
  }
};

namespace {

using crypto::MdCtxPtr;
using crypto::MdPtr;
using crypto::PkeyCtxPtr;

struct AlgInfo {
  std::string_view name;
  Alg alg;
};
constexpr std::array<AlgInfo, 10> kAlgs{{
    {"RS256", Alg::rs256},
    {"RS384", Alg::rs384},
    {"RS512", Alg::rs512},
    {"PS256", Alg::ps256},
    {"PS384", Alg::ps384},
    {"PS512", Alg::ps512},
    {"ES256", Alg::es256},
    {"ES384", Alg::es384},
    {"ES512", Alg::es512},
    {"EdDSA", Alg::eddsa},
}};

// Digests are fetched once per process: an OpenSSL 3 fetch takes a global
// lock, and the fetched objects are immutable and thread-safe.
const EVP_MD* digest(Alg alg) {
  static const std::array<MdPtr, 3> mds{MdPtr(EVP_MD_fetch(nullptr, "SHA256", nullptr)),
                                        MdPtr(EVP_MD_fetch(nullptr, "SHA384", nullptr)),
                                        MdPtr(EVP_MD_fetch(nullptr, "SHA512", nullptr))};
  switch (alg) {
    case Alg::rs256:
    case Alg::ps256:
    case Alg::es256:
      return mds[0].get();
    case Alg::rs384:
    case Alg::ps384:
    case Alg::es384:
      return mds[1].get();
    case Alg::rs512:
    case Alg::ps512:
    case Alg::es512:
      return mds[2].get();
    case Alg::eddsa:
      return nullptr;  // Ed25519 hashes internally (RFC 8032)
  }
  return nullptr;
}

std::size_t ec_coord_len(Alg alg) {
  switch (alg) {
    case Alg::es256:
      return 32;
    case Alg::es384:
      return 48;
    case Alg::es512:
      return 66;
    default:
      return 0;
  }
}

// One DER INTEGER (X.690 §8.3) from an unsigned big-endian value: minimal
// length, with a 0x00 in front when the top bit would read as a sign.
void append_der_integer(std::string& out, std::string_view be) {
  std::size_t skip = 0;
  while (skip + 1 < be.size() && be[skip] == '\0') ++skip;
  be.remove_prefix(skip);
  const bool pad = (static_cast<unsigned char>(be[0]) & 0x80) != 0;
  out.push_back('\x02');
  out.push_back(static_cast<char>(be.size() + (pad ? 1 : 0)));
  if (pad) out.push_back('\0');
  out.append(be);
}

// JOSE carries ECDSA signatures as fixed-length r||s (RFC 7518 §3.4); OpenSSL
// wants the DER ECDSA-Sig-Value of RFC 3279 §2.2.3.
std::string raw_ecdsa_to_der(std::string_view raw) {
  const std::size_t half = raw.size() / 2;
  std::string body;
  body.reserve(raw.size() + 6);
  append_der_integer(body, raw.substr(0, half));
  append_der_integer(body, raw.substr(half));
  std::string der;
  der.reserve(body.size() + 3);
  der.push_back('\x30');
  if (body.size() >= 0x80) der.push_back('\x81');  // P-521 needs the long form
  der.push_back(static_cast<char>(body.size()));
  der += body;
  return der;
}

bool is_pss(Alg alg) { return alg == Alg::ps256 || alg == Alg::ps384 || alg == Alg::ps512; }

// Ed25519 has no prehash form (RFC 8032 §5.1), so it takes the one-shot
// EVP_DigestVerify over the whole input.
bool verify_eddsa(EVP_PKEY* pkey, std::string_view input, std::string_view sig) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

// A verify context fixed to one algorithm: padding, digest and (RFC 7518
// §3.5) PSS salt length equal to the hash length, MGF1 with the same hash.
// Verifying a precomputed digest with it is what EVP_DigestVerify does inside,
// without OpenSSL 3.0's per-call method fetch.
PkeyCtxPtr make_ctx(Alg alg, EVP_PKEY* pkey) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) return nullptr;
  if (ec_coord_len(alg) == 0) {
    const int padding = is_pss(alg) ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING;
    if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), padding) != 1) return nullptr;
  }
  if (EVP_PKEY_CTX_set_signature_md(ctx.get(), digest(alg)) != 1) return nullptr;
  if (is_pss(alg) && (EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_DIGEST) != 1 ||
                      EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), digest(alg)) != 1))
    return nullptr;
  return ctx;
}

// Takes a context from the key's cache (or makes one) and puts it back after use.
class Lease {
 public:
  Lease(Jwk::VerifyCache& cache, Alg alg, EVP_PKEY* pkey);
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  [[nodiscard]] EVP_PKEY_CTX* get() const { return ctx_.get(); }

 private:
  Jwk::VerifyCache& cache_;
  std::size_t slot_;
  PkeyCtxPtr ctx_;
};

Lease::Lease(Jwk::VerifyCache& cache, Alg alg, EVP_PKEY* pkey)
    : cache_(cache), slot_(static_cast<std::size_t>(alg)) {
  {
    const std::lock_guard lock(cache_.mu);
    auto& idle = cache_.idle[slot_];
    if (!idle.empty()) {
      ctx_.reset(idle.back());
      idle.pop_back();
    }
  }
  if (!ctx_) ctx_ = make_ctx(alg, pkey);
}

Lease::~Lease() {
  if (!ctx_) return;
  const std::lock_guard lock(cache_.mu);
  auto& idle = cache_.idle[slot_];
  if (idle.size() < Jwk::VerifyCache::kMaxIdlePerAlg) idle.push_back(ctx_.release());
}

}  // namespace

std::optional<Alg> parse_alg(std::string_view name) {
  for (const auto& a : kAlgs)
    if (a.name == name) return a.alg;
  return std::nullopt;
}

std::string_view alg_name(Alg alg) {
  for (const auto& a : kAlgs)
    if (a.alg == alg) return a.name;
  return "";
}

bool alg_fits_key(Alg alg, KeyType type) {
  switch (alg) {
    case Alg::rs256:
    case Alg::rs384:
    case Alg::rs512:
    case Alg::ps256:
    case Alg::ps384:
    case Alg::ps512:
      return type == KeyType::rsa;
    case Alg::es256:
      return type == KeyType::ec_p256;
    case Alg::es384:
      return type == KeyType::ec_p384;
    case Alg::es512:
      return type == KeyType::ec_p521;
    case Alg::eddsa:
      return type == KeyType::ed25519;
  }
  return false;
}

bool verify_signature(Alg alg, const Jwk& key, std::string_view signing_input,
                      std::string_view signature) {
  if (!alg_fits_key(alg, key.type())) return false;
  EVP_PKEY* pkey = key.pkey();

  std::string der;
  std::string_view sig = signature;
  if (const std::size_t coord = ec_coord_len(alg); coord != 0) {
    // A DER or truncated signature is refused outright: accepting several
    // encodings of one signature invites malleability.
    if (signature.size() != 2 * coord) return false;
    der = raw_ecdsa_to_der(signature);
    sig = der;
  } else if (alg == Alg::eddsa) {
    if (signature.size() != 64) return false;
    return verify_eddsa(pkey, signing_input, signature);
  } else if (signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(pkey))) {
    return false;  // RSA: exactly k octets (RFC 8017 §8.2.2 step 1)
  }

  // One digest context per thread, re-initialised per call: EVP_Digest would
  // allocate, set up and cleanse a fresh one every time.
  thread_local const MdCtxPtr md_ctx(EVP_MD_CTX_new());
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  if (!md_ctx || EVP_DigestInit_ex2(md_ctx.get(), digest(alg), nullptr) != 1 ||
      EVP_DigestUpdate(md_ctx.get(), signing_input.data(), signing_input.size()) != 1 ||
      EVP_DigestFinal_ex(md_ctx.get(), md.data(), &md_len) != 1) {
    ERR_clear_error();
    return false;
  }
  Lease ctx(key.verify_cache(), alg, pkey);
  const bool ok = ctx.get() != nullptr &&
                  EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()),
                                  sig.size(), md.data(), md_len) == 1;
  // A failed verification queues errors describing attacker input; drop them.
  if (!ok) ERR_clear_error();
  return ok;
}

Jwk::VerifyCache* Jwk::new_verify_cache() { return new VerifyCache; }
void Jwk::VerifyCacheDeleter::operator()(VerifyCache* c) const { delete c; }

}  // namespace gatehouse::jose
