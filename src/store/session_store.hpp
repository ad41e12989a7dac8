#pragma once
// Browser sessions, keyed by the hash of the cookie value.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/user.hpp"
#include "store/result.hpp"

namespace gatehouse::store {

// One row of the session cache's cross-instance change feed.
struct SessionChange {
  std::int64_t at_us = 0;  // writer's clock, unix microseconds
  std::string kind;        // one of the kinds below
  std::string subject;
};
// A session ended (subject: its id_hash).
inline constexpr std::string_view kSessionEnded = "session";
// A person's role, email or name changed (subject: the user id).
inline constexpr std::string_view kUserChanged = "user";
// A team was disabled, removed, updated or its sessions removed (subject: the team id).
inline constexpr std::string_view kTeamChanged = "team";

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

  // The session cache's batched last-seen times (id_hash, at), in one
  // transaction; a time never moves backwards (instances flush in any order).
  [[nodiscard]] virtual Result<void> touch_all(
      const std::vector<std::pair<std::string, std::int64_t>>& seen) = 0;

  // The change feed (migrations/0005): what every instance's session cache
  // must forget. Appended after the change itself committed.
  [[nodiscard]] virtual Result<void> record_change(const SessionChange& change) = 0;
  // Changes at or after since_us, oldest first.
  [[nodiscard]] virtual Result<std::vector<SessionChange>> changes_since(std::int64_t since_us) = 0;
  // Drops feed rows older than before_us; returns how many went.
  [[nodiscard]] virtual Result<int> remove_changes_before(std::int64_t before_us) = 0;
};

}  // namespace gatehouse::store
