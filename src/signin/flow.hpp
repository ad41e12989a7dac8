#pragma once
// The sign-in flows of SPEC.md §3 and §7, without HTTP: SP-initiated start
// (POST /login_sso), third-party-initiated start (/sso/{team}/initiate, OIDC
// Core §4) and the callback, which ends in a new session.
//   auto s = flow.start({.team_id = "acme", .browser_cookie = cookie});
//   // 302 to s->redirect_url, set the gh_login cookie to s->browser_cookie
//   auto done = flow.callback(query, cookie);   // session to set, path to go to
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_box.hpp"
#include "http/form.hpp"
#include "oidc/relying_party.hpp"
#include "signin/failure.hpp"
#include "signin/sessions.hpp"
#include "store/database.hpp"

namespace gatehouse::signin {

struct FlowSettings {
  std::string redirect_uri;   // <public>/sso/callback
  std::string public_origin;  // for the return-path guard
  std::int64_t attempt_ttl_seconds = 600;
};

struct StartRequest {
  std::string team_id;
  std::optional<std::string> login_hint;
  std::string return_to = "/dashboard";       // already checked by the caller
  std::optional<std::string> browser_cookie;  // the gh_login cookie, if the browser has one
};

struct Started {
  std::string redirect_url;
  std::string browser_cookie;  // set (or refresh) the gh_login cookie to this
};

struct SignedIn {
  Sessions::Created session;
  std::string return_to;
  domain::User user;
  domain::Team team;
};

class SigninFlow {
 public:
  SigninFlow(store::Database& db, oidc::RelyingParty& rp, const crypto::SecretBox& box,
             Sessions& sessions, const Clock& clock, crypto::Random& rng, FlowSettings settings)
      : db_(db),
        rp_(rp),
        box_(box),
        sessions_(sessions),
        clock_(clock),
        rng_(rng),
        settings_(std::move(settings)) {}

  [[nodiscard]] tl::expected<Started, Failure> start(const StartRequest& req);
  // OIDC Core §4: iss required and equal to the team's issuer; login_hint
  // passed on; target_link_uri kept only when it is on this service.
  [[nodiscard]] tl::expected<Started, Failure> initiate(const std::string& team_id,
                                                        const http::Params& params,
                                                        std::optional<std::string> browser_cookie);
  [[nodiscard]] tl::expected<SignedIn, Failure> callback(
      const http::Params& params, const std::optional<std::string>& browser_cookie);

 private:
  tl::expected<domain::Team, Failure> enabled_team(const std::string& team_id);
  tl::expected<SignedIn, Failure> complete(const domain::LoginAttempt& attempt,
                                           const http::Params& params);
  domain::AuditEvent audit_event(const std::string& team_id, const std::string& actor,
                                 const std::string& action, const std::string& target,
                                 const std::string& details);
  // signin.failure: stored on its own.
  void audit(const std::string& team_id, const std::string& actor, const std::string& action,
             const std::string& target, const std::string& details);

  store::Database& db_;
  oidc::RelyingParty& rp_;
  const crypto::SecretBox& box_;
  Sessions& sessions_;
  const Clock& clock_;
  crypto::Random& rng_;
  FlowSettings settings_;
};

}  // namespace gatehouse::signin
