// SigninFlow and Sessions against a real SQLite store, a real SecretBox and a
// provider played by the test (SPEC.md §3, §7). Each test is named after what
// it stops.
#include "signin/flow.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/hash.hpp"
#include "signin/sessions.hpp"
#include "signin/signin_world.hpp"

namespace gatehouse::testing {
namespace {

using signin::FailureKind;
using Row = store::sqlite::Row;

http::Params q(std::initializer_list<std::pair<std::string, std::string>> items) {
  return http::Params(std::vector<std::pair<std::string, std::string>>(items));
}

class SigninFlow : public ::testing::Test {
 protected:
  SigninWorld w;

  std::int64_t scalar(const std::string& sql,
                      const std::vector<store::sqlite::Value>& params = {}) {
    std::int64_t n = -1;
    auto r = w.sql()->query(sql, params, [&](Row& row) { n = row.int64(0); });
    if (!r) ADD_FAILURE() << "query failed: " << sql;
    return n;
  }
  std::int64_t rows(const std::string& table) { return scalar("SELECT COUNT(*) FROM " + table); }

  domain::User stored(const std::string& team_id, const std::string& sub) {
    auto u = w.db->users().find_by_sub(team_id, sub);
    if (!u || !*u) {
      ADD_FAILURE() << "no user " << team_id << "/" << sub;
      return {};
    }
    return **u;
  }

  static std::string why(const tl::expected<signin::SignedIn, signin::Failure>& r) {
    return r ? "signed in" : signin::code(r.error()) + " (" + r.error().detail + ")";
  }

