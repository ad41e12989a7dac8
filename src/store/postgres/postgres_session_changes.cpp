// PostgreSQL: the session cache's change feed (migrations/0005_session_changes.sql).
#include <algorithm>

#include "store/postgres/postgres_stores.hpp"

namespace gatehouse::store::postgres {
namespace {

constexpr std::string_view kTouchForward =
    "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2";
constexpr std::string_view kInsertChange =
    "INSERT INTO session_changes (at_us, kind, subject) VALUES ($1, $2, $3)";
constexpr std::string_view kChangesSince =
    "SELECT at_us, kind, subject FROM session_changes WHERE at_us >= $1 ORDER BY at_us";
constexpr std::string_view kDeleteChanges = "DELETE FROM session_changes WHERE at_us < $1";

}  // namespace

Result<void> PgSessionStore::touch_all(
    const std::vector<std::pair<std::string, std::int64_t>>& seen) {
  if (seen.empty()) return {};
  // Rows locked in id_hash order: two instances flushing overlapping batches
  // wait for each other instead of deadlocking.
  auto sorted = seen;
  std::sort(sorted.begin(), sorted.end());
  return pool_.transaction<void>([&](Connection& c) -> Result<void> {
    for (const auto& [id_hash, at] : sorted)
      if (auto r = c.exec(kTouchForward, {id_hash, at}); !r) return tl::unexpected(r.error());
    return {};
  });
}

Result<void> PgSessionStore::record_change(const SessionChange& ch) {
  return pool_.with([&](Connection& c) {
    return ok_or(c.exec(kInsertChange, {ch.at_us, ch.kind, ch.subject}));
  });
}

Result<std::vector<SessionChange>> PgSessionStore::changes_since(std::int64_t since_us) {
  return pool_.with([&](Connection& c) {
    return query_all(c, kChangesSince, {since_us}, [](Row& r) {
      return SessionChange{r.int64(0), r.text(1), r.text(2)};
    });
  });
}

Result<int> PgSessionStore::remove_changes_before(std::int64_t before_us) {
  return pool_.with([&](Connection& c) { return c.exec(kDeleteChanges, {before_us}); });
}

}  // namespace gatehouse::store::postgres
