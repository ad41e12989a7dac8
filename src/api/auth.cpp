#include "api/auth.hpp"

#include "crypto/hash.hpp"
#include "signin/actor.hpp"

namespace gatehouse::api {

http::Response error_response(int status, std::string_view code, std::string_view message) {
  auto r = http::Response::json_error(status, code, message);
  if (status == 401) r.set_header("WWW-Authenticate", "Bearer");
  return r;
}

http::Response rate_limited(int retry_after) {
  auto r = error_response(429, "rate_limited",
                          "Too many requests. Retry after " + std::to_string(retry_after) + " s.");
  r.set_header("Retry-After", std::to_string(retry_after));
  return r;
}

std::shared_ptr<const signin::AuthContext> ApiAuth::resolve_cached(const http::Request& req) {
  if (req.method != "GET" && req.method != "HEAD") return nullptr;
  if (req.find_header("authorization"))
    return nullptr;  // a bearer token wins over a cookie: resolve() decides
  auto cookie = req.cookie(sessions_.cookie_name());
  if (!cookie) return nullptr;
  return sessions_.authenticate_cached(*cookie);
}

tl::expected<Caller, http::Response> ApiAuth::resolve(const http::Request& req) {
  if (auto bearer = req.bearer_token()) {
    if (auto wait = failed_.check(req.remote_addr)) return tl::unexpected(rate_limited(*wait));
    auto p = tokens_.check(*bearer);
    if (!p)
      return tl::unexpected(error_response(503, "unavailable", "The database is not answering."));
    if (!*p) {
      (void)failed_.acquire(req.remote_addr);
      return tl::unexpected(error_response(401, "invalid_token", "The API token is not valid."));
    }
    workspace::Actor a{
        (*p)->team_id,        (*p)->mode,     (*p)->user_id,  "token:" + (*p)->token_id,
        domain::Role::member, (*p)->token_id, (*p)->team_name};
    return Caller{std::move(a), std::nullopt};
  }
  auto cookie = req.cookie(sessions_.cookie_name());
  if (!cookie)
    return tl::unexpected(error_response(401, "unauthenticated", "Sign in or send an API token."));
  auto who = sessions_.authenticate(*cookie);
  if (!who)
    return tl::unexpected(error_response(503, "unavailable", "The database is not answering."));
  if (!*who)
    return tl::unexpected(
        error_response(401, "unauthenticated", "Your session has ended. Sign in again."));
  bool changes_state = req.method != "GET" && req.method != "HEAD" && req.method != "OPTIONS";
  if (changes_state) {
    // A cross-site form can send the cookie but cannot read the CSRF token.
    auto sent = req.header("x-csrf-token");
    if (!sent || !crypto::constant_time_equal(*sent, (*who)->session.csrf_token))
      return tl::unexpected(
          error_response(403, "csrf", "Send the session's CSRF token in X-CSRF-Token."));
  }
  return Caller{signin::to_actor(**who), std::move(**who)};
}

}  // namespace gatehouse::api
