// The inference gateway's routes (SPEC.md §5): /internal/authz answers
// nginx auth_request / Envoy ext_authz, /internal/usage takes usage batches
// under the internal key.
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api/gateway.hpp"
#include "support/app_fixture.hpp"

namespace gatehouse::testing {
namespace {

using domain::Role;
using nlohmann::json;

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app.add_team("acme");
    ada = app.add_person("acme", Role::admin, "ada");
    max = app.add_person("acme", Role::member, "max");
    tok = app.add_token(max, "ci");
  }

  Credentials gateway() const { return {{}, {}, app.internal_key()}; }

  http::Response authz(const std::string& authorization) {
    auto req = App::request("GET", "/internal/authz");
    if (!authorization.empty()) req.headers.emplace_back("authorization", authorization);
    return app.send(std::move(req));
  }

  static json event(const std::string& token_id, const std::string& id = "") {
    json e = {{"token_id", token_id}, {"model", "support-bot"}, {"input_tokens", 100},
              {"output_tokens", 20},  {"cost_usd", 0.75},       {"at", "2025-11-29T10:00:00Z"}};
    if (!id.empty()) e["id"] = id;
    return e;
  }
  // A vector, not a json: `{one_event}` would list-initialise a copy of the event.
  http::Response usage(const std::vector<json>& events) {
    return app.send("POST", "/internal/usage", gateway(), json{{"events", json(events)}}.dump());
  }
  double billed_total() {
    auto res =
        app.send("GET", "/api/v1/billing/usage?from=2025-11-01&to=2025-11-30", ada.session());
    EXPECT_EQ(res.status, 200) << res.body;
    return body_json(res)["total"].get<double>();
  }

  App app;
  Person ada, max;
  IssuedToken tok;
};

TEST_F(GatewayTest, ValidTokenIs204WithTeamAndTokenHeadersFromStoreAndFromCache) {
  for (int i = 0; i < 2; ++i) {  // the first answer comes from the store, the second from the cache
    auto res = authz("Bearer " + tok.secret);
    ASSERT_EQ(res.status, 204) << "attempt " << i;
    EXPECT_EQ(res.header("X-Team-Id").value_or(""), "acme");
    EXPECT_EQ(res.header("X-Token-Id").value_or(""), tok.id);
    EXPECT_FALSE(res.header("X-User-Id").has_value()) << "X-User-Id only in personal workspaces";
    EXPECT_TRUE(res.body.empty());
  }
  EXPECT_EQ(authz("bearer " + tok.secret).status, 204)
      << "the scheme is case-insensitive (RFC 7235 §2.1)";
}

TEST_F(GatewayTest, MalformedUnknownOrRevokedTokenIs401) {
  auto revoked = app.add_token(max, "old");
  ASSERT_EQ(authz("Bearer " + revoked.secret).status, 204);
  app.revoke_token(max, revoked);
  const std::string unknown = "gh_" + std::string(43, 'A');
  for (const std::string& h : std::vector<std::string>{
           "", "Bearer", "Bearer ", "Basic " + tok.secret, "Bearer gh_short", "Bearer " + unknown,
           "Bearer " + tok.secret + "x", "Bearer " + tok.secret.substr(0, tok.secret.size() - 1),
           "Bearer " + tok.secret.substr(3), "Bearer " + tok.secret + " " + tok.secret,
           "Bearer " + revoked.secret, "Bearer " + app.internal_key(), "Bearer " + max.cookie}) {
    auto res = authz(h);
    EXPECT_EQ(res.status, 401) << "Authorization: " << h;
    EXPECT_FALSE(res.header("X-Team-Id").has_value());
    EXPECT_EQ(res.header("WWW-Authenticate").value_or(""), "Bearer");
  }
  // A session cookie is not a gateway credential.
  EXPECT_EQ(app.send("GET", "/internal/authz", max.session()).status, 401);
}

TEST_F(GatewayTest, DisabledTeamIs401AfterTheNextTeamRefresh) {
  ASSERT_EQ(authz("Bearer " + tok.secret).status, 204);  // cached
  auto fresh = app.add_token(max, "never-checked");
  app.set_enabled("acme", false, /*refresh=*/false);  // `gatehouse team disable` in another process
  app.authority().refresh_teams();                    // the server does this every 0.5 s
  EXPECT_EQ(authz("Bearer " + tok.secret).status, 401) << "cached token";
  EXPECT_EQ(authz("Bearer " + fresh.secret).status, 401) << "token not cached yet";
  EXPECT_EQ(app.send("GET", "/api/v1/me", tok.bearer()).status, 401);
  EXPECT_EQ(app.send("GET", "/v1/models", tok.bearer()).status, 401);
  // Sessions read the team on every request: no refresh needed for them.
  EXPECT_EQ(app.send("GET", "/api/v1/me", max.session()).status, 401);

  app.set_enabled("acme", true);
  EXPECT_EQ(authz("Bearer " + tok.secret).status, 204) << "enabling again restores API tokens";
}

