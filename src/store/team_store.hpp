#pragma once
// Teams: the operator's registrations (SPEC.md §2 `gatehouse team`).
#include <optional>
#include <string_view>
#include <vector>

#include "domain/team.hpp"
#include "store/result.hpp"

namespace gatehouse::store {

class TeamStore {
 public:
  virtual ~TeamStore() = default;
  [[nodiscard]] virtual Result<std::optional<domain::Team>> find(std::string_view id) = 0;
  [[nodiscard]] virtual Result<std::vector<domain::Team>> list() = 0;  // ordered by id
  // conflict when the id exists.
  [[nodiscard]] virtual Result<void> insert(const domain::Team& team) = 0;
  // Replaces every column but created_at; not_found when absent.
  [[nodiscard]] virtual Result<void> update(const domain::Team& team) = 0;
  // Deletes the team and everything that belongs to it; not_found when absent.
  [[nodiscard]] virtual Result<void> remove(std::string_view id) = 0;
};

}  // namespace gatehouse::store