  void expect_failure(const tl::expected<signin::SignedIn, signin::Failure>& r, FailureKind kind,
                      int status) {
    ASSERT_FALSE(r) << "expected " << static_cast<int>(kind) << ", got a sign-in";
    EXPECT_EQ(r.error().kind, kind) << why(r);
    EXPECT_EQ(signin::status(r.error()), status) << why(r);
  }
};

// ---------------------------------------------------------------- people

TEST_F(SigninFlow, FirstSignInCreatesMember) {
  auto done = w.sign_in("acme", w.idp, "00u-bob", "bob@acme.example", "Bob Builder");
  ASSERT_TRUE(done) << why(done);
  EXPECT_EQ(done->return_to, "/dashboard");
  EXPECT_EQ(done->team.id, "acme");

  auto bob = stored("acme", "00u-bob");
  EXPECT_EQ(bob.id, done->user.id);
  EXPECT_EQ(bob.email, "bob@acme.example");
  EXPECT_EQ(bob.name, "Bob Builder");
  EXPECT_EQ(bob.role, domain::Role::member);
  EXPECT_EQ(bob.created_at, SigninWorld::kNow);
  EXPECT_EQ(bob.last_login_at, SigninWorld::kNow);

  auto who = w.sessions.authenticate(done->session.cookie_value);
  ASSERT_TRUE(who && *who);
  EXPECT_EQ((*who)->user.id, bob.id);
  EXPECT_EQ((*who)->session.csrf_token, done->session.csrf_token);

  auto events = w.db->audit().list({.team_id = "acme"});
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().action, "signin.success");
  EXPECT_EQ(events->front().target, bob.id);
}

TEST_F(SigninFlow, AdminEmailBecomesAdminCaseInsensitive) {
  auto ada = w.sign_in("acme", w.idp, "00u-ada", "Ada@ACME.Example");
  ASSERT_TRUE(ada) << why(ada);
  EXPECT_EQ(ada->user.role, domain::Role::admin);
  EXPECT_EQ(stored("acme", "00u-ada").role, domain::Role::admin);

  // The other direction: the operator typed capitals, the provider did not.
  FakeProvider beta_idp(w.http, "https://beta.idp.example");
  w.add_team("beta", beta_idp, "Grace@Beta.Example");
  auto grace = w.sign_in("beta", beta_idp, "00u-grace", "grace@beta.example", "Grace");
  ASSERT_TRUE(grace) << why(grace);
  EXPECT_EQ(grace->user.role, domain::Role::admin);

  auto bob = w.sign_in("acme", w.idp, "00u-bob", "bob@acme.example", "Bob");
  ASSERT_TRUE(bob) << why(bob);
  EXPECT_EQ(bob->user.role, domain::Role::member);
}

TEST_F(SigninFlow, UnverifiedAdminEmailStaysMember) {
  // Anyone can put the admin's address on an unverified account at some
  // providers; only a verified (or unqualified) address counts (SPEC §7).
  auto unverified = w.sign_in("acme", w.idp, "00u-fake1", "ada@acme.example", "Ada?",
                              [](nlohmann::json& c) { c["email_verified"] = false; });
  ASSERT_TRUE(unverified) << why(unverified);
  EXPECT_EQ(unverified->user.role, domain::Role::member);

  auto unverified_text = w.sign_in("acme", w.idp, "00u-fake2", "ada@acme.example", "Ada?",
                                   [](nlohmann::json& c) { c["email_verified"] = "false"; });
  ASSERT_TRUE(unverified_text) << why(unverified_text);
  EXPECT_EQ(unverified_text->user.role, domain::Role::member);

  // Not saying anything is not saying false.
  auto unqualified = w.sign_in("acme", w.idp, "00u-ada", "ada@acme.example", "Ada",
                               [](nlohmann::json& c) { c.erase("email_verified"); });
  ASSERT_TRUE(unqualified) << why(unqualified);
  EXPECT_EQ(unqualified->user.role, domain::Role::admin);
}

TEST_F(SigninFlow, SecondSignInRefreshesEmailAndNameKeepsRole) {
  auto first = w.sign_in("acme", w.idp, "00u-ada", "ada@acme.example", "Ada");
  ASSERT_TRUE(first) << why(first);
  ASSERT_EQ(first->user.role, domain::Role::admin);

  w.clock.advance(std::chrono::hours(24));
  auto second = w.sign_in("acme", w.idp, "00u-ada", "ada.lovelace@acme.example", "Ada Lovelace");
  ASSERT_TRUE(second) << why(second);
  EXPECT_EQ(second->user.id, first->user.id);
  auto ada = stored("acme", "00u-ada");
  EXPECT_EQ(ada.email, "ada.lovelace@acme.example");
  EXPECT_EQ(ada.name, "Ada Lovelace");
  // The admin email no longer matches; the role was decided at first sign-in.
  EXPECT_EQ(ada.role, domain::Role::admin);
  EXPECT_EQ(ada.created_at, SigninWorld::kNow);
  EXPECT_EQ(ada.last_login_at, SigninWorld::kNow + 24 * 3600);

  // And the other way: a member whose address later becomes the admin
  // address is not promoted by signing in again.
  auto bob = w.sign_in("acme", w.idp, "00u-bob", "bob@acme.example", "Bob");
  ASSERT_TRUE(bob) << why(bob);
  auto bob_again = w.sign_in("acme", w.idp, "00u-bob", "ada@acme.example", "Bob");
  ASSERT_TRUE(bob_again) << why(bob_again);
  EXPECT_EQ(stored("acme", "00u-bob").role, domain::Role::member);
  EXPECT_EQ(rows("users"), 2);
}

TEST_F(SigninFlow, IdentityIsTeamAndSubNotEmail) {
  // OIDC Core §5.7: only (iss, sub) is stable and unique; emails are
  // reassigned and can be set by users at some providers.
  auto one = w.sign_in("acme", w.idp, "00u-one", "shared@acme.example", "One");
  auto two = w.sign_in("acme", w.idp, "00u-two", "shared@acme.example", "Two");
  ASSERT_TRUE(one) << why(one);
  ASSERT_TRUE(two) << why(two);
  EXPECT_NE(one->user.id, two->user.id);
  EXPECT_EQ(stored("acme", "00u-one").name, "One");
  EXPECT_EQ(stored("acme", "00u-two").name, "Two");

  // The same sub at another team's provider is another person.
  FakeProvider beta_idp(w.http, "https://beta.idp.example");
  w.add_team("beta", beta_idp, "admin@beta.example");
  auto other = w.sign_in("beta", beta_idp, "00u-one", "shared@acme.example", "One at Beta");
  ASSERT_TRUE(other) << why(other);
  EXPECT_NE(other->user.id, one->user.id);
  EXPECT_EQ(other->user.team_id, "beta");
  EXPECT_EQ(stored("acme", "00u-one").name, "One");
  EXPECT_EQ(rows("users"), 3);

  auto who = w.sessions.authenticate(other->session.cookie_value);
  ASSERT_TRUE(who && *who);
  EXPECT_EQ((*who)->team.id, "beta");
}

// ---------------------------------------------------------------- the attempt

TEST_F(SigninFlow, ReplayedCallbackIsRefused) {
  auto a = w.begin("acme");
  ASSERT_TRUE(a);
  w.idp.issue(w.idp.claims("00u-ada", a->request.nonce, w.clock.unix_seconds()));
  auto params = w.idp.callback(a->request.state);
  ASSERT_TRUE(w.flow.callback(params, a->started.browser_cookie));

  // RFC 9700 §4.7 / OIDC Core §15.5.2: the attempt is single-use.
  auto replay = w.flow.callback(params, a->started.browser_cookie);
  expect_failure(replay, FailureKind::attempt_unknown, 400);
  EXPECT_EQ(w.http.count(w.idp.token_url), 1u);
  EXPECT_EQ(rows("sessions"), 1);
}

TEST_F(SigninFlow, CallbackWithoutBrowserCookieIsLoginCsrf) {
  // The attacker starts a sign-in to their own account and sends the victim
  // the callback link (RFC 9700 §4.7.1): the victim's browser lacks gh_login.
  auto a = w.begin("acme");
  ASSERT_TRUE(a);
  w.idp.issue(w.idp.claims("00u-attacker", a->request.nonce, w.clock.unix_seconds()));
  auto r = w.flow.callback(w.idp.callback(a->request.state), std::nullopt);
  expect_failure(r, FailureKind::browser_mismatch, 400);
  EXPECT_EQ(w.http.count(w.idp.token_url), 0u);
  EXPECT_EQ(rows("sessions"), 0);
  EXPECT_EQ(rows("users"), 0);
}

TEST_F(SigninFlow, CallbackFromAnotherBrowserIsRefusedAndConsumesAttempt) {
  auto a = w.begin("acme");
  ASSERT_TRUE(a);
  w.idp.issue(w.idp.claims("00u-attacker", a->request.nonce, w.clock.unix_seconds()));
  auto params = w.idp.callback(a->request.state);
  auto victim_cookie = crypto::random_token(w.rng, 32);
  expect_failure(w.flow.callback(params, victim_cookie), FailureKind::browser_mismatch, 400);
  // Consumed: the attacker cannot finish it in their own browser afterwards either.
  expect_failure(w.flow.callback(params, a->started.browser_cookie), FailureKind::attempt_unknown,
                 400);
  EXPECT_EQ(w.http.count(w.idp.token_url), 0u);
  EXPECT_EQ(rows("login_attempts"), 0);
}

TEST_F(SigninFlow, TwoTabsShareOneBrowserCookie) {
  auto first = w.begin("acme");
  ASSERT_TRUE(first);
  auto second = w.begin("acme", first->started.browser_cookie);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->started.browser_cookie, first->started.browser_cookie);
  EXPECT_NE(second->request.state, first->request.state);
  auto a = w.complete(first->started, w.idp, "00u-ada", "ada@acme.example");
  auto b = w.complete(second->started, w.idp, "00u-ada", "ada@acme.example");
  EXPECT_TRUE(a) << why(a);
  EXPECT_TRUE(b) << why(b);
}

