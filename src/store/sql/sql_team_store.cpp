// Teams, over either driver.
#include "store/sql/sql_stores.hpp"
#include "store/sql/transaction.hpp"

namespace gatehouse::store::sql {
namespace {

// ORDER BY … COLLATE "C": byte order in PostgreSQL whatever collation the
// operator's database was created with; SQLite's own order (BINARY).
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

template <class Row>
domain::Team read_team(const Row& r) {
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

template <class Db>
Result<std::optional<domain::Team>> SqlTeamStore<Db>::find(std::string_view id) {
  return pool_.with([&](typename Db::Connection& c) {
    return query_one(c, kFindTeam, {std::string(id)}, read_team<typename Db::Row>);
  });
}

template <class Db>
Result<std::vector<domain::Team>> SqlTeamStore<Db>::list() {
  return pool_.with([&](typename Db::Connection& c) {
    return query_all(c, kListTeams, {}, read_team<typename Db::Row>);
  });
}

template <class Db>
Result<void> SqlTeamStore<Db>::insert(const domain::Team& t) {
  return pool_.with([&](typename Db::Connection& c) {
    return ok_or(
        c.exec(kInsertTeam, {t.id, t.name, t.issuer, t.client_id, t.client_secret_sealed,
                             t.admin_email, std::string(domain::to_string(t.workspace)),
                             std::int64_t{t.enabled ? 1 : 0}, t.created_at, t.updated_at}));
  });
}

template <class Db>
Result<void> SqlTeamStore<Db>::update(const domain::Team& t) {
  return pool_.with([&](typename Db::Connection& c) {
    return one_changed(
        c.exec(kUpdateTeam, {t.id, t.name, t.issuer, t.client_id, t.client_secret_sealed,
                             t.admin_email, std::string(domain::to_string(t.workspace)),
                             std::int64_t{t.enabled ? 1 : 0}, t.updated_at}));
  });
}

template <class Db>
Result<void> SqlTeamStore<Db>::remove(std::string_view id) {
  // Audit events name a team without a foreign key (they must outlive
  // nothing but the team); delete them with it, so a later team registered
  // under the same ID never sees the old one's trail. Everything else goes
  // by ON DELETE CASCADE.
  return transaction<void>(pool_, [&](typename Db::Connection& c) -> Result<void> {
    if (auto a = c.exec(kDeleteTeamAudit, {std::string(id)}); !a) return tl::unexpected(a.error());
    return one_changed(c.exec(kDeleteTeam, {std::string(id)}));
  });
}

template class SqlTeamStore<sqlite::Driver>;
template class SqlTeamStore<postgres::Driver>;

}  // namespace gatehouse::store::sql
