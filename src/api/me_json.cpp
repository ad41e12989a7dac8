#include "api/me_json.hpp"

#include "domain/team.hpp"
#include "domain/user.hpp"

namespace gatehouse::api {
namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 when it is not a
// well-formed one (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const auto cont = [&](std::size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(i + 1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

bool append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const auto n = utf8_length(s, i);
      if (n == 0) return false;
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
  return true;
}

std::optional<std::string> me_json(const signin::AuthContext& who) {
  std::string out;
  out.reserve(256 + who.user.email.size() + who.user.name.size() + who.team.name.size());
  // Keys in nlohmann's (std::map) order.
  out += R"({"csrf_token":)";
  bool ok = append_json_string(out, who.session.csrf_token);
  out += R"(,"role":)";
  ok = ok && append_json_string(out, domain::to_string(who.user.role));
  out += R"(,"team":{"id":)";
  ok = ok && append_json_string(out, who.team.id);
  out += R"(,"name":)";
  ok = ok && append_json_string(out, who.team.name);
  out += R"(,"workspace":)";
  ok = ok && append_json_string(out, domain::to_string(who.team.workspace));
  out += R"(},"user":{"email":)";
  ok = ok && append_json_string(out, who.user.email);
  out += R"(,"id":)";
  ok = ok && append_json_string(out, who.user.id);
  out += R"(,"name":)";
  ok = ok && append_json_string(out, who.user.name);
  out += "}}";
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace gatehouse::api
