#include "web/pages.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace gatehouse::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Viewer member() {
  return {.name = "Mo Member",
          .email = "mo@acme.test",
          .team_name = "Acme Research",
          .team_id = "acme-research",
          .role = "member",
          .csrf_token = "csrf-member-0123",
          .is_admin = false};
}

Viewer admin() {
  Viewer v = member();
  v.name = "Ada Admin";
  v.role = "admin";
  v.csrf_token = "csrf-admin-4567";
  v.is_admin = true;
  return v;
}

const Pages& pages() {
  static const Pages p;
  return p;
}

// Every page a person can see, in the states that change its markup.
std::vector<std::string> every_page() {
  return {
      pages().login(),
      pages().login_sso({}),
      pages().login_sso({.error = "No team acme here.", .team_id = "acme"}),
      pages().error({.status = 502,
                     .title = "Sign-in failed",
                     .message = "Try again.",
                     .reference = "req-1"}),
      pages().error({.status = 403,
                     .title = "Admins only",
                     .message = "Ask an admin.",
                     .reference = "req-2",
                     .viewer = member()}),
      pages().dashboard({member()}),
      pages().dashboard({admin()}),
  };
}

// The text between the opening tag that contains `marker` and its closing tag.
std::string element_containing(const std::string& html, const std::string& marker,
                               const std::string& tag) {
  auto at = html.find(marker);
  if (at == std::string::npos) return {};
  auto open = html.rfind("<" + tag, at);
  auto close = html.find("</" + tag + ">", at);
  if (open == std::string::npos || close == std::string::npos) return {};
  return html.substr(open, close - open);
}

bool has_link(const std::string& html, const std::string& href) {
  return html.find("href=\"" + href + "\"") != std::string::npos;
}

TEST(Pages, LoginPageHasCorporateSsoButton) {
  std::string html = pages().login();
  EXPECT_TRUE(std::regex_search(
      html, std::regex(R"re(<a [^>]*href="/login_sso"[^>]*>Corporate SSO</a>)re")))
      << html;
  EXPECT_THAT(html, HasSubstr("<h1 id=\"login-heading\">Sign in</h1>"));
  EXPECT_THAT(html, HasSubstr("<title>Sign in · gatehouse</title>"));
}

TEST(Pages, LoginSsoFormHasTeamIdFieldAndSsoLoginButton) {
  std::string html = pages().login_sso({.team_id = "acme"});
  std::string form = element_containing(html, "action=\"/login_sso\"", "form");
  ASSERT_FALSE(form.empty()) << html;
  EXPECT_THAT(form, HasSubstr("method=\"post\""));
  std::smatch input;
  ASSERT_TRUE(std::regex_search(form, input, std::regex(R"(<input [^>]*name="team_id"[^>]*>)")));
  for (const char* attr :
       {"id=\"team_id\"", "type=\"text\"", "value=\"acme\"", "autocomplete=\"organization\"",
        "autocapitalize=\"none\"", "spellcheck=\"false\"", " required"})
    EXPECT_THAT(input.str(), HasSubstr(attr));
  EXPECT_THAT(input.str(), Not(HasSubstr("aria-invalid")));
  EXPECT_THAT(form, HasSubstr("<label for=\"team_id\">Team ID</label>"));
  EXPECT_THAT(form, HasSubstr("like acme or acme-research."));
  EXPECT_TRUE(
      std::regex_search(form, std::regex(R"(<button type="submit"[^>]*>SSO Login</button>)")));
  // SPEC §3: the /login_sso form needs no CSRF token, and a signed-out page has none to give.
  EXPECT_THAT(html, Not(HasSubstr("csrf_token")));
  EXPECT_THAT(html, Not(HasSubstr("role=\"alert\"")));
}

TEST(Pages, LoginSsoErrorIsAnnouncedAndTiedToTheField) {
  std::string html = pages().login_sso({.error = "No team nope here.", .team_id = "nope"});
  EXPECT_TRUE(std::regex_search(
      html,
      std::regex(
          R"re(<div [^>]*id="team_id-error"[^>]*role="alert"[^>]*>No team nope here\.</div>)re")))
      << html;
  std::smatch input;
  ASSERT_TRUE(std::regex_search(html, input, std::regex(R"(<input [^>]*name="team_id"[^>]*>)")));
  EXPECT_THAT(input.str(), HasSubstr("aria-invalid=\"true\""));
  EXPECT_THAT(input.str(), HasSubstr("aria-describedby=\"team_id-error team_id-hint\""));
  // The alert comes before the form so screen readers and eyes meet it first.
  EXPECT_LT(html.find("role=\"alert\""), html.find("<form"));
}

TEST(Pages, EmptyErrorDrawsNoAlert) {
  EXPECT_THAT(pages().login_sso({.error = "", .team_id = "x"}), Not(HasSubstr("role=\"alert\"")));
}

