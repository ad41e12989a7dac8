#include "oidc/url_check.hpp"

#include <algorithm>
#include <cctype>

namespace gatehouse::oidc {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Dotted quad with exactly four decimal octets 0..255 and no leading zeros
// (which some resolvers read as octal).
std::optional<int> first_octet_of_ipv4(std::string_view host) {
  int octets = 0;
  int first = -1;
  std::size_t i = 0;
  while (i <= host.size()) {
    std::size_t j = host.find('.', i);
    if (j == std::string_view::npos) j = host.size();
    std::string_view part = host.substr(i, j - i);
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return std::nullopt;
    int value = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return std::nullopt;
    if (octets == 0) first = value;
    ++octets;
    i = j + 1;
  }
  if (octets != 4) return std::nullopt;
  return first;
}

}  // namespace

std::optional<UrlParts> split_url(std::string_view url) {
  UrlParts parts;
  auto colon = url.find("://");
  if (colon == std::string_view::npos) return std::nullopt;
  parts.scheme = lower(url.substr(0, colon));
  if (parts.scheme != "https" && parts.scheme != "http") return std::nullopt;
  std::string_view rest = url.substr(colon + 3);
  auto end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (authority.empty() || authority.find('@') != std::string_view::npos ||
      authority.find('\\') != std::string_view::npos)
    return std::nullopt;
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;
  std::string_view host = authority;
  if (host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view after = host.substr(close + 1);
    if (!after.empty() && after.front() != ':') return std::nullopt;
    host = host.substr(0, close + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host.empty()) return std::nullopt;
  parts.host = lower(host);
  if (end != std::string_view::npos) {
    std::string_view tail = rest.substr(end);
    auto hash = tail.find('#');
    parts.has_fragment = hash != std::string_view::npos;
    parts.has_query = tail.substr(0, hash).find('?') != std::string_view::npos;
  }
  return parts;
}

bool is_loopback(std::string_view host) {
  std::string h = lower(host);
  if (h == "localhost" || h == "[::1]") return true;
  auto first = first_octet_of_ipv4(h);
  return first && *first == 127;
}

bool secure_endpoint(std::string_view url) {
  auto parts = split_url(url);
  if (!parts || parts->has_fragment) return false;
  return parts->scheme == "https" || is_loopback(parts->host);
}

}  // namespace gatehouse::oidc
