#include "api/gateway.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/auth.hpp"
#include "crypto/hash.hpp"
#include "domain/workspace.hpp"

namespace gatehouse::api {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

constexpr std::size_t kMaxEvents = 1000;

Response allow(const workspace::TokenPrincipal& p) {
  Response r = Response::empty(204);
  r.headers.reserve(3);
  r.headers.emplace_back("X-Team-Id", p.team_id);
  r.headers.emplace_back("X-Token-Id", p.token_id);
  if (p.mode == domain::Workspace::personal) r.headers.emplace_back("X-User-Id", p.user_id);
  return r;
}

Response deny() {
  Response r = Response::empty(401);
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

Response bad_event(std::size_t index, const std::string& why) {
  auto r = Response::json(400, {{"error", "invalid_event"},
                                {"message", fmt::format("event {}: {}", index, why)},
                                {"index", index}});
  return r;
}

// One event of a batch, checked; the team and person come from the token.
std::optional<std::string> parse_event(const json& e, store::Database& db, crypto::Random& rng,
                                       domain::UsageEvent& out) {
  if (!e.is_object()) return "not a JSON object";
  auto str = [&](const char* k) -> std::optional<std::string> {
    auto it = e.find(k);
    if (it == e.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto count = [&](const char* k) -> std::optional<std::int64_t> {
    auto it = e.find(k);
    if (it == e.end() || !it->is_number_integer()) return std::nullopt;
    auto v = it->get<std::int64_t>();
    if (v < 0) return std::nullopt;
    return v;
  };
  if (auto id = e.find("id"); id != e.end()) {
    if (!id->is_string() || id->get<std::string>().empty() || id->get<std::string>().size() > 128)
      return "id must be a string of 1 to 128 characters";
    out.id = id->get<std::string>();
  } else {
    out.id = "use_" + crypto::random_token(rng, 16);
  }
  auto token_id = str("token_id");
  if (!token_id || token_id->empty()) return "token_id is required";
  auto model = str("model");
  if (!model || model->empty() || model->size() > 200)
    return "model must be a string of 1 to 200 characters";
  auto in = count("input_tokens");
  if (!in) return "input_tokens must be a non-negative integer";
  auto outp = count("output_tokens");
  if (!outp) return "output_tokens must be a non-negative integer";
  auto cost = e.find("cost_usd");
  if (cost == e.end() || !cost->is_number() || !std::isfinite(cost->get<double>()) ||
      cost->get<double>() < 0 || cost->get<double>() > 1e9)
    return "cost_usd must be a non-negative number";
  auto at = str("at");
  auto ts = at ? domain::parse_rfc3339(*at) : std::nullopt;
  if (!ts) return "at must be an RFC 3339 date-time like 2026-11-29T12:00:00Z";
  // Usage of revoked tokens is still billed: the gateway may report late.
  auto token = db.tokens().find_by_id(*token_id);
  if (!token) return std::string("store unavailable");
  if (!*token) return "unknown token_id";
  out.team_id = (*token)->team_id;
  out.user_id = (*token)->created_by;
  out.token_id = *token_id;
  out.model = *model;
  out.input_tokens = *in;
  out.output_tokens = *outp;
  out.cost_micros = std::llround(cost->get<double>() * 1e6);
  out.at = *ts;
  out.day = domain::format_day(*ts);
  return std::nullopt;
}

}  // namespace

void add_gateway_routes(http::Router& router, workspace::TokenAuthority& tokens,
                        store::Database& db, const std::optional<std::string>& internal_key,
                        RateLimiter& failed, crypto::Random& rng) {
  router.add_with_fast_path(
      "GET", "/internal/authz",
      [&tokens, &failed](Request& req) -> std::optional<Response> {
        auto bearer = req.bearer_token();
        if (bearer)
          if (auto p = tokens.check_cached(*bearer)) return allow(*p);
        // Only failures are limited, so a valid token is never slowed.
        if (auto wait = failed.check(req.remote_addr)) return rate_limited(*wait);
        if (!bearer || !domain::looks_like_token(*bearer)) {
          (void)failed.acquire(req.remote_addr);
          return deny();
        }
        return std::nullopt;  // not cached: ask the store on a worker
      },
      [&tokens, &failed](Request& req) {
        auto bearer = req.bearer_token();
        auto p = tokens.check(bearer.value_or(""));
        if (!p) return error_response(503, "unavailable", "The database is not answering.");
        if (!*p) {
          (void)failed.acquire(req.remote_addr);
          return deny();
        }
        return allow(**p);
      });

  if (!internal_key) return;  // SPEC.md §2: without a key the route does not exist (404)
  std::string key = *internal_key;
  router.add("POST", "/internal/usage", [key, &db, &rng](Request& req) {
    auto bearer = req.bearer_token();
    if (!bearer || !crypto::constant_time_equal(*bearer, key))
      return error_response(401, "unauthenticated", "Send the internal key as a bearer token.");
    auto body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("events") ||
        !body["events"].is_array())
      return error_response(400, "invalid_json", "The body must be {\"events\": [...]}.");
    const auto& events = body["events"];
    if (events.size() > kMaxEvents)
      return error_response(413, "too_many_events",
                            fmt::format("At most {} events per batch.", kMaxEvents));
    std::vector<domain::UsageEvent> batch;
    batch.reserve(events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
      domain::UsageEvent e;
      if (auto why = parse_event(events[i], db, rng, e)) {
        if (*why == "store unavailable")
          return error_response(503, "unavailable", "The database is not answering.");
        return bad_event(i, *why);
      }
      batch.push_back(std::move(e));
    }
    // All or nothing, in one transaction; ids already stored are skipped, so
    // the gateway may resend a batch after a timeout.
    auto added = db.usage().insert(batch);
    if (!added) return error_response(503, "unavailable", "The database is not answering.");
    return Response::json(202, {{"accepted", batch.size()}, {"new", *added}});
  });
}

}  // namespace gatehouse::api
