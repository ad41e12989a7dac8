// SQLite users, sessions, login attempts and audit events.
#include "store/sqlite/sqlite_stores.hpp"

namespace gatehouse::store::sqlite {
namespace {

constexpr std::string_view kFindUser =
    "SELECT id, team_id, sub, email, name, role, created_at, last_login_at FROM users WHERE id = "
    "$1";
constexpr std::string_view kFindUserBySub =
    "SELECT id, team_id, sub, email, name, role, created_at, last_login_at FROM users "
    "WHERE team_id = $1 AND sub = $2";
constexpr std::string_view kListUsers =
    "SELECT id, team_id, sub, email, name, role, created_at, last_login_at FROM users "
    "WHERE team_id = $1 ORDER BY created_at, id";
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
constexpr std::string_view kDeleteExpiredSessions = "DELETE FROM sessions WHERE expires_at <= $1";

constexpr std::string_view kInsertAttempt =
    "INSERT INTO login_attempts (state_hash, browser_hash, team_id, issuer, client_id, state, "
    "nonce, code_verifier, return_to, created_at, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
constexpr std::string_view kTakeAttempt =
    "DELETE FROM login_attempts WHERE state_hash = $1 RETURNING state_hash, browser_hash, "
    "team_id, issuer, client_id, state, nonce, code_verifier, return_to, created_at, expires_at";
constexpr std::string_view kDeleteExpiredAttempts =
    "DELETE FROM login_attempts WHERE expires_at <= $1";

constexpr std::string_view kInsertAudit =
    "INSERT INTO audit_events (id, at, team_id, actor, action, target, details) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";
constexpr std::string_view kListAudit =
    "SELECT id, at, team_id, actor, action, target, details FROM audit_events "
    "WHERE ($1 IS NULL OR team_id = $1) AND at >= $2 ORDER BY at, id LIMIT $3";

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

}  // namespace

Result<std::optional<domain::User>> SqliteUserStore::find(std::string_view user_id) {
  auto c = pool_.acquire();
  return query_one(*c, kFindUser, {std::string(user_id)}, read_user);
}

Result<std::optional<domain::User>> SqliteUserStore::find_by_sub(std::string_view team_id,
                                                                 std::string_view sub) {
  std::optional<domain::User> out;
  auto c = pool_.acquire();
  auto r = c->query(kFindUserBySub, {std::string(team_id), std::string(sub)},
                    [&](Row& row) { out = read_user(row); });
  if (!r) return tl::unexpected(r.error());
  return out;
}

Result<void> SqliteUserStore::insert(const domain::User& u) {
  auto c = pool_.acquire();
  return ok_or(c->exec(
      kInsertUser, {u.id, u.team_id, u.sub, u.email, u.name, std::string(domain::to_string(u.role)),
                    u.created_at, u.last_login_at}));
}

Result<void> SqliteUserStore::record_login(std::string_view user_id, std::string_view email,
                                           std::string_view name, std::int64_t at) {
  auto c = pool_.acquire();
  return ok_or(
      c->exec(kRecordLogin, {std::string(user_id), std::string(email), std::string(name), at}));
}

Result<std::vector<domain::User>> SqliteUserStore::list_by_team(std::string_view team_id) {
  auto c = pool_.acquire();
  return query_all(*c, kListUsers, {std::string(team_id)}, read_user);
}

Result<void> SqliteSessionStore::insert(const domain::Session& s) {
  auto c = pool_.acquire();
  return ok_or(
      c->exec(kInsertSession, {s.id_hash, s.user_id, s.team_id, s.csrf_token, s.id_token_sealed,
                               s.created_at, s.last_seen_at, s.expires_at}));
}

Result<std::optional<domain::Session>> SqliteSessionStore::find(std::string_view id_hash) {
  auto c = pool_.acquire();
  return query_one(*c, kFindSession, {std::string(id_hash)}, read_session);
}

Result<void> SqliteSessionStore::touch(std::string_view id_hash, std::int64_t last_seen_at) {
  auto c = pool_.acquire();
  return ok_or(c->exec(kTouchSession, {std::string(id_hash), last_seen_at}));
}

Result<void> SqliteSessionStore::remove(std::string_view id_hash) {
  auto c = pool_.acquire();
  return ok_or(c->exec(kDeleteSession, {std::string(id_hash)}));
}

Result<int> SqliteSessionStore::remove_expired(std::int64_t now) {
  auto c = pool_.acquire();
  return c->exec(kDeleteExpiredSessions, {now});
}

Result<int> SqliteSessionStore::remove_for_team(std::string_view team_id) {
  auto c = pool_.acquire();
  return c->exec("DELETE FROM sessions WHERE team_id = $1", {std::string(team_id)});
}

Result<void> SqliteLoginAttemptStore::insert(const domain::LoginAttempt& a) {
  auto c = pool_.acquire();
  return ok_or(c->exec(kInsertAttempt,
                       {a.state_hash, a.browser_hash, a.team_id, a.issuer, a.client_id, a.state,
                        a.nonce, a.code_verifier, a.return_to, a.created_at, a.expires_at}));
}

Result<std::optional<domain::LoginAttempt>> SqliteLoginAttemptStore::take(
    std::string_view state_hash) {
  std::optional<domain::LoginAttempt> out;
  auto c = pool_.acquire();
  auto r = c->query(kTakeAttempt, {std::string(state_hash)}, [&](Row& row) {
    out = domain::LoginAttempt{row.text(0), row.text(1),  row.text(2),  row.text(3),
                               row.text(4), row.text(5),  row.text(6),  row.text(7),
                               row.text(8), row.int64(9), row.int64(10)};
  });
  if (!r) return tl::unexpected(r.error());
  return out;
}

Result<int> SqliteLoginAttemptStore::remove_expired(std::int64_t now) {
  auto c = pool_.acquire();
  return c->exec(kDeleteExpiredAttempts, {now});
}

Result<void> SqliteAuditStore::append(const domain::AuditEvent& e) {
  auto c = pool_.acquire();
  return ok_or(
      c->exec(kInsertAudit, {e.id, e.at_us, e.team_id, e.actor, e.action, e.target, e.details}));
}

Result<std::vector<domain::AuditEvent>> SqliteAuditStore::list(const AuditQuery& q) {
  std::vector<domain::AuditEvent> out;
  auto c = pool_.acquire();
  Value team = q.team_id ? Value(*q.team_id) : Value(nullptr);
  auto r = c->query(kListAudit, {team, q.since_us.value_or(0), static_cast<std::int64_t>(q.limit)},
                    [&](Row& row) {
                      out.push_back({row.text(0), row.int64(1), row.text(2), row.text(3),
                                     row.text(4), row.text(5), row.text(6)});
                    });
  if (!r) return tl::unexpected(r.error());
  return out;
}

}  // namespace gatehouse::store::sqlite
