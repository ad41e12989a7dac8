#pragma once
// Pending sign-ins between the redirect to the provider and the callback.
#include <optional>
#include <string_view>

#include "domain/user.hpp"
#include "store/result.hpp"

namespace gatehouse::store {

class LoginAttemptStore {
 public:
  virtual ~LoginAttemptStore() = default;
  [[nodiscard]] virtual Result<void> insert(const domain::LoginAttempt& attempt) = 0;
  // Removes and returns the attempt in one step, so a replayed callback finds
  // nothing even when two arrive at once (single use, RFC 9700 §4.7).
  [[nodiscard]] virtual Result<std::optional<domain::LoginAttempt>> take(
      std::string_view state_hash) = 0;
  [[nodiscard]] virtual Result<int> remove_expired(std::int64_t now) = 0;
};

}  // namespace gatehouse::store
