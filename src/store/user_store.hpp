#pragma once
// People of a team, identified by (team, sub).
#include <optional>
#include <string_view>
#include <vector>

#include "domain/user.hpp"
#include "store/result.hpp"

namespace gatehouse::store {

class UserStore {
 public:
  virtual ~UserStore() = default;
  [[nodiscard]] virtual Result<std::optional<domain::User>> find(std::string_view user_id) = 0;
  [[nodiscard]] virtual Result<std::optional<domain::User>> find_by_sub(std::string_view team_id,
                                                                        std::string_view sub) = 0;
  // conflict when (team_id, sub) exists already. A sign-in creates or
  // refreshes its person through SigninStore (signin_store.hpp).
  [[nodiscard]] virtual Result<void> insert(const domain::User& user) = 0;
  [[nodiscard]] virtual Result<std::vector<domain::User>> list_by_team(
      std::string_view team_id) = 0;

  enum class RoleChange { changed, unchanged, last_admin };
  // In one transaction: refuses (last_admin) to demote the team's only admin,
  // even when two admins demote each other at the same moment. not_found
  // when the person is not in that team.
  [[nodiscard]] virtual Result<RoleChange> set_role(std::string_view team_id,
                                                    std::string_view user_id,
                                                    domain::Role role) = 0;
};

}  // namespace gatehouse::store
