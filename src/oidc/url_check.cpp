#include "oidc/url_check.hpp"

#include "http/client.hpp"
#include "http/url.hpp"

namespace gatehouse::oidc {

std::optional<UrlParts> split_url(std::string_view url) {
  // One strict parser for the whole service (src/http/url.hpp): userinfo,
  // backslashes, odd numeric hosts and fragments are refused there.
  // The fragment is split off here so callers can tell it was there.
  auto hash = url.find('#');
  auto u = http::parse_url(url.substr(0, hash));
  if (!u) return std::nullopt;
  return UrlParts{u->scheme, u->host, url.substr(0, hash).find('?') != std::string_view::npos,
                  hash != std::string_view::npos};
}

bool is_loopback(std::string_view host) { return http::is_loopback_host(host); }

bool secure_endpoint(std::string_view url) {
  auto parts = split_url(url);
  if (!parts || parts->has_fragment) return false;
  return parts->scheme == "https" || is_loopback(parts->host);
}

}  // namespace gatehouse::oidc
