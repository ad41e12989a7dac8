#pragma once
// Signing in to a gatehouse process over HTTP as a browser would, with a
// ScriptedProvider playing the identity provider's authorization endpoint:
// POST /login_sso, read state and nonce off the redirect, have the provider
// grant a code, GET /sso/callback with the login cookie. Then the session's
// CSRF token from /api/v1/me, and API tokens from POST /api/v1/tokens.
//   register_team(env, "acme", idp, "ada@acme.test");       // gatehouse team add
//   GatehouseProcess gh(env);
//   auto ada = sign_in(gh.port(), idp, "acme", "user-1", "ada@acme.test");
//   auto token = create_token(gh.port(), *ada, "ci");
//   probe(gh.port(), authz(*token)).status == 204
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "support/http_probe.hpp"
#include "support/scripted_provider.hpp"

namespace gatehouse::testing {

struct BrowserSession {
  std::string cookie;  // gh_session value
  std::string csrf;
};

struct StartedSignin {
  ProbeResponse response;  // of POST /login_sso: 302 on success
  std::string state, nonce, login_cookie;
};

// `gatehouse team add` with the provider's issuer and client, discovery check skipped.
// Throws std::runtime_error with the command's stderr when it fails.
void register_team(const std::map<std::string, std::string>& env, const std::string& team_id,
                   const ScriptedProvider& idp, const std::string& admin_email);

[[nodiscard]] StartedSignin start_signin(
    std::uint16_t port, const std::string& team_id,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));
[[nodiscard]] ProbeResponse finish_signin(
    std::uint16_t port, const StartedSignin& started, const std::string& code,
    const std::string& issuer, std::chrono::milliseconds timeout = std::chrono::seconds(10));
// The whole flow; when a step does not succeed, which one and its answer.
[[nodiscard]] tl::expected<BrowserSession, std::string> sign_in(std::uint16_t port,
                                                                ScriptedProvider& idp,
                                                                const std::string& team_id,
                                                                const std::string& sub,
                                                                const std::string& email);
// GET /api/v1/me with the cookie: 200 while the session lives.
[[nodiscard]] ProbeRequest me(const BrowserSession& session);
// POST /api/v1/tokens; the secret, or nullopt when the answer was not 201.
[[nodiscard]] std::optional<std::string> create_token(ProbeClient& client,
                                                      const BrowserSession& session,
                                                      const std::string& name);
// GET /internal/authz with the token as bearer.
[[nodiscard]] ProbeRequest authz(const std::string& token);

}  // namespace gatehouse::testing
