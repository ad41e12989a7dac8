#pragma once
// The whole route table of src/app/serve.cpp (ops, gateway, sign-in pages,
// JSON API, workspace pages), without sockets: real SQLite in
// a temp dir, real Sessions, TokenAuthority, workspace::Service and ApiAuth,
// rate limits off, a fixed clock, and a FakeHttpClient behind the relying
// party (it answers nothing, so no test here reaches an identity provider).
// Tests drive router.dispatch() through send().
//   App app;                                            // internal key "test-internal-key"
//   auto acme = app.add_team("acme");
//   auto ada  = app.add_person("acme", domain::Role::admin, "ada");
//   auto tok  = app.add_token(ada, "ci");
//   auto res  = app.send("GET", "/api/v1/me", tok.bearer());
//   auto res2 = app.send("POST", "/api/v1/models", ada.session(),
//   R"({"name":"m","base_model":"b"})");
// Background work of serve.cpp (team refresh every 0.5 s, last-used flush)
// does not run: call authority().refresh_teams() and session_cache().refresh()
// where the server would have. Sessions, the sign-in flow and the workspace
// service write through the session cache's ObservedDatabase, as in serve.cpp.
// Nor do the server's hooks (security headers, request log): they belong to
// http::Server, not to the router.
#include <memory>
#include <optional>
#include <string>

#include "api/auth.hpp"
#include "core/rate_limiter.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_box.hpp"
#include "domain/team.hpp"
#include "domain/user.hpp"
#include "domain/workspace.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "oidc/relying_party.hpp"
#include "signin/flow.hpp"
#include "signin/sessions.hpp"
#include "store/database.hpp"
#include "support/fake_http_client.hpp"
#include "support/fixed_clock.hpp"
#include "support/temp_dir.hpp"
#include "web/pages.hpp"
#include "web/signin_routes.hpp"
#include "workspace/service.hpp"
#include "workspace/token_authority.hpp"

namespace gatehouse::testing {

// What a request carries. Empty strings are not sent.
struct Credentials {
  std::string cookie;  // value of the gh_session cookie
  std::string csrf;    // X-CSRF-Token header
  std::string bearer;  // Authorization: Bearer …
};

struct Person {
  std::string team_id, user_id, email, name;
  domain::Role role = domain::Role::member;
  std::string cookie, csrf;  // a live session (Sessions::create)

  // Cookie and the session's CSRF token: what the web UI sends.
  [[nodiscard]] Credentials session() const { return {cookie, csrf, {}}; }
  // Cookie only: what a cross-site form can make a browser send.
  [[nodiscard]] Credentials cookie_only() const { return {cookie, {}, {}}; }
};

struct IssuedToken {
  std::string id, secret;
  [[nodiscard]] Credentials bearer() const { return {{}, {}, secret}; }
};

struct AppOptions {
  // GATEHOUSE_INTERNAL_KEY; nullopt: /internal/usage is not routed (404).
  std::optional<std::string> internal_key = std::string("test-internal-key");
};

class App {
 public:
  explicit App(AppOptions options = {});
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Registers an enabled team (issuer https://<id>.idp.test, sealed secret)
  // and refreshes the token authority's team snapshot.
  domain::Team add_team(const std::string& id,
                        domain::Workspace workspace = domain::Workspace::shared,
                        const std::string& name = "");
  // A person of the team (sub and email derived from `name`) with a session.
  Person add_person(const std::string& team_id, domain::Role role, const std::string& name);
  // An API token created through workspace::Service as that person.
  IssuedToken add_token(const Person& owner, const std::string& name);
  domain::Model add_model(const Person& owner, const std::string& name,
                          const std::string& base_model = "llama-3-8b");
  // Through workspace::Service, as the person (so the cache is evicted as the API would).
  void revoke_token(const Person& by, const IssuedToken& token);

  // TeamStore::update (what `gatehouse team update/disable` does from another
  // process), then both caches' refresh as the server's 0.5 s timer would; pass
  // refresh=false to look at the moment before that timer fires.
  void set_workspace(const std::string& team_id, domain::Workspace workspace, bool refresh = true);
  void set_enabled(const std::string& team_id, bool enabled, bool refresh = true);

  // The person as the workspace service sees them (team mode read now).
  [[nodiscard]] workspace::Actor actor(const Person& p);

  http::Response send(http::Request req);
  http::Response send(const std::string& method, const std::string& target,
                      const Credentials& who = {}, const std::string& body = "");
  // The request send() would dispatch, for tests that add headers.
  [[nodiscard]] static http::Request request(const std::string& method, const std::string& target,
                                             const Credentials& who = {},
                                             const std::string& body = "");

  [[nodiscard]] const std::string& internal_key() const { return *options_.internal_key; }
  [[nodiscard]] http::Router& router() { return router_; }
  [[nodiscard]] store::Database& db() { return *db_; }
  [[nodiscard]] FixedClock& clock() { return clock_; }
  [[nodiscard]] crypto::Random& rng() { return rng_; }
  [[nodiscard]] signin::Sessions& sessions() { return *sessions_; }
  [[nodiscard]] signin::SessionCache& session_cache() { return *session_cache_; }
  [[nodiscard]] workspace::TokenAuthority& authority() { return *authority_; }
  [[nodiscard]] workspace::Service& service() { return *service_; }
  [[nodiscard]] FakeHttpClient& idp_http() { return idp_http_; }

 private:
  AppOptions options_;
  TempDir dir_;
  FixedClock clock_{1'764'417'600};  // 2025-11-29T12:00:00Z
  crypto::SystemRandom rng_;
  FakeHttpClient idp_http_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<crypto::SecretBox> box_;
  std::unique_ptr<oidc::RelyingParty> rp_;
  std::unique_ptr<signin::SessionCache> session_cache_;
  std::unique_ptr<signin::ObservedDatabase> observed_;
  std::unique_ptr<signin::Sessions> sessions_;
  std::unique_ptr<signin::SigninFlow> flow_;
  std::unique_ptr<web::Pages> pages_;
  // Rate limits off, as GATEHOUSE_RATE_LIMITS=off; each its own bucket set as in serve.cpp.
  RateLimiter signin_starts_{clock_, 120, 2, false};
  RateLimiter failed_callbacks_{clock_, 60, 1, false};
  RateLimiter failed_token_checks_{clock_, 600, 50, false};
  RateLimiter token_creation_{clock_, 60, 1, false};
  std::unique_ptr<web::WebContext> web_ctx_;
  std::unique_ptr<workspace::TokenAuthority> authority_;
  std::unique_ptr<workspace::Service> service_;
  std::unique_ptr<api::ApiAuth> api_auth_;
  http::Router router_;
  int people_ = 0;
};

// The response body as JSON (discarded value when it is not JSON).
[[nodiscard]] nlohmann::json body_json(const http::Response& res);
// The "error" code of a SPEC §4 error body, or "" when there is none.
[[nodiscard]] std::string error_code(const http::Response& res);

}  // namespace gatehouse::testing
