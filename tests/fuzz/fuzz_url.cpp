// parse_url(), which reads issuers, discovery endpoints and redirect targets.
// Besides crashes it stops when an accepted URL breaks what url.hpp promises:
// scheme http or https; a lowercase host that is a DNS name, dotted IPv4 or
// bracketed IPv6, free of userinfo, '%', '\', spaces, controls and non-ASCII;
// a target starting with '/' without a fragment; and origin()/authority()
// that parse back to the same scheme, host and port (two parsers must never
// disagree about the host).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/url.hpp"

namespace {

// A broken property names itself in the report next to the reproducer.
[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, line, what);
  std::abort();
}
#define CHECK(x) ((x) ? (void)0 : fail(#x, __LINE__))

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto url = gatehouse::http::parse_url(text);
  if (!url) return 0;
  CHECK(url->scheme == "http" || url->scheme == "https");
  CHECK(!url->host.empty() && url->port != 0);
  for (unsigned char c : url->host) {
    CHECK(c > 0x20 && c < 0x7f && c != '@' && c != '%' && c != '\\' && c != '/');
    CHECK(!(c >= 'A' && c <= 'Z'));
  }
  CHECK(!url->target.empty() && url->target.front() == '/');
  CHECK(url->target.find('#') == std::string::npos);
  for (unsigned char c : url->target) CHECK(c > 0x20 && c < 0x7f && c != '\\');
  const auto again = gatehouse::http::parse_url(url->origin() + url->target);
  CHECK(again.has_value());
  CHECK(again->scheme == url->scheme && again->host == url->host && again->port == url->port);
  CHECK(again->target == url->target && again->authority() == url->authority());
  const auto bare = url->bare_host();
  CHECK(!bare.empty() && bare.find('[') == std::string_view::npos);
  return 0;
}
