// The open-redirect guard, safe_return_path(): whatever an attacker puts in
// target_link_uri or a return parameter, an accepted return path keeps the
// browser on gatehouse's own origin (RFC 9700 §4.11).
//
// Input: the target, tried against two public origins. Besides crashes it
// stops when an accepted result r breaks what return_path.hpp promises:
// - r is at most 2048 bytes and starts with exactly one '/': after browsers
//   turn '\' into '/' (WHATWG URL, special schemes) it does not start with
//   "//", so it is a path on this origin, never a protocol-relative URL or a
//   scheme ("javascript:" included);
// - r holds no control character, DEL, '\', non-ASCII byte or '#';
// - the same holds once more after one layer of percent-decoding, which
//   must succeed (a proxy that decodes again sees no "//evil" or "/\evil");
// - a target starting with '/' comes back unchanged; any other target was an
//   absolute URL on exactly this origin, and r is its path and query.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "http/form.hpp"
#include "http/url.hpp"
#include "signin/return_path.hpp"

namespace {

// A broken property names itself in the report next to the reproducer.
[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, line, what);
  std::abort();
}
#define CHECK(x) ((x) ? (void)0 : fail(#x, __LINE__))

// The first two characters as a browser reads them: '\' is '/'.
bool starts_protocol_relative(std::string_view p) {
  auto slash = [](char c) { return c == '/' || c == '\\'; };
  return p.size() >= 2 && slash(p[0]) && slash(p[1]);
}

bool has_control(std::string_view p) {
  for (unsigned char c : p)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

void check_path(std::string_view p) {
  CHECK(!p.empty() && p.front() == '/');
  CHECK(!starts_protocol_relative(p));
  CHECK(!has_control(p));
  CHECK(p.find('\\') == std::string_view::npos);
  CHECK(p.find('#') == std::string_view::npos);
  for (unsigned char c : p) CHECK(c < 0x80);
}

void fuzz(std::string_view target, std::string_view origin) {
  const auto kept = gatehouse::signin::safe_return_path(target, origin);
  if (!kept) return;
  const std::string& r = *kept;
  CHECK(r.size() <= 2048 && target.size() <= 2048);
  check_path(r);
  const auto decoded = gatehouse::http::percent_decode(r);
  CHECK(decoded.has_value());
  CHECK(!decoded->empty() && decoded->front() == '/');
  CHECK(!starts_protocol_relative(*decoded));
  CHECK(!has_control(*decoded));
  CHECK(decoded->find('\\') == std::string::npos);
  if (target.front() == '/') {
    CHECK(r == target);
  } else {
    const auto url = gatehouse::http::parse_url(target);
    CHECK(url.has_value() && url->origin() == origin && url->target == r);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view target(reinterpret_cast<const char*>(data), size);
  fuzz(target, "https://sso.example.com");
  fuzz(target, "http://localhost:8080");
  return 0;
}