TEST_F(SigninFlow, AttemptExpiresAfterTenMinutes) {
  auto in_time = w.begin("acme");
  ASSERT_TRUE(in_time);
  w.clock.advance(std::chrono::seconds(599));
  auto ok = w.complete(in_time->started, w.idp, "00u-ada", "ada@acme.example");
  ASSERT_TRUE(ok) << why(ok);

  auto late = w.begin("acme");
  ASSERT_TRUE(late);
  w.clock.advance(std::chrono::seconds(600));
  w.idp.issue(w.idp.claims("00u-ada", late->request.nonce, w.clock.unix_seconds()));
  auto params = w.idp.callback(late->request.state);
  expect_failure(w.flow.callback(params, late->started.browser_cookie),
                 FailureKind::attempt_expired, 400);
  EXPECT_EQ(w.http.count(w.idp.token_url), 1u);
  // Expired is also used up.
  expect_failure(w.flow.callback(params, late->started.browser_cookie),
                 FailureKind::attempt_unknown, 400);
}

TEST_F(SigninFlow, UnknownStateIsRefusedWithoutTokenRequest) {
  // A forged callback must cost nothing: no call to the provider at all.
  auto forged = w.flow.callback(w.idp.callback("forged-state-0123456789abcdefghijklmnopqrstu"),
                                crypto::random_token(w.rng, 32));
  expect_failure(forged, FailureKind::attempt_unknown, 400);
  EXPECT_TRUE(w.http.requests().empty());

  auto no_state = w.flow.callback(q({{"code", "code-abc"}}), std::nullopt);
  expect_failure(no_state, FailureKind::state_missing, 400);
  auto empty_state = w.flow.callback(q({{"code", "code-abc"}, {"state", ""}}), std::nullopt);
  expect_failure(empty_state, FailureKind::state_missing, 400);
  EXPECT_TRUE(w.http.requests().empty());

  // A forged state does not disturb a real attempt in flight.
  auto a = w.begin("acme");
  ASSERT_TRUE(a);
  expect_failure(w.flow.callback(w.idp.callback(a->request.state + "x"), a->started.browser_cookie),
                 FailureKind::attempt_unknown, 400);
  EXPECT_EQ(w.http.count(w.idp.token_url), 0u);
  auto real = w.complete(a->started, w.idp, "00u-ada", "ada@acme.example");
  EXPECT_TRUE(real) << why(real);
}

