#pragma once
// The open-redirect guard (RFC 9700 §4.11). A return target is kept only when
// it is a path on this service, or an absolute URL on this service's own
// origin (reduced to its path). Everything else is dropped:
// protocol-relative ("//evil", "/\evil"), other origins, "javascript:",
// backslashes, control characters, and their percent-encoded forms.
//   auto p = safe_return_path("/tokens?x=1", "https://sso.example.com");   // "/tokens?x=1"
//   safe_return_path("//evil.example", origin);                           // nullopt
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::signin {

[[nodiscard]] std::optional<std::string> safe_return_path(std::string_view target,
                                                          std::string_view public_origin);

}  // namespace gatehouse::signin
