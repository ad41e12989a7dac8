#pragma once
// The claims of a verified JWS: a strict, read-only view of the payload's
// top-level JSON object, which it owns (parsed by simdjson; no member name
// appears twice, see jws.cpp).
//   const Claims& c = verified->claims();
//   if (auto iss = c.string("iss")) use(*iss);   // a JSON string, unescaped
//   auto exp = c.number("exp");                  // integer or fraction, as double
//   if (c.type("aud") == Claims::Type::array) auto aud = c.string_array("aud");
// Every accessor answers nullopt for an absent member and for a member of
// another JSON type: nothing is converted. The string_views stay valid as
// long as this Claims (moving it keeps them valid).
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace simdjson::dom {
class document;
}

namespace gatehouse::jose {

class JwsVerifier;

class Claims {
 public:
  enum class Type { absent, null, boolean, number, string, array, object };

  Claims(Claims&&) noexcept;
  Claims& operator=(Claims&&) noexcept;
  ~Claims();

  [[nodiscard]] Type type(std::string_view name) const;
  [[nodiscard]] bool contains(std::string_view name) const { return type(name) != Type::absent; }
  [[nodiscard]] std::optional<std::string_view> string(std::string_view name) const;
  // Any JSON number (NumericDate, RFC 7519 §2, may be fractional).
  [[nodiscard]] std::optional<double> number(std::string_view name) const;
  [[nodiscard]] std::optional<bool> boolean(std::string_view name) const;
  // An array whose every element is a string ("aud", "amr"); nullopt for
  // anything else, including an array holding one non-string.
  [[nodiscard]] std::optional<std::vector<std::string_view>> string_array(
      std::string_view name) const;

 private:
  friend class JwsVerifier;  // only a verified payload becomes Claims
  struct DocumentDeleter {
    void operator()(simdjson::dom::document* doc) const;
  };
  using Document = std::unique_ptr<simdjson::dom::document, DocumentDeleter>;
  // The document's root must be a JSON object.
  explicit Claims(Document doc);

  Document doc_;
};

}  // namespace gatehouse::jose
