#include "support/app_fixture.hpp"

#include <map>
#include <stdexcept>

#include "api/gateway.hpp"
#include "api/ops.hpp"
#include "api/workspace_api.hpp"
#include "signin/actor.hpp"
#include "web/workspace_routes.hpp"

namespace gatehouse::testing {
namespace {

// Set-up failures are programming errors of the test, not outcomes to check.
template <typename R>
void must(const R& r, const char* what) {
  if (!r) throw std::runtime_error(std::string("app fixture: ") + what);
}

}  // namespace

App::App(AppOptions options) : options_(std::move(options)) {
  auto db = store::open_database("sqlite://" + dir_.file("gatehouse.db"));
  if (!db) throw std::runtime_error("app fixture: cannot open the database: " + db.error());
  db_ = std::move(*db);
  must(db_->migrate(), "migrate");
  box_ = std::make_unique<crypto::SecretBox>(
      std::map<std::string, std::string>{{"test", std::string(32, 'k')}}, "test", rng_);
  rp_ = std::make_unique<oidc::RelyingParty>(idp_http_, clock_, rng_);
  // The session cache and the writes that evict it, as serve.cpp wires them.
  session_cache_ = std::make_unique<signin::SessionCache>(*db_, clock_);
  observed_ = std::make_unique<signin::ObservedDatabase>(*db_, *session_cache_, clock_);
  sessions_ = std::make_unique<signin::Sessions>(*observed_, *box_, clock_, rng_,
                                                 signin::SessionSettings{}, session_cache_.get());
  flow_ = std::make_unique<signin::SigninFlow>(
      *observed_, *rp_, *box_, *sessions_, clock_, rng_,
      signin::FlowSettings{.redirect_uri = "http://localhost:8080/sso/callback",
                           .public_origin = "http://localhost:8080"});
  pages_ = std::make_unique<web::Pages>();
  web_ctx_ =
      std::make_unique<web::WebContext>(web::WebContext{*sessions_,
                                                        *flow_,
                                                        *rp_,
                                                        *pages_,
                                                        rng_,
                                                        {.public_url = "http://localhost:8080",
                                                         .public_origin = "http://localhost:8080",
                                                         .https = false},
                                                        signin_starts_,
                                                        failed_callbacks_});
  authority_ = std::make_unique<workspace::TokenAuthority>(*db_, clock_);
  service_ =
      std::make_unique<workspace::Service>(*observed_, *authority_, clock_, rng_, token_creation_);
  api_auth_ = std::make_unique<api::ApiAuth>(*sessions_, *authority_, failed_token_checks_);

  // The order of src/app/serve.cpp (add_workspace_routes last, as its wiring there does).
  api::add_ops_routes(router_, *db_);
  api::add_gateway_routes(router_, *authority_, *db_, options_.internal_key, failed_token_checks_,
                          rng_);
  web::add_signin_routes(router_, *web_ctx_);
  api::add_workspace_api(router_, *api_auth_, *service_);
  web::add_workspace_routes(router_, *web_ctx_, *service_);
}

App::~App() = default;

domain::Team App::add_team(const std::string& id, domain::Workspace workspace,
                           const std::string& name) {
  domain::Team t;
  t.id = id;
  t.name = name.empty() ? id + " Corp" : name;
  t.issuer = "https://" + id + ".idp.test";
  t.client_id = "client-" + id;
  t.client_secret_sealed = box_->seal("secret-" + id, domain::client_secret_aad(id));
  t.admin_email = "admin@" + id + ".test";
  t.workspace = workspace;
  t.created_at = t.updated_at = clock_.unix_seconds();
  must(db_->teams().insert(t), "insert team");
  authority_->refresh_teams();
  session_cache_->refresh();
  return t;
}

Person App::add_person(const std::string& team_id, domain::Role role, const std::string& name) {
  domain::User u;
  u.id = "usr_" + team_id + "_" + std::to_string(++people_);
  u.team_id = team_id;
  u.sub = "sub-" + name;
  u.email = name + "@" + team_id + ".test";
  u.name = name;
  u.role = role;
  u.created_at = u.last_login_at = clock_.unix_seconds();
  must(db_->users().insert(u), "insert user");
  auto s = sessions_->create(u, "id-token-of-" + name);
  must(s, "create session");
  return Person{team_id, u.id, u.email, u.name, role, s->cookie_value, s->csrf_token};
}

workspace::Actor App::actor(const Person& p) {
  auto team = db_->teams().find(p.team_id);
  must(team, "find team");
  if (!*team) throw std::runtime_error("app fixture: no team " + p.team_id);
  return {p.team_id, (*team)->workspace, p.user_id, p.email, p.role, std::nullopt};
}

IssuedToken App::add_token(const Person& owner, const std::string& name) {
  auto t = service_->create_token(actor(owner), name);
  if (!t) throw std::runtime_error("app fixture: create token: " + t.error().message);
  return {t->token.id, t->secret};
}

domain::Model App::add_model(const Person& owner, const std::string& name,
                             const std::string& base_model) {
  auto m = service_->create_model(actor(owner), name, base_model);
  if (!m) throw std::runtime_error("app fixture: create model: " + m.error().message);
  return *m;
}

void App::revoke_token(const Person& by, const IssuedToken& token) {
  auto r = service_->revoke_token(actor(by), token.id);
  if (!r) throw std::runtime_error("app fixture: revoke token: " + r.error().message);
}

void App::set_workspace(const std::string& team_id, domain::Workspace workspace, bool refresh) {
  auto t = db_->teams().find(team_id);
  must(t, "find team");
  (*t)->workspace = workspace;
  must(db_->teams().update(**t), "update team");
  if (refresh) {
    authority_->refresh_teams();
    session_cache_->refresh();
  }
}

void App::set_enabled(const std::string& team_id, bool enabled, bool refresh) {
  auto t = db_->teams().find(team_id);
  must(t, "find team");
  (*t)->enabled = enabled;
  must(db_->teams().update(**t), "update team");
  if (refresh) {
    authority_->refresh_teams();
    session_cache_->refresh();
  }
}

http::Request App::request(const std::string& method, const std::string& target,
                           const Credentials& who, const std::string& body) {
  auto req = http::Request::make(method, target, body);
  if (!who.cookie.empty()) req.headers.emplace_back("cookie", "gh_session=" + who.cookie);
  if (!who.csrf.empty()) req.headers.emplace_back("x-csrf-token", who.csrf);
  if (!who.bearer.empty()) req.headers.emplace_back("authorization", "Bearer " + who.bearer);
  if (!body.empty()) {
    bool json = body.front() == '{' || body.front() == '[';
    req.headers.emplace_back("content-type",
                             json ? "application/json" : "application/x-www-form-urlencoded");
  }
  return req;
}

http::Response App::send(http::Request req) {
  if (req.remote_addr.empty()) req.remote_addr = "192.0.2.10";
  if (req.request_id.empty()) req.request_id = "req-test";
  return router_.dispatch(req);
}

http::Response App::send(const std::string& method, const std::string& target,
                         const Credentials& who, const std::string& body) {
  return send(request(method, target, who, body));
}

nlohmann::json body_json(const http::Response& res) {
  return nlohmann::json::parse(res.body, nullptr, false);
}

std::string error_code(const http::Response& res) {
  auto j = body_json(res);
  if (!j.is_object() || !j.contains("error") || !j["error"].is_string()) return {};
  return j["error"].get<std::string>();
}

}  // namespace gatehouse::testing
