#include "web/workspace_routes.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "crypto/random.hpp"
#include "crypto/secret_box.hpp"
#include "http/form.hpp"
#include "oidc/relying_party.hpp"
#include "signin/flow.hpp"
#include "signin/sessions.hpp"
#include "store/database.hpp"
#include "support/fake_http_client.hpp"
#include "support/fixed_clock.hpp"
#include "support/temp_dir.hpp"
#include "web/pages.hpp"
#include "workspace/service.hpp"
#include "workspace/token_authority.hpp"

namespace gatehouse::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kNow = 1'795'953'600;  // 2026-11-29 12:00:00 UTC

std::unique_ptr<store::Database> open_db(const testing::TempDir& dir) {
  auto db = store::open_database("sqlite://" + dir.file("test.db"));
  if (!db) throw std::runtime_error(db.error());
  if (auto m = (*db)->migrate(); !m) throw std::runtime_error(m.error());
  return std::move(*db);
}

struct Browser {
  std::string cookie;
  std::string csrf;
};

class WorkspaceRoutes : public ::testing::Test {
 protected:
  WorkspaceRoutes() {
    add_workspace_routes(router, ctx, ws);
    add_team("acme", domain::Workspace::shared);
    ada = add_user("acme", "usr_ada", "ada@acme.test", "Ada Admin", domain::Role::admin);
    mo = add_user("acme", "usr_mo", "mo@acme.test", "Mo Member", domain::Role::member);
  }

  void add_team(const std::string& id, domain::Workspace mode) {
    domain::Team t{id,
                   id + " Inc",
                   "https://" + id + ".idp.test",
                   "client-" + id,
                   box.seal("secret", domain::client_secret_aad(id)),
                   "admin@" + id + ".test",
                   mode,
                   true,
                   kNow - 86400 * 40,
                   kNow - 86400 * 40};
    ASSERT_TRUE(db->teams().insert(t));
    authority.refresh_teams();
  }

  domain::User add_user(const std::string& team, const std::string& id, const std::string& email,
                        const std::string& name, domain::Role role) {
    domain::User u{id, team, "sub-" + id, email, name, role, kNow - 86400 * 10, kNow - 3600};
    EXPECT_TRUE(db->users().insert(u));
    return u;
  }

  Browser login(const domain::User& u) {
    auto s = sessions.create(u, "header.payload.signature");
    EXPECT_TRUE(s);
    return {s->cookie_value, s->csrf_token};
  }

  http::Response get(const Browser& b, const std::string& target) {
    auto req = http::Request::make("GET", target);
    if (!b.cookie.empty())
      req.headers.emplace_back("cookie", sessions.cookie_name() + "=" + b.cookie);
    return router.dispatch(req);
  }

  // Posts the form with the browser's CSRF token unless `items` says otherwise.
  http::Response post(const Browser& b, const std::string& target,
                      std::vector<std::pair<std::string, std::string>> items,
                      bool with_csrf = true) {
    if (with_csrf) items.emplace_back("csrf_token", b.csrf);
    auto req = http::Request::make("POST", target, http::encode_form(items));
    req.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
    if (!b.cookie.empty())
      req.headers.emplace_back("cookie", sessions.cookie_name() + "=" + b.cookie);
    return router.dispatch(req);
  }

  domain::Role role_of(const std::string& user_id) { return (*db->users().find(user_id))->role; }

  bool token_works(const std::string& secret) {
    auto p = authority.check(secret);
    return p && p->has_value();
  }

  // Creates a token through the page and returns its secret.
  std::string create_token(const Browser& b, const std::string& name) {
    auto res = post(b, "/tokens", {{"name", name}});
    EXPECT_EQ(res.status, 201) << res.body;
    std::smatch m;
    if (!std::regex_search(res.body, m,
                           std::regex(R"re(id="new-token"[^>]*value="(gh_[A-Za-z0-9_-]+)")re")))
      return {};
    return m[1].str();
  }

  void add_usage(const std::string& token_id, const std::string& model, const std::string& day,
                 std::int64_t cost_micros) {
    static int n = 0;
    domain::UsageEvent e{
        "evt-" + std::to_string(++n),   "acme", token_id, ada.id, model, 1000, 500, cost_micros,
        *domain::parse_day(day) + 3600, day};
    ASSERT_TRUE(db->usage().insert({e}));
  }