TEST_F(GatewayTest, UsageIsAcceptedWith202AndBilled) {
  auto res = usage({event(tok.id, "u1"), event(tok.id, "u2")});
  ASSERT_EQ(res.status, 202) << res.body;
  EXPECT_DOUBLE_EQ(billed_total(), 1.5);
}

TEST_F(GatewayTest, UsageIsIdempotentPerEventId) {
  ASSERT_EQ(usage({event(tok.id, "u1"), event(tok.id, "u2")}).status, 202);
  const double once = billed_total();
  auto again =
      usage({event(tok.id, "u1"), event(tok.id, "u2")});  // the gateway retries after a timeout
  EXPECT_EQ(again.status, 202) << again.body;
  EXPECT_DOUBLE_EQ(billed_total(), once);
  // A batch mixing a repeated and a new event bills only the new one.
  ASSERT_EQ(usage({event(tok.id, "u2"), event(tok.id, "u3")}).status, 202);
  EXPECT_DOUBLE_EQ(billed_total(), once + 0.75);
}

TEST_F(GatewayTest, BadEventIs400NamingItsIndexAndNothingOfTheBatchIsStored) {
  struct Case {
    const char* what;
    std::function<void(json&)> spoil;
  };
  const std::vector<Case> cases = {
      {"unknown token_id", [](json& e) { e["token_id"] = "tok_doesnotexist"; }},
      {"missing token_id", [](json& e) { e.erase("token_id"); }},
      {"negative input_tokens", [](json& e) { e["input_tokens"] = -1; }},
      {"negative output_tokens", [](json& e) { e["output_tokens"] = -5; }},
      {"fractional input_tokens", [](json& e) { e["input_tokens"] = 1.5; }},
      {"negative cost_usd", [](json& e) { e["cost_usd"] = -0.01; }},
      {"cost_usd as text", [](json& e) { e["cost_usd"] = "0.5"; }},
      {"at not a date", [](json& e) { e["at"] = "yesterday"; }},
      {"at without time", [](json& e) { e["at"] = "2025-11-29"; }},
      {"at on day 32", [](json& e) { e["at"] = "2025-11-32T10:00:00Z"; }},
      {"missing at", [](json& e) { e.erase("at"); }},
      {"empty model", [](json& e) { e["model"] = ""; }},
  };
  for (const auto& c : cases) {
    json bad = event(tok.id, std::string("bad-") + c.what);
    c.spoil(bad);
    auto res = usage({event(tok.id, std::string("good-") + c.what), bad, event(tok.id)});
    EXPECT_EQ(res.status, 400) << c.what << ": " << res.body;
    auto j = body_json(res);
    EXPECT_NE(j.value("message", "").find("event 1"), std::string::npos)
        << c.what << ": " << res.body;
    EXPECT_EQ(j.value("index", -1), 1) << c.what;
  }
  EXPECT_EQ(billed_total(), 0) << "a refused batch stored some of its events";
}

TEST_F(GatewayTest, MalformedBatchIs400) {
  for (const char* body : {"", "null", "[]", R"({"events":{}})", R"({"event":[]})", "{"}) {
    auto res = app.send("POST", "/internal/usage", gateway(), body);
    EXPECT_EQ(res.status, 400) << body;
  }
}

TEST_F(GatewayTest, UsageWithoutOrWithAWrongInternalKeyIs401) {
  const std::string body = json{{"events", json::array({event(tok.id, "k1")})}}.dump();
  for (const Credentials& who :
       {Credentials{}, Credentials{{}, {}, "wrong-key"},
        Credentials{{}, {}, app.internal_key() + "x"}, tok.bearer(), ada.session()}) {
    auto res = app.send("POST", "/internal/usage", who, body);
    EXPECT_EQ(res.status, 401) << res.body;
  }
  EXPECT_EQ(billed_total(), 0);
}

