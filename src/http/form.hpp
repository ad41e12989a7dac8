#pragma once
// application/x-www-form-urlencoded and query strings (WHATWG URL §5), with
// strict percent-decoding: a '%' not followed by two hex digits is an error,
// never passed through.
//   auto params = parse_form("a=1&b=x%20y");         // expected<Params, FormError>
//   params->get("b");                                 // optional<string> "x y"
//   std::string q = encode_form({{"state", s}, {"nonce", n}});
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace gatehouse::http {

enum class FormError {
  bad_percent_encoding,  // "%G1", "%4", trailing "%"
  duplicate_parameter,   // the same name twice (RFC 6749 §3.1: MUST NOT repeat)
  too_many_parameters,   // over the limit given to parse_form
};

class Params {
 public:
  Params() = default;
  explicit Params(std::vector<std::pair<std::string, std::string>> items)
      : items_(std::move(items)) {}
  [[nodiscard]] std::optional<std::string> get(std::string_view name) const;
  [[nodiscard]] bool has(std::string_view name) const { return get(name).has_value(); }
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& items() const {
    return items_;
  }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// '+' decodes to a space. Parameters must be unique by name.
[[nodiscard]] tl::expected<Params, FormError> parse_form(std::string_view text,
                                                         std::size_t max_params = 64);

// Strict percent-decoding of one component ('+' stays '+').
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view text);
// Encodes everything but ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 3986 unreserved).
[[nodiscard]] std::string percent_encode(std::string_view text);
// name=value pairs joined with '&', each side percent_encode()d.
[[nodiscard]] std::string encode_form(
    const std::vector<std::pair<std::string, std::string>>& items);

[[nodiscard]] std::string_view to_string(FormError e);

}  // namespace gatehouse::http