TEST_F(SigninFlow, IssuerChangedDuringSignInIsRefused) {
  // An answer to an attempt made for the old provider must not be redeemed
  // with the new one's configuration.
  auto a = w.begin("acme");
  ASSERT_TRUE(a);
  FakeProvider moved(w.http, "https://new.idp.example");
  auto team = w.db->teams().find("acme");
  ASSERT_TRUE(team && *team);
  (*team)->issuer = moved.issuer;
  ASSERT_TRUE(w.db->teams().update(**team));
  auto r = w.complete(a->started, w.idp, "00u-ada", "ada@acme.example");
  expect_failure(r, FailureKind::attempt_unknown, 400);
  EXPECT_EQ(w.http.count(w.idp.token_url), 0u);
  EXPECT_EQ(w.http.count(moved.token_url), 0u);
}

// ---------------------------------------------------------------- teams

TEST_F(SigninFlow, DisabledTeamCannotStart) {
  w.set_enabled("acme", false);
  auto r = w.begin("acme");
  ASSERT_FALSE(r);
  // Indistinguishable from a Team ID that does not exist.
  EXPECT_EQ(r.error().kind, FailureKind::team_unknown);
  EXPECT_EQ(signin::status(r.error()), 404);
  auto unknown = w.begin("nobody");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(signin::message(unknown.error()), signin::message(r.error()));
  auto malformed = w.begin("Acme!");
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().kind, FailureKind::team_id_malformed);
  EXPECT_EQ(signin::status(malformed.error()), 400);
  EXPECT_TRUE(w.http.requests().empty());
  EXPECT_EQ(rows("login_attempts"), 0);
}

