// CSRF (SPEC.md §3, §4): a request authenticated by the session cookie that
// changes state must prove it came from our own pages — X-CSRF-Token for the
// JSON API, the csrf_token form field for HTML forms. A cross-site page can
// make the browser send the cookie but cannot read the token. API tokens are
// not sent by browsers on their own, so they need none.
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/app_fixture.hpp"

namespace gatehouse::testing {
namespace {

using domain::Role;

struct CsrfWorld {
  App app;
  Person admin, member, other;  // other: a second admin's session, with its own CSRF token
  IssuedToken member_token, target_token;
  domain::Model target_model;

  CsrfWorld() {
    app.add_team("acme");
    admin = app.add_person("acme", Role::admin, "ada");
    member = app.add_person("acme", Role::member, "max");
    other = app.add_person("acme", Role::admin, "olga");
    member_token = app.add_token(member, "member-token");
    target_token = app.add_token(member, "target-token");
    target_model = app.add_model(member, "target-model");
  }

  // Everything a state-changing route could change: roles, active tokens, models.
  std::string snapshot() {
    // Each list kept in a variable: a range-for over *temporary would dangle.
    auto users = app.db().users().list_by_team("acme");
    auto tokens = app.db().tokens().list("acme", std::nullopt);
    auto models = app.db().models().list("acme", std::nullopt);
    if (!users || !tokens || !models) return "store unavailable";
    std::string s;
    for (const auto& u : *users) s += u.id + "=" + std::string(domain::to_string(u.role)) + ";";
    for (const auto& t : *tokens) s += t.id + ";";
    for (const auto& m : *models) s += m.id + ";";
    return s;
  }
};

struct Change {
  const char* name;
  const char* method;
  std::function<std::string(const CsrfWorld&)> path;
  const char* body;
  int success;
  bool token_may = true;  // false: admins only, so an API token gets 403 anyway
};

const std::vector<Change>& json_changes() {
  static const std::vector<Change> v = {
      {"SetRole", "PUT",
       [](const CsrfWorld& w) { return "/api/v1/team/members/" + w.member.user_id + "/role"; },
       R"({"role":"admin"})", 200, false},
      {"CreateToken", "POST", [](const CsrfWorld&) { return std::string("/api/v1/tokens"); },
       R"({"name":"t"})", 201},
      {"RevokeToken", "DELETE",
       [](const CsrfWorld& w) { return "/api/v1/tokens/" + w.target_token.id; }, "", 204},
      {"CreateModel", "POST", [](const CsrfWorld&) { return std::string("/api/v1/models"); },
       R"({"name":"m2","base_model":"b"})", 201},
      {"DeleteModel", "DELETE",
       [](const CsrfWorld& w) { return "/api/v1/models/" + w.target_model.id; }, "", 204},
  };
  return v;
}

class CsrfJson : public ::testing::TestWithParam<std::size_t> {
 protected:
  const Change& change() const { return json_changes()[GetParam()]; }
  CsrfWorld w;
};

std::string change_name(const ::testing::TestParamInfo<std::size_t>& info) {
  return json_changes()[info.param].name;
}

TEST_P(CsrfJson, CookieWithoutOrWithAWrongTokenIs403AndNothingChanges) {
  // The session is cached, as on a live server where the page loaded
  // /api/v1/me first: the check must hold when the session comes from memory.
  ASSERT_EQ(w.app.send("GET", "/api/v1/me", w.admin.cookie_only()).status, 200);
  const auto hits = w.app.session_cache().hits();
  const auto before = w.snapshot();
  const std::string path = change().path(w);
  std::vector<std::pair<std::string, http::Request>> attempts;
  attempts.emplace_back("no header",
                        App::request(change().method, path, w.admin.cookie_only(), change().body));
  attempts.emplace_back(
      "wrong token",
      App::request(change().method, path, {w.admin.cookie, "not-the-token", {}}, change().body));
  // A token that is valid — for another session — is still the wrong one.
  attempts.emplace_back(
      "another session's token",
      App::request(change().method, path, {w.admin.cookie, w.other.csrf, {}}, change().body));
  auto empty = App::request(change().method, path, w.admin.cookie_only(), change().body);
  empty.headers.emplace_back("x-csrf-token", "");
  attempts.emplace_back("empty header", std::move(empty));
  // The token where a form would put it does not count for the JSON API.
  auto in_query = App::request(change().method, path + "?csrf_token=" + w.admin.csrf,
                               w.admin.cookie_only(), change().body);
  attempts.emplace_back("token in the query", std::move(in_query));

  for (auto& [what, req] : attempts) {
    auto res = w.app.send(std::move(req));
    EXPECT_EQ(res.status, 403) << what << ": " << res.body;
    EXPECT_EQ(error_code(res), "csrf") << what;
    EXPECT_EQ(w.snapshot(), before) << what << " changed something";
  }
  EXPECT_EQ(w.app.session_cache().hits(), hits + attempts.size())
      << "each attempt's session came from the cache";
  EXPECT_EQ(w.app.send("GET", "/internal/authz", w.target_token.bearer()).status, 204);
}

TEST_P(CsrfJson, CookieWithTheSessionsTokenSucceeds) {
  const auto before = w.snapshot();
  auto res = w.app.send(change().method, change().path(w), w.admin.session(), change().body);
  EXPECT_EQ(res.status, change().success) << res.body;
  EXPECT_NE(w.snapshot(), before);
}

TEST_P(CsrfJson, ApiTokenNeedsNoCsrfToken) {
  auto res = w.app.send(change().method, change().path(w), w.member_token.bearer(), change().body);
  EXPECT_EQ(res.status, change().token_may ? change().success : 403) << res.body;
  EXPECT_NE(error_code(res), "csrf");
}

INSTANTIATE_TEST_SUITE_P(CsrfApi, CsrfJson, ::testing::Range<std::size_t>(0, json_changes().size()),
                         change_name);

TEST(CsrfJsonReads, GetNeedsNoCsrfToken) {
  CsrfWorld w;
  for (const char* path : {"/api/v1/me", "/api/v1/team/members", "/api/v1/tokens", "/api/v1/models",
                           "/api/v1/billing/usage?from=2025-11-01&to=2025-11-30"}) {
    EXPECT_EQ(w.app.send("GET", path, w.admin.cookie_only()).status, 200) << path;
  }
}

// The HTML forms carry the token in the csrf_token field (SPEC §3).
struct FormChange {
  const char* name;
  std::function<std::string(const CsrfWorld&)> path;
  const char* fields;  // without csrf_token
};

const std::vector<FormChange>& form_changes() {
  static const std::vector<FormChange> v = {
      {"SetRole", [](const CsrfWorld& w) { return "/team/members/" + w.member.user_id + "/role"; },
       "role=admin"},
      {"CreateToken", [](const CsrfWorld&) { return std::string("/tokens"); }, "name=t"},
      {"RevokeToken", [](const CsrfWorld& w) { return "/tokens/" + w.target_token.id + "/revoke"; },
       ""},
      {"CreateModel", [](const CsrfWorld&) { return std::string("/models"); },
       "name=m2&base_model=b"},
      {"DeleteModel", [](const CsrfWorld& w) { return "/models/" + w.target_model.id + "/delete"; },
       ""},
  };
  return v;
}

class CsrfForm : public ::testing::TestWithParam<std::size_t> {
 protected:
  const FormChange& change() const { return form_changes()[GetParam()]; }
  std::string body(const std::string& csrf) const {
    std::string f = change().fields;
    if (csrf.empty()) return f;
    return "csrf_token=" + csrf + (f.empty() ? "" : "&" + f);
  }
  CsrfWorld w;
};

TEST_P(CsrfForm, FormWithoutOrWithAWrongFieldIs403AndNothingChanges) {
  const auto before = w.snapshot();
  for (const std::string& csrf : {std::string(), std::string("wrong"), w.other.csrf}) {
    // The JSON header does not stand in for the form field either.
    auto res = w.app.send("POST", change().path(w), {w.admin.cookie, w.admin.csrf, {}},
                          body(csrf).empty() ? "x=1" : body(csrf));
    EXPECT_EQ(res.status, 403) << "csrf_token=" << csrf << ": " << res.body;
    EXPECT_EQ(w.snapshot(), before);
  }
}

TEST_P(CsrfForm, FormWithTheSessionsTokenSucceeds) {
  const auto before = w.snapshot();
  auto res = w.app.send("POST", change().path(w), w.admin.cookie_only(), body(w.admin.csrf));
  EXPECT_TRUE(res.status == 303 || res.status == 201) << res.status << " " << res.body;
  EXPECT_NE(w.snapshot(), before);
}

INSTANTIATE_TEST_SUITE_P(CsrfForms, CsrfForm,
                         ::testing::Range<std::size_t>(0, form_changes().size()),
                         [](const ::testing::TestParamInfo<std::size_t>& i) {
                           return form_changes()[i.param].name;
                         });

TEST(CsrfLogout, LogoutWithoutTheFieldIs403AndTheSessionLives) {
  CsrfWorld w;
  auto res = w.app.send("POST", "/logout", w.admin.cookie_only(), "csrf_token=wrong");
  EXPECT_EQ(res.status, 403);
  EXPECT_EQ(w.app.send("GET", "/api/v1/me", w.admin.cookie_only()).status, 200);
  res = w.app.send("POST", "/logout", w.admin.cookie_only(), "csrf_token=" + w.admin.csrf);
  EXPECT_EQ(res.status, 303);
  EXPECT_EQ(w.app.send("GET", "/api/v1/me", w.admin.cookie_only()).status, 401);
}

}  // namespace
}  // namespace gatehouse::testing
