// People of a team, and the role change transaction, over either driver.
#include "store/sql/signin_statements.hpp"
#include "store/sql/sql_stores.hpp"
#include "store/sql/transaction.hpp"

namespace gatehouse::store::sql {
namespace {

constexpr std::string_view kFindUser =
    "SELECT id, team_id, sub, email, name, role, created_at, last_login_at FROM users WHERE id = "
    "$1";
constexpr std::string_view kListUsers =
    "SELECT id, team_id, sub, email, name, role, created_at, last_login_at FROM users "
    "WHERE team_id = $1 ORDER BY created_at, id COLLATE \"C\"";
constexpr std::string_view kInsertUser =
    "INSERT INTO users (id, team_id, sub, email, name, role, created_at, last_login_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

// Serialises role changes per team where transactions do not (PostgreSQL):
// the second of two concurrent demotions waits here and then counts the
// admins the first one left. NO KEY UPDATE so that sign-ins inserting users
// (a KEY SHARE lock by the foreign key) never wait.
constexpr std::string_view kLockTeamForRoles =
    "SELECT 1 FROM teams WHERE id = $1 FOR NO KEY UPDATE";
constexpr std::string_view kRoleOf = "SELECT role FROM users WHERE team_id = $1 AND id = $2";
constexpr std::string_view kCountAdmins =
    "SELECT COUNT(*) FROM users WHERE team_id = $1 AND role = 'admin'";
constexpr std::string_view kSetRole = "UPDATE users SET role = $3 WHERE team_id = $1 AND id = $2";

}  // namespace

template <class Db>
Result<std::optional<domain::User>> SqlUserStore<Db>::find(std::string_view user_id) {
  return pool_.with([&](typename Db::Connection& c) {
    return query_one(c, kFindUser, {std::string(user_id)}, read_user<typename Db::Row>);
  });
}

template <class Db>
Result<std::optional<domain::User>> SqlUserStore<Db>::find_by_sub(std::string_view team_id,
                                                                  std::string_view sub) {
  return pool_.with([&](typename Db::Connection& c) {
    return query_one(c, kFindUserBySub, {std::string(team_id), std::string(sub)},
                     read_user<typename Db::Row>);
  });
}

template <class Db>
Result<void> SqlUserStore<Db>::insert(const domain::User& u) {
  return pool_.with([&](typename Db::Connection& c) {
    return ok_or(c.exec(kInsertUser,
                        {u.id, u.team_id, u.sub, u.email, u.name,
                         std::string(domain::to_string(u.role)), u.created_at, u.last_login_at}));
  });
}

template <class Db>
Result<std::vector<domain::User>> SqlUserStore<Db>::list_by_team(std::string_view team_id) {
  return pool_.with([&](typename Db::Connection& c) {
    return query_all(c, kListUsers, {std::string(team_id)}, read_user<typename Db::Row>);
  });
}

template <class Db>
Result<UserStore::RoleChange> SqlUserStore<Db>::set_role(std::string_view team_id,
                                                         std::string_view user_id,
                                                         domain::Role role) {
  // Two admins demoting each other must run one after the other, so that the
  // second sees one admin left: the transaction itself serialises them
  // (SQLite's write lock), or the team's row lock does.
  return transaction<RoleChange>(pool_, [&](typename Db::Connection& c) -> Result<RoleChange> {
    if constexpr (!Db::kTransactionsSerialize) {
      if (auto l = c.exec(kLockTeamForRoles, {std::string(team_id)}); !l)
        return tl::unexpected(l.error());
    }
    auto current = query_one(c, kRoleOf, {std::string(team_id), std::string(user_id)},
                             [](const typename Db::Row& r) { return r.text(0); });
    if (!current) return tl::unexpected(current.error());
    if (!*current) return tl::unexpected(StoreError::not_found);
    if (**current == domain::to_string(role)) return RoleChange::unchanged;
    if (**current == "admin") {
      auto admins = query_one(c, kCountAdmins, {std::string(team_id)},
                              [](const typename Db::Row& r) { return r.int64(0); });
      if (!admins) return tl::unexpected(admins.error());
      if (admins->value_or(0) <= 1) return RoleChange::last_admin;
    }
    auto u = c.exec(kSetRole, {std::string(team_id), std::string(user_id),
                               std::string(domain::to_string(role))});
    if (!u) return tl::unexpected(u.error());
    return RoleChange::changed;
  });
}

template class SqlUserStore<sqlite::Driver>;
template class SqlUserStore<postgres::Driver>;

}  // namespace gatehouse::store::sql
