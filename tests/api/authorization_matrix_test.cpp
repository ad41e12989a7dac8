// Who may call what (SPEC.md §3–§5), generated from one table: every route of
// the SPEC × every kind of caller → the status it must get. A new route is one
// new row, and a row without a routed handler fails RoutedAsInSpec, so a route
// cannot be added to the SPEC and forgotten here.
//
// Each cell runs in a fresh App, so a DELETE by one caller cannot change what
// the next caller sees.
#include <array>
#include <cctype>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/app_fixture.hpp"

namespace gatehouse::testing {
namespace {

using domain::Role;

enum Caller {
  kAnonymous,          // no cookie, no token
  kMember,             // acme member: session cookie + X-CSRF-Token
  kAdmin,              // acme admin: session cookie + X-CSRF-Token
  kMemberToken,        // acme member's API token
  kOtherTeamAdmin,     // globex admin: session cookie + X-CSRF-Token
  kRevokedToken,       // acme token, revoked
  kDisabledTeamToken,  // initech token; initech is disabled
  kGatewayKey,         // the internal key as a bearer token: the gateway, not a person
  kCallerCount,
};

constexpr std::array<const char*, kCallerCount> kCallerNames = {
    "anonymous",           "member",           "admin",
    "member_token",        "other_team_admin", "revoked_token",
    "disabled_team_token", "gateway_key"};

// Placeholders in path and body: {user_id} (acme member), {token_id} and
// {model_id} (acme's, created by the member), {csrf} (the caller's own CSRF
// token, empty for callers without a session).
struct Row {
  const char* method;
  const char* path;
  const char* body;
  std::array<int, kCallerCount> expect;
};

constexpr int kLogin = 302;      // SPEC §3: a page needing a session redirects to /login
constexpr int kLoginPost = 303;  // the same for a form POST, so the browser follows with a GET

// Statuses by caller: anon, member, admin, member_token, other_team_admin,
// revoked_token, disabled_team_token, gateway_key.
const std::vector<Row>& table() {
  static const std::vector<Row> rows = {
      // §3 browser routes that anyone may use: the caller does not matter.
      {"GET", "/login", "", {200, 200, 200, 200, 200, 200, 200, 200}},
      {"GET", "/login_sso", "", {200, 200, 200, 200, 200, 200, 200, 200}},
      // An empty Team ID is refused before any provider is asked.
      {"POST", "/login_sso", "team_id=", {400, 400, 400, 400, 400, 400, 400, 400}},
      // Without iss (OIDC Core §4): 400 before any provider is asked.
      {"GET", "/sso/acme/initiate", "", {400, 400, 400, 400, 400, 400, 400, 400}},
      {"POST", "/sso/acme/initiate", "login_hint=x", {400, 400, 400, 400, 400, 400, 400, 400}},
      {"GET", "/sso/callback", "", {400, 400, 400, 400, 400, 400, 400, 400}},
      // §3 pages that need a session.
      {"POST", "/logout", "csrf_token={csrf}", {303, 303, 303, 303, 303, 303, 303, 303}},
      {"GET", "/dashboard", "", {kLogin, 200, 200, kLogin, 200, kLogin, kLogin, kLogin}},
      {"GET", "/team", "", {kLogin, 200, 200, kLogin, 200, kLogin, kLogin, kLogin}},
      {"GET", "/tokens", "", {kLogin, 200, 200, kLogin, 200, kLogin, kLogin, kLogin}},
      {"GET", "/models", "", {kLogin, 200, 200, kLogin, 200, kLogin, kLogin, kLogin}},
      {"GET", "/billing", "", {kLogin, 403, 200, kLogin, 200, kLogin, kLogin, kLogin}},
      {"GET", "/billing.csv", "", {kLogin, 403, 200, kLogin, 200, kLogin, kLogin, kLogin}},
      {"GET", "/activity", "", {kLogin, 403, 200, kLogin, 200, kLogin, kLogin, kLogin}},
      // The pages' forms (src/web/workspace_routes.cpp): the same rules as the JSON API.
      {"POST",
       "/team/members/{user_id}/role",
       "csrf_token={csrf}&role=admin",
       {kLoginPost, 403, 303, kLoginPost, 404, kLoginPost, kLoginPost, kLoginPost}},
      {"POST",
       "/tokens",
       "csrf_token={csrf}&name=web-token",
       {kLoginPost, 201, 201, kLoginPost, 201, kLoginPost, kLoginPost, kLoginPost}},
      {"POST",
       "/tokens/{token_id}/revoke",
       "csrf_token={csrf}",
       {kLoginPost, 303, 303, kLoginPost, 404, kLoginPost, kLoginPost, kLoginPost}},
      {"POST",
       "/models",
       "csrf_token={csrf}&name=web-model&base_model=llama-3-8b",
       {kLoginPost, 303, 303, kLoginPost, 303, kLoginPost, kLoginPost, kLoginPost}},
      {"POST",
       "/models/{model_id}/delete",
       "csrf_token={csrf}",
       {kLoginPost, 303, 303, kLoginPost, 404, kLoginPost, kLoginPost, kLoginPost}},

      // §4 JSON API. An API token is a member, never an admin; a session of
      // another team acts in its own team, and ids of ours are 404 to it.
      {"GET", "/api/v1/me", "", {401, 200, 200, 200, 200, 401, 401, 401}},
      {"GET", "/api/v1/team/members", "", {401, 200, 200, 200, 200, 401, 401, 401}},
      {"PUT",
       "/api/v1/team/members/{user_id}/role",
       R"({"role":"admin"})",
       {401, 403, 200, 403, 404, 401, 401, 401}},
      {"GET", "/api/v1/tokens", "", {401, 200, 200, 200, 200, 401, 401, 401}},
      {"POST",
       "/api/v1/tokens",
       R"({"name":"new-token"})",
       {401, 201, 201, 201, 201, 401, 401, 401}},
      {"DELETE", "/api/v1/tokens/{token_id}", "", {401, 204, 204, 204, 404, 401, 401, 401}},
      {"GET", "/api/v1/models", "", {401, 200, 200, 200, 200, 401, 401, 401}},
      {"POST",
       "/api/v1/models",
       R"({"name":"new-model","base_model":"llama-3-8b"})",
       {401, 201, 201, 201, 201, 401, 401, 401}},
      {"DELETE", "/api/v1/models/{model_id}", "", {401, 204, 204, 204, 404, 401, 401, 401}},
      {"GET",
       "/api/v1/billing/usage?from=2025-11-01&to=2025-11-30",
       "",
       {401, 403, 200, 403, 200, 401, 401, 401}},
      // API tokens only: a session cookie is not enough.
      {"GET", "/v1/models", "", {401, 401, 401, 200, 401, 401, 401, 401}},

      // §5 gateway routes.
      {"GET", "/internal/authz", "", {401, 401, 401, 204, 401, 401, 401, 401}},
      {"POST",
       "/internal/usage",
       R"({"events":[{"token_id":"{token_id}","model":"m","input_tokens":1,"output_tokens":2,"cost_usd":0.5,"at":"2025-11-29T10:00:00Z"}]})",
       {401, 401, 401, 401, 401, 401, 401, 202}},
  };
  return rows;
}

bool has_session(Caller c) { return c == kMember || c == kAdmin || c == kOtherTeamAdmin; }

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

// The objects every cell names, and one App per cell.
struct World {
  App app;
  Person acme_admin, acme_member, globex_admin;
  IssuedToken member_token, revoked_token, disabled_team_token, target_token;
  domain::Model target_model;

