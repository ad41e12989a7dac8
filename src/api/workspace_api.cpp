#include "api/workspace_api.hpp"

#include <cmath>

#include "api/me_json.hpp"
#include "domain/workspace.hpp"

namespace gatehouse::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

json nullable(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }

double dollars(std::int64_t micros) { return static_cast<double>(micros) / 1e6; }

Response failure(const workspace::Failure& f) {
  auto r = error_response(workspace::status(f.error), workspace::code(f.error), f.message);
  if (f.retry_after > 0) r.set_header("Retry-After", std::to_string(f.retry_after));
  return r;
}

// Parses a JSON object body; nullopt (with the 400 in out) otherwise.
std::optional<json> body_object(const Request& req, Response& out) {
  auto j = json::parse(req.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    out = error_response(400, "invalid_json", "The body must be a JSON object.");
    return std::nullopt;
  }
  return j;
}

std::optional<std::string> string_member(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

json token_json(workspace::Service& ws, const domain::ApiToken& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"prefix", t.prefix},
          {"created_at", t.created_at},
          {"last_used_at", nullable(t.last_used_at)},
          {"created_by", ws.display_name(t.team_id, t.created_by)}};
}

json model_json(workspace::Service& ws, const domain::Model& m) {
  return {{"id", m.id},
          {"name", m.name},
          {"base_model", m.base_model},
          {"created_at", m.created_at},
          {"created_by", ws.display_name(m.team_id, m.created_by)}};
}

json rows_json(const std::vector<domain::UsageRow>& rows, const char* key) {
  auto out = json::array();
  for (const auto& r : rows)
    out.push_back({{key, r.key},
                   {"input_tokens", r.input_tokens},
                   {"output_tokens", r.output_tokens},
                   {"requests", r.requests},
                   {"cost_usd", dollars(r.cost_micros)}});
  return out;
}

// GET /api/v1/me for a signed-in person (SPEC.md §4).
Response me_response(const signin::AuthContext& s) {
  if (auto body = me_json(s)) {
    Response r{200, {{"Content-Type", "application/json"}}, std::move(*body)};
    return r;
  }
  // Not valid UTF-8 somewhere: nlohmann decides, as before.
  return Response::json(
      200, {{"user", {{"id", s.user.id}, {"email", s.user.email}, {"name", s.user.name}}},
            {"team",
             {{"id", s.team.id},
              {"workspace", domain::to_string(s.team.workspace)},
              {"name", s.team.name}}},
            {"role", domain::to_string(s.user.role)},
            {"csrf_token", s.session.csrf_token}});
}

}  // namespace

