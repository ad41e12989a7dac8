// The sign-in routes of SPEC.md §3 through http::Router::dispatch, without
// sockets: the objects src/app/serve.cpp builds, with a FakeProvider, a
// fixed clock and a real SQLite store in a temp dir. A tiny cookie jar plays
// the browser.
#include "web/signin_routes.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include "api/auth.hpp"
#include "api/workspace_api.hpp"
#include "workspace/service.hpp"

#include "signin/signin_world.hpp"

namespace gatehouse::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const web::Pages& pages() {
  static const web::Pages p;
  return p;
}

std::vector<std::string> set_cookies(const http::Response& res) {
  std::vector<std::string> out;
  for (const auto& [k, v] : res.headers)
    if (k == "Set-Cookie" || k == "set-cookie") out.push_back(v);
  return out;
}

// The Set-Cookie line for name, or "".
std::string set_cookie(const http::Response& res, const std::string& name) {
  for (const auto& c : set_cookies(res))
    if (c.rfind(name + "=", 0) == 0) return c;
  return {};
}

// A browser's cookie jar: enough of RFC 6265 for these routes.
class Browser {
 public:
  void take(const http::Response& res) {
    for (const auto& line : set_cookies(res)) {
      auto eq = line.find('=');
      auto semi = line.find(';');
      std::string name = line.substr(0, eq);
      std::string value = line.substr(eq + 1, semi - eq - 1);
      if (value.empty() || line.find("Max-Age=0") != std::string::npos)
        jar_.erase(name);
      else
        jar_[name] = value;
    }
  }
  [[nodiscard]] std::string header() const {
    std::string h;
    for (const auto& [k, v] : jar_) h += (h.empty() ? "" : "; ") + k + "=" + v;
    return h;
  }
  [[nodiscard]] std::optional<std::string> get(const std::string& name) const {
    auto it = jar_.find(name);
    if (it == jar_.end()) return std::nullopt;
    return it->second;
  }
  void set(const std::string& name, const std::string& value) { jar_[name] = value; }

 private:
  std::map<std::string, std::string> jar_;
};

// The routes as serve.cpp wires them.
struct Site {
  explicit Site(WorldOptions options)
      : w(std::move(options)),
        ctx{w.sessions,
            w.flow,
            w.rp,
            pages(),
            w.rng,
            {.public_url = w.public_url, .public_origin = w.public_url, .https = w.secure()},
            starts,
            failures} {
    web::add_signin_routes(router, ctx);
    api::add_workspace_api(router, api_auth, ws);  // GET /api/v1/me
  }

  SigninWorld w;
  // Limits off: these tests are about the routes, not the limits.
  RateLimiter starts{w.clock, 120, 2, false};
  RateLimiter failures{w.clock, 60, 1, false};
  web::WebContext ctx;
  RateLimiter token_checks{w.clock, 600, 50, false};
  RateLimiter token_creation{w.clock, 60, 1, false};
  workspace::TokenAuthority authority{*w.db, w.clock};
  workspace::Service ws{*w.db, authority, w.clock, w.rng, token_creation};
  api::ApiAuth api_auth{w.sessions, authority, token_checks};
  http::Router router;
  Browser browser;

  http::Response send(http::Request req) {
    if (auto h = browser.header(); !h.empty()) req.headers.emplace_back("cookie", h);
    req.request_id = "req-test";
    req.remote_addr = "127.0.0.1";
    auto res = router.dispatch(req);
    browser.take(res);
    return res;
  }
  http::Response get(const std::string& target) { return send(http::Request::make("GET", target)); }
  http::Response post(const std::string& target, const std::string& body) {
    auto req = http::Request::make("POST", target, body);
    req.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
    return send(std::move(req));
  }

