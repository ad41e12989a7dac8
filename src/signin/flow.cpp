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
  std::string email = *id->email;
  std::string name = id->name && !id->name->empty() ? *id->name : email;
  auto existing = db_.users().find_by_sub(team.id, id->sub);
  if (!existing) return store_down();
  domain::User user;
  if (*existing) {
    user = **existing;
    if (!db_.users().record_login(user.id, email, name, now)) return store_down();
    user.email = email;
    user.name = name;
    user.last_login_at = now;
  } else {
    // Just-in-time account: the first sign-in creates the person. Only the
    // configured admin email (verified) becomes admin (SPEC.md §7).
    user.id = "usr_" + crypto::random_token(rng_, 16);
    user.team_id = team.id;
    user.sub = id->sub;
    user.email = email;
    user.name = name;
    user.role = domain::becomes_admin(email, team.admin_email, id->email_verified)
                    ? domain::Role::admin
                    : domain::Role::member;
    user.created_at = user.last_login_at = now;
    auto ins = db_.users().insert(user);
    if (!ins && ins.error() == store::StoreError::conflict) {
      // The same person's first sign-in completed in another tab at once.
      auto again = db_.users().find_by_sub(team.id, id->sub);
      if (!again || !*again) return store_down();
      user = **again;
    } else if (!ins) {
      return store_down();
    }
  }
  auto session = sessions_.create(user, id->id_token);
  if (!session) return store_down();
  nlohmann::json d = {{"sub", user.sub}, {"role", domain::to_string(user.role)}};
  audit(team.id, user.email, "signin.success", user.id, d.dump());
  return SignedIn{std::move(*session), a.return_to, user, team};
}

void SigninFlow::audit(const std::string& team_id, const std::string& actor,
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
  // The audit trail must not turn a working sign-in into a failed one; a
  // lost event is logged instead.
  if (!db_.audit().append(e))
    spdlog::error("audit event {} for team {} not stored", action, team_id);
}

}  // namespace gatehouse::signin