void add_workspace_api(http::Router& router, ApiAuth& auth, workspace::Service& ws) {
  router.add_with_fast_path(
      "GET", "/api/v1/me",
      // A cached live session answers on the I/O thread; anything else (no
      // cookie, a token, a miss) goes to the worker below.
      [&auth](Request& req) -> std::optional<Response> {
        if (auto who = auth.resolve_cached(req)) return me_response(*who);
        return std::nullopt;
      },
      [&auth](Request& req) {
        auto c = auth.resolve(req);
        if (!c) return c.error();
        if (c->session) return me_response(*c->session);
        json team = {{"id", c->actor.team_id}, {"workspace", domain::to_string(c->actor.mode)}};
        team["name"] = c->actor.team_name;
        return Response::json(200, {{"team", team}, {"role", "member"}});
      });

  router.add("GET", "/api/v1/team/members", [&auth, &ws](Request& req) {
    auto c = auth.resolve(req);
    if (!c) return c.error();
    auto m = ws.members(c->actor);
    if (!m) return failure(m.error());
    auto out = json::array();
    for (const auto& u : *m)
      out.push_back({{"user_id", u.id},
                     {"email", u.email},
                     {"name", u.name},
                     {"role", domain::to_string(u.role)},
                     {"created_at", u.created_at},
                     {"last_login_at", u.last_login_at}});
    return Response::json(200, {{"members", out}});
  });

  router.add("PUT", "/api/v1/team/members/{user_id}/role", [&auth, &ws](Request& req) {
    auto c = auth.resolve(req);
    if (!c) return c.error();
    Response bad;
    auto body = body_object(req, bad);
    if (!body) return bad;
    auto role = domain::parse_role(string_member(*body, "role").value_or(""));
    if (!role) return error_response(400, "invalid_role", "role must be \"admin\" or \"member\".");
    auto u = ws.set_role(c->actor, req.path_param("user_id"), *role);
    if (!u) return failure(u.error());
    return Response::json(200, {{"user_id", u->id},
                                {"email", u->email},
                                {"name", u->name},
                                {"role", domain::to_string(u->role)}});
  });

  router.add("GET", "/api/v1/tokens", [&auth, &ws](Request& req) {
    auto c = auth.resolve(req);
    if (!c) return c.error();
    auto t = ws.tokens(c->actor);
    if (!t) return failure(t.error());
    auto out = json::array();
    for (const auto& tok : *t) out.push_back(token_json(ws, tok));
    return Response::json(200, {{"tokens", out}});
  });

  router.add("POST", "/api/v1/tokens", [&auth, &ws](Request& req) {
    auto c = auth.resolve(req);
    if (!c) return c.error();
    Response bad;
    auto body = body_object(req, bad);
    if (!body) return bad;
    auto created = ws.create_token(c->actor, string_member(*body, "name").value_or(""));
    if (!created) return failure(created.error());
    auto j = token_json(ws, created->token);
    j["token"] = created->secret;  // the only time the secret is shown
    auto res = Response::json(201, j);
    res.set_header("Cache-Control", "no-store");
    return res;
  });

  router.add("DELETE", "/api/v1/tokens/{id}", [&auth, &ws](Request& req) {
    auto c = auth.resolve(req);
    if (!c) return c.error();
    auto r = ws.revoke_token(c->actor, req.path_param("id"));
    if (!r) return failure(r.error());
    return Response::empty(204);
  });

  router.add("GET", "/api/v1/models", [&auth, &ws](Request& req) {
    auto c = auth.resolve(req);
    if (!c) return c.error();
    auto m = ws.models(c->actor);
    if (!m) return failure(m.error());
    auto out = json::array();
    for (const auto& model : *m) out.push_back(model_json(ws, model));
    return Response::json(200, {{"models", out}});
  });

  router.add("POST", "/api/v1/models", [&auth, &ws](Request& req) {
    auto c = auth.resolve(req);
    if (!c) return c.error();
    Response bad;
    auto body = body_object(req, bad);
    if (!body) return bad;
    auto m = ws.create_model(c->actor, string_member(*body, "name").value_or(""),
                             string_member(*body, "base_model").value_or(""));
    if (!m) return failure(m.error());
    return Response::json(201, model_json(ws, *m));
  });

  router.add("DELETE", "/api/v1/models/{id}", [&auth, &ws](Request& req) {
    auto c = auth.resolve(req);
    if (!c) return c.error();
    auto r = ws.delete_model(c->actor, req.path_param("id"));
    if (!r) return failure(r.error());
    return Response::empty(204);
  });

  router.add("GET", "/api/v1/billing/usage", [&auth, &ws](Request& req) {
    auto c = auth.resolve(req);
    if (!c) return c.error();
    auto q = req.query_params();
    if (!q) return error_response(400, "invalid_query", "The query string is malformed.");
    auto from = q->get("from"), to = q->get("to");
    if (!from || !to)
      return error_response(400, "invalid_query", "Give from=YYYY-MM-DD and to=YYYY-MM-DD.");
    auto r = ws.usage(c->actor, *from, *to);
    if (!r) return failure(r.error());
    return Response::json(200, {{"currency", "USD"},
                                {"from", *from},
                                {"to", *to},
                                {"total", dollars(r->total_micros)},
                                {"by_day", rows_json(r->by_day, "day")},
                                {"by_model", rows_json(r->by_model, "model")},
                                {"by_token", rows_json(r->by_token, "token_id")}});
  });

  // OpenAI-style model list for API clients.
  router.add("GET", "/v1/models", [&auth, &ws](Request& req) {
    if (!req.bearer_token()) return error_response(401, "unauthenticated", "Send an API token.");
    auto c = auth.resolve(req);
    if (!c) return c.error();
    auto m = ws.models(c->actor);
    if (!m) return failure(m.error());
    auto data = json::array();
    for (const auto& model : *m)
      data.push_back({{"id", model.name},
                      {"object", "model"},
                      {"created", model.created_at},
                      {"owned_by", model.team_id}});
    return Response::json(200, {{"object", "list"}, {"data", data}});
  });
}

}  // namespace gatehouse::api