  // Corporate SSO -> Team ID -> provider -> callback, as a browser does it.
  http::Response sign_in(const std::string& sub, const std::string& email,
                         const std::string& name = "Ada") {
    auto start = post("/login_sso", "team_id=acme");
    if (start.status != 302) return start;
    auto req = FakeProvider::authorization(*start.header("Location"));
    w.idp.issue(w.idp.claims(sub, req.nonce, w.clock.unix_seconds(), email, name));
    return get(
        "/sso/callback?" +
        http::encode_form({{"code", "code-abc"}, {"state", req.state}, {"iss", w.idp.issuer}}));
  }
};

class SigninRoutes : public ::testing::Test {
 protected:
  Site site{{.public_url = "http://localhost:8080"}};
  SigninWorld& w = site.w;
  const std::string session_cookie = "gh_session";
  const std::string login_cookie = "gh_login";
};

// ---------------------------------------------------------------- pages

TEST_F(SigninRoutes, LoginPageOffersCorporateSso) {
  auto res = site.get("/login");
  EXPECT_EQ(res.status, 200);
  EXPECT_THAT(res.body, HasSubstr("Corporate SSO"));
  EXPECT_THAT(res.body, HasSubstr("href=\"/login_sso\""));
  EXPECT_THAT(res.header("Content-Type").value_or(""), StartsWith("text/html"));
}

TEST_F(SigninRoutes, LoginSsoFormAsksForTeamId) {
  auto res = site.get("/login_sso");
  EXPECT_EQ(res.status, 200);
  EXPECT_THAT(res.body, HasSubstr("name=\"team_id\""));
  EXPECT_THAT(res.body, HasSubstr("SSO Login"));
}

TEST_F(SigninRoutes, MalformedTeamIdIs400WithTheForm) {
  auto bad_id = site.post("/login_sso", "team_id=Acme%20Corp%21");
  EXPECT_EQ(bad_id.status, 400);
  EXPECT_THAT(bad_id.body, HasSubstr("name=\"team_id\""));
  EXPECT_THAT(bad_id.body, HasSubstr("not a valid Team ID"));

  auto bad_form = site.post("/login_sso", "team_id=%zz");
  EXPECT_EQ(bad_form.status, 400);
  EXPECT_THAT(bad_form.body, HasSubstr("name=\"team_id\""));

  auto empty = site.post("/login_sso", "team_id=");
  EXPECT_EQ(empty.status, 400);
  EXPECT_THAT(empty.body, HasSubstr("name=\"team_id\""));
  EXPECT_TRUE(set_cookies(empty).empty());
  EXPECT_TRUE(w.http.requests().empty());
}

TEST_F(SigninRoutes, UnknownOrDisabledTeamIs404WithTheForm) {
  auto unknown = site.post("/login_sso", "team_id=nobody");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.body, HasSubstr("name=\"team_id\""));
  EXPECT_THAT(unknown.body, HasSubstr("value=\"nobody\""));
  EXPECT_TRUE(set_cookies(unknown).empty());

  w.set_enabled("acme", false);
  auto disabled = site.post("/login_sso", "team_id=acme");
  EXPECT_EQ(disabled.status, 404);
  EXPECT_THAT(disabled.body, HasSubstr("name=\"team_id\""));
  EXPECT_TRUE(w.http.requests().empty());
}

TEST_F(SigninRoutes, KnownTeamRedirectsToTheProviderWithPkce) {
  // People type Team IDs with capitals and spaces around them.
  auto res = site.post("/login_sso", "team_id=%20ACME%20");
  ASSERT_EQ(res.status, 302) << res.body;
  auto req = FakeProvider::authorization(res.header("Location").value_or(""));
  EXPECT_EQ(req.endpoint, w.idp.authorize);
  EXPECT_EQ(req.params.get("code_challenge_method"), "S256");
  EXPECT_EQ(req.params.get("code_challenge").value_or("").size(), 43u);
  EXPECT_FALSE(req.state.empty());
  EXPECT_FALSE(req.nonce.empty());
  EXPECT_EQ(req.params.get("redirect_uri"), "http://localhost:8080/sso/callback");

  auto cookie = set_cookie(res, login_cookie);
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  // Lax, not Strict: it must come back on the provider's redirect (SPEC §7).
  EXPECT_THAT(cookie, HasSubstr("SameSite=Lax"));
  EXPECT_THAT(cookie, HasSubstr("Path=/"));
  EXPECT_THAT(cookie, HasSubstr("Max-Age=600"));
  EXPECT_THAT(cookie, Not(HasSubstr("Secure")));
}