// XSS: the Team ID is typed by anyone and echoed back in the 404 form.
TEST(Pages, ErrorTextIsHtmlEscaped) {
  const std::string evil = "<script>alert(1)</script>";
  const std::string breakout = "\"><img src=x onerror=alert(1)>";
  std::string sso = pages().login_sso({.error = "No team " + evil + " here.", .team_id = breakout});
  EXPECT_THAT(sso, Not(HasSubstr("<script")));
  EXPECT_THAT(sso, Not(HasSubstr("<img")));
  EXPECT_THAT(sso, HasSubstr("No team &lt;script&gt;alert(1)&lt;/script&gt; here."));
  EXPECT_THAT(sso, HasSubstr("value=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""));

  Viewer v = member();
  v.name = evil;
  std::string err = pages().error(
      {.title = evil, .message = evil, .reference = evil, .back_label = evil, .viewer = v});
  EXPECT_THAT(err, Not(HasSubstr("<script")));
  EXPECT_THAT(err, HasSubstr("<title>&lt;script&gt;"));
  EXPECT_THAT(pages().dashboard({v}), Not(HasSubstr("<script")));
}

TEST(Pages, ErrorPageShowsMessageReferenceAndWayBack) {
  std::string html = pages().error({.status = 504,
                                    .title = "Sign-in timed out",
                                    .message = "Your identity provider did not answer in time.",
                                    .reference = "req-7f3a"});
  EXPECT_THAT(html, HasSubstr("<title>Sign-in timed out · gatehouse</title>"));
  EXPECT_THAT(html, HasSubstr(">Sign-in timed out</h1>"));
  EXPECT_THAT(html, HasSubstr("Your identity provider did not answer in time."));
  EXPECT_THAT(html, HasSubstr("Reference: <code>req-7f3a</code>"));
  EXPECT_THAT(html, HasSubstr("administrator"));
  EXPECT_TRUE(std::regex_search(
      html, std::regex(R"re(<a [^>]*href="/login_sso"[^>]*>Back to Corporate SSO</a>)re")));
  EXPECT_THAT(html, Not(HasSubstr("action=\"/logout\"")));  // signed out: no header controls
}

// The back link is ours to choose; a stray absolute or protocol-relative URL
// would make the error page an open redirect.
TEST(Pages, ErrorBackLinkStaysOnSite) {
  for (const char* href :
       {"https://evil.test/", "//evil.test/", "/\\evil.test", "javascript:alert(1)"}) {
    std::string html = pages().error({.title = "x", .back_href = href, .back_label = "Go"});
    EXPECT_THAT(html, Not(HasSubstr("evil.test"))) << href;
    EXPECT_THAT(html, Not(HasSubstr("javascript:"))) << href;
    EXPECT_TRUE(has_link(html, "/login_sso")) << href;
  }
  EXPECT_TRUE(
      has_link(pages().error({.back_href = "/dashboard", .back_label = "Back"}), "/dashboard"));
}

TEST(Pages, LogoutFormCarriesCsrfToken) {
  for (const Viewer& v : {member(), admin()}) {
    std::string html = pages().dashboard({v});
    std::string form = element_containing(html, "action=\"/logout\"", "form");
    ASSERT_FALSE(form.empty()) << html;
    EXPECT_THAT(form, HasSubstr("method=\"post\""));
    EXPECT_THAT(form, HasSubstr("<input type=\"hidden\" name=\"csrf_token\" value=\"" +
                                v.csrf_token + "\">"));
    EXPECT_TRUE(
        std::regex_search(form, std::regex(R"(<button type="submit"[^>]*>Sign out</button>)")));
  }
  std::string err = pages().error({.title = "Admins only", .viewer = member()});
  EXPECT_THAT(element_containing(err, "action=\"/logout\"", "form"),
              HasSubstr("value=\"csrf-member-0123\""));
}

TEST(Pages, HeaderShowsWhoIsSignedIn) {
  std::string html = pages().dashboard({admin()});
  std::string header = element_containing(html, "class=\"site-header\"", "header");
  EXPECT_THAT(header, HasSubstr("gatehouse"));
  EXPECT_THAT(header, HasSubstr("Ada Admin"));
  EXPECT_THAT(header, HasSubstr("Acme Research"));
  EXPECT_THAT(header, HasSubstr(">admin</span>"));
}

TEST(Pages, MemberDashboardHasNoBillingLink) {
  std::string html = pages().dashboard({member()});
  EXPECT_THAT(html, HasSubstr("Welcome, Mo Member</h1>"));
  EXPECT_THAT(html, HasSubstr("acme-research"));
  EXPECT_THAT(html, HasSubstr(">member</span>"));
  for (const char* href : {"/team", "/tokens", "/models"})
    EXPECT_TRUE(has_link(html, href)) << href;
  EXPECT_FALSE(has_link(html, "/billing"));
  EXPECT_FALSE(has_link(html, "/activity"));
  EXPECT_THAT(html, Not(HasSubstr("Billing")));
}

TEST(Pages, AdminDashboardHasBillingLink) {
  std::string html = pages().dashboard({admin()});
  EXPECT_THAT(html, HasSubstr("Welcome, Ada Admin</h1>"));
  EXPECT_THAT(html, HasSubstr(">admin</span>"));
  for (const char* href : {"/team", "/tokens", "/models", "/billing", "/activity"})
    EXPECT_TRUE(has_link(html, href)) << href;
  EXPECT_THAT(html, HasSubstr("<a href=\"/billing\">Billing</a>"));
}

// CSP is default-src 'none'; style-src 'self': inline code would be blocked,
// so it must not be written in the first place.
TEST(Pages, NoInlineScriptOrStyle) {
  const std::regex handler(R"(\son[a-z]+\s*=)", std::regex::icase);
  for (const std::string& html : every_page()) {
    EXPECT_THAT(html, Not(HasSubstr("<script"))) << html;
    EXPECT_THAT(html, Not(HasSubstr(" style="))) << html;
    EXPECT_THAT(html, Not(HasSubstr("<style"))) << html;
    EXPECT_FALSE(std::regex_search(html, handler)) << html;
    EXPECT_THAT(html, Not(HasSubstr("http://")));  // no external assets
    EXPECT_THAT(html, Not(HasSubstr("https://")));
  }
}

TEST(Pages, EveryInputHasALabel) {
  const std::regex input(R"(<(input|select|textarea)\b[^>]*>)");
  const std::regex id(R"re(\sid="([^"]+)")re");
  for (const std::string& html : every_page()) {
    for (std::sregex_iterator it(html.begin(), html.end(), input), end; it != end; ++it) {
      std::string tag = it->str();
      if (tag.find("type=\"hidden\"") != std::string::npos) continue;
      std::smatch m;
      ASSERT_TRUE(std::regex_search(tag, m, id)) << "input without id: " << tag;
      EXPECT_THAT(html, HasSubstr("<label for=\"" + m[1].str() + "\">")) << tag;
    }
  }
}

TEST(Pages, EveryPageIsACompleteDocument) {
  for (const std::string& html : every_page()) {
    EXPECT_TRUE(html.starts_with("<!doctype html>")) << html.substr(0, 40);
    EXPECT_THAT(html, HasSubstr("<html lang=\"en\">"));
    EXPECT_THAT(html, HasSubstr("<meta charset=\"utf-8\">"));
    EXPECT_THAT(html, HasSubstr("name=\"viewport\""));
    EXPECT_THAT(html, HasSubstr("<link rel=\"stylesheet\" href=\"/static/style.css\">"));
    EXPECT_THAT(html, HasSubstr("<a class=\"skip-link\" href=\"#main\">"));
    EXPECT_THAT(html, HasSubstr("<main id=\"main\""));
    EXPECT_THAT(html, HasSubstr("</html>"));
  }
}

// Later pages (team, tokens, billing) build their own data; the viewer, and
// with it the csrf_token their forms need, must reach the body without each
// handler copying it in.
TEST(Pages, RenderGivesTheBodyTheViewer) {
  std::string html = pages().render("dashboard", "Custom", admin(), kainjow::mustache::data{});
  EXPECT_THAT(html, HasSubstr("<title>Custom · gatehouse</title>"));
  EXPECT_THAT(html, HasSubstr("Welcome, Ada Admin</h1>"));
  EXPECT_THAT(html, HasSubstr("href=\"/billing\""));
}

TEST(Pages, RenderKeepsAViewerTheDataSets) {
  Viewer other = member();
  other.name = "Someone Else";
  kainjow::mustache::data d;
  d.set("viewer", kainjow::mustache::data("name", kainjow::mustache::data(other.name)));
  std::string html = pages().render("dashboard", "Custom", admin(), d);
  EXPECT_THAT(html, HasSubstr("Welcome, Someone Else</h1>"));
}

TEST(Pages, RenderUnknownTemplateThrows) {
  EXPECT_THROW((void)pages().render("no-such-page", "x", std::nullopt, {}), std::invalid_argument);
  EXPECT_THROW((void)pages().render("../layout", "x", std::nullopt, {}), std::invalid_argument);
}

TEST(Pages, RendersTheSameFromManyThreads) {
  const std::string want_member = pages().dashboard({member()});
  const std::string want_sso = pages().login_sso({.error = "e", .team_id = "t"});
  std::vector<std::thread> threads;
  std::vector<int> mismatches(8, 0);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (pages().dashboard({member()}) != want_member) ++mismatches[t];
        if (pages().login_sso({.error = "e", .team_id = "t"}) != want_sso) ++mismatches[t];
      }
    });
  for (auto& th : threads) th.join();
  for (int n : mismatches) EXPECT_EQ(n, 0);
}

TEST(Pages, StylesheetIsEmbeddedAndSmall) {
  std::string_view css = stylesheet();
  EXPECT_FALSE(css.empty());
  EXPECT_LT(css.size(), 8u * 1024u);
  EXPECT_THAT(std::string(css), HasSubstr(":focus-visible"));
  EXPECT_THAT(std::string(css), Not(HasSubstr("@import")));
  EXPECT_THAT(std::string(css), Not(HasSubstr("url(")));
}

}  // namespace
}  // namespace gatehouse::web
