#pragma once
// RP-Initiated Logout 1.0 §2: the URL that sends the browser to the
// provider's end_session_endpoint.
//   auto url = build_logout_url(meta, id_token, "https://gh.example/", state);
#include <optional>
#include <string>

#include "oidc/metadata.hpp"

namespace gatehouse::oidc {

// nullopt when the provider has no end_session_endpoint. Empty arguments are
// left out of the query.
[[nodiscard]] std::optional<std::string> build_logout_url(
    const ProviderMetadata& meta, const std::string& id_token_hint,
    const std::string& post_logout_redirect_uri, const std::string& state);

}  // namespace gatehouse::oidc
