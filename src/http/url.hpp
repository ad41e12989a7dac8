#pragma once
// Absolute http(s) URLs (RFC 3986 §3), parsed strictly: what an issuer, an
// endpoint from a discovery document or a redirect target may look like.
//   auto u = parse_url("https://acme.okta.com/oauth2/default");
//   if (!u) return fail(u.error());          // e.g. "userinfo is not allowed"
//   u->origin();                              // "https://acme.okta.com"
//
// Refused, because each has been used to make two parsers disagree about the
// host (see mod_auth_openidc's url/ fuzz corpus): userinfo ("user@host"),
// fragments, backslashes, spaces and control characters, percent-encoded or
// non-ASCII hosts, empty or out-of-range ports, and anything but http/https.
#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace gatehouse::http {

struct Url {
  std::string scheme;  // "http" or "https", lowercase
  // RFC 3986 `host`, lowercase: a DNS name, a dotted IPv4 address, or an IPv6
  // address in brackets ("[::1]").
  std::string host;
  std::uint16_t port = 0;  // explicit, or the scheme's default (80, 443)
  std::string target;      // path and query as given; "/" when the path is empty

  // "https://host[:port]" with the scheme's default port left out (RFC 6454 §6.2).
  [[nodiscard]] std::string origin() const;
  // "host[:port]", default port left out: the value of the Host header (RFC 9110 §7.2).
  [[nodiscard]] std::string authority() const;
  // The host without IPv6 brackets: what DNS, SNI and certificate checks take.
  [[nodiscard]] std::string_view bare_host() const;
  [[nodiscard]] bool is_default_port() const;
};

// The error says what is wrong in a few words and never repeats the URL (its
// query may carry a code or a token).
[[nodiscard]] tl::expected<Url, std::string> parse_url(std::string_view text);

}  // namespace gatehouse::http