TEST_F(SigninRoutes, HttpsPublicUrlMakesHostPrefixedSecureCookies) {
  Site secure({.public_url = "https://sso.example.com"});
  auto start = secure.post("/login_sso", "team_id=acme");
  ASSERT_EQ(start.status, 302) << start.body;
  auto login = set_cookie(start, "__Host-gh_login");
  EXPECT_THAT(login, HasSubstr("; Secure"));
  EXPECT_THAT(login, HasSubstr("Path=/"));
  EXPECT_TRUE(set_cookie(start, "gh_login").empty());

  auto req = FakeProvider::authorization(*start.header("Location"));
  EXPECT_EQ(req.params.get("redirect_uri"), "https://sso.example.com/sso/callback");
  secure.w.idp.issue(
      secure.w.idp.claims("00u-ada", req.nonce, secure.w.clock.unix_seconds(), "ada@acme.example"));
  auto done = secure.get(
      "/sso/callback?" +
      http::encode_form({{"code", "c"}, {"state", req.state}, {"iss", secure.w.idp.issuer}}));
  ASSERT_EQ(done.status, 303) << done.body;
  auto session = set_cookie(done, "__Host-gh_session");
  EXPECT_THAT(session, HasSubstr("; Secure"));
  EXPECT_THAT(session, HasSubstr("HttpOnly"));
  // __Host- requires Path=/ and no Domain (RFC 6265bis §4.1.3.2).
  EXPECT_THAT(session, HasSubstr("Path=/"));
  EXPECT_THAT(session, Not(HasSubstr("Domain=")));
  EXPECT_EQ(secure.get("/dashboard").status, 200);
}

// ---------------------------------------------------------------- callback

TEST_F(SigninRoutes, CallbackSuccessSetsSessionCookieAndGoesToDashboard) {
  auto res = site.sign_in("00u-ada", "ada@acme.example");
  ASSERT_EQ(res.status, 303) << res.body;
  EXPECT_EQ(res.header("Location"), "/dashboard");
  auto cookie = set_cookie(res, session_cookie);
  ASSERT_FALSE(cookie.empty());
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Lax"));
  EXPECT_THAT(cookie, HasSubstr("Path=/"));
  EXPECT_THAT(cookie, HasSubstr("Max-Age=43200"));

  auto dash = site.get("/dashboard");
  EXPECT_EQ(dash.status, 200);
  EXPECT_THAT(dash.body, HasSubstr("Ada"));
}

TEST_F(SigninRoutes, CallbackReplacesAnEarlierSession) {
  // Session fixation: a session id planted before sign-in is worth nothing after it.
  ASSERT_EQ(site.sign_in("00u-ada", "ada@acme.example").status, 303);
  auto planted = *site.browser.get(session_cookie);
  ASSERT_EQ(site.sign_in("00u-bob", "bob@acme.example", "Bob").status, 303);
  EXPECT_NE(*site.browser.get(session_cookie), planted);
  auto old = w.sessions.authenticate(planted);
  ASSERT_TRUE(old);
  EXPECT_FALSE(*old);
}

TEST_F(SigninRoutes, CallbackFailureIsAnErrorPageWithoutSession) {
  auto forged = site.get("/sso/callback?code=x&state=forged-0123456789abcdefghijklmnopqrstuvw");
  EXPECT_EQ(forged.status, 400);
  EXPECT_THAT(forged.body, HasSubstr("Sign-in failed"));
  EXPECT_THAT(forged.body, HasSubstr("req-test"));  // the reference an operator greps for
  EXPECT_TRUE(set_cookie(forged, session_cookie).empty());

  auto duplicated = site.get("/sso/callback?state=a&state=b");
  EXPECT_EQ(duplicated.status, 400);
}

