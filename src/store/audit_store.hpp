#pragma once
// The append-only audit trail.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/user.hpp"
#include "store/result.hpp"

namespace gatehouse::store {

struct AuditQuery {
  std::optional<std::string> team_id;
  std::optional<std::int64_t> since_us;  // inclusive
  std::size_t limit = 10000;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  [[nodiscard]] virtual Result<void> append(const domain::AuditEvent& event) = 0;
  // Oldest first.
  [[nodiscard]] virtual Result<std::vector<domain::AuditEvent>> list(const AuditQuery& q) = 0;
};

}  // namespace gatehouse::store
