// Pending sign-ins and the audit trail, over either driver.
#include "store/sql/sql_stores.hpp"

namespace gatehouse::store::sql {
namespace {

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

template <class Row>
domain::LoginAttempt read_attempt(const Row& r) {
  return {r.text(0), r.text(1), r.text(2), r.text(3),  r.text(4),  r.text(5),
          r.text(6), r.text(7), r.text(8), r.int64(9), r.int64(10)};
}

template <class Row>
domain::AuditEvent read_audit(const Row& r) {
  return {r.text(0), r.int64(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6)};
}

}  // namespace

template <class Db>
Result<void> SqlLoginAttemptStore<Db>::insert(const domain::LoginAttempt& a) {
  return pool_.with([&](typename Db::Connection& c) {
    return ok_or(c.exec(kInsertAttempt,
                        {a.state_hash, a.browser_hash, a.team_id, a.issuer, a.client_id, a.state,
                         a.nonce, a.code_verifier, a.return_to, a.created_at, a.expires_at}));
  });
}

template <class Db>
Result<std::optional<domain::LoginAttempt>> SqlLoginAttemptStore<Db>::take(
    std::string_view state_hash) {
  return pool_.with([&](typename Db::Connection& c) {
    return query_one(c, kTakeAttempt, {std::string(state_hash)}, read_attempt<typename Db::Row>);
  });
}

template <class Db>
Result<int> SqlLoginAttemptStore<Db>::remove_expired(std::int64_t now) {
  return pool_.with(
      [&](typename Db::Connection& c) { return c.exec(kDeleteExpiredAttempts, {now}); });
}

template <class Db>
Result<void> SqlAuditStore<Db>::append(const domain::AuditEvent& e) {
  return pool_.with([&](typename Db::Connection& c) {
    return ok_or(
        c.exec(kInsertAudit, {e.id, e.at_us, e.team_id, e.actor, e.action, e.target, e.details}));
  });
}

template <class Db>
Result<std::vector<domain::AuditEvent>> SqlAuditStore<Db>::list(const AuditQuery& q) {
  return pool_.with([&](typename Db::Connection& c) {
    return query_all(
        c, kListAudit,
        {opt_value(q.team_id), q.since_us.value_or(0), static_cast<std::int64_t>(q.limit)},
        read_audit<typename Db::Row>);
  });
}

template class SqlLoginAttemptStore<sqlite::Driver>;
template class SqlLoginAttemptStore<postgres::Driver>;
template class SqlAuditStore<sqlite::Driver>;
template class SqlAuditStore<postgres::Driver>;

}  // namespace gatehouse::store::sql
