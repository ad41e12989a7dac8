#include "web/headers.hpp"

namespace gatehouse::web {

void apply_security_headers(http::Response& res, bool https) {
  // A 204 has no document to sniff and none that could send a Referer (a
  // redirect does: it keeps the policy). The gateway's token checks are 204s.
  if (res.status != 204) {
    res.set_header("X-Content-Type-Options", "nosniff");
    if (!res.header("Referrer-Policy")) res.set_header("Referrer-Policy", "no-referrer");
  }
  auto type = res.header("Content-Type");
  if (type && type->starts_with("text/html")) {
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                   "frame-ancestors 'none'; base-uri 'none'");
    res.set_header("X-Frame-Options", "DENY");
  }
  if (!res.header("Cache-Control")) res.set_header("Cache-Control", "no-store");
  if (https) res.set_header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
}

}  // namespace gatehouse::web