  World() {
    app.add_team("acme");
    app.add_team("globex");
    app.add_team("initech");
    acme_admin = app.add_person("acme", Role::admin, "ada");
    acme_member = app.add_person("acme", Role::member, "max");
    globex_admin = app.add_person("globex", Role::admin, "gus");
    auto initech_admin = app.add_person("initech", Role::admin, "ivy");
    member_token = app.add_token(acme_member, "member-token");
    target_token = app.add_token(acme_member, "target-token");
    revoked_token = app.add_token(acme_member, "revoked-token");
    app.revoke_token(acme_member, revoked_token);
    disabled_team_token = app.add_token(initech_admin, "initech-token");
    // Warm the cache first: a disabled team must be refused even for a token
    // the authority already holds.
    (void)app.authority().check(disabled_team_token.secret);
    app.set_enabled("initech", false);
    target_model = app.add_model(acme_member, "target-model");
  }

  Credentials as(Caller c) const {
    switch (c) {
      case kAnonymous:
        return {};
      case kMember:
        return acme_member.session();
      case kAdmin:
        return acme_admin.session();
      case kMemberToken:
        return member_token.bearer();
      case kOtherTeamAdmin:
        return globex_admin.session();
      case kRevokedToken:
        return revoked_token.bearer();
      case kDisabledTeamToken:
        return disabled_team_token.bearer();
      case kGatewayKey:
        return {{}, {}, app.internal_key()};
      case kCallerCount:
        break;
    }
    return {};
  }