TEST(GatewayWithoutInternalKey, UsageRouteIs404) {
  App app({.internal_key = std::nullopt});
  app.add_team("acme");
  auto max = app.add_person("acme", Role::member, "max");
  auto tok = app.add_token(max, "ci");
  for (const Credentials& who :
       {Credentials{}, Credentials{{}, {}, "test-internal-key"}, tok.bearer()}) {
    auto res = app.send("POST", "/internal/usage", who, R"({"events":[]})");
    EXPECT_EQ(res.status, 404);
  }
  EXPECT_EQ(app.send("GET", "/internal/authz", tok.bearer()).status, 204)
      << "authz needs no internal key";
}

TEST_F(GatewayTest, UsageOfARevokedTokenIsStillBilled) {
  app.revoke_token(max, tok);
  auto res = usage({event(tok.id, "late")});  // reported after the revocation
  EXPECT_EQ(res.status, 202) << res.body;
  EXPECT_DOUBLE_EQ(billed_total(), 0.75);
}

TEST_F(GatewayTest, RepeatedIdWithinOneBatchIsBilledOnce) {
  auto res = usage({event(tok.id, "same"), event(tok.id, "same")});
  EXPECT_EQ(res.status, 202) << res.body;
  EXPECT_DOUBLE_EQ(billed_total(), 0.75);
}

// `gatehouse team remove acme --yes` deletes the team's tokens with it. If
// the operator later registers a team under the same id (the customer
// returns, or the id goes to someone else), the old tokens must stay dead.
// Regression test; the bug it caught (fixed): src/workspace/token_authority.cpp:24-30
// (principal_locked) trusts any cached entry whose team_id is in the refreshed snapshot;
// refresh_teams() (:92) never drops cache entries of a team that vanished,
// so after the id is registered again the deleted token is 204 again, for
// the new team, until the process restarts or the cache fills up.
TEST_F(GatewayTest, TokensOfARemovedTeamStayDeadWhenTheIdIsRegisteredAgain) {
  ASSERT_EQ(authz("Bearer " + tok.secret).status, 204);  // cached
  ASSERT_TRUE(app.db().teams().remove("acme"));
  app.authority().refresh_teams();
  ASSERT_EQ(authz("Bearer " + tok.secret).status, 401);
  app.add_team("acme", domain::Workspace::shared, "A different Acme");
  EXPECT_EQ(authz("Bearer " + tok.secret).status, 401)
      << "a deleted token of the old team authorises the new one";
}

// SPEC §4: a revoked token "stops working at once, on every instance".
// Instances share the database, each with its own TokenAuthority.
// Regression test; the bug it caught (fixed): src/workspace/token_authority.cpp:46-52 (check) and
// :32-40 (check_cached) answer from the cache without asking whether the token was revoked since;
// only the instance that revoked evicts it (service.cpp:119, evict_token). Another instance keeps
// answering 204 for the revoked token until its cache is cleared by filling up — refresh_teams()
// reloads teams only.
TEST_F(GatewayTest, RevokedTokenIs401OnEveryInstance) {
  workspace::TokenAuthority other_authority(app.db(), app.clock());
  RateLimiter off(app.clock(), 1, 1, false);
  http::Router other;
  api::add_gateway_routes(other, other_authority, app.db(), std::nullopt, off, app.rng());
  auto other_authz = [&] {
    auto req = App::request("GET", "/internal/authz", tok.bearer());
    return other.dispatch(req).status;
  };
  ASSERT_EQ(other_authz(), 204);  // cached on the other instance
  ASSERT_EQ(app.send("DELETE", "/api/v1/tokens/" + tok.id, max.session()).status, 204);
  EXPECT_EQ(authz("Bearer " + tok.secret).status, 401) << "this instance";
  other_authority.refresh_teams();  // whatever periodic work the other instance does
  EXPECT_EQ(other_authz(), 401) << "the other instance still accepts the revoked token";
}

// A Database that runs a hook right after TokenStore::find_by_hash answers,
// to place a revocation between TokenAuthority::check's read and its cache write.
class HookedTokens final : public store::TokenStore {
 public:
  explicit HookedTokens(store::TokenStore& inner) : inner_(inner) {}
  std::function<void()> after_find_by_hash;
  store::Result<void> insert(const domain::ApiToken& t) override { return inner_.insert(t); }
  store::Result<std::optional<domain::ApiToken>> find_by_hash(std::string_view h) override {
    auto r = inner_.find_by_hash(h);
    if (auto hook = std::exchange(after_find_by_hash, nullptr)) hook();
    return r;
  }
  store::Result<std::optional<domain::ApiToken>> find(std::string_view team,
                                                      std::string_view id) override {
    return inner_.find(team, id);
  }
  store::Result<std::vector<std::string>> revoked_since(std::int64_t since) override {
    return inner_.revoked_since(since);
  }
  store::Result<std::optional<domain::ApiToken>> find_by_id(std::string_view id) override {
    return inner_.find_by_id(id);
  }
  store::Result<std::vector<domain::ApiToken>> list(std::string_view team,
                                                    const std::optional<std::string>& by) override {
    return inner_.list(team, by);
  }
  store::Result<void> revoke(std::string_view team, std::string_view id, std::int64_t at) override {
    return inner_.revoke(team, id, at);
  }
  store::Result<void> record_use(
      const std::vector<std::pair<std::string, std::int64_t>>& uses) override {
    return inner_.record_use(uses);
  }

