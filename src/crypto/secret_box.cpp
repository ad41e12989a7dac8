#include "crypto/secret_box.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "crypto/openssl_ptr.hpp"

namespace gatehouse::crypto {
namespace {

constexpr std::size_t kKeySize = 32;    // AES-256
constexpr std::size_t kNonceSize = 12;  // GCM's natural IV size (NIST SP 800-38D §5.2.1.1)
constexpr std::size_t kTagSize = 16;    // full-length tag: no truncation
constexpr std::string_view kVersion = "gh1";
constexpr std::size_t kMaxSealBytes = 1 << 20;

// Closes the descriptor on every path out of load_or_create.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

// Wipes key bytes read from disk once they have been copied into the box.
struct Wipe {
  std::string& s;
  ~Wipe() { OPENSSL_cleanse(s.data(), s.size()); }
};

const EVP_CIPHER* aes_256_gcm() {
  static const CipherPtr cipher(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
  if (!cipher) throw std::runtime_error("OpenSSL has no AES-256-GCM");
  return cipher.get();
}

std::string key_id_of(std::string_view key) { return sha256_hex(key).substr(0, 8); }

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

SecretBox::SecretBox(std::map<std::string, std::string> keys, std::string current, Random& rng)
    : keys_(std::move(keys)), current_(std::move(current)), rng_(&rng) {
  // A wrong key size or a missing current key is a wiring mistake: fail at start-up.
  for (const auto& [id, key] : keys_)
    if (key.size() != kKeySize) throw std::invalid_argument("SecretBox key must be 32 bytes");
  if (!keys_.contains(current_)) throw std::invalid_argument("SecretBox current key id unknown");
}

tl::expected<SecretBox, std::string> SecretBox::load_or_create(const std::filesystem::path& path,
                                                               Random& rng) {
  const std::string where = path.string();
  // O_EXCL makes creation atomic: a file planted by someone else between a
  // check and an open is never overwritten or trusted blindly.
  int raw = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (raw >= 0) {
    Fd fd(raw);
    std::string key = random_bytes(rng, kKeySize);
    Wipe wipe{key};
    if (::write(fd.get(), key.data(), key.size()) != static_cast<ssize_t>(key.size()) ||
        ::fsync(fd.get()) != 0) {
      const std::string why = errno_text();
      ::unlink(path.c_str());
      return tl::unexpected("cannot write master key file " + where + ": " + why);
    }
    const std::string id = key_id_of(key);
    return SecretBox({{id, key}}, id, rng);
  }
  if (errno != EEXIST)
    return tl::unexpected("cannot create master key file " + where + ": " + errno_text());

  raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (raw < 0) return tl::unexpected("cannot open master key file " + where + ": " + errno_text());
  Fd fd(raw);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return tl::unexpected("cannot stat master key file " + where + ": " + errno_text());
  if (!S_ISREG(st.st_mode))
    return tl::unexpected("master key file " + where + " is not a regular file");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    return tl::unexpected("master key file " + where +
                          " is accessible by group or others; run: chmod 600 " + where);
  if (st.st_size != static_cast<off_t>(kKeySize))
    return tl::unexpected("master key file " + where + " must be exactly 32 bytes, found " +
                          std::to_string(st.st_size));
  std::string key(kKeySize, '\0');
  Wipe wipe{key};
  if (::read(fd.get(), key.data(), key.size()) != static_cast<ssize_t>(key.size()))
    return tl::unexpected("cannot read master key file " + where);
  const std::string id = key_id_of(key);
  return SecretBox({{id, key}}, id, rng);
}

std::string SecretBox::seal(std::string_view plaintext, std::string_view aad) const {
  // EVP lengths are int; secrets at rest are small, so anything huge is a bug.
  if (plaintext.size() > kMaxSealBytes || aad.size() > kMaxSealBytes)
    throw std::length_error("SecretBox::seal input too large");
  const std::string& key = keys_.at(current_);
  // Random 96-bit nonces: safe for far more values than a relying party seals
  // under one key (NIST SP 800-38D §8.3 bounds it at 2^32 invocations).
  std::string out = random_bytes(*rng_, kNonceSize);
  out.resize(kNonceSize + plaintext.size() + kTagSize);
  auto* ct = reinterpret_cast<unsigned char*>(out.data()) + kNonceSize;

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int fin = 0;
  if (!ctx || EVP_EncryptInit_ex2(ctx.get(), aes_256_gcm(), bytes(key), bytes(out), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), ct, &len, bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), ct + len, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                          ct + plaintext.size()) != 1)
    throw std::runtime_error("AES-256-GCM encryption failed");
  return std::string(kVersion) + "." + current_ + "." + base64url_encode(out);
}

tl::expected<std::string, std::string> SecretBox::open(std::string_view sealed,
                                                       std::string_view aad) const {
  const auto dot1 = sealed.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : sealed.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || sealed.substr(0, dot1) != kVersion)
    return tl::unexpected(std::string("sealed value is not in gh1 format"));
  const std::string key_id(sealed.substr(dot1 + 1, dot2 - dot1 - 1));
  const auto key = keys_.find(key_id);
  if (key == keys_.end())
    return tl::unexpected("sealed value uses unknown key id " + key_id.substr(0, 16));
  const auto raw = base64url_decode(sealed.substr(dot2 + 1));
  if (!raw || raw->size() < kNonceSize + kTagSize || raw->size() > kMaxSealBytes + 64 ||
      aad.size() > kMaxSealBytes)
    return tl::unexpected(std::string("sealed value is malformed"));

  const std::string_view all(*raw);
  const auto ct = all.substr(kNonceSize, all.size() - kNonceSize - kTagSize);
  std::string tag(all.substr(all.size() - kTagSize));
  std::string plain(ct.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int fin = 0;
  if (!ctx ||
      EVP_DecryptInit_ex2(ctx.get(), aes_256_gcm(), bytes(key->second), bytes(all), nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out, &len, bytes(ct), static_cast<int>(ct.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                          tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out + len, &fin) != 1) {
    OPENSSL_cleanse(plain.data(), plain.size());
    // One message for wrong key, wrong aad and tampering: which one it was
    // would only help an attacker.
    return tl::unexpected(std::string("sealed value failed authentication"));
  }
  return plain;
}

}  // namespace gatehouse::crypto
