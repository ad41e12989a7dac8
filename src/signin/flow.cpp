#include "signin/flow.hpp"

#include <chrono>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "crypto/hash.hpp"
#include "signin/return_path.hpp"

namespace gatehouse::signin {
namespace {

tl::unexpected<Failure> fail(FailureKind kind, std::string detail = {}) {
  return tl::unexpected(Failure{kind, std::nullopt, std::move(detail)});
}

tl::unexpected<Failure> store_down() {
  return fail(FailureKind::store_unavailable, "database error");
}

}  // namespace

tl::expected<domain::Team, Failure> SigninFlow::enabled_team(const std::string& team_id) {
  if (domain::check_team_id_syntax(team_id)) return fail(FailureKind::team_id_malformed);
  auto team = db_.teams().find(team_id);
  if (!team) return store_down();
  // Unknown and disabled look the same to a stranger typing Team IDs.
  if (!*team || !(*team)->enabled) return fail(FailureKind::team_unknown, "team " + team_id);
  return **team;
}

tl::expected<Started, Failure> SigninFlow::start(const StartRequest& req) {
  auto team = enabled_team(req.team_id);
  if (!team) return tl::unexpected(team.error());
  oidc::ClientConfig client{team->issuer, team->client_id, {}, settings_.redirect_uri};
  std::string detail;
  auto s = rp_.start(client, req.login_hint, &detail);
  if (!s) return tl::unexpected(Failure{FailureKind::provider, s.error(), detail});

  // The gh_login cookie binds the attempt to this browser. An existing value
  // is reused so two tabs signing in at once do not break each other.
  std::string browser = req.browser_cookie && req.browser_cookie->size() == 43
                            ? *req.browser_cookie
                            : crypto::random_token(rng_, 32);
  auto now = clock_.unix_seconds();
  domain::LoginAttempt a;
  a.state_hash = crypto::sha256_hex(s->pending.state);
  a.browser_hash = crypto::sha256_hex(browser);
  a.team_id = team->id;
  a.issuer = team->issuer;
  a.client_id = team->client_id;
  a.state = s->pending.state;
  a.nonce = s->pending.nonce;
  a.code_verifier = s->pending.code_verifier;
  a.return_to = req.return_to;
  a.created_at = now;
  a.expires_at = now + settings_.attempt_ttl_seconds;
  if (!db_.login_attempts().insert(a)) return store_down();
  return Started{s->url, browser};
}

tl::expected<Started, Failure> SigninFlow::initiate(const std::string& team_id,
                                                    const http::Params& params,
                                                    std::optional<std::string> browser_cookie) {
  auto team = enabled_team(team_id);
  if (!team) return tl::unexpected(team.error());
  auto iss = params.get("iss");
  if (!iss || iss->empty()) return fail(FailureKind::initiate_iss_missing);
  // Exact match, and only against the registered issuer: an unregistered
  // issuer is never contacted (SSRF, mix-up).
  if (*iss != team->issuer) return fail(FailureKind::initiate_iss_mismatch, "team " + team_id);
  StartRequest req;
  req.team_id = team_id;
  req.browser_cookie = std::move(browser_cookie);
  if (auto hint = params.get("login_hint"); hint && !hint->empty() && hint->size() <= 256)
    req.login_hint = *hint;
  if (auto target = params.get("target_link_uri"))
    if (auto path = safe_return_path(*target, settings_.public_origin)) req.return_to = *path;
  return start(req);
}

tl::expected<SignedIn, Failure> SigninFlow::callback(
    const http::Params& params, const std::optional<std::string>& browser_cookie) {
  auto state = params.get("state");
  if (!state || state->empty()) {
    audit("", "anonymous", "signin.failure", "", R"({"reason":"state_missing"})");
    return fail(FailureKind::state_missing);
  }
  // Taken (deleted) before anything else: a replay or a second tab finds nothing.
  auto attempt = db_.login_attempts().take(crypto::sha256_hex(*state));
  if (!attempt) return store_down();
  if (!*attempt) {
    audit("", "anonymous", "signin.failure", "", R"({"reason":"attempt_unknown"})");
    return fail(FailureKind::attempt_unknown);
  }
  const auto& a = **attempt;
  auto result = [&]() -> tl::expected<SignedIn, Failure> {
    if (clock_.unix_seconds() >= a.expires_at) return fail(FailureKind::attempt_expired);
    // Login CSRF (RFC 9700 §4.7.1): the attempt must come back to the browser
    // that started it. The attempt is already consumed, so a victim's
    // browser cannot be made to finish an attacker's sign-in.
    if (!browser_cookie ||
        !crypto::constant_time_equal(crypto::sha256_hex(*browser_cookie), a.browser_hash))
      return fail(FailureKind::browser_mismatch);
    return complete(a, params);
  }();
  if (!result) {
    nlohmann::json d = {{"reason", code(result.error())}};
    audit(a.team_id, "anonymous", "signin.failure", "", d.dump());
  }
  return result;
}

tl::expected<SignedIn, Failure> SigninFlow::complete(const domain::LoginAttempt& a,
                                                     const http::Params& params) {
  auto team_r = db_.teams().find(a.team_id);
  if (!team_r) return store_down();
  if (!*team_r || !(*team_r)->enabled) return fail(FailureKind::team_disabled);
  const domain::Team& team = **team_r;
  // The attempt remembers the issuer and client it was started with; if the
  // operator changed them since, this response belongs to the old ones.
  if (team.issuer != a.issuer || team.client_id != a.client_id)
    return fail(FailureKind::attempt_unknown, "team configuration changed during sign-in");
  auto secret = box_.open(team.client_secret_sealed, domain::client_secret_aad(team.id));
  if (!secret) return fail(FailureKind::secret_unusable, "client secret does not decrypt");
  oidc::ClientConfig client{team.issuer, team.client_id, *secret, settings_.redirect_uri};
  oidc::PendingAuthorization pending{a.state, a.nonce, a.code_verifier};
  std::string detail;
  auto id = rp_.finish(client, pending, params, &detail);
  if (!id) return tl::unexpected(Failure{FailureKind::provider, id.error(), detail});
  if (!id->email || id->email->empty()) return fail(FailureKind::no_email);

  auto now = clock_.unix_seconds();
  // The person as a first sign-in creates them (just-in-time account); when
  // (team, sub) exists, only email, name and the time are taken from here.
  // Only the configured admin email (verified) becomes admin (SPEC.md §7).
  domain::User person;
  person.id = "usr_" + crypto::random_token(rng_, 16);
  person.team_id = team.id;
  person.sub = id->sub;
  person.email = *id->email;
  person.name = id->name && !id->name->empty() ? *id->name : person.email;
  person.role = domain::becomes_admin(person.email, team.admin_email, id->email_verified)
                    ? domain::Role::admin
                    : domain::Role::member;
  person.created_at = person.last_login_at = now;
  auto session = sessions_.prepare(team.id, id->id_token);
  // Person, session and signin.success in one transaction (one commit, not
  // three). Its audit event is part of it: when the event cannot be stored
  // the sign-in fails with store_unavailable and leaves no session behind,
  // rather than succeed with no trace in the audit trail.
  auto recorded = db_.signins().record(
      {.person = std::move(person),
       .session = std::move(session.row),
       .audit = [&](const domain::User& u) {
         nlohmann::json d = {{"sub", u.sub}, {"role", domain::to_string(u.role)}};
         return audit_event(team.id, u.email, "signin.success", u.id, d.dump());
       }});
  if (!recorded) return store_down();
  return SignedIn{std::move(session.created), a.return_to, std::move(recorded->person), team};
}

domain::AuditEvent SigninFlow::audit_event(const std::string& team_id, const std::string& actor,
                                           const std::string& action, const std::string& target,
                                           const std::string& details) {
  domain::AuditEvent e;
  e.id = "evt_" + crypto::random_token(rng_, 12);
  e.at_us = std::chrono::duration_cast<std::chrono::microseconds>(clock_.now().time_since_epoch())
                .count();
  e.team_id = team_id;
  e.actor = actor;
  e.action = action;
  e.target = target;
  e.details = details;
  return e;
}

void SigninFlow::audit(const std::string& team_id, const std::string& actor,
                       const std::string& action, const std::string& target,
                       const std::string& details) {
  // A failed sign-in fails whether or not its event is stored; a lost event
  // is logged instead.
  if (!db_.audit().append(audit_event(team_id, actor, action, target, details)))
    spdlog::error("audit event {} for team {} not stored", action, team_id);
}

}  // namespace gatehouse::signin
