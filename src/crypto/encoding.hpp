#pragma once
// Strict base64url (RFC 4648 §5, no padding, as JOSE uses it), standard
// base64 (for HTTP Basic), hex.
//   auto raw = base64url_decode("AQAB");  // std::optional<std::string>
//   if (base64url_decode_into(segment, buffer)) use(buffer);
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::crypto {

[[nodiscard]] std::string base64url_encode(std::string_view bytes);
// Rejects padding, characters outside the URL-safe alphabet, whitespace,
// impossible lengths (len % 4 == 1) and non-canonical trailing bits.
[[nodiscard]] std::optional<std::string> base64url_decode(std::string_view text);
// The same, into out (its capacity is reused: no allocation once it is large
// enough). On failure out holds unspecified bytes.
[[nodiscard]] bool base64url_decode_into(std::string_view text, std::string& out);

[[nodiscard]] std::string base64_encode(std::string_view bytes);  // with padding
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

[[nodiscard]] std::string hex_encode(std::string_view bytes);  // lowercase
[[nodiscard]] std::optional<std::string> hex_decode(std::string_view text);

}  // namespace gatehouse::crypto