  std::string fill(std::string s, const Credentials& who) const {
    replace_all(s, "{user_id}", acme_member.user_id);
    replace_all(s, "{token_id}", target_token.id);
    replace_all(s, "{model_id}", target_model.id);
    replace_all(s, "{csrf}", who.csrf);
    return s;
  }
};

struct Cell {
  std::size_t row;
  Caller caller;
};

std::string cell_name(const ::testing::TestParamInfo<Cell>& info) {
  const Row& r = table()[info.param.row];
  std::string name = std::string(r.method) + "_";
  std::string path = r.path;
  path = path.substr(0, path.find('?'));
  for (char c : path) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name + "__" + kCallerNames[info.param.caller];
}

std::vector<Cell> all_cells() {
  std::vector<Cell> out;
  for (std::size_t r = 0; r < table().size(); ++r)
    for (int c = 0; c < kCallerCount; ++c) out.push_back({r, static_cast<Caller>(c)});
  return out;
}

class AuthzMatrix : public ::testing::TestWithParam<Cell> {};

TEST_P(AuthzMatrix, CallerGetsTheStatusTheSpecSays) {
  const Row& row = table()[GetParam().row];
  World w;
  auto who = w.as(GetParam().caller);
  auto res = w.app.send(row.method, w.fill(row.path, who), who, w.fill(row.body, who));
  const int want = row.expect[GetParam().caller];
  ASSERT_EQ(res.status, want) << row.method << " " << row.path << " as "
                              << kCallerNames[GetParam().caller] << "\n"
                              << res.body;

  std::string path = row.path;
  bool json_route =
      path.starts_with("/api/") || path.starts_with("/v1/") || path == "/internal/usage";
  if (json_route && want >= 400) {
    // SPEC §4: errors are {"error": code, "message": text}.
    auto j = body_json(res);
    ASSERT_TRUE(j.is_object()) << res.body;
    EXPECT_TRUE(j.contains("error") && j["error"].is_string()) << res.body;
    EXPECT_TRUE(j.contains("message") && j["message"].is_string()) << res.body;
  }
  // Without a session every page leads to /login (the teams here have no
  // end_session_endpoint, so a real /logout ends there too).
  if (!has_session(GetParam().caller) && (want == kLogin || want == kLoginPost)) {
    EXPECT_EQ(res.header("Location").value_or(""), "/login");
  }
  if (want == 401 && (json_route || path == "/internal/authz")) {
    EXPECT_EQ(res.header("WWW-Authenticate").value_or(""), "Bearer");
  }
}

INSTANTIATE_TEST_SUITE_P(AuthzSpec, AuthzMatrix, ::testing::ValuesIn(all_cells()), cell_name);

// Every row has a handler at exactly the pattern the SPEC names. The router
// cannot list its routes (no Router::routes() accessor), so the reverse — a
// routed path missing from this table — cannot be checked from here.
TEST(AuthzMatrixCoverage, EveryTableRouteIsRoutedForItsMethod) {
  World w;
  for (const auto& row : table()) {
    auto req = App::request(row.method, w.fill(row.path, {}), {}, "");
    http::Response miss;
    auto m = w.app.router().match(req, miss);
    EXPECT_TRUE(m.has_value()) << row.method << " " << row.path << " answered " << miss.status;
  }
}

// Method confusion: a state-changing route must not answer a GET (and the other way).
TEST(AuthzMatrixCoverage, WrongMethodIs405NotTheHandler) {
  World w;
  const std::vector<std::pair<std::string, std::string>> wrong = {
      {"GET", "/api/v1/team/members/" + w.acme_member.user_id + "/role"},
      {"POST", "/api/v1/me"},
      {"GET", "/api/v1/tokens/" + w.target_token.id},
      {"PUT", "/api/v1/tokens"},
      {"GET", "/internal/usage"},
      {"POST", "/internal/authz"},
      {"GET", "/logout"},
  };
  for (const auto& [method, path] : wrong) {
    auto res = w.app.send(method, path, w.acme_admin.session());
    EXPECT_EQ(res.status, 405) << method << " " << path;
  }
}

// Cross-team: a member of acme naming globex's objects gets 404 — never the
// object, never 403 (which would confirm it exists) — and the object is unchanged.
class AuthzCrossTeam : public ::testing::Test {
 protected:
  void SetUp() override {
    app.add_team("acme");
    app.add_team("globex");
    acme_admin = app.add_person("acme", Role::admin, "ada");
    acme_member = app.add_person("acme", Role::member, "max");
    acme_token = app.add_token(acme_member, "acme-token");
    globex_admin = app.add_person("globex", Role::admin, "gus");
    globex_member = app.add_person("globex", Role::member, "gwen");
    globex_token = app.add_token(globex_member, "globex-secret-token");
    globex_model = app.add_model(globex_member, "globex-model");
  }

  App app;
  Person acme_admin, acme_member, globex_admin, globex_member;
  IssuedToken acme_token, globex_token;
  domain::Model globex_model;

