#pragma once
// Who is calling the JSON API (SPEC.md §4): a session cookie, or
// "Authorization: Bearer <API token>". Cookie requests that change state
// must echo the session's CSRF token in X-CSRF-Token.
//   auto who = api_auth.resolve(req);
//   if (!who) return who.error();            // the 401/403/503 JSON response
//   ws.tokens(who->actor);
#include <optional>

#include <tl/expected.hpp>

#include "core/rate_limiter.hpp"
#include "http/message.hpp"
#include "signin/sessions.hpp"
#include "workspace/actor.hpp"
#include "workspace/token_authority.hpp"

namespace gatehouse::api {

struct Caller {
  workspace::Actor actor;
  std::optional<signin::AuthContext> session;  // absent for API tokens
};

class ApiAuth {
 public:
  // failed_token_checks: per client address; only failures consume.
  ApiAuth(signin::Sessions& sessions, workspace::TokenAuthority& tokens,
          RateLimiter& failed_token_checks)
      : sessions_(sessions), tokens_(tokens), failed_(failed_token_checks) {}
  [[nodiscard]] tl::expected<Caller, http::Response> resolve(const http::Request& req);
  // No I/O, for a route's fast path: the cached session of a cookie-only
  // request that changes nothing (GET/HEAD); nullptr: call resolve() on a worker.
  [[nodiscard]] std::shared_ptr<const signin::AuthContext> resolve_cached(const http::Request& req);

 private:
  signin::Sessions& sessions_;
  workspace::TokenAuthority& tokens_;
  RateLimiter& failed_;
};

// 429 with Retry-After, as JSON.
[[nodiscard]] http::Response rate_limited(int retry_after);

// The JSON error body for a workspace failure.
[[nodiscard]] http::Response error_response(int status, std::string_view code,
                                            std::string_view message);

}  // namespace gatehouse::api
