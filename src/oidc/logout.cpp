#include "oidc/logout.hpp"

#include "http/form.hpp"

namespace gatehouse::oidc {

std::optional<std::string> build_logout_url(const ProviderMetadata& meta,
                                            const std::string& id_token_hint,
                                            const std::string& post_logout_redirect_uri,
                                            const std::string& state) {
  if (!meta.end_session_endpoint) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> query;
  // id_token_hint is RECOMMENDED: it tells the provider whose session ends,
  // and lets it accept post_logout_redirect_uri without asking.
  if (!id_token_hint.empty()) query.emplace_back("id_token_hint", id_token_hint);
  if (!post_logout_redirect_uri.empty())
    query.emplace_back("post_logout_redirect_uri", post_logout_redirect_uri);
  if (!state.empty()) query.emplace_back("state", state);
  const std::string& endpoint = *meta.end_session_endpoint;
  if (query.empty()) return endpoint;
  const char sep = endpoint.find('?') == std::string::npos ? '?' : '&';
  return endpoint + sep + http::encode_form(query);
}

}  // namespace gatehouse::oidc
