// SQLite: the session cache's change feed (migrations/0005_session_changes.sql).
#include "store/sqlite/sqlite_stores.hpp"

namespace gatehouse::store::sqlite {
namespace {

constexpr std::string_view kTouchForward =
    "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2";
constexpr std::string_view kInsertChange =
    "INSERT INTO session_changes (at_us, kind, subject) VALUES ($1, $2, $3)";
constexpr std::string_view kChangesSince =
    "SELECT at_us, kind, subject FROM session_changes WHERE at_us >= $1 ORDER BY at_us";
constexpr std::string_view kDeleteChanges = "DELETE FROM session_changes WHERE at_us < $1";

}  // namespace

Result<void> SqliteSessionStore::touch_all(
    const std::vector<std::pair<std::string, std::int64_t>>& seen) {
  if (seen.empty()) return {};
  return pool_.transaction<void>([&](Connection& c) -> Result<void> {
    for (const auto& [id_hash, at] : seen)
      if (auto r = c.exec(kTouchForward, {id_hash, at}); !r) return tl::unexpected(r.error());
    return {};
  });
}

Result<void> SqliteSessionStore::record_change(const SessionChange& ch) {
  auto c = pool_.acquire();
  return ok_or(c->exec(kInsertChange, {ch.at_us, ch.kind, ch.subject}));
}

Result<std::vector<SessionChange>> SqliteSessionStore::changes_since(std::int64_t since_us) {
  std::vector<SessionChange> out;
  auto c = pool_.acquire();
  auto r = c->query(kChangesSince, {since_us}, [&](Row& row) {
    out.push_back({row.int64(0), row.text(1), row.text(2)});
  });
  if (!r) return tl::unexpected(r.error());
  return out;
}

Result<int> SqliteSessionStore::remove_changes_before(std::int64_t before_us) {
  auto c = pool_.acquire();
  return c->exec(kDeleteChanges, {before_us});
}

}  // namespace gatehouse::store::sqlite
