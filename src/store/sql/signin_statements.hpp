#pragma once
// The named statements that the sign-in transaction (SqlSigninStore) shares
// with the stores of people, sessions and the audit trail, so that each is
// written once.
//   auto u = sql::query_one(c, kFindUserBySub, {team_id, sub}, read_user<Row>);
#include <string_view>

#include "domain/user.hpp"

namespace gatehouse::store::sql {

inline constexpr std::string_view kFindUserBySub =
    "SELECT id, team_id, sub, email, name, role, created_at, last_login_at FROM users "
    "WHERE team_id = $1 AND sub = $2";
inline constexpr std::string_view kInsertSession =
    "INSERT INTO sessions (id_hash, user_id, team_id, csrf_token, id_token_sealed, created_at, "
    "last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
inline constexpr std::string_view kInsertAudit =
    "INSERT INTO audit_events (id, at, team_id, actor, action, target, details) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";

// A person, from the columns every query of users selects, in this order.
template <class Row>
domain::User read_user(const Row& r) {
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

}  // namespace gatehouse::store::sql