  std::vector<Credentials> acme_callers() const {
    return {acme_member.session(), acme_admin.session(), acme_token.bearer()};
  }
};

TEST_F(AuthzCrossTeam, RevokingAnotherTeamsTokenIs404AndItKeepsWorking) {
  for (const auto& who : acme_callers()) {
    auto res = app.send("DELETE", "/api/v1/tokens/" + globex_token.id, who);
    EXPECT_EQ(res.status, 404) << res.body;
    EXPECT_EQ(body_json(res)["error"], "not_found");
    EXPECT_EQ(res.body.find(globex_token.id.substr(4)), std::string::npos)
        << "the answer echoes the id";
  }
  EXPECT_EQ(app.send("GET", "/internal/authz", globex_token.bearer()).status, 204);
  auto list = body_json(app.send("GET", "/api/v1/tokens", globex_member.session()));
  ASSERT_EQ(list["tokens"].size(), 1u);
  EXPECT_EQ(list["tokens"][0]["id"], globex_token.id);
}

TEST_F(AuthzCrossTeam, DeletingAnotherTeamsModelIs404AndItStays) {
  for (const auto& who : acme_callers()) {
    auto res = app.send("DELETE", "/api/v1/models/" + globex_model.id, who);
    EXPECT_EQ(res.status, 404) << res.body;
  }
  auto list = body_json(app.send("GET", "/api/v1/models", globex_member.session()));
  ASSERT_EQ(list["models"].size(), 1u);
  EXPECT_EQ(list["models"][0]["id"], globex_model.id);
}

TEST_F(AuthzCrossTeam, ChangingTheRoleOfAnotherTeamsMemberIs404AndTheRoleStays) {
  auto res = app.send("PUT", "/api/v1/team/members/" + globex_member.user_id + "/role",
                      acme_admin.session(), R"({"role":"admin"})");
  EXPECT_EQ(res.status, 404) << res.body;
  EXPECT_EQ(res.body.find(globex_member.email), std::string::npos);
  // Demoting the other team's only admin must not work either.
  res = app.send("PUT", "/api/v1/team/members/" + globex_admin.user_id + "/role",
                 acme_admin.session(), R"({"role":"member"})");
  EXPECT_EQ(res.status, 404) << res.body;
  auto me = body_json(app.send("GET", "/api/v1/me", globex_member.session()));
  EXPECT_EQ(me["role"], "member");
  me = body_json(app.send("GET", "/api/v1/me", globex_admin.session()));
  EXPECT_EQ(me["role"], "admin");
}

TEST_F(AuthzCrossTeam, ListsNeverShowAnotherTeamsObjects) {
  for (const auto& who : acme_callers()) {
    for (const char* path :
         {"/api/v1/tokens", "/api/v1/models", "/api/v1/team/members", "/v1/models"}) {
      if (std::string(path) == "/v1/models" && who.bearer.empty()) continue;
      auto res = app.send("GET", path, who);
      ASSERT_EQ(res.status, 200) << path;
      for (const std::string& foreign :
           {globex_token.id, globex_model.id, std::string("globex-model"), globex_member.user_id,
            globex_member.email, std::string("globex")})
        EXPECT_EQ(res.body.find(foreign), std::string::npos)
            << path << " shows " << foreign << ": " << res.body;
    }
  }
}

// Names are per team: another team's model name neither conflicts (which
// would tell us it exists) nor is shared.
TEST_F(AuthzCrossTeam, AnotherTeamsModelNameIsFreeForUs) {
  auto res = app.send("POST", "/api/v1/models", acme_member.session(),
                      R"({"name":"globex-model","base_model":"llama-3-8b"})");
  EXPECT_EQ(res.status, 201) << res.body;
  auto theirs = body_json(app.send("GET", "/api/v1/models", globex_member.session()));
  ASSERT_EQ(theirs["models"].size(), 1u);
  EXPECT_EQ(theirs["models"][0]["id"], globex_model.id);
}

TEST_F(AuthzCrossTeam, AnotherTeamsUsageIsNotInOurBilling) {
  auto usage =
      R"({"events":[{"id":"g1","token_id":")" + globex_token.id +
      R"(","model":"globex-model","input_tokens":10,"output_tokens":5,"cost_usd":7.25,"at":"2025-11-29T10:00:00Z"}]})";
  ASSERT_EQ(app.send("POST", "/internal/usage", {{}, {}, app.internal_key()}, usage).status, 202);
  auto ours = body_json(
      app.send("GET", "/api/v1/billing/usage?from=2025-11-01&to=2025-11-30", acme_admin.session()));
  EXPECT_EQ(ours["total"], 0);
  EXPECT_TRUE(ours["by_token"].empty());
  auto theirs = body_json(app.send("GET", "/api/v1/billing/usage?from=2025-11-01&to=2025-11-30",
                                   globex_admin.session()));
  EXPECT_DOUBLE_EQ(theirs["total"].get<double>(), 7.25);
}

}  // namespace
}  // namespace gatehouse::testing