TEST_F(SigninRoutes, ProviderRefusalIs403) {
  auto start = site.post("/login_sso", "team_id=acme");
  ASSERT_EQ(start.status, 302);
  auto req = FakeProvider::authorization(*start.header("Location"));
  auto res = site.get(
      "/sso/callback?" +
      http::encode_form({{"error", "access_denied"}, {"state", req.state}, {"iss", w.idp.issuer}}));
  EXPECT_EQ(res.status, 403);
  EXPECT_THAT(res.body, HasSubstr("assign you"));
  EXPECT_TRUE(set_cookie(res, session_cookie).empty());
  EXPECT_EQ(w.http.count(w.idp.token_url), 0u);
}

TEST_F(SigninRoutes, InitiateRedirectsToTheProvider) {
  auto res =
      site.get("/sso/acme/initiate?" +
               http::encode_form({{"iss", w.idp.issuer}, {"login_hint", "ada@acme.example"}}));
  ASSERT_EQ(res.status, 302) << res.body;
  auto req = FakeProvider::authorization(*res.header("Location"));
  EXPECT_EQ(req.params.get("login_hint"), "ada@acme.example");
  EXPECT_FALSE(set_cookie(res, login_cookie).empty());

  // Okta may POST it too.
  auto posted = site.post("/sso/acme/initiate", http::encode_form({{"iss", w.idp.issuer}}));
  EXPECT_EQ(posted.status, 302);

  EXPECT_EQ(site.get("/sso/acme/initiate").status, 400);
  EXPECT_EQ(site.get("/sso/acme/initiate?iss=https%3A%2F%2Fevil.example").status, 400);
  EXPECT_EQ(site.get("/sso/nobody/initiate?iss=https%3A%2F%2Fidp.example").status, 404);
}

// ---------------------------------------------------------------- signed in

