#include "http/url.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>

#include "http/client.hpp"

namespace gatehouse::http {
namespace {

constexpr std::size_t kMaxUrlLength = 8192;
constexpr std::size_t kMaxHostLength = 253;  // RFC 1035 §2.3.4, without the trailing dot

tl::unexpected<std::string> invalid(std::string why) { return tl::unexpected(std::move(why)); }

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 3986 §2: unreserved, gen-delims, sub-delims and '%'. Everything else --
// space, controls, non-ASCII, '\', '"', '<', '>', '^', '`', '{', '|', '}' --
// must be percent-encoded by whoever wrote the URL.
bool is_uri_char(char c) {
  if (std::isalnum(static_cast<unsigned char>(c)) != 0) return true;
  static constexpr std::string_view kOthers = "-._~:/?#[]@!$&'()*+,;=%";
  return kOthers.find(c) != std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool percent_encoding_is_valid(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
    i += 2;
  }
  return true;
}

bool parse_ipv4(std::string_view text, in_addr& out) {
  const std::string s(text);  // inet_pton wants a terminated string
  // inet_pton(AF_INET) takes only the strict dotted quad: no "127.1", no hex, no octal.
  return inet_pton(AF_INET, s.c_str(), &out) == 1;
}

bool parse_ipv6(std::string_view text, in6_addr& out) {
  const std::string s(text);
  // Zone identifiers ("fe80::1%25eth0", RFC 6874) are refused here: inet_pton has no '%'.
  return inet_pton(AF_INET6, s.c_str(), &out) == 1;
}

// A DNS name or a dotted IPv4 address, already lowercased.
tl::expected<void, std::string> check_name_host(std::string_view host) {
  if (host.empty()) return invalid("the host is empty");
  if (host.size() > kMaxHostLength) return invalid("the host name is too long");
  if (host.find('%') != std::string_view::npos)
    return invalid("percent-encoded host names are not allowed");
  for (char c : host) {
    // LDH names (RFC 1123 §2.1) plus '_', which some internal names carry.
    // RFC 3986 also allows sub-delims in a reg-name; no real IdP host has one,
    // and they make parsers disagree.
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_')
      return invalid("the host contains a character not allowed in a host name");
  }
  if (host.front() == '.' || host.back() == '.' || host.find("..") != std::string_view::npos)
    return invalid("the host has an empty label");
  // WHATWG URL §3.5 reads a host whose last label is numeric ("127.1",
  // "0x7f.1") as an IPv4 address; getaddrinfo does much the same. Such a host
  // must be an exact dotted quad, so that every reader sees the same address.
  const std::string_view last = host.substr(host.rfind('.') + 1);
  const bool numeric_last = std::all_of(last.begin(), last.end(), is_digit) ||
                            (last.size() > 1 && last[0] == '0' && last[1] == 'x');
  if (numeric_last) {
    in_addr addr{};
    if (!parse_ipv4(host, addr)) return invalid("the host is not a valid IPv4 address");
  }
  return {};
}

tl::expected<std::uint16_t, std::string> parse_port(std::string_view text) {
  if (text.empty()) return invalid("the port is empty");
  if (text.size() > 5 || !std::all_of(text.begin(), text.end(), is_digit))
    return invalid("the port is not a number from 1 to 65535");
  unsigned value = 0;
  for (char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  if (value == 0 || value > 65535) return invalid("the port is not a number from 1 to 65535");
  return static_cast<std::uint16_t>(value);
}

std::uint16_t default_port(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

}  // namespace

tl::expected<Url, std::string> parse_url(std::string_view text) {
  if (text.size() > kMaxUrlLength) return invalid("the URL is too long");
  if (!std::all_of(text.begin(), text.end(), is_uri_char))
    return invalid("the URL contains a space, control, non-ASCII or other disallowed character");
  // A fragment is never sent to a server (RFC 9110 §4.2.4 forbids it in a
  // target) and an issuer must not have one (OIDC Discovery §3).
  if (text.find('#') != std::string_view::npos) return invalid("fragments are not allowed");

  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return invalid("the URL is not absolute");
  Url url;
  url.scheme = lower(text.substr(0, sep));
  if (url.scheme != "http" && url.scheme != "https")
    return invalid("only http and https URLs are allowed");

  const std::string_view rest = text.substr(sep + 3);
  const auto authority_end = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, authority_end);
  const std::string_view target =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);

  // RFC 3986 §3.2.1 userinfo: deprecated for passwords (§3.2.1 itself) and the
  // classic way to make "https://trusted.example@evil.example" look trusted.
  if (authority.find('@') != std::string_view::npos) return invalid("userinfo is not allowed");

  std::string_view host_part = authority;
  std::string_view port_part;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return invalid("the IPv6 address has no closing bracket");
    host_part = authority.substr(0, close + 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid("unexpected characters after the IPv6 address");
      port_part = after.substr(1);
      has_port = true;
    }
    in6_addr addr{};
    if (!parse_ipv6(host_part.substr(1, host_part.size() - 2), addr))
      return invalid("the IPv6 address is not valid");
  } else {
    const auto colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host_part = authority.substr(0, colon);
      port_part = authority.substr(colon + 1);
      has_port = true;
    }
    if (host_part.find_first_of("[]") != std::string_view::npos)
      return invalid("brackets are allowed only around an IPv6 address");
    if (auto ok = check_name_host(lower(host_part)); !ok) return tl::unexpected(ok.error());
  }
  url.host = lower(host_part);

  if (has_port) {
    auto port = parse_port(port_part);
    if (!port) return tl::unexpected(port.error());
    url.port = *port;
  } else {
    url.port = default_port(url.scheme);
  }

  if (target.find_first_of("[]") != std::string_view::npos)
    return invalid("brackets are allowed only around an IPv6 address");
  if (!percent_encoding_is_valid(target)) return invalid("the URL has a malformed percent-escape");
  // RFC 9112 §3.2.1: an empty path is sent as "/".
  url.target =
      target.empty() || target.front() == '?' ? "/" + std::string(target) : std::string(target);
  return url;
}

bool Url::is_default_port() const { return port == default_port(scheme); }

std::string Url::authority() const {
  return is_default_port() ? host : host + ":" + std::to_string(port);
}

std::string Url::origin() const { return scheme + "://" + authority(); }

std::string_view Url::bare_host() const {
  std::string_view h = host;
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  return h;
}

bool is_loopback_host(std::string_view host) {
  if (lower(host) == "localhost") return true;  // RFC 6761 §6.3
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    in6_addr v6{};
    return parse_ipv6(host.substr(1, host.size() - 2), v6) && IN6_IS_ADDR_LOOPBACK(&v6);
  }
  in_addr v4{};
  if (parse_ipv4(host, v4)) return (ntohl(v4.s_addr) >> 24) == 127;  // RFC 1122 §3.2.1.3
  in6_addr v6{};
  return parse_ipv6(host, v6) && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace gatehouse::http
