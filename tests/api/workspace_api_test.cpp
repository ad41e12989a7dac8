// The JSON API's answers, shape by shape as SPEC.md §4 writes them, and its
// rules: roles, the last admin, token revocation, personal workspaces.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "crypto/hash.hpp"
#include "support/app_fixture.hpp"

namespace gatehouse::testing {
namespace {

using domain::Role;
using nlohmann::json;

std::set<std::string> keys(const json& j) {
  std::set<std::string> out;
  if (j.is_object())
    for (const auto& [k, v] : j.items()) out.insert(k);
  return out;
}

class ApiWorkspace : public ::testing::Test {
 protected:
  void SetUp() override {
    app.add_team("acme", domain::Workspace::shared, "Acme Research");
    ada = app.add_person("acme", Role::admin, "ada");
    max = app.add_person("acme", Role::member, "max");
  }

  json get(const std::string& path, const Credentials& who) {
    auto res = app.send("GET", path, who);
    EXPECT_EQ(res.status, 200) << path << ": " << res.body;
    return body_json(res);
  }

  // One usage event through the gateway route.
  void report_usage(const std::string& id, const std::string& token_id, const std::string& model,
                    double cost, const std::string& at = "2025-11-29T10:00:00Z") {
    json e = {{"id", id},
              {"token_id", token_id},
              {"model", model},
              {"input_tokens", 100},
              {"output_tokens", 50},
              {"cost_usd", cost},
              {"at", at}};
    auto res = app.send("POST", "/internal/usage", {{}, {}, app.internal_key()},
                        json{{"events", json::array({e})}}.dump());
    ASSERT_EQ(res.status, 202) << res.body;
  }