  testing::TempDir dir;
  testing::FixedClock clock{kNow};
  crypto::SystemRandom rng;
  std::unique_ptr<store::Database> db = open_db(dir);
  crypto::SecretBox box{{{"k1", std::string(32, 'k')}}, "k1", rng};
  testing::FakeHttpClient idp;  // the sign-in flow is not exercised here
  oidc::RelyingParty rp{idp, clock, rng};
  signin::Sessions sessions{*db, box, clock, rng, {}};
  signin::SigninFlow flow{*db,
                          rp,
                          box,
                          sessions,
                          clock,
                          rng,
                          {"http://localhost:8080/sso/callback", "http://localhost:8080"}};
  Pages pages;
  RateLimiter starts{clock, 120, 2, false};
  RateLimiter failures{clock, 60, 1, false};
  RateLimiter token_creation{clock, 60, 1, false};
  WebContext ctx{sessions, flow,    rp,
                 pages,    rng,     {"http://localhost:8080", "http://localhost:8080", false},
                 starts,   failures};
  workspace::TokenAuthority authority{*db, clock};
  workspace::Service ws{*db, authority, clock, rng, token_creation};
  http::Router router;
  domain::User ada, mo;
};

TEST_F(WorkspaceRoutes, MemberSeesNoRoleControls) {
  auto res = get(login(mo), "/team");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_THAT(res.body, HasSubstr("Ada Admin"));
  EXPECT_THAT(res.body, HasSubstr("mo@acme.test"));
  EXPECT_THAT(res.body, HasSubstr("<span class=\"badge badge-admin\">admin</span>"));
  EXPECT_THAT(res.body, HasSubstr("2026-11-19"));  // joined: created_at as a date
  EXPECT_THAT(res.body, Not(HasSubstr("/role\"")));
  EXPECT_THAT(res.body, Not(HasSubstr("Make admin")));
  EXPECT_THAT(res.body, Not(HasSubstr("Make member")));
}

