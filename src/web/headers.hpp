#pragma once
// Security headers for every response (RFC 9700 §4.2.4 on referrers, OWASP
// secure headers). No `form-action` in the CSP: Chromium applies it to the
// redirect after a form POST, which would block the hop from POST /login_sso
// to the identity provider (SPEC.md §7).
//   apply_security_headers(res, /*https=*/true);
#include "http/message.hpp"

namespace gatehouse::web {

void apply_security_headers(http::Response& res, bool https);

}  // namespace gatehouse::web
