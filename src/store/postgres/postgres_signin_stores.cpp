// PostgreSQL users, sessions, login attempts and audit events.
#include "store/postgres/postgres_stores.hpp"

namespace gatehouse::store::postgres {
namespace {

constexpr std::string_view kFindUser =
    "SELECT id, team_id, sub, email, name, role, created_at, last_login_at FROM users WHERE id = "
    "$1";
constexpr std::string_view kFindUserBySub =
    "SELECT id, team_id, sub, email, name, role, created_at, last_login_at FROM users "
    "WHERE team_id = $1 AND sub = $2";
constexpr std::string_view kListUsers =
    "SELECT id, team_id, sub, email, name, role, created_at, last_login_at FROM users "
    "WHERE team_id = $1 ORDER BY created_at, id COLLATE \"C\"";
constexpr std::string_view kInsertUser =
    "INSERT INTO users (id, team_id, sub, email, name, role, created_at, last_login_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
constexpr std::string_view kRecordLogin =
    "UPDATE users SET email = $2, name = $3, last_login_at = $4 WHERE id = $1";

constexpr std::string_view kInsertSession =
    "INSERT INTO sessions (id_hash, user_id, team_id, csrf_token, id_token_sealed, created_at, "
    "last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
constexpr std::string_view kFindSession =
    "SELECT id_hash, user_id, team_id, csrf_token, id_token_sealed, created_at, last_seen_at, "
    "expires_at FROM sessions WHERE id_hash = $1";
constexpr std::string_view kTouchSession =
    "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1";
constexpr std::string_view kDeleteSession = "DELETE FROM sessions WHERE id_hash = $1";
constexpr std::string_view kDeleteTeamSessions = "DELETE FROM sessions WHERE team_id = $1";
constexpr std::string_view kDeleteExpiredSessions = "DELETE FROM sessions WHERE expires_at <= $1";

constexpr std::string_view kInsertAttempt =
    "INSERT INTO login_attempts (state_hash, browser_hash, team_id, issuer, client_id, state, "
    "nonce, code_verifier, return_to, created_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
// One statement, so two callbacks racing with the same state find it once.
constexpr std::string_view kTakeAttempt =
    "DELETE FROM login_attempts WHERE state_hash = $1 RETURNING state_hash, browser_hash, "
    "team_id, issuer, client_id, state, nonce, code_verifier, return_to, created_at, expires_at";
constexpr std::string_view kDeleteExpiredAttempts =
    "DELETE FROM login_attempts WHERE expires_at <= $1";

constexpr std::string_view kInsertAudit =
    "INSERT INTO audit_events (id, at, team_id, actor, action, target, details) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";
// CAST: `$1 IS NULL` alone gives PostgreSQL no type for $1.
constexpr std::string_view kListAudit =
    "SELECT id, at, team_id, actor, action, target, details FROM audit_events "
    "WHERE (CAST($1 AS TEXT) IS NULL OR team_id = $1) AND at >= $2 "
    "ORDER BY at, id COLLATE \"C\" LIMIT $3";

domain::User read_user(Row& r) {
  domain::User u;
  u.id = r.text(0);
  u.team_id = r.text(1);
  u.sub = r.text(2);
  u.email = r.text(3);
  u.name = r.text(4);
  u.role = domain::parse_role(r.text(5)).value_or(domain::Role::member);
  u.created_at = r.int64(6);
  u.last_login_at = r.int64(7);
  return u;
}

domain::Session read_session(Row& r) {
  return {r.text(0), r.text(1),  r.text(2),  r.text(3),
          r.text(4), r.int64(5), r.int64(6), r.int64(7)};
}

domain::LoginAttempt read_attempt(Row& r) {
  return {r.text(0), r.text(1), r.text(2), r.text(3),  r.text(4),  r.text(5),
          r.text(6), r.text(7), r.text(8), r.int64(9), r.int64(10)};
}

domain::AuditEvent read_audit(Row& r) {
  return {r.text(0), r.int64(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6)};
}

}  // namespace

Result<std::optional<domain::User>> PgUserStore::find(std::string_view user_id) {
  return pool_.with(
      [&](Connection& c) { return query_one(c, kFindUser, {std::string(user_id)}, read_user); });
}

Result<std::optional<domain::User>> PgUserStore::find_by_sub(std::string_view team_id,
                                                             std::string_view sub) {
  return pool_.with([&](Connection& c) {
    return query_one(c, kFindUserBySub, {std::string(team_id), std::string(sub)}, read_user);
  });
}

Result<void> PgUserStore::insert(const domain::User& u) {
  return pool_.with([&](Connection& c) {
    return ok_or(c.exec(kInsertUser,
                        {u.id, u.team_id, u.sub, u.email, u.name,
                         std::string(domain::to_string(u.role)), u.created_at, u.last_login_at}));
  });
}

Result<void> PgUserStore::record_login(std::string_view user_id, std::string_view email,
                                       std::string_view name, std::int64_t at) {
  return pool_.with([&](Connection& c) {
    return ok_or(
        c.exec(kRecordLogin, {std::string(user_id), std::string(email), std::string(name), at}));
  });
}

Result<std::vector<domain::User>> PgUserStore::list_by_team(std::string_view team_id) {
  return pool_.with(
      [&](Connection& c) { return query_all(c, kListUsers, {std::string(team_id)}, read_user); });
}

Result<void> PgSessionStore::insert(const domain::Session& s) {
  return pool_.with([&](Connection& c) {
    return ok_or(
        c.exec(kInsertSession, {s.id_hash, s.user_id, s.team_id, s.csrf_token, s.id_token_sealed,
                                s.created_at, s.last_seen_at, s.expires_at}));
  });
}

Result<std::optional<domain::Session>> PgSessionStore::find(std::string_view id_hash) {
  return pool_.with([&](Connection& c) {
    return query_one(c, kFindSession, {std::string(id_hash)}, read_session);
  });
}

Result<void> PgSessionStore::touch(std::string_view id_hash, std::int64_t last_seen_at) {
  return pool_.with([&](Connection& c) {
    return ok_or(c.exec(kTouchSession, {std::string(id_hash), last_seen_at}));
  });
}

Result<void> PgSessionStore::remove(std::string_view id_hash) {
  return pool_.with(
      [&](Connection& c) { return ok_or(c.exec(kDeleteSession, {std::string(id_hash)})); });
}

Result<int> PgSessionStore::remove_expired(std::int64_t now) {
  return pool_.with([&](Connection& c) { return c.exec(kDeleteExpiredSessions, {now}); });
}

Result<int> PgSessionStore::remove_for_team(std::string_view team_id) {
  return pool_.with(
      [&](Connection& c) { return c.exec(kDeleteTeamSessions, {std::string(team_id)}); });
}

Result<void> PgLoginAttemptStore::insert(const domain::LoginAttempt& a) {
  return pool_.with([&](Connection& c) {
    return ok_or(c.exec(kInsertAttempt,
                        {a.state_hash, a.browser_hash, a.team_id, a.issuer, a.client_id, a.state,
                         a.nonce, a.code_verifier, a.return_to, a.created_at, a.expires_at}));
  });
}

Result<std::optional<domain::LoginAttempt>> PgLoginAttemptStore::take(std::string_view state_hash) {
  return pool_.with([&](Connection& c) {
    return query_one(c, kTakeAttempt, {std::string(state_hash)}, read_attempt);
  });
}

Result<int> PgLoginAttemptStore::remove_expired(std::int64_t now) {
  return pool_.with([&](Connection& c) { return c.exec(kDeleteExpiredAttempts, {now}); });
}

Result<void> PgAuditStore::append(const domain::AuditEvent& e) {
  return pool_.with([&](Connection& c) {
    return ok_or(
        c.exec(kInsertAudit, {e.id, e.at_us, e.team_id, e.actor, e.action, e.target, e.details}));
  });
}

Result<std::vector<domain::AuditEvent>> PgAuditStore::list(const AuditQuery& q) {
  Value team = q.team_id ? Value(*q.team_id) : Value(nullptr);
  return pool_.with([&](Connection& c) {
    return query_all(c, kListAudit,
                     {team, q.since_us.value_or(0), static_cast<std::int64_t>(q.limit)},
                     read_audit);
  });
}

}  // namespace gatehouse::store::postgres