TEST_F(SigninFlow, TeamDisabledDuringSignInIsRefused) {
  auto a = w.begin("acme");
  ASSERT_TRUE(a);
  w.set_enabled("acme", false);
  auto r = w.complete(a->started, w.idp, "00u-ada", "ada@acme.example");
  expect_failure(r, FailureKind::team_disabled, 403);
  EXPECT_EQ(w.http.count(w.idp.token_url), 0u);
  EXPECT_EQ(rows("sessions"), 0);
  EXPECT_EQ(rows("users"), 0);
}

// ---------------------------------------------------------------- initiate (OIDC Core §4)

TEST_F(SigninFlow, InitiateWithoutIssIsRefused) {
  auto none = w.flow.initiate("acme", http::Params{}, std::nullopt);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, FailureKind::initiate_iss_missing);
  EXPECT_EQ(signin::status(none.error()), 400);
  auto empty = w.flow.initiate("acme", q({{"iss", ""}}), std::nullopt);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().kind, FailureKind::initiate_iss_missing);
  EXPECT_TRUE(w.http.requests().empty());
}

TEST_F(SigninFlow, InitiateWithForeignIssMakesNoRequest) {
  // The iss of an initiate request is attacker-chosen: fetching its
  // discovery document would be SSRF and a mix-up (RFC 9700 §4.4).
  for (const std::string iss :
       {"https://evil.example", "https://idp.example/", "HTTPS://IDP.EXAMPLE",
        "https://idp.example.evil.example", "http://127.0.0.1:9000"}) {
    auto r = w.flow.initiate("acme", q({{"iss", iss}}), std::nullopt);
    ASSERT_FALSE(r) << iss;
    EXPECT_EQ(r.error().kind, FailureKind::initiate_iss_mismatch) << iss;
    EXPECT_EQ(signin::status(r.error()), 400) << iss;
  }
  EXPECT_TRUE(w.http.requests().empty());
  EXPECT_EQ(rows("login_attempts"), 0);

  w.set_enabled("acme", false);
  auto disabled = w.flow.initiate("acme", q({{"iss", w.idp.issuer}}), std::nullopt);
  ASSERT_FALSE(disabled);
  EXPECT_EQ(signin::status(disabled.error()), 404);
  EXPECT_TRUE(w.http.requests().empty());
}

TEST_F(SigninFlow, InitiateKeepsOnlySafeTargetLinkUri) {
  auto land = [&](const std::string& target) -> std::string {
    auto s = w.flow.initiate("acme", q({{"iss", w.idp.issuer}, {"target_link_uri", target}}),
                             std::nullopt);
    if (!s) return "initiate failed: " + signin::code(s.error());
    auto done = w.complete(*s, w.idp, "00u-ada", "ada@acme.example");
    return done ? done->return_to : "callback failed: " + why(done);
  };
  EXPECT_EQ(land("https://sso.example.com/tokens?x=1"), "/tokens?x=1");
  EXPECT_EQ(land("/models"), "/models");
  EXPECT_EQ(land("//evil.example"), "/dashboard");
  EXPECT_EQ(land("https://evil.example/tokens"), "/dashboard");
  EXPECT_EQ(land("https://sso.example.com@evil.example/"), "/dashboard");
  EXPECT_EQ(land("javascript:alert(1)"), "/dashboard");
  auto s = w.flow.initiate("acme", q({{"iss", w.idp.issuer}}), std::nullopt);
  ASSERT_TRUE(s);
  auto done = w.complete(*s, w.idp, "00u-ada", "ada@acme.example");
  ASSERT_TRUE(done) << why(done);
  EXPECT_EQ(done->return_to, "/dashboard");
}

