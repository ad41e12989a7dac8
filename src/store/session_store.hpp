#pragma once
// Browser sessions, keyed by the hash of the cookie value.
#include <optional>
#include <string_view>

#include "domain/user.hpp"
#include "store/result.hpp"

namespace gatehouse::store {

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  [[nodiscard]] virtual Result<void> insert(const domain::Session& session) = 0;
  [[nodiscard]] virtual Result<std::optional<domain::Session>> find(std::string_view id_hash) = 0;
  [[nodiscard]] virtual Result<void> touch(std::string_view id_hash, std::int64_t last_seen_at) = 0;
  // Deleting a session that is already gone is not an error.
  [[nodiscard]] virtual Result<void> remove(std::string_view id_hash) = 0;
  // Every session of a team (the team was disabled); returns how many went.
  [[nodiscard]] virtual Result<int> remove_for_team(std::string_view team_id) = 0;
  // Sessions whose absolute expiry has passed; returns how many went.
  [[nodiscard]] virtual Result<int> remove_expired(std::int64_t now) = 0;
};

}  // namespace gatehouse::store
