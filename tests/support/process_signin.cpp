#include "support/process_signin.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "cli/run_cli.hpp"

namespace gatehouse::testing {

void register_team(const std::map<std::string, std::string>& env, const std::string& team_id,
                   const ScriptedProvider& idp, const std::string& admin_email) {
  auto r = run_cli({"team", "add", "--team-id", team_id, "--issuer", idp.issuer(), "--client-id",
                    idp.client_id(), "--client-secret-stdin", "--admin-email", admin_email,
                    "--no-discovery-check"},
                   env, idp.client_secret() + "\n");
  if (r.exit_code != 0) throw std::runtime_error("team add " + team_id + " failed: " + r.err);
}

StartedSignin start_signin(std::uint16_t port, const std::string& team_id,
                           std::chrono::milliseconds timeout) {
  StartedSignin s;
  s.response = probe(port,
                     {.method = "POST",
                      .target = "/login_sso",
                      .headers = {{"Content-Type", "application/x-www-form-urlencoded"}},
                      .body = "team_id=" + form_encode(team_id)},
                     timeout);
  const std::string location = s.response.header("location");
  s.state = query_param(location, "state");
  s.nonce = query_param(location, "nonce");
  s.login_cookie = s.response.set_cookie("gh_login");
  return s;
}

ProbeResponse finish_signin(std::uint16_t port, const StartedSignin& started,
                            const std::string& code, const std::string& issuer,
                            std::chrono::milliseconds timeout) {
  return probe(port,
               {.target = "/sso/callback?code=" + form_encode(code) +
                          "&state=" + form_encode(started.state) + "&iss=" + form_encode(issuer),
                .headers = {{"Cookie", "gh_login=" + started.login_cookie}}},
               timeout);
}

tl::expected<BrowserSession, std::string> sign_in(std::uint16_t port, ScriptedProvider& idp,
                                                  const std::string& team_id,
                                                  const std::string& sub,
                                                  const std::string& email) {
  // Which step failed and what gatehouse answered: the process log may not
  // be flushed yet when a test prints it.
  const auto failed = [](const char* step, const ProbeResponse& r) {
    return tl::unexpected(std::string(step) + " answered " + std::to_string(r.status) + ": " +
                          r.body.substr(0, 300));
  };
  auto started = start_signin(port, team_id);
  if (started.response.status != 302 || started.state.empty())
    return failed("POST /login_sso", started.response);
  auto done = finish_signin(port, started, idp.grant(started.nonce, sub, email), idp.issuer());
  BrowserSession s{done.set_cookie("gh_session"), {}};
  if (done.status != 303 || s.cookie.empty()) return failed("GET /sso/callback", done);
  auto who = probe(port, me(s));
  if (who.status != 200) return failed("GET /api/v1/me", who);
  auto doc = nlohmann::json::parse(who.body, nullptr, false);
  if (!doc.is_object() || !doc.contains("csrf_token")) return failed("GET /api/v1/me", who);
  s.csrf = doc["csrf_token"].get<std::string>();
  return s;
}

ProbeRequest me(const BrowserSession& session) {
  return {.target = "/api/v1/me", .headers = {{"Cookie", "gh_session=" + session.cookie}}};
}

std::optional<std::string> create_token(ProbeClient& client, const BrowserSession& session,
                                        const std::string& name) {
  auto r = client.send({.method = "POST",
                        .target = "/api/v1/tokens",
                        .headers = {{"Cookie", "gh_session=" + session.cookie},
                                    {"X-CSRF-Token", session.csrf},
                                    {"Content-Type", "application/json"}},
                        .body = nlohmann::json{{"name", name}}.dump()});
  if (r.status != 201) return std::nullopt;
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (!doc.is_object() || !doc.contains("token")) return std::nullopt;
  return doc["token"].get<std::string>();
}

ProbeRequest authz(const std::string& token) {
  return {.target = "/internal/authz", .headers = {{"Authorization", "Bearer " + token}}};
}

}  // namespace gatehouse::testing
