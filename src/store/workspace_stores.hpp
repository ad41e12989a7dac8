#pragma once
// Stores of the team workspace: API tokens, models, usage.
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/workspace.hpp"
#include "store/result.hpp"

namespace gatehouse::store {

class TokenStore {
 public:
  virtual ~TokenStore() = default;
  [[nodiscard]] virtual Result<void> insert(const domain::ApiToken& token) = 0;
  // Any token with that hash, revoked or not: the caller decides.
  [[nodiscard]] virtual Result<std::optional<domain::ApiToken>> find_by_hash(
      std::string_view hash) = 0;
  [[nodiscard]] virtual Result<std::optional<domain::ApiToken>> find(std::string_view team_id,
                                                                     std::string_view id) = 0;
  // By id alone, for the gateway's usage reports (which name tokens, not teams).
  [[nodiscard]] virtual Result<std::optional<domain::ApiToken>> find_by_id(std::string_view id) = 0;
  // Active tokens of a team, optionally only one person's; oldest first.
  [[nodiscard]] virtual Result<std::vector<domain::ApiToken>> list(
      std::string_view team_id, const std::optional<std::string>& created_by) = 0;
  // not_found when no active token of that team has that id.
  [[nodiscard]] virtual Result<void> revoke(std::string_view team_id, std::string_view id,
                                            std::int64_t at) = 0;
  // Ids of tokens revoked at or after `since` (unix seconds): lets every
  // instance evict tokens another instance revoked.
  [[nodiscard]] virtual Result<std::vector<std::string>> revoked_since(std::int64_t since) = 0;
  // Batched last-used times (token id, unix seconds): one write per flush, not per request.
  [[nodiscard]] virtual Result<void> record_use(
      const std::vector<std::pair<std::string, std::int64_t>>& uses) = 0;
};

class ModelStore {
 public:
  virtual ~ModelStore() = default;
  // conflict when the team has a model of that name.
  [[nodiscard]] virtual Result<void> insert(const domain::Model& model) = 0;
  [[nodiscard]] virtual Result<std::vector<domain::Model>> list(
      std::string_view team_id, const std::optional<std::string>& created_by) = 0;
  // not_found unless that team (and owner, when given) has it.
  [[nodiscard]] virtual Result<void> remove(std::string_view team_id, std::string_view id,
                                            const std::optional<std::string>& created_by) = 0;
};

class UsageStore {
 public:
  virtual ~UsageStore() = default;
  // All or nothing; events whose id is stored already are skipped. Returns how many were new.
  [[nodiscard]] virtual Result<int> insert(const std::vector<domain::UsageEvent>& events) = 0;
  // Days from..to inclusive (YYYY-MM-DD).
  [[nodiscard]] virtual Result<domain::UsageReport> report(std::string_view team_id,
                                                           std::string_view from_day,
                                                           std::string_view to_day) = 0;
};

}  // namespace gatehouse::store
