#pragma once
// The storage seam: one object per backend that hands out the per-aggregate
// stores. Blocking: call from worker threads only.
//   auto db = open_database("sqlite://gatehouse.db");   // expected
//   (*db)->migrate();  (*db)->teams().find("acme");
#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "store/audit_store.hpp"
#include "store/login_attempt_store.hpp"
#include "store/result.hpp"
#include "store/session_store.hpp"
#include "store/signin_store.hpp"
#include "store/team_store.hpp"
#include "store/user_store.hpp"
#include "store/workspace_stores.hpp"

namespace gatehouse::store {

class Database {
 public:
  virtual ~Database() = default;
  [[nodiscard]] virtual TeamStore& teams() = 0;
  [[nodiscard]] virtual UserStore& users() = 0;
  [[nodiscard]] virtual SessionStore& sessions() = 0;
  [[nodiscard]] virtual LoginAttemptStore& login_attempts() = 0;
  [[nodiscard]] virtual AuditStore& audit() = 0;
  // A successful sign-in's person, session and audit event, in one transaction.
  [[nodiscard]] virtual SigninStore& signins() = 0;
  [[nodiscard]] virtual TokenStore& tokens() = 0;
  [[nodiscard]] virtual ModelStore& models() = 0;
  [[nodiscard]] virtual UsageStore& usage() = 0;
  // A cheap round trip: /readyz.
  [[nodiscard]] virtual Result<void> ping() = 0;
  // Applies the numbered migrations not yet applied; returns how many ran.
  [[nodiscard]] virtual tl::expected<int, std::string> migrate() = 0;
};

// sqlite://PATH (relative) or sqlite:///abs/path; postgresql://… or postgres://…
// (libpq URL; pool_max_conns=N in its query sets the pool size, default 8).
[[nodiscard]] tl::expected<std::unique_ptr<Database>, std::string> open_database(
    const std::string& url);

}  // namespace gatehouse::store
