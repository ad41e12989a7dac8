#pragma once
// The browser routes of sign-in (SPEC.md §3): /login, /login_sso,
// /sso/{team_id}/initiate, /sso/callback, /logout, /dashboard, and the
// stylesheet.
//   WebContext ctx{sessions, flow, rp, pages, rng, settings, starts, failures};
//   add_signin_routes(router, ctx);
#include <optional>
#include <string>

#include "core/metrics.hpp"
#include "core/rate_limiter.hpp"
#include "http/router.hpp"
#include "oidc/relying_party.hpp"
#include "signin/flow.hpp"
#include "signin/sessions.hpp"
#include "web/pages.hpp"

namespace gatehouse::web {

struct WebSettings {
  std::string public_url;
  std::string public_origin;
  bool https = false;
};

struct WebContext {
  signin::Sessions& sessions;
  signin::SigninFlow& flow;
  oidc::RelyingParty& rp;
  const Pages& pages;
  crypto::Random& rng;
  WebSettings settings;
  RateLimiter& signin_starts;            // per client address
  RateLimiter& failed_callbacks;         // per client address; only failures consume
  metrics::Registry* metrics = nullptr;  // sign-ins by outcome and reason, when set
};

void add_signin_routes(http::Router& router, WebContext& ctx);

// For page handlers of later issues: the signed-in person, or the response to
// send instead (302 to /login, or 503 when the database is down).
struct PageAuth {
  std::optional<signin::AuthContext> who;
  std::optional<http::Response> reject;
};
[[nodiscard]] PageAuth require_session(WebContext& ctx, const http::Request& req);
[[nodiscard]] Viewer viewer_of(const signin::AuthContext& who);
// 429 with Retry-After, as a page.
[[nodiscard]] http::Response too_many_requests(const WebContext& ctx, const http::Request& req,
                                               int retry_after);
[[nodiscard]] http::Response error_page(const WebContext& ctx, const http::Request& req, int status,
                                        std::string title, std::string message,
                                        const std::optional<Viewer>& viewer = std::nullopt);

}  // namespace gatehouse::web