TEST_F(WorkspaceRoutes, AdminTogglesMemberToAdminAndBack) {
  Browser admin = login(ada);
  auto page = get(admin, "/team");
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(std::regex_search(
      page.body,
      std::regex(
          R"re(action="/team/members/usr_mo/role">\s*<input type="hidden" name="csrf_token" value="[^"]+">\s*<input type="hidden" name="role" value="admin">\s*<button [^>]*aria-label="Make Mo Member an admin">Make admin</button>)re")))
      << page.body;

  auto up = post(admin, "/team/members/usr_mo/role", {{"role", "admin"}});
  EXPECT_EQ(up.status, 303);
  EXPECT_EQ(up.header("Location"), "/team");
  EXPECT_EQ(role_of("usr_mo"), domain::Role::admin);
  EXPECT_THAT(get(admin, "/team").body,
              HasSubstr("aria-label=\"Make Mo Member a member\">Make member</button>"));

  auto down = post(admin, "/team/members/usr_mo/role", {{"role", "member"}});
  EXPECT_EQ(down.status, 303);
  EXPECT_EQ(role_of("usr_mo"), domain::Role::member);
}

TEST_F(WorkspaceRoutes, LastAdminCannotBeDemoted) {
  auto res = post(login(ada), "/team/members/usr_ada/role", {{"role", "member"}});
  EXPECT_EQ(res.status, 409);
  EXPECT_THAT(res.body, HasSubstr("role=\"alert\">The team needs at least one admin"));
  EXPECT_THAT(res.body, HasSubstr("<h1>Team</h1>"));  // the team page again, not an error page
  EXPECT_EQ(role_of("usr_ada"), domain::Role::admin);
}

TEST_F(WorkspaceRoutes, RoleFormWithoutCsrfIsRefused) {
  Browser admin = login(ada);
  EXPECT_EQ(post(admin, "/team/members/usr_mo/role", {{"role", "admin"}}, false).status, 403);
  // Another session's token is as wrong as none (a token stolen from one tab is not a key to
  // another).
  Browser other = login(ada);
  auto res = post(admin, "/team/members/usr_mo/role",
                  {{"role", "admin"}, {"csrf_token", other.csrf}}, false);
  EXPECT_EQ(res.status, 403);
  EXPECT_THAT(res.body, HasSubstr("Reload the page"));
  EXPECT_EQ(role_of("usr_mo"), domain::Role::member);
}

TEST_F(WorkspaceRoutes, MemberGets403OnBilling) {
  Browser member = login(mo);
  auto res = get(member, "/billing");
  EXPECT_EQ(res.status, 403);
  EXPECT_THAT(res.body, HasSubstr("Only team admins can see billing."));
  EXPECT_EQ(get(member, "/billing.csv?from=2026-11-01&to=2026-11-29").status, 403);
  EXPECT_EQ(get(member, "/activity").status, 403);
}

TEST_F(WorkspaceRoutes, AdminSeesBillingWithChart) {
  Browser admin = login(ada);
  (void)create_token(admin, "ci runner");
  std::string token_id = (*db->tokens().list("acme", std::nullopt))[0].id;
  add_usage(token_id, "llama-3-8b", "2026-11-03", 1'250'000);
  add_usage(token_id, "mixtral", "2026-11-03", 500'000);
  add_usage("tok_gone", "llama-3-8b", "2026-11-20", 2'000);

  auto res = get(admin, "/billing?from=2026-11-01&to=2026-11-29");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_THAT(res.body, HasSubstr("<strong>$1.752</strong>"));
  EXPECT_THAT(res.body, HasSubstr("<svg "));
  EXPECT_THAT(res.body, HasSubstr("role=\"img\""));
  EXPECT_THAT(res.body, HasSubstr("<title>2026-11-03: $1.75</title>"));
  EXPECT_THAT(res.body, HasSubstr("<td><code>mixtral</code></td>"));
  EXPECT_THAT(res.body, HasSubstr("<td>ci runner</td>"));     // token name while it exists
  EXPECT_THAT(res.body, HasSubstr("<code>tok_gone</code>"));  // its id when it does not
  EXPECT_THAT(res.body, HasSubstr("href=\"/billing.csv?from=2026-11-01&amp;to=2026-11-29\""));
  EXPECT_THAT(res.body, HasSubstr(">Download CSV</a>"));

  // Default period: the 30 days ending today (UTC).
  auto dflt = get(admin, "/billing");
  EXPECT_EQ(dflt.status, 200);
  EXPECT_THAT(dflt.body, HasSubstr("name=\"from\" id=\"from\" value=\"2026-10-31\""));
  EXPECT_THAT(dflt.body, HasSubstr("name=\"to\" id=\"to\" value=\"2026-11-29\""));

  auto bad = get(admin, "/billing?from=2026-11-30&to=2026-11-01");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("role=\"alert\">The period starts after it ends."));
}

TEST_F(WorkspaceRoutes, BillingCsvIsAttachmentAndEscapesFormulas) {
  add_usage("tok_a", "=HYPERLINK(\"http://evil.test\",\"x\")", "2026-11-02", 1'000'000);
  add_usage("tok_a", "@SUM(A1)", "2026-11-02", 20);
  add_usage("tok_a", "llama", "2026-11-05", 3'000'000);
  auto res = get(login(ada), "/billing.csv?from=2026-11-01&to=2026-11-29");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(res.header("Content-Disposition"),
            "attachment; filename=\"usage-acme-2026-11-01-2026-11-29.csv\"");
  EXPECT_EQ(
      res.body,
      "day,model,token_id,input_tokens,output_tokens,cost_usd\r\n"
      "2026-11-02,\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\",tok_a,1000,500,1.000000\r\n"
      "2026-11-02,'@SUM(A1),tok_a,1000,500,0.000020\r\n"
      "2026-11-05,llama,tok_a,1000,500,3.000000\r\n");
}

TEST_F(WorkspaceRoutes, TokenSecretShownOnceThenOnlyPrefix) {
  Browser member = login(mo);
  auto res = post(member, "/tokens", {{"name", "ci"}});
  ASSERT_EQ(res.status, 201) << res.body;
  EXPECT_EQ(res.header("Cache-Control"), "no-store");
  EXPECT_THAT(res.body, HasSubstr("<label for=\"new-token\">Your new token — copy it now, it will "
                                  "not be shown again</label>"));
  EXPECT_THAT(res.body, HasSubstr("href=\"/tokens\""));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      res.body, m,
      std::regex(
          R"re(<input [^>]*id="new-token"[^>]*value="(gh_[A-Za-z0-9_-]{43})"[^>]* readonly)re")))
      << res.body;
  const std::string secret = m[1].str();
  EXPECT_TRUE(token_works(secret));

  auto list = get(member, "/tokens");
  ASSERT_EQ(list.status, 200);
  EXPECT_THAT(list.body, Not(HasSubstr(secret)));
  EXPECT_THAT(list.body, HasSubstr("<code>" + secret.substr(0, 10) + "…</code>"));
  EXPECT_THAT(list.body, HasSubstr("<td>mo@acme.test</td>"));  // created by
  EXPECT_THAT(list.body, HasSubstr("<td>never</td>"));         // last used

  auto empty = post(member, "/tokens", {{"name", ""}});
  EXPECT_EQ(empty.status, 400);
  EXPECT_THAT(empty.body, HasSubstr("role=\"alert\">A token needs a name of 1 to 100 characters."));
}

TEST_F(WorkspaceRoutes, RevokeWithoutCsrfIsRefused) {
  Browser member = login(mo);
  std::string secret = create_token(member, "ci");
  std::string id = (*db->tokens().list("acme", std::nullopt))[0].id;
  EXPECT_EQ(post(member, "/tokens/" + id + "/revoke", {}, false).status, 403);
  EXPECT_TRUE(token_works(secret));

  auto ok = post(member, "/tokens/" + id + "/revoke", {});
  EXPECT_EQ(ok.status, 303);
  EXPECT_EQ(ok.header("Location"), "/tokens");
  EXPECT_FALSE(token_works(secret));
}

// Object ids of another team are "not found", never "forbidden", so ids
// cannot be probed across teams.
TEST_F(WorkspaceRoutes, CrossTeamTokenRevokeIs404) {
  add_team("globex", domain::Workspace::shared);
  auto hank = add_user("globex", "usr_hank", "hank@globex.test", "Hank", domain::Role::member);
  Browser b = login(hank);
  std::string secret = create_token(b, "globex ci");
  std::string id = (*db->tokens().list("globex", std::nullopt))[0].id;

  auto res = post(login(mo), "/tokens/" + id + "/revoke", {});
  EXPECT_EQ(res.status, 404);
  EXPECT_TRUE(token_works(secret));
}

TEST_F(WorkspaceRoutes, DuplicateModelIs409) {
  Browser member = login(mo);
  auto first = post(member, "/models", {{"name", "support-bot"}, {"base_model", "llama-3-8b"}});
  EXPECT_EQ(first.status, 303);
  EXPECT_EQ(first.header("Location"), "/models");
  auto again = post(member, "/models", {{"name", "support-bot"}, {"base_model", "mixtral"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_THAT(
      again.body,
      HasSubstr("role=\"alert\">Your team already has a model named &apos;support-bot&apos;."));
  EXPECT_THAT(again.body, HasSubstr("value=\"mixtral\""));  // what was typed stays in the form

  auto list = get(member, "/models");
  EXPECT_THAT(list.body, HasSubstr("<code>llama-3-8b</code>"));
  std::string id = (*db->models().list("acme", std::nullopt))[0].id;
  EXPECT_EQ(post(member, "/models/" + id + "/delete", {}).status, 303);
  EXPECT_TRUE(db->models().list("acme", std::nullopt)->empty());
}

TEST_F(WorkspaceRoutes, PersonalWorkspaceShowsOnlyOwnTokens) {
  add_team("solo", domain::Workspace::personal);
  auto pat = add_user("solo", "usr_pat", "pat@solo.test", "Pat", domain::Role::admin);
  auto sam = add_user("solo", "usr_sam", "sam@solo.test", "Sam", domain::Role::member);
  Browser p = login(pat), s = login(sam);
  create_token(p, "pats-token");
  create_token(s, "sams-token");
  auto mine = get(p, "/tokens");
  EXPECT_THAT(mine.body, HasSubstr("pats-token"));
  EXPECT_THAT(mine.body, Not(HasSubstr("sams-token")));
  EXPECT_THAT(mine.body, HasSubstr("only the tokens they created"));
  auto theirs = get(s, "/tokens");
  EXPECT_THAT(theirs.body, HasSubstr("sams-token"));
  EXPECT_THAT(theirs.body, Not(HasSubstr("pats-token")));
}

TEST_F(WorkspaceRoutes, PagesWithoutSessionRedirectToLogin) {
  Browser nobody;
  for (const char* path :
       {"/team", "/tokens", "/models", "/billing", "/billing.csv", "/activity"}) {
    auto res = get(nobody, path);
    EXPECT_EQ(res.status, 302) << path;
    EXPECT_EQ(res.header("Location"), "/login") << path;
  }
  Browser stale{"x", "y"};
  EXPECT_EQ(get(stale, "/team").status, 302);
  for (const char* path : {"/tokens", "/models", "/tokens/tok_x/revoke", "/models/m/delete",
                           "/team/members/usr_mo/role"}) {
    auto res = post(nobody, path, {{"name", "x"}});
    EXPECT_EQ(res.status, 303) << path;
    EXPECT_EQ(res.header("Location"), "/login") << path;
  }
}

// CSP: script-src is 'none' and style-src 'self', so an inline script,
// <style>, style= attribute or on*= handler would be blocked (and is a smell).
TEST_F(WorkspaceRoutes, NoInlineScriptOrStyleOnAnyPage) {
  Browser admin = login(ada), member = login(mo);
  create_token(admin, "ci");
  add_usage("tok_x", "llama", "2026-11-10", 10'000);
  (void)post(admin, "/models", {{"name", "bot"}, {"base_model", "llama"}});
  std::vector<std::pair<std::string, http::Response>> pages_seen = {
      {"team/admin", get(admin, "/team")},
      {"team/member", get(member, "/team")},
      {"tokens", get(admin, "/tokens")},
      {"token_created", post(admin, "/tokens", {{"name", "second"}})},
      {"tokens/400", post(admin, "/tokens", {{"name", ""}})},
      {"models", get(admin, "/models")},
      {"models/409", post(admin, "/models", {{"name", "bot"}, {"base_model", "x"}})},
      {"billing", get(admin, "/billing")},
      {"billing/400", get(admin, "/billing?from=x&to=y")},
      {"billing/403", get(member, "/billing")},
      {"activity", get(admin, "/activity")},
      {"team/409", post(admin, "/team/members/usr_ada/role", {{"role", "member"}})},
  };
  const std::regex inline_code(R"((<script|<style|\sstyle\s*=|\son[a-z]+\s*=|javascript:))",
                               std::regex::icase);
  for (const auto& [name, res] : pages_seen) {
    EXPECT_THAT(res.header("Content-Type").value_or(""), HasSubstr("text/html")) << name;
    EXPECT_FALSE(std::regex_search(res.body, inline_code)) << name << "\n" << res.body;
  }
  auto activity = get(admin, "/activity");
  EXPECT_THAT(activity.body, HasSubstr("<td>token.create</td>"));
  EXPECT_THAT(activity.body, HasSubstr("ada@acme.test"));
  EXPECT_THAT(activity.body, HasSubstr("name: ci"));
}

// XSS: token names are typed by people and shown to their whole team.
TEST_F(WorkspaceRoutes, TokenNameIsHtmlEscaped) {
  Browser member = login(mo);
  const std::string evil = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";
  auto created = post(member, "/tokens", {{"name", evil}});
  ASSERT_EQ(created.status, 201);
  EXPECT_THAT(created.body, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(created.body, Not(HasSubstr("<img")));
  auto list = get(member, "/tokens");
  EXPECT_THAT(list.body, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(list.body, Not(HasSubstr("<img")));
  EXPECT_THAT(
      list.body,
      HasSubstr(
          "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
}

}  // namespace
}  // namespace gatehouse::web
