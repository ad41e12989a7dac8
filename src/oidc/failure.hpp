#pragma once
// The internal form of a failure: the Error plus a detail line for the
// operator's log ("HTTP 503 from token endpoint", "missing claim exp").
// Details name endpoints, statuses, claim names and provider error codes,
// never a token, code, secret or verifier.
//   if (!r) return fail(Error::jwks_failed, "HTTP " + std::to_string(status));
#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

#include "http/client.hpp"
#include "oidc/error.hpp"

namespace gatehouse::oidc {

struct Failure {
  Error error;
  std::string detail;
};

template <class T>
using Result = tl::expected<T, Failure>;

[[nodiscard]] inline tl::unexpected<Failure> fail(Error e, std::string detail = {}) {
  return tl::unexpected<Failure>(Failure{e, std::move(detail)});
}

// A transport failure talking to the provider: a timeout is its own reason
// (504), everything else is `otherwise`. `what` names the call ("token endpoint").
[[nodiscard]] inline tl::unexpected<Failure> fail_transport(const http::ClientError& e,
                                                            Error otherwise,
                                                            std::string_view what) {
  std::string detail = std::string(what) + ": " + e.detail;
  return fail(e.kind == http::ClientErrorKind::timeout ? Error::provider_timeout : otherwise,
              std::move(detail));
}

// Text the provider chose (error codes, error_description) reduced to
// printable ASCII and a bounded length before it reaches a log line.
[[nodiscard]] inline std::string printable(std::string_view text, std::size_t max = 200) {
  std::string out;
  for (char c : text.substr(0, max)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return out;
}

}  // namespace gatehouse::oidc