 private:
  store::TokenStore& inner_;
};

class HookedDatabase final : public store::Database {
 public:
  explicit HookedDatabase(store::Database& inner) : inner_(inner), tokens_(inner.tokens()) {}
  HookedTokens& hooked_tokens() { return tokens_; }
  store::TeamStore& teams() override { return inner_.teams(); }
  store::UserStore& users() override { return inner_.users(); }
  store::SessionStore& sessions() override { return inner_.sessions(); }
  store::LoginAttemptStore& login_attempts() override { return inner_.login_attempts(); }
  store::AuditStore& audit() override { return inner_.audit(); }
  store::SigninStore& signins() override { return inner_.signins(); }
  store::TokenStore& tokens() override { return tokens_; }
  store::ModelStore& models() override { return inner_.models(); }
  store::UsageStore& usage() override { return inner_.usage(); }
  store::Result<void> ping() override { return inner_.ping(); }
  tl::expected<int, std::string> migrate() override { return inner_.migrate(); }

 private:
  store::Database& inner_;
  HookedTokens tokens_;
};

// A token revoked while a check of it is between its store read and its cache
// write must not stay valid afterwards. Single-threaded: the hook plays the
// other request.
// Regression test; the bug it caught (fixed): src/workspace/token_authority.cpp:54-72: check()
// reads the token (not revoked), then inserts it into the cache without re-checking; a revocation
// that lands in between finds nothing to evict (evict_token, :84, looks in hash_by_id_, not yet
// filled), so the revoked token is cached as valid and /internal/authz answers 204 for it
// indefinitely.
TEST_F(GatewayTest, RevocationDuringACacheMissIsNotLost) {
  HookedDatabase db(app.db());
  workspace::TokenAuthority authority(db, app.clock());
  RateLimiter off(app.clock(), 1, 1, false);
  workspace::Service ws(db, authority, app.clock(), app.rng(), off);
  db.hooked_tokens().after_find_by_hash = [&] {
    ASSERT_TRUE(ws.revoke_token(app.actor(max), tok.id));
  };
  (void)authority.check(tok.secret);  // in flight when the revocation lands: either answer is fair
  EXPECT_FALSE(authority.check_cached(tok.secret).has_value())
      << "the revoked token is cached as valid";
  auto again = authority.check(tok.secret);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->has_value()) << "the revoked token still checks as valid";
}

TEST_F(GatewayTest, LastUsedIsWrittenInBatchesToTheMinuteNotPerRequest) {
  auto stored = [&] {
    auto t = app.db().tokens().find_by_id(tok.id);
    EXPECT_TRUE(t && *t);
    return (*t)->last_used_at;
  };
  const auto t0 = app.clock().unix_seconds();
  ASSERT_EQ(authz("Bearer " + tok.secret).status, 204);
  EXPECT_FALSE(stored()) << "no write on the request itself";
  app.authority().flush_last_used();
  EXPECT_EQ(stored(), t0) << "the first use is written at the next flush";
  app.clock().advance(std::chrono::seconds(30));
  ASSERT_EQ(authz("Bearer " + tok.secret).status, 204);
  app.authority().flush_last_used();
  EXPECT_EQ(stored(), t0) << "half a minute later: not worth a write yet";
  app.clock().advance(std::chrono::seconds(31));
  ASSERT_EQ(authz("Bearer " + tok.secret).status, 204);
  app.authority().flush_last_used();
  EXPECT_EQ(stored(), t0 + 61);
  app.clock().advance(std::chrono::seconds(5));
  ASSERT_EQ(authz("Bearer " + tok.secret).status, 204);
  app.authority().flush_last_used(1);  // shutdown: everything
  EXPECT_EQ(stored(), t0 + 66);
}

}  // namespace
}  // namespace gatehouse::testing
