// Browser sessions and the session cache's change feed
// (migrations/0005_session_changes.sql), over either driver.
#include <algorithm>

#include "store/sql/signin_statements.hpp"
#include "store/sql/sql_stores.hpp"
#include "store/sql/transaction.hpp"

namespace gatehouse::store::sql {
namespace {

constexpr std::string_view kFindSession =
    "SELECT id_hash, user_id, team_id, csrf_token, id_token_sealed, created_at, last_seen_at, "
    "expires_at FROM sessions WHERE id_hash = $1";
constexpr std::string_view kTouchSession =
    "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1";
constexpr std::string_view kTouchSessionForward =
    "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2";
constexpr std::string_view kDeleteSession = "DELETE FROM sessions WHERE id_hash = $1";
constexpr std::string_view kDeleteTeamSessions = "DELETE FROM sessions WHERE team_id = $1";
constexpr std::string_view kDeleteExpiredSessions = "DELETE FROM sessions WHERE expires_at <= $1";

constexpr std::string_view kInsertSessionChange =
    "INSERT INTO session_changes (at_us, kind, subject) VALUES ($1, $2, $3)";
constexpr std::string_view kSessionChangesSince =
    "SELECT at_us, kind, subject FROM session_changes WHERE at_us >= $1 ORDER BY at_us";
constexpr std::string_view kDeleteSessionChanges = "DELETE FROM session_changes WHERE at_us < $1";

template <class Row>
domain::Session read_session(const Row& r) {
  return {r.text(0), r.text(1),  r.text(2),  r.text(3),
          r.text(4), r.int64(5), r.int64(6), r.int64(7)};
}

template <class Row>
SessionChange read_session_change(const Row& r) {
  return {r.int64(0), r.text(1), r.text(2)};
}

}  // namespace

template <class Db>
Result<void> SqlSessionStore<Db>::insert(const domain::Session& s) {
  return pool_.with([&](typename Db::Connection& c) {
    return ok_or(
        c.exec(kInsertSession, {s.id_hash, s.user_id, s.team_id, s.csrf_token, s.id_token_sealed,
                                s.created_at, s.last_seen_at, s.expires_at}));
  });
}

template <class Db>
Result<std::optional<domain::Session>> SqlSessionStore<Db>::find(std::string_view id_hash) {
  return pool_.with([&](typename Db::Connection& c) {
    return query_one(c, kFindSession, {std::string(id_hash)}, read_session<typename Db::Row>);
  });
}

template <class Db>
Result<void> SqlSessionStore<Db>::touch(std::string_view id_hash, std::int64_t last_seen_at) {
  return pool_.with([&](typename Db::Connection& c) {
    return ok_or(c.exec(kTouchSession, {std::string(id_hash), last_seen_at}));
  });
}

template <class Db>
Result<void> SqlSessionStore<Db>::remove(std::string_view id_hash) {
  return pool_.with([&](typename Db::Connection& c) {
    return ok_or(c.exec(kDeleteSession, {std::string(id_hash)}));
  });
}

template <class Db>
Result<int> SqlSessionStore<Db>::remove_expired(std::int64_t now) {
  return pool_.with(
      [&](typename Db::Connection& c) { return c.exec(kDeleteExpiredSessions, {now}); });
}

template <class Db>
Result<int> SqlSessionStore<Db>::remove_for_team(std::string_view team_id) {
  return pool_.with([&](typename Db::Connection& c) {
    return c.exec(kDeleteTeamSessions, {std::string(team_id)});
  });
}

template <class Db>
Result<void> SqlSessionStore<Db>::touch_all(
    const std::vector<std::pair<std::string, std::int64_t>>& seen) {
  if (seen.empty()) return {};
  // Rows locked in id_hash order: two instances flushing overlapping batches
  // wait for each other instead of deadlocking.
  auto sorted = seen;
  std::sort(sorted.begin(), sorted.end());
  return transaction<void>(pool_, [&](typename Db::Connection& c) -> Result<void> {
    for (const auto& [id_hash, at] : sorted)
      if (auto r = c.exec(kTouchSessionForward, {id_hash, at}); !r)
        return tl::unexpected(r.error());
    return {};
  });
}

template <class Db>
Result<void> SqlSessionStore<Db>::record_change(const SessionChange& ch) {
  return pool_.with([&](typename Db::Connection& c) {
    return ok_or(c.exec(kInsertSessionChange, {ch.at_us, ch.kind, ch.subject}));
  });
}

template <class Db>
Result<std::vector<SessionChange>> SqlSessionStore<Db>::changes_since(std::int64_t since_us) {
  return pool_.with([&](typename Db::Connection& c) {
    return query_all(c, kSessionChangesSince, {since_us}, read_session_change<typename Db::Row>);
  });
}

template <class Db>
Result<int> SqlSessionStore<Db>::remove_changes_before(std::int64_t before_us) {
  return pool_.with(
      [&](typename Db::Connection& c) { return c.exec(kDeleteSessionChanges, {before_us}); });
}

template class SqlSessionStore<sqlite::Driver>;
template class SqlSessionStore<postgres::Driver>;

}  // namespace gatehouse::store::sql