TEST_F(SigninRoutes, DashboardWithoutSessionGoesToLogin) {
  auto res = site.get("/dashboard");
  EXPECT_EQ(res.status, 302);
  EXPECT_EQ(res.header("Location"), "/login");

  site.browser.set(session_cookie, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  auto stale = site.get("/dashboard");
  EXPECT_EQ(stale.status, 302);
  EXPECT_EQ(stale.header("Location"), "/login");
  EXPECT_THAT(set_cookie(stale, session_cookie), HasSubstr("Max-Age=0"));
}

TEST_F(SigninRoutes, LogoutWithoutCsrfIsRefusedAndKeepsSession) {
  ASSERT_EQ(site.sign_in("00u-ada", "ada@acme.example").status, 303);
  auto cookie = *site.browser.get(session_cookie);

  auto none = site.post("/logout", "");
  EXPECT_EQ(none.status, 403);
  auto wrong = site.post("/logout", "csrf_token=not-the-token");
  EXPECT_EQ(wrong.status, 403);
  EXPECT_TRUE(set_cookie(wrong, session_cookie).empty());

  auto who = w.sessions.authenticate(cookie);
  ASSERT_TRUE(who);
  EXPECT_TRUE(*who) << "a cross-site POST must not sign anyone out";
  EXPECT_EQ(site.get("/dashboard").status, 200);
}

TEST_F(SigninRoutes, LogoutEndsSessionAndGoesToTheProvider) {
  ASSERT_EQ(site.sign_in("00u-ada", "ada@acme.example").status, 303);
  auto cookie = *site.browser.get(session_cookie);
  auto who = w.sessions.authenticate(cookie);
  ASSERT_TRUE(who && *who);
  auto id_token = w.sessions.id_token((*who)->session);
  ASSERT_TRUE(id_token);

  auto res = site.post("/logout", http::encode_form({{"csrf_token", (*who)->session.csrf_token}}));
  ASSERT_EQ(res.status, 303) << res.body;
  auto out = FakeProvider::authorization(res.header("Location").value_or(""));
  EXPECT_EQ(out.endpoint, w.idp.end_session);
  EXPECT_EQ(out.params.get("id_token_hint"), *id_token);
  EXPECT_EQ(out.params.get("post_logout_redirect_uri"), "http://localhost:8080/login");
  EXPECT_THAT(set_cookie(res, session_cookie), HasSubstr("Max-Age=0"));

  auto after = w.sessions.authenticate(cookie);
  ASSERT_TRUE(after);
  EXPECT_FALSE(*after) << "the session is over on the server, not only in the browser";
  site.browser.set(session_cookie, cookie);
  EXPECT_EQ(site.get("/dashboard").status, 302);
}

TEST_F(SigninRoutes, LogoutWithoutEndSessionEndpointGoesToLogin) {
  FakeProvider plain(w.http, "https://plain.idp.example");
  auto doc = plain.metadata();
  doc.erase("end_session_endpoint");
  plain.publish(doc);
  auto team = w.db->teams().find("acme");
  ASSERT_TRUE(team && *team);
  (*team)->issuer = plain.issuer;
  ASSERT_TRUE(w.db->teams().update(**team));

  auto start = site.post("/login_sso", "team_id=acme");
  ASSERT_EQ(start.status, 302);
  auto req = FakeProvider::authorization(*start.header("Location"));
  plain.issue(plain.claims("00u-ada", req.nonce, w.clock.unix_seconds()));
  ASSERT_EQ(
      site.get("/sso/callback?" +
               http::encode_form({{"code", "c"}, {"state", req.state}, {"iss", plain.issuer}}))
          .status,
      303);
  auto me = nlohmann::json::parse(site.get("/api/v1/me").body);
  auto res = site.post("/logout",
                       http::encode_form({{"csrf_token", me["csrf_token"].get<std::string>()}}));
  EXPECT_EQ(res.status, 303);
  EXPECT_EQ(res.header("Location"), "/login");
}

TEST_F(SigninRoutes, MeHasTheShapeOfTheSpec) {
  auto anonymous = site.get("/api/v1/me");
  EXPECT_EQ(anonymous.status, 401);
  auto err = nlohmann::json::parse(anonymous.body);
  EXPECT_EQ(err["error"], "unauthenticated");
  EXPECT_TRUE(err["message"].is_string());

  ASSERT_EQ(site.sign_in("00u-ada", "ada@acme.example", "Ada Lovelace").status, 303);
  auto res = site.get("/api/v1/me");
  ASSERT_EQ(res.status, 200);
  EXPECT_THAT(res.header("Content-Type").value_or(""), StartsWith("application/json"));
  auto me = nlohmann::json::parse(res.body);
  auto keys = [](const nlohmann::json& o) {
    std::set<std::string> k;
    for (const auto& [key, value] : o.items()) k.insert(key);
    return k;
  };
  EXPECT_EQ(keys(me), (std::set<std::string>{"user", "team", "role", "csrf_token"}));
  EXPECT_EQ(keys(me["user"]), (std::set<std::string>{"id", "email", "name"}));
  EXPECT_EQ(keys(me["team"]), (std::set<std::string>{"id", "name", "workspace"}));
  EXPECT_EQ(me["user"]["email"], "ada@acme.example");
  EXPECT_EQ(me["user"]["name"], "Ada Lovelace");
  EXPECT_EQ(me["team"]["id"], "acme");
  EXPECT_EQ(me["team"]["workspace"], "shared");
  EXPECT_EQ(me["role"], "admin");
  EXPECT_TRUE(me["csrf_token"].is_string());
  EXPECT_GE(me["csrf_token"].get<std::string>().size(), 22u);
}

}  // namespace
}  // namespace gatehouse::testing
