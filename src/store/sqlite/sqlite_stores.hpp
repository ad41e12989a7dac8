#pragma once
// SQLite implementations of the per-aggregate store interfaces.
#include "store/sqlite/sqlite.hpp"
#include "store/team_store.hpp"

namespace gatehouse::store::sqlite {

class SqliteTeamStore final : public TeamStore {
 public:
  explicit SqliteTeamStore(Pool& pool) : pool_(pool) {}
  Result<std::optional<domain::Team>> find(std::string_view id) override;
  Result<std::vector<domain::Team>> list() override;
  Result<void> insert(const domain::Team& team) override;
  Result<void> update(const domain::Team& team) override;
  Result<void> remove(std::string_view id) override;

 private:
  Pool& pool_;
};

}  // namespace gatehouse::store::sqlite
