#include "signin/return_path.hpp"

#include "http/form.hpp"
#include "http/url.hpp"

namespace gatehouse::signin {
namespace {

constexpr std::size_t kMaxLength = 2048;

bool is_plain_path(std::string_view p) {
  if (p.empty() || p.front() != '/') return false;
  // "//host" and "/\host" are read as another host by browsers.
  if (p.size() > 1 && (p[1] == '/' || p[1] == '\\')) return false;
  for (unsigned char c : p)
    if (c < 0x20 || c == 0x7f || c == '\\' || c >= 0x80) return false;
  // Look through one layer of percent-encoding: "/%2F%2Fevil" becomes
  // "//evil" when some proxy or framework decodes it again.
  auto decoded = http::percent_decode(p);
  if (!decoded) return false;
  if (decoded->size() > 1 && ((*decoded)[1] == '/' || (*decoded)[1] == '\\')) return false;
  for (unsigned char c : *decoded)
    if (c < 0x20 || c == 0x7f || c == '\\') return false;
  // A path never carries a fragment back (it could hold tokens in some flows).
  if (p.find('#') != std::string_view::npos) return false;
  return true;
}

}  // namespace

std::optional<std::string> safe_return_path(std::string_view target,
                                            std::string_view public_origin) {
  if (target.empty() || target.size() > kMaxLength) return std::nullopt;
  if (target.front() == '/') {
    if (!is_plain_path(target)) return std::nullopt;
    return std::string(target);
  }
  auto url = http::parse_url(target);
  if (!url || url->origin() != public_origin) return std::nullopt;
  if (!is_plain_path(url->target)) return std::nullopt;
  return url->target;
}

}  // namespace gatehouse::signin
