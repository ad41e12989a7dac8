// Pending sign-ins, the audit trail and the writes that end a sign-in, over
// either driver.
#include "store/sql/signin_statements.hpp"
#include "store/sql/sql_stores.hpp"
#include "store/sql/transaction.hpp"

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

// CAST: `$1 IS NULL` alone gives PostgreSQL no type for $1.
constexpr std::string_view kListAudit =
    "SELECT id, at, team_id, actor, action, target, details FROM audit_events "
    "WHERE (CAST($1 AS TEXT) IS NULL OR team_id = $1) AND at >= $2 "
    "ORDER BY at, id COLLATE \"C\" LIMIT $3";

// The same person's first sign-in in two tabs at once: in PostgreSQL the
// second waits for the first's uncommitted row and then inserts nothing,
// rather than failing with a unique violation, which would abort its whole
// transaction. In SQLite BEGIN IMMEDIATE runs the two one after the other,
// so the second already finds the row before it tries to insert.
constexpr std::string_view kInsertUserIfNew =
    "INSERT INTO users (id, team_id, sub, email, name, role, created_at, last_login_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (team_id, sub) DO NOTHING";

// A returning person: the provider's email and name, and the time.
constexpr std::string_view kRecordLogin =
    "UPDATE users SET email = $2, name = $3, last_login_at = $4 WHERE id = $1";

template <class Row>
domain::LoginAttempt read_attempt(const Row& r) {
  return {r.text(0), r.text(1), r.text(2), r.text(3),  r.text(4),  r.text(5),
          r.text(6), r.text(7), r.text(8), r.int64(9), r.int64(10)};
}

template <class Row>
domain::AuditEvent read_audit(const Row& r) {
  return {r.text(0), r.int64(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6)};
}

// A sign-in's person as stored after it: found by (team, sub) and refreshed
// (email, name, last login), or inserted. Inside the caller's transaction.
template <class Db>
Result<RecordedSignin> store_person(typename Db::Connection& c, const domain::User& p) {
  using Row = typename Db::Row;
  RecordedSignin out;
  auto found = query_one(c, kFindUserBySub, {p.team_id, p.sub}, read_user<Row>);
  if (!found) return tl::unexpected(found.error());
  if (!*found) {
    auto inserted = c.exec(kInsertUserIfNew,
                           {p.id, p.team_id, p.sub, p.email, p.name,
                            std::string(domain::to_string(p.role)), p.created_at, p.last_login_at});
    if (!inserted) return tl::unexpected(inserted.error());
    if (*inserted == 1) {
      out.person = p;
      out.created = true;
      return out;
    }
    // Another sign-in committed the person since the read above; in READ
    // COMMITTED this new statement sees it.
    found = query_one(c, kFindUserBySub, {p.team_id, p.sub}, read_user<Row>);
    if (!found) return tl::unexpected(found.error());
    // Gone again: the team was removed meanwhile.
    if (!*found) return tl::unexpected(StoreError::not_found);
  }
  out.person = std::move(**found);
  out.profile_changed = out.person.email != p.email || out.person.name != p.name;
  if (auto r = one_changed(c.exec(kRecordLogin, {out.person.id, p.email, p.name, p.last_login_at}));
      !r)
    return tl::unexpected(r.error());
  out.person.email = p.email;
  out.person.name = p.name;
  out.person.last_login_at = p.last_login_at;
  return out;
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

template <class Db>
Result<RecordedSignin> SqlSigninStore<Db>::record(const CompletedSignin& in) {
  return transaction<RecordedSignin>(
      pool_, [&](typename Db::Connection& c) -> Result<RecordedSignin> {
        auto out = store_person<Db>(c, in.person);
        if (!out) return out;
        const domain::Session& s = in.session;
        if (auto r = c.exec(kInsertSession,
                            {s.id_hash, out->person.id, s.team_id, s.csrf_token, s.id_token_sealed,
                             s.created_at, s.last_seen_at, s.expires_at});
            !r)
          return tl::unexpected(r.error());
        const domain::AuditEvent e = in.audit(out->person);
        if (auto r = c.exec(kInsertAudit,
                            {e.id, e.at_us, e.team_id, e.actor, e.action, e.target, e.details});
            !r)
          return tl::unexpected(r.error());
        return out;
      });
}

template class SqlLoginAttemptStore<sqlite::Driver>;
template class SqlLoginAttemptStore<postgres::Driver>;
template class SqlAuditStore<sqlite::Driver>;
template class SqlAuditStore<postgres::Driver>;
template class SqlSigninStore<sqlite::Driver>;
template class SqlSigninStore<postgres::Driver>;

}  // namespace gatehouse::store::sql
