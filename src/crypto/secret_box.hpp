#pragma once
// Encrypts secrets at rest (client secrets) with AES-256-GCM under the
// master key. A sealed value is text, safe to store in a TEXT column:
//   "gh1.<key id>.<base64url(nonce || ciphertext || tag)>"
// The version ("gh1") and key id let a later release rotate the key: open()
// picks the key by id, seal() always uses the current one.
//   auto box = SecretBox::load_or_create("gatehouse.key", rng);   // expected
//   std::string sealed = box->seal("client-secret", "team:acme");
//   auto plain = box->open(sealed, "team:acme");                  // expected
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "crypto/random.hpp"

namespace gatehouse::crypto {

class SecretBox {
 public:
  // keys: key id -> 32-byte key; current: the id seal() uses.
  SecretBox(std::map<std::string, std::string> keys, std::string current, Random& rng);

  // Reads the 32-byte key file; creates it (mode 0600, 32 random bytes) when
  // missing. Refuses a file with group/other permission bits, or of the wrong
  // size, with a message naming the path. Key id: first 8 hex chars of
  // sha256(key), so the id never reveals the key.
  static tl::expected<SecretBox, std::string> load_or_create(const std::filesystem::path& path,
                                                             Random& rng);

  // aad binds the ciphertext to its place (e.g. "team:acme:client_secret") so
  // a sealed value copied into another row does not open.
  [[nodiscard]] std::string seal(std::string_view plaintext, std::string_view aad) const;
  // Error text never contains the plaintext or key.
  [[nodiscard]] tl::expected<std::string, std::string> open(std::string_view sealed,
                                                            std::string_view aad) const;

 private:
  std::map<std::string, std::string> keys_;
  std::string current_;
  Random* rng_;
};

}  // namespace gatehouse::crypto
