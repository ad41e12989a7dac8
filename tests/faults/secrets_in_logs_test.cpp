// Log leaks (issue #8, "3. Operations"): everything gatehouse writes while
// people sign in (and fail to), and while API tokens are created, used and
// revoked, is searched for every secret that passed through it. A log line is
// read by more people, and kept longer, than any database row. The same run
// checks that each line written while handling a request names its request id.
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/gatehouse_process.hpp"
#include "support/process_signin.hpp"
#include "support/scripted_provider.hpp"
#include "support/temp_dir.hpp"

namespace gatehouse::testing {
namespace {

struct Secret {
  std::string what, value;
};

TEST(LogLeak, secrets_never_in_logs) {
  TempDir dir;
  const std::map<std::string, std::string> env{
      {"GATEHOUSE_DATABASE_URL", "sqlite://" + dir.file("g.db")},
      {"GATEHOUSE_SECRET_KEY_FILE", dir.file("g.key")},
      {"GATEHOUSE_RATE_LIMITS", "off"},
      {"GATEHOUSE_LOG_FORMAT", "json"},
      {"GATEHOUSE_IDP_TIMEOUT_MS", "1000"}};
  ScriptedProvider idp;
  register_team(env, "acme", idp, "ada@acme.test");
  GatehouseProcess gh(env);
  const auto port = gh.port();
  std::vector<Secret> secrets{{"client secret", idp.client_secret()}};
  auto remember_attempt = [&](const StartedSignin& s) {
    secrets.push_back({"state", s.state});
    secrets.push_back({"nonce", s.nonce});
    secrets.push_back({"login cookie", s.login_cookie});
  };

  // A sign-in that works.
  auto started = start_signin(port, "acme");
  ASSERT_EQ(started.response.status, 302);
  remember_attempt(started);
  const std::string code = idp.grant(started.nonce, "ada", "ada@acme.test");
  auto done = finish_signin(port, started, code, idp.issuer());
  ASSERT_EQ(done.status, 303) << gh.log();
  BrowserSession ada{done.set_cookie("gh_session"), {}};
  secrets.push_back({"session cookie", ada.cookie});
  auto who = probe(port, me(ada));
  ada.csrf = nlohmann::json::parse(who.body).at("csrf_token").get<std::string>();
  secrets.push_back({"csrf token", ada.csrf});

  // Failures: the code replayed, the provider refusing, a wrong nonce, a
  // token endpoint answering 500, a forged state.
  EXPECT_EQ(finish_signin(port, started, code, idp.issuer()).status, 400);
  auto refused = start_signin(port, "acme");
  remember_attempt(refused);
  EXPECT_EQ(
      probe(port,
            {.target = "/sso/callback?error=access_denied&error_description=not+assigned&state=" +
                       form_encode(refused.state) + "&iss=" + form_encode(idp.issuer()),
             .headers = {{"Cookie", "gh_login=" + refused.login_cookie}}})
          .status,
      403);
  auto wrong_nonce = start_signin(port, "acme");
  remember_attempt(wrong_nonce);
  EXPECT_EQ(finish_signin(port, wrong_nonce, idp.grant("not-the-nonce", "ada", "ada@acme.test"),
                          idp.issuer())
                .status,
            502);
  auto broken = start_signin(port, "acme");
  remember_attempt(broken);
  idp.set_fault(Endpoint::token, Fault::answers_500);
  EXPECT_EQ(
      finish_signin(port, broken, idp.grant(broken.nonce, "ada", "ada@acme.test"), idp.issuer())
          .status,
      502);
  idp.set_fault(Endpoint::token, Fault::none);
  auto forged = broken;
  forged.state = "forged-state-4f1c9a7e2b";
  secrets.push_back({"forged state", forged.state});
  EXPECT_EQ(finish_signin(port, forged, "code-forged-77aa", idp.issuer()).status, 400);

  // API tokens: created, used, revoked, used again; a made-up one.
  ProbeClient api(port);
  auto created = api.send({.method = "POST",
                           .target = "/api/v1/tokens",
                           .headers = {{"Cookie", "gh_session=" + ada.cookie},
                                       {"X-CSRF-Token", ada.csrf},
                                       {"Content-Type", "application/json"}},
                           .body = R"({"name":"ci"})"});
  ASSERT_EQ(created.status, 201) << created.body;
  auto doc = nlohmann::json::parse(created.body);
  const std::string token = doc.at("token").get<std::string>(),
                    token_id = doc.at("id").get<std::string>();
  secrets.push_back({"API token", token});
  EXPECT_EQ(api.send(authz(token)).status, 204);
  EXPECT_EQ(
      api.send({.target = "/v1/models", .headers = {{"Authorization", "Bearer " + token}}}).status,
      200);
  EXPECT_EQ(
      api.send({.method = "DELETE",
                .target = "/api/v1/tokens/" + token_id,
                .headers = {{"Cookie", "gh_session=" + ada.cookie}, {"X-CSRF-Token", ada.csrf}}})
          .status,
      204);
  EXPECT_EQ(api.send(authz(token)).status, 401);
  const std::string made_up = token.substr(0, token.size() / 2) + "0000000000000000";
  secrets.push_back({"made-up API token", made_up});
  EXPECT_EQ(api.send(authz(made_up)).status, 401);
  EXPECT_EQ(api.send({.method = "POST",
                      .target = "/logout",
                      .headers = {{"Cookie", "gh_session=" + ada.cookie},
                                  {"Content-Type", "application/x-www-form-urlencoded"}},
                      .body = "csrf_token=" + form_encode(ada.csrf)})
                .status,
            303);
  EXPECT_EQ(gh.stop(), 0);

  const auto seen = idp.secrets();
  for (const auto& v : seen.codes) secrets.push_back({"authorization code", v});
  for (const auto& v : seen.id_tokens) secrets.push_back({"ID token", v});
  for (const auto& v : seen.access_tokens) secrets.push_back({"access token", v});
  for (const auto& v : seen.code_verifiers) secrets.push_back({"PKCE verifier", v});
  for (const auto& v : seen.client_authorizations) secrets.push_back({"client authentication", v});
  ASSERT_GE(seen.id_tokens.size(), 2u);
  ASSERT_FALSE(seen.code_verifiers.empty());

  const std::string log = gh.log();
  for (const auto& s : secrets) {
    ASSERT_GE(s.value.size(), 8u) << s.what << " too short to search for";
    EXPECT_EQ(log.find(s.value), std::string::npos) << "the log shows a " << s.what;
    // Also a long enough piece of it, in case it was cut or re-encoded around.
    if (s.value.size() >= 32) {
      EXPECT_EQ(log.find(s.value.substr(s.value.size() / 2 - 8, 16)), std::string::npos)
          << "part of a " << s.what;
    }
  }

  // Every line is one JSON object; every line but the process's own start and
  // stop lines was written while handling a request and names it.
  std::istringstream lines(log);
  std::string line;
  int with_id = 0;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    const std::string msg = j.value("msg", "");
    if (msg.rfind("listening on", 0) == 0 || msg.rfind("stopping", 0) == 0 || msg == "stopped")
      continue;
    EXPECT_TRUE(j.contains("request_id")) << line;
    EXPECT_EQ(msg.find("request_id="), std::string::npos)
        << "the id is a field, not part of the text: " << line;
    ++with_id;
  }
  if (std::getenv("GATEHOUSE_SHOW_LOG")) std::printf("%s", log.c_str());
  EXPECT_GE(with_id, 5) << "the sign-in successes and failures above must be logged:\n" << log;
}

}  // namespace
}  // namespace gatehouse::testing
