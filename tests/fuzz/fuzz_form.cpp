// Query strings, form bodies and Cookie headers: parse_form(),
// percent_decode()/percent_encode(), parse_cookies() and Request::make(),
// which splits a request target into path and query.
//
// Input: the same bytes are read as each of those. Besides crashes it stops on:
// - a form that parses with a repeated name, more parameters than the limit,
//   or a '%' the strict decoder let through undecoded;
// - encode_form() output that does not parse back to the same pairs, or
//   percent_encode() output that does not decode back to its input;
// - a cookie with an empty name, a name or value holding ';', or padding
//   (space, tab) around either;
// - a request path that is not the strict decoding of the target's path, or
//   a query that is not what followed the first '?'.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "http/form.hpp"
#include "http/message.hpp"

namespace {

using namespace gatehouse::http;

// A broken property names itself in the report next to the reproducer.
[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, line, what);
  std::abort();
}
#define CHECK(x) ((x) ? (void)0 : fail(#x, __LINE__))

bool padded(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  return !s.empty() && (blank(s.front()) || blank(s.back()));
}

void fuzz_form(std::string_view text, std::size_t max_params) {
  const auto parsed = parse_form(text, max_params);
  if (!parsed) return;
  const auto& items = parsed->items();
  CHECK(items.size() <= max_params);
  std::set<std::string, std::less<>> names;
  for (const auto& [name, value] : items) {
    CHECK(names.insert(name).second);
    CHECK(parsed->get(name) == value);
  }
  // Round trip: what gatehouse sends (authorization requests, redirects) is
  // read back unchanged.
  const auto again = parse_form(encode_form(items), max_params);
  CHECK(again.has_value() && again->items() == items);
}

void fuzz_percent(std::string_view text) {
  if (const auto decoded = percent_decode(text)) {
    CHECK(decoded->size() <= text.size());
    // Strict: every '%' in the input began an escape, so there are exactly
    // two input bytes fewer per escape.
    std::size_t escapes = 0;
    for (char c : text) escapes += c == '%';
    CHECK(decoded->size() == text.size() - 2 * escapes);
  }
  const auto encoded = percent_encode(text);
  CHECK(percent_decode(encoded) == std::string(text));
}

void fuzz_cookies(std::string_view header) {
  for (const auto& [name, value] : parse_cookies(header)) {
    CHECK(!name.empty());
    CHECK(name.find(';') == std::string::npos && value.find(';') == std::string::npos);
    CHECK(name.find('=') == std::string::npos);
    CHECK(!padded(name));
    CHECK(header.find(name) != std::string_view::npos);
  }
}

void fuzz_target(std::string_view target) {
  const Request r = Request::make("GET", std::string(target));
  const auto q = target.find('?');
  const std::string_view raw_path = target.substr(0, q);
  CHECK(r.query == (q == std::string_view::npos ? std::string_view{} : target.substr(q + 1)));
  const auto decoded = percent_decode(raw_path);
  CHECK(r.path == decoded.value_or(std::string(raw_path)));
  (void)r.query_params();
  (void)r.cookie("gh_session");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  fuzz_form(text, 64);
  fuzz_form(text, 3);
  fuzz_percent(text);
  fuzz_cookies(text);
  fuzz_target(text);
  return 0;
}