  App app;
  Person ada, max;
};

TEST_F(ApiWorkspace, MeForASessionHasUserTeamRoleAndCsrfToken) {
  auto me = get("/api/v1/me", max.session());
  EXPECT_EQ(keys(me), (std::set<std::string>{"user", "team", "role", "csrf_token"}));
  EXPECT_EQ(me["user"], (json{{"id", max.user_id}, {"email", max.email}, {"name", "max"}}));
  EXPECT_EQ(me["team"], (json{{"id", "acme"}, {"name", "Acme Research"}, {"workspace", "shared"}}));
  EXPECT_EQ(me["role"], "member");
  EXPECT_EQ(me["csrf_token"], max.csrf);
  EXPECT_EQ(get("/api/v1/me", ada.session())["role"], "admin");
}

TEST_F(ApiWorkspace, MeForAnApiTokenHasNoUserNoCsrfTokenAndIsAMemberEvenForAnAdmin) {
  auto tok = app.add_token(ada, "admin-made");
  auto me = get("/api/v1/me", tok.bearer());
  EXPECT_EQ(keys(me), (std::set<std::string>{"team", "role"}));
  EXPECT_EQ(me["role"], "member");
  EXPECT_EQ(me["team"]["id"], "acme");
  EXPECT_EQ(me["team"]["workspace"], "shared");
  EXPECT_EQ(keys(me["team"]), (std::set<std::string>{"id", "name", "workspace"}));
}

// Regression test; the bug it caught (fixed): src/api/workspace_api.cpp:73 sets team.name to the
// team *id* for API tokens (`team["name"] = c->actor.team_id;`); SPEC §4 gives the same
// {"id","name","workspace"} team object to both kinds of caller.
TEST_F(ApiWorkspace, MeForAnApiTokenNamesTheTeamByItsName) {
  auto tok = app.add_token(max, "t");
  EXPECT_EQ(get("/api/v1/me", tok.bearer())["team"]["name"], "Acme Research");
}

TEST_F(ApiWorkspace, MembersListHasExactlyTheSpecFields) {
  auto list = get("/api/v1/team/members", max.session());
  ASSERT_EQ(list["members"].size(), 2u);
  for (const auto& m : list["members"]) {
    EXPECT_EQ(keys(m), (std::set<std::string>{"user_id", "email", "name", "role", "created_at",
                                              "last_login_at"}));
    EXPECT_TRUE(m["created_at"].is_number_integer());
  }
  EXPECT_EQ(body_json(app.send("GET", "/api/v1/team/members",
                               app.add_token(max, "t").bearer()))["members"]
                .size(),
            2u);
}

TEST_F(ApiWorkspace, CreatingATokenShowsTheSecretOnceAsGhPlus43Characters) {
  auto res = app.send("POST", "/api/v1/tokens", max.session(), R"({"name":"ci"})");
  ASSERT_EQ(res.status, 201) << res.body;
  auto t = body_json(res);
  EXPECT_TRUE(t.contains("id") && t.contains("name") && t.contains("token"));
  EXPECT_EQ(t["name"], "ci");
  const std::string secret = t["token"];
  EXPECT_TRUE(secret.starts_with("gh_")) << secret;
  EXPECT_GE(secret.size(), 3u + 43u);
  EXPECT_EQ(res.header("Cache-Control").value_or(""), "no-store");
  auto authz = app.send("GET", "/internal/authz", {{}, {}, secret});
  EXPECT_EQ(authz.status, 204);
  EXPECT_EQ(authz.header("X-Token-Id").value_or(""), t["id"]);
}

TEST_F(ApiWorkspace, TokenListNeverContainsTheSecretOrItsHash) {
  auto created = body_json(app.send("POST", "/api/v1/tokens", max.session(), R"({"name":"ci"})"));
  const std::string secret = created["token"];
  auto res = app.send("GET", "/api/v1/tokens", max.session());
  ASSERT_EQ(res.status, 200);
  auto list = body_json(res);
  ASSERT_EQ(list["tokens"].size(), 1u);
  EXPECT_EQ(keys(list["tokens"][0]), (std::set<std::string>{"id", "name", "prefix", "created_at",
                                                            "last_used_at", "created_by"}));
  EXPECT_EQ(res.body.find(secret.substr(3)), std::string::npos);
  EXPECT_EQ(res.body.find(secret.substr(12)), std::string::npos)
      << "more than a prefix of the secret is shown";
  EXPECT_EQ(res.body.find(crypto::sha256_hex(secret)), std::string::npos);
  EXPECT_TRUE(secret.starts_with(list["tokens"][0]["prefix"].get<std::string>()));
  EXPECT_EQ(list["tokens"][0]["created_by"], max.email);
}

TEST_F(ApiWorkspace, RevokedTokenIs401AtTheGatewayAtOnceEvenWhenCached) {
  auto tok = app.add_token(max, "ci");
  ASSERT_EQ(app.send("GET", "/internal/authz", tok.bearer()).status, 204);  // now cached
  ASSERT_TRUE(app.authority().check_cached(tok.secret).has_value());
  auto res = app.send("DELETE", "/api/v1/tokens/" + tok.id, max.session());
  EXPECT_EQ(res.status, 204);
  EXPECT_TRUE(res.body.empty());
  // No refresh_teams(), no waiting: eviction is part of the revocation.
  EXPECT_EQ(app.send("GET", "/internal/authz", tok.bearer()).status, 401);
  EXPECT_EQ(app.send("GET", "/api/v1/me", tok.bearer()).status, 401);
  EXPECT_TRUE(get("/api/v1/tokens", max.session())["tokens"].empty());
  EXPECT_EQ(app.send("DELETE", "/api/v1/tokens/" + tok.id, max.session()).status, 404);
}

TEST_F(ApiWorkspace, TokenCanRevokeItself) {
  auto tok = app.add_token(max, "ci");
  EXPECT_EQ(app.send("DELETE", "/api/v1/tokens/" + tok.id, tok.bearer()).status, 204);
  EXPECT_EQ(app.send("GET", "/internal/authz", tok.bearer()).status, 401);
}

TEST_F(ApiWorkspace, BadTokenNamesAre400) {
  for (const char* body : {R"({"name":""})", R"({})", R"({"name":5})", "not json", R"(["name"])"}) {
    auto res = app.send("POST", "/api/v1/tokens", max.session(), body);
    EXPECT_EQ(res.status, 400) << body << ": " << res.body;
  }
  EXPECT_TRUE(get("/api/v1/tokens", max.session())["tokens"].empty());
}

TEST_F(ApiWorkspace, ModelsHaveTheSpecShapeAndADuplicateNameIs409Exists) {
  auto res = app.send("POST", "/api/v1/models", max.session(),
                      R"({"name":"support-bot","base_model":"llama-3-8b"})");
  ASSERT_EQ(res.status, 201) << res.body;
  auto m = body_json(res);
  EXPECT_EQ(keys(m),
            (std::set<std::string>{"id", "name", "base_model", "created_at", "created_by"}));
  EXPECT_EQ(m["name"], "support-bot");
  EXPECT_EQ(m["base_model"], "llama-3-8b");

  auto dup = app.send("POST", "/api/v1/models", ada.session(),
                      R"({"name":"support-bot","base_model":"other"})");
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(error_code(dup), "exists");

  auto list = get("/api/v1/models", ada.session());
  ASSERT_EQ(list["models"].size(), 1u);
  EXPECT_EQ(list["models"][0], m);
  EXPECT_EQ(
      app.send("DELETE", "/api/v1/models/" + m["id"].get<std::string>(), ada.session()).status,
      204);
  EXPECT_TRUE(get("/api/v1/models", ada.session())["models"].empty());
  EXPECT_EQ(
      app.send("DELETE", "/api/v1/models/" + m["id"].get<std::string>(), ada.session()).status,
      404);
}

TEST_F(ApiWorkspace, OpenAiModelListHasTheOpenAiShape) {
  app.add_model(max, "support-bot");
  auto tok = app.add_token(max, "sdk");
  auto list = get("/v1/models", tok.bearer());
  EXPECT_EQ(list["object"], "list");
  ASSERT_EQ(list["data"].size(), 1u);
  const auto& d = list["data"][0];
  EXPECT_EQ(d["id"], "support-bot");
  EXPECT_EQ(d["object"], "model");
  EXPECT_TRUE(d.contains("owned_by") && d["owned_by"].is_string());
}

TEST_F(ApiWorkspace, BillingHasTheSpecShapeWithNumbersInDollars) {
  auto t1 = app.add_token(max, "a");
  auto t2 = app.add_token(ada, "b");
  report_usage("e1", t1.id, "support-bot", 1.25, "2025-11-28T23:59:59Z");
  report_usage("e2", t1.id, "support-bot", 0.5, "2025-11-29T00:00:00Z");
  report_usage("e3", t2.id, "summariser", 2.0, "2025-11-29T12:00:00+01:00");
  auto b = get("/api/v1/billing/usage?from=2025-11-01&to=2025-11-30", ada.session());
  EXPECT_EQ(b["currency"], "USD");
  for (const char* k : {"total", "by_day", "by_model", "by_token"}) EXPECT_TRUE(b.contains(k)) << k;
  ASSERT_TRUE(b["total"].is_number());
  EXPECT_DOUBLE_EQ(b["total"].get<double>(), 3.75);
  ASSERT_TRUE(b["by_day"].is_array() && b["by_model"].is_array() && b["by_token"].is_array());
  EXPECT_EQ(b["by_day"].size(), 2u);
  EXPECT_EQ(b["by_model"].size(), 2u);
  EXPECT_EQ(b["by_token"].size(), 2u);
  double sum = 0;
  for (const auto& row : b["by_day"]) {
    ASSERT_TRUE(row["cost_usd"].is_number()) << row;
    sum += row["cost_usd"].get<double>();
  }
  EXPECT_DOUBLE_EQ(sum, 3.75);
  // A period without usage is zero, not an error.
  auto empty = get("/api/v1/billing/usage?from=2024-01-01&to=2024-01-31", ada.session());
  EXPECT_EQ(empty["total"], 0);
}

TEST_F(ApiWorkspace, BillingWithBadDatesIs400) {
  for (const char* q :
       {"", "?from=2025-11-01", "?from=2025-13-01&to=2025-12-31", "?from=2025-11-30&to=2025-11-01",
        "?from=2020-01-01&to=2025-01-01", "?from=nov&to=dec"}) {
    auto res = app.send("GET", std::string("/api/v1/billing/usage") + q, ada.session());
    EXPECT_EQ(res.status, 400) << q << ": " << res.body;
  }
}

TEST_F(ApiWorkspace, BillingPeriodOfExactly366DaysIsAllowed) {
  EXPECT_EQ(
      app.send("GET", "/api/v1/billing/usage?from=2023-01-01&to=2024-01-01", ada.session()).status,
      200);
}

// workspace::Service::usage promises "days inclusive, at most 366 of them"
// (src/workspace/service.hpp:72).
// Regression test; the bug it caught (fixed): src/workspace/service.cpp:163 compares `*to - *from >
// 366 * 86400`, which lets 367 inclusive days through (2023-01-01..2024-01-02).
TEST_F(ApiWorkspace, BillingPeriodOf367DaysIs400) {
  EXPECT_EQ(
      app.send("GET", "/api/v1/billing/usage?from=2023-01-01&to=2024-01-02", ada.session()).status,
      400);
}

TEST_F(ApiWorkspace, DemotingTheLastAdminIs409LastAdmin) {
  auto res = app.send("PUT", "/api/v1/team/members/" + ada.user_id + "/role", ada.session(),
                      R"({"role":"member"})");
  EXPECT_EQ(res.status, 409);
  EXPECT_EQ(error_code(res), "last_admin");
  EXPECT_EQ(get("/api/v1/me", ada.session())["role"], "admin");
}

TEST_F(ApiWorkspace, RoleChangeAppliesAtThePersonsNextRequestWithoutSigningInAgain) {
  EXPECT_EQ(
      app.send("GET", "/api/v1/billing/usage?from=2025-11-01&to=2025-11-30", max.session()).status,
      403);
  auto res = app.send("PUT", "/api/v1/team/members/" + max.user_id + "/role", ada.session(),
                      R"({"role":"admin"})");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(body_json(res)["role"], "admin");
  EXPECT_EQ(get("/api/v1/me", max.session())["role"], "admin");
  EXPECT_EQ(
      app.send("GET", "/api/v1/billing/usage?from=2025-11-01&to=2025-11-30", max.session()).status,
      200);
  // Now ada is not the last admin and may step down; she loses admin at once.
  res = app.send("PUT", "/api/v1/team/members/" + ada.user_id + "/role", ada.session(),
                 R"({"role":"member"})");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(get("/api/v1/me", ada.session())["role"], "member");
  EXPECT_EQ(
      app.send("GET", "/api/v1/billing/usage?from=2025-11-01&to=2025-11-30", ada.session()).status,
      403);
}

TEST_F(ApiWorkspace, UnknownRoleOrUnknownPersonIsRefused) {
  auto res = app.send("PUT", "/api/v1/team/members/" + max.user_id + "/role", ada.session(),
                      R"({"role":"owner"})");
  EXPECT_EQ(res.status, 400);
  res =
      app.send("PUT", "/api/v1/team/members/usr_nobody/role", ada.session(), R"({"role":"admin"})");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(get("/api/v1/me", max.session())["role"], "member");
}

// The guide's "single-user experience": tokens and models belong to their creator.
class ApiPersonalWorkspace : public ApiWorkspace {
 protected:
  void SetUp() override {
    ApiWorkspace::SetUp();
    app.set_workspace("acme", domain::Workspace::personal);
    ada_token = app.add_token(ada, "ada-token");
    max_token = app.add_token(max, "max-token");
    ada_model = app.add_model(ada, "ada-model");
    max_model = app.add_model(max, "max-model");
  }
  IssuedToken ada_token, max_token;
  domain::Model ada_model, max_model;
};

TEST_F(ApiPersonalWorkspace, EachPersonSeesOnlyTheirOwnTokensAndModels) {
  EXPECT_EQ(get("/api/v1/me", max.session())["team"]["workspace"], "personal");
  for (const auto& [who, mine, theirs] :
       {std::tuple{max.session(), max_token.id, ada_token.id},
        std::tuple{max_token.bearer(), max_token.id, ada_token.id},
        std::tuple{ada.session(), ada_token.id, max_token.id}}) {
    auto tokens = get("/api/v1/tokens", who);
    ASSERT_EQ(tokens["tokens"].size(), 1u) << tokens;
    EXPECT_EQ(tokens["tokens"][0]["id"], mine);
    auto models = app.send("GET", "/api/v1/models", who).body;
    EXPECT_EQ(models.find(theirs == ada_token.id ? "ada-model" : "max-model"), std::string::npos)
        << models;
  }
  auto openai = get("/v1/models", max_token.bearer());
  ASSERT_EQ(openai["data"].size(), 1u);
  EXPECT_EQ(openai["data"][0]["id"], "max-model");
}

TEST_F(ApiPersonalWorkspace, AnotherPersonsTokenOrModelIs404EvenForAnAdmin) {
  EXPECT_EQ(app.send("DELETE", "/api/v1/tokens/" + max_token.id, ada.session()).status, 404);
  EXPECT_EQ(app.send("DELETE", "/api/v1/tokens/" + max_token.id, ada_token.bearer()).status, 404);
  EXPECT_EQ(app.send("DELETE", "/api/v1/models/" + max_model.id, ada.session()).status, 404);
  EXPECT_EQ(app.send("GET", "/internal/authz", max_token.bearer()).status, 204);
  EXPECT_EQ(get("/api/v1/models", max.session())["models"].size(), 1u);
  // Their own still go.
  EXPECT_EQ(app.send("DELETE", "/api/v1/models/" + max_model.id, max.session()).status, 204);
}

TEST_F(ApiPersonalWorkspace, GatewayNamesThePersonAndAdminsStillSeeTheWholeTeamsBilling) {
  auto authz = app.send("GET", "/internal/authz", max_token.bearer());
  ASSERT_EQ(authz.status, 204);
  EXPECT_EQ(authz.header("X-User-Id").value_or(""), max.user_id);
  EXPECT_EQ(authz.header("X-Team-Id").value_or(""), "acme");
  report_usage("p1", max_token.id, "max-model", 1.5);
  report_usage("p2", ada_token.id, "ada-model", 0.25);
  auto b = get("/api/v1/billing/usage?from=2025-11-01&to=2025-11-30", ada.session());
  EXPECT_DOUBLE_EQ(b["total"].get<double>(), 1.75);
  EXPECT_EQ(b["by_token"].size(), 2u);
}

TEST_F(ApiPersonalWorkspace, SwitchingBackToSharedKeepsEveryTokenWorking) {
  // Both tokens cached while personal.
  ASSERT_EQ(app.send("GET", "/internal/authz", ada_token.bearer()).status, 204);
  ASSERT_EQ(app.send("GET", "/internal/authz", max_token.bearer()).status, 204);
  app.set_workspace("acme", domain::Workspace::shared);
  for (const auto& t : {ada_token, max_token}) {
    auto authz = app.send("GET", "/internal/authz", t.bearer());
    EXPECT_EQ(authz.status, 204);
    EXPECT_FALSE(authz.header("X-User-Id").has_value()) << "shared workspaces name no person";
    EXPECT_EQ(app.send("GET", "/api/v1/me", t.bearer()).status, 200);
  }
  EXPECT_EQ(get("/api/v1/tokens", max.session())["tokens"].size(), 2u);
  EXPECT_EQ(get("/api/v1/models", max_token.bearer())["models"].size(), 2u);
  EXPECT_EQ(get("/api/v1/me", max_token.bearer())["team"]["workspace"], "shared");
}

}  // namespace
}  // namespace gatehouse::testing
