#include "store/postgres/postgres_stores.hpp"

namespace gatehouse::store::postgres {
namespace {

// ORDER BY … COLLATE "C": byte order, as SQLite sorts, whatever collation the
// operator's database was created with.
constexpr std::string_view kFindTeam =
    "SELECT id, name, issuer, client_id, client_secret_sealed, admin_email, workspace, enabled, "
    "created_at, updated_at FROM teams WHERE id = $1";
constexpr std::string_view kListTeams =
    "SELECT id, name, issuer, client_id, client_secret_sealed, admin_email, workspace, enabled, "
    "created_at, updated_at FROM teams ORDER BY id COLLATE \"C\"";
constexpr std::string_view kInsertTeam =
    "INSERT INTO teams (id, name, issuer, client_id, client_secret_sealed, admin_email, workspace, "
    "enabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
constexpr std::string_view kUpdateTeam =
    "UPDATE teams SET name = $2, issuer = $3, client_id = $4, client_secret_sealed = $5, "
    "admin_email = $6, workspace = $7, enabled = $8, updated_at = $9 WHERE id = $1";
constexpr std::string_view kDeleteTeam = "DELETE FROM teams WHERE id = $1";
constexpr std::string_view kDeleteTeamAudit = "DELETE FROM audit_events WHERE team_id = $1";

domain::Team read_team(Row& r) {
  domain::Team t;
  t.id = r.text(0);
  t.name = r.text(1);
  t.issuer = r.text(2);
  t.client_id = r.text(3);
  t.client_secret_sealed = r.text(4);
  t.admin_email = r.text(5);
  t.workspace = domain::parse_workspace(r.text(6)).value_or(domain::Workspace::shared);
  t.enabled = r.int64(7) != 0;
  t.created_at = r.int64(8);
  t.updated_at = r.int64(9);
  return t;
}

}  // namespace

Result<std::optional<domain::Team>> PgTeamStore::find(std::string_view id) {
  return pool_.with(
      [&](Connection& c) { return query_one(c, kFindTeam, {std::string(id)}, read_team); });
}

Result<std::vector<domain::Team>> PgTeamStore::list() {
  return pool_.with([&](Connection& c) { return query_all(c, kListTeams, {}, read_team); });
}

Result<void> PgTeamStore::insert(const domain::Team& t) {
  return pool_.with([&](Connection& c) {
    return ok_or(
        c.exec(kInsertTeam, {t.id, t.name, t.issuer, t.client_id, t.client_secret_sealed,
                             t.admin_email, std::string(domain::to_string(t.workspace)),
                             std::int64_t{t.enabled ? 1 : 0}, t.created_at, t.updated_at}));
  });
}

Result<void> PgTeamStore::update(const domain::Team& t) {
  return pool_.with([&](Connection& c) -> Result<void> {
    auto r = c.exec(kUpdateTeam, {t.id, t.name, t.issuer, t.client_id, t.client_secret_sealed,
                                  t.admin_email, std::string(domain::to_string(t.workspace)),
                                  std::int64_t{t.enabled ? 1 : 0}, t.updated_at});
    if (!r) return tl::unexpected(r.error());
    if (*r == 0) return tl::unexpected(StoreError::not_found);
    return {};
  });
}

Result<void> PgTeamStore::remove(std::string_view id) {
  // As in the SQLite backend: the audit trail (no foreign key) goes with the
  // team, everything else by ON DELETE CASCADE, in one transaction.
  return pool_.transaction<void>([&](Connection& c) -> Result<void> {
    if (auto a = c.exec(kDeleteTeamAudit, {std::string(id)}); !a) return tl::unexpected(a.error());
    auto r = c.exec(kDeleteTeam, {std::string(id)});
    if (!r) return tl::unexpected(r.error());
    if (*r == 0) return tl::unexpected(StoreError::not_found);
    return {};
  });
}

}  // namespace gatehouse::store::postgres