TEST_F(SigninFlow, InitiatePassesLoginHint) {
  auto s = w.flow.initiate("acme", q({{"iss", w.idp.issuer}, {"login_hint", "ada@acme.example"}}),
                           std::nullopt);
  ASSERT_TRUE(s);
  auto req = FakeProvider::authorization(s->redirect_url);
  EXPECT_EQ(req.endpoint, w.idp.authorize);
  EXPECT_EQ(req.params.get("login_hint"), "ada@acme.example");
  // The rest of the request is the ordinary one (SPEC §7).
  EXPECT_EQ(req.params.get("client_id"), w.idp.client_id);
  EXPECT_EQ(req.params.get("redirect_uri"), "https://sso.example.com/sso/callback");
  EXPECT_EQ(req.params.get("response_type"), "code");
  EXPECT_EQ(req.params.get("scope"), "openid email profile");
  EXPECT_EQ(req.params.get("code_challenge_method"), "S256");
  EXPECT_GE(req.state.size(), 22u);  // >= 128 bits, base64url
  EXPECT_GE(req.nonce.size(), 22u);

  // Without a hint, none is sent.
  auto plain = w.flow.initiate("acme", q({{"iss", w.idp.issuer}}), std::nullopt);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(FakeProvider::authorization(plain->redirect_url).params.has("login_hint"));
}

// ---------------------------------------------------------------- failures

TEST_F(SigninFlow, NoEmailIsRefusedWithScopeAdvice) {
  // Okta without the email scope: neither the ID token nor UserInfo has one.
  auto a = w.begin("acme");
  ASSERT_TRUE(a);
  auto claims = w.idp.claims("00u-ada", a->request.nonce, w.clock.unix_seconds());
  claims.erase("email");
  claims.erase("email_verified");
  w.idp.issue(claims);
  w.idp.userinfo({{"sub", "00u-ada"}, {"name", "Ada"}});
  auto r = w.flow.callback(w.idp.callback(a->request.state), a->started.browser_cookie);
  expect_failure(r, FailureKind::no_email, 403);
  EXPECT_NE(signin::message(r.error()).find("'email' scope"), std::string::npos);
  EXPECT_EQ(w.http.count(w.idp.userinfo_url), 1u);
  EXPECT_EQ(rows("users"), 0);
  EXPECT_EQ(rows("sessions"), 0);
}

TEST_F(SigninFlow, EmailFromUserInfoWhenIdTokenIsThin) {
  // Okta's org authorization server sends a thin ID token (SPEC §7).
  auto a = w.begin("acme");
  ASSERT_TRUE(a);
  auto claims = w.idp.claims("00u-ada", a->request.nonce, w.clock.unix_seconds());
  claims.erase("email");
  claims.erase("name");
  claims.erase("email_verified");
  w.idp.issue(claims);
  w.idp.userinfo({{"sub", "00u-ada"},
                  {"email", "ada@acme.example"},
                  {"name", "Ada"},
                  {"email_verified", true}});
  auto r = w.flow.callback(w.idp.callback(a->request.state), a->started.browser_cookie);
  ASSERT_TRUE(r) << why(r);
  EXPECT_EQ(r->user.email, "ada@acme.example");
  EXPECT_EQ(r->user.role, domain::Role::admin);
}

