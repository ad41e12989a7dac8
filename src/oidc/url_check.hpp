#pragma once
// URL inspection for endpoint checks: scheme, host, query, fragment, on top
// of the service's one strict parser, http::parse_url.
//   if (!secure_endpoint(meta.token_endpoint)) reject();
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::oidc {

struct UrlParts {
  std::string scheme;  // lowercased
  std::string host;    // lowercased; IPv6 keeps its brackets
  bool has_query = false;
  bool has_fragment = false;
};

// Absolute http(s) URLs only; nullopt for anything else, and for userinfo
// ("https://a@b/"), which a provider endpoint has no reason to carry.
[[nodiscard]] std::optional<UrlParts> split_url(std::string_view url);

// localhost, 127.0.0.0/8 and [::1] (SPEC §2).
[[nodiscard]] bool is_loopback(std::string_view host);

// https, or http to a loopback host (SPEC §2: local providers in tests and demos).
[[nodiscard]] bool secure_endpoint(std::string_view url);

}  // namespace gatehouse::oidc