TEST_F(SigninFlow, StoreDownIs503) {
  // Dropping a table from a second connection makes every statement on it
  // fail as an unreachable database does (SQLITE_ERROR -> unavailable), at a
  // moment the test chooses: deterministic, unlike deleting or chmod-ing a
  // file the pool already holds open.
  auto a = w.begin("acme");
  ASSERT_TRUE(a);
  ASSERT_TRUE(w.sql()->exec_script("DROP TABLE users"));
  auto r = w.complete(a->started, w.idp, "00u-ada", "ada@acme.example");
  expect_failure(r, FailureKind::store_unavailable, 503);
  EXPECT_EQ(rows("sessions"), 0);

  ASSERT_TRUE(w.sql()->exec_script("DROP TABLE login_attempts"));
  auto start = w.begin("acme");
  ASSERT_FALSE(start);
  EXPECT_EQ(start.error().kind, FailureKind::store_unavailable);
  EXPECT_EQ(signin::status(start.error()), 503);
  auto cb =
      w.flow.callback(w.idp.callback("some-state-0123456789abcdefghijklmnopqrstuv"), std::nullopt);
  expect_failure(cb, FailureKind::store_unavailable, 503);
}

// Person, session and signin.success are one transaction (docs/signin.md,
// "Writes per sign-in"): a sign-in whose audit event cannot be stored must
// not leave a session nobody can trace, nor the person it would have made.
TEST_F(SigninFlow, SignInWhoseAuditEventCannotBeStoredFailsWithoutSession) {
  auto a = w.begin("acme");
  ASSERT_TRUE(a);
  ASSERT_TRUE(w.sql()->exec_script("DROP TABLE audit_events"));
  auto r = w.complete(a->started, w.idp, "00u-ada", "ada@acme.example");
  expect_failure(r, FailureKind::store_unavailable, 503);
  EXPECT_EQ(rows("sessions"), 0);
  EXPECT_EQ(rows("users"), 0);
}

// ---------------------------------------------------------------- sessions

class Sessions : public SigninFlow {};

TEST_F(Sessions, SessionIdStoredOnlyHashed) {
  auto done = w.sign_in("acme", w.idp, "00u-ada", "ada@acme.example");
  ASSERT_TRUE(done) << why(done);
  const auto& cookie = done->session.cookie_value;
  EXPECT_EQ(cookie.size(), 43u);  // 256 bits, base64url

  std::vector<std::string> cells;
  auto r = w.sql()->query(
      "SELECT id_hash, user_id, team_id, csrf_token, id_token_sealed, created_at, "
      "last_seen_at, expires_at FROM sessions",
      {}, [&](Row& row) {
        for (int i = 0; i < 8; ++i) cells.push_back(row.text(i));
      });
  ASSERT_TRUE(r);
  ASSERT_EQ(cells.size(), 8u);
  for (const auto& cell : cells) EXPECT_EQ(cell.find(cookie), std::string::npos) << cell;
  EXPECT_EQ(cells[0], crypto::sha256_hex(cookie));
  // The ID token kept for logout is sealed, not stored as a readable JWT.
  EXPECT_EQ(cells[4].rfind("gh1.", 0), 0u);
  EXPECT_EQ(cells[4].find("eyJ"), std::string::npos);
  // And the session still finds its ID token for id_token_hint.
  auto who = w.sessions.authenticate(cookie);
  ASSERT_TRUE(who && *who);
  auto id_token = w.sessions.id_token((*who)->session);
  ASSERT_TRUE(id_token);
  EXPECT_EQ(id_token->rfind("eyJ", 0), 0u);
}

TEST_F(Sessions, SessionIdleAndAbsoluteExpiry) {
  // Idle: two hours without a request ends it.
  auto idle = w.sign_in("acme", w.idp, "00u-ada", "ada@acme.example");
  ASSERT_TRUE(idle) << why(idle);
  w.clock.advance(std::chrono::seconds(7200));
  auto gone = w.sessions.authenticate(idle->session.cookie_value);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(*gone);
  EXPECT_EQ(rows("sessions"), 0) << "an expired session is deleted when seen";

  // Absolute: twelve hours at most, however busy.
  auto busy = w.sign_in("acme", w.idp, "00u-ada", "ada@acme.example");
  ASSERT_TRUE(busy) << why(busy);
  const auto started = w.clock.unix_seconds();
  for (int i = 0; i < 6; ++i) {
    w.clock.advance(std::chrono::seconds(7199));
    auto who = w.sessions.authenticate(busy->session.cookie_value);
    ASSERT_TRUE(who);
    ASSERT_TRUE(*who) << "refused after " << (w.clock.unix_seconds() - started) << " s";
  }
  w.clock.set(started + 43200);
  auto over = w.sessions.authenticate(busy->session.cookie_value);
  ASSERT_TRUE(over);
  EXPECT_FALSE(*over);

  // A cookie that is not a session id cannot match one.
  auto junk = w.sessions.authenticate("not-a-session");
  ASSERT_TRUE(junk);
  EXPECT_FALSE(*junk);
}

TEST_F(Sessions, DisabledTeamEndsSessions) {
  auto done = w.sign_in("acme", w.idp, "00u-ada", "ada@acme.example");
  ASSERT_TRUE(done) << why(done);
  ASSERT_TRUE(*w.sessions.authenticate(done->session.cookie_value));
  w.set_enabled("acme", false);
  auto who = w.sessions.authenticate(done->session.cookie_value);
  ASSERT_TRUE(who);
  EXPECT_FALSE(*who);
}

// Regression: disabling a team used to only hide its sessions, so `gatehouse
// team enable` brought every one of them back. An operator disables a team in
// an incident and expects those sessions to be over.
TEST_F(Sessions, ReenabledTeamDoesNotReviveSessions) {
  auto done = w.sign_in("acme", w.idp, "00u-ada", "ada@acme.example");
  ASSERT_TRUE(done) << why(done);
  w.set_enabled("acme", false);
  ASSERT_FALSE(*w.sessions.authenticate(done->session.cookie_value));
  w.set_enabled("acme", true);
  auto who = w.sessions.authenticate(done->session.cookie_value);
  ASSERT_TRUE(who);
  EXPECT_FALSE(*who);
}

TEST_F(Sessions, RoleChangeAppliesAtNextRequest) {
  // The role is read on every request, not copied into the session.
  auto ada = w.sign_in("acme", w.idp, "00u-ada", "ada@acme.example");
  auto bob = w.sign_in("acme", w.idp, "00u-bob", "bob@acme.example", "Bob");
  ASSERT_TRUE(ada) << why(ada);
  ASSERT_TRUE(bob) << why(bob);
  ASSERT_EQ(ada->user.role, domain::Role::admin);
  ASSERT_EQ(bob->user.role, domain::Role::member);
  auto role_of = [&](const std::string& cookie) {
    auto who = w.sessions.authenticate(cookie);
    EXPECT_TRUE(who && *who);
    return who && *who ? (*who)->user.role : domain::Role::member;
  };

  ASSERT_TRUE(w.db->users().set_role("acme", bob->user.id, domain::Role::admin));
  EXPECT_EQ(role_of(bob->session.cookie_value), domain::Role::admin);
  ASSERT_TRUE(w.db->users().set_role("acme", ada->user.id, domain::Role::member));
  EXPECT_EQ(role_of(ada->session.cookie_value), domain::Role::member);
  // Also when the change comes from outside gatehouse's own code path.
  ASSERT_TRUE(w.sql()->exec("UPDATE users SET role = 'member' WHERE id = $1", {bob->user.id}));
  EXPECT_EQ(role_of(bob->session.cookie_value), domain::Role::member);
}

TEST_F(Sessions, DestroyedSessionIsGone) {
  auto done = w.sign_in("acme", w.idp, "00u-ada", "ada@acme.example");
  ASSERT_TRUE(done) << why(done);
  ASSERT_TRUE(w.sessions.destroy(done->session.cookie_value));
  auto who = w.sessions.authenticate(done->session.cookie_value);
  ASSERT_TRUE(who);
  EXPECT_FALSE(*who);
  EXPECT_TRUE(w.sessions.destroy(done->session.cookie_value)) << "destroying twice is not an error";
}

}  // namespace
}  // namespace gatehouse::testing
