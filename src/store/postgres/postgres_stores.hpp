#pragma once
// PostgreSQL implementations of the per-aggregate store interfaces.
#include "store/audit_store.hpp"
#include "store/login_attempt_store.hpp"
#include "store/postgres/postgres.hpp"
#include "store/session_store.hpp"
#include "store/team_store.hpp"
#include "store/user_store.hpp"
#include "store/workspace_stores.hpp"

namespace gatehouse::store::postgres {

class PgTeamStore final : public TeamStore {
 public:
  explicit PgTeamStore(Pool& pool) : pool_(pool) {}
  Result<std::optional<domain::Team>> find(std::string_view id) override;
  Result<std::vector<domain::Team>> list() override;
  Result<void> insert(const domain::Team& team) override;
  Result<void> update(const domain::Team& team) override;
  Result<void> remove(std::string_view id) override;

 private:
  Pool& pool_;
};

class PgUserStore final : public UserStore {
 public:
  explicit PgUserStore(Pool& pool) : pool_(pool) {}
  Result<std::optional<domain::User>> find(std::string_view user_id) override;
  Result<std::optional<domain::User>> find_by_sub(std::string_view team_id,
                                                  std::string_view sub) override;
  Result<void> insert(const domain::User& user) override;
  Result<void> record_login(std::string_view user_id, std::string_view email, std::string_view name,
                            std::int64_t at) override;
  Result<std::vector<domain::User>> list_by_team(std::string_view team_id) override;
  Result<RoleChange> set_role(std::string_view team_id, std::string_view user_id,
                              domain::Role role) override;

 private:
  Pool& pool_;
};

class PgSessionStore final : public SessionStore {
 public:
  explicit PgSessionStore(Pool& pool) : pool_(pool) {}
  Result<void> insert(const domain::Session& session) override;
  Result<std::optional<domain::Session>> find(std::string_view id_hash) override;
  Result<void> touch(std::string_view id_hash, std::int64_t last_seen_at) override;
  Result<void> remove(std::string_view id_hash) override;
  Result<int> remove_expired(std::int64_t now) override;
  Result<int> remove_for_team(std::string_view team_id) override;
  Result<void> touch_all(const std::vector<std::pair<std::string, std::int64_t>>& seen) override;
  Result<void> record_change(const SessionChange& change) override;
  Result<std::vector<SessionChange>> changes_since(std::int64_t since_us) override;
  Result<int> remove_changes_before(std::int64_t before_us) override;

 private:
  Pool& pool_;
};

class PgLoginAttemptStore final : public LoginAttemptStore {
 public:
  explicit PgLoginAttemptStore(Pool& pool) : pool_(pool) {}
  Result<void> insert(const domain::LoginAttempt& attempt) override;
  Result<std::optional<domain::LoginAttempt>> take(std::string_view state_hash) override;
  Result<int> remove_expired(std::int64_t now) override;

 private:
  Pool& pool_;
};

class PgAuditStore final : public AuditStore {
 public:
  explicit PgAuditStore(Pool& pool) : pool_(pool) {}
  Result<void> append(const domain::AuditEvent& event) override;
  Result<std::vector<domain::AuditEvent>> list(const AuditQuery& q) override;

 private:
  Pool& pool_;
};

class PgTokenStore final : public TokenStore {
 public:
  explicit PgTokenStore(Pool& pool) : pool_(pool) {}
  Result<void> insert(const domain::ApiToken& token) override;
  Result<std::optional<domain::ApiToken>> find_by_hash(std::string_view hash) override;
  Result<std::optional<domain::ApiToken>> find(std::string_view team_id,
                                               std::string_view id) override;
  Result<std::optional<domain::ApiToken>> find_by_id(std::string_view id) override;
  Result<std::vector<domain::ApiToken>> list(std::string_view team_id,
                                             const std::optional<std::string>& created_by) override;
  Result<void> revoke(std::string_view team_id, std::string_view id, std::int64_t at) override;
  Result<void> record_use(const std::vector<std::pair<std::string, std::int64_t>>& uses) override;
  Result<std::vector<std::string>> revoked_since(std::int64_t since) override;

 private:
  Pool& pool_;
};

class PgModelStore final : public ModelStore {
 public:
  explicit PgModelStore(Pool& pool) : pool_(pool) {}
  Result<void> insert(const domain::Model& model) override;
  Result<std::vector<domain::Model>> list(std::string_view team_id,
                                          const std::optional<std::string>& created_by) override;
  Result<void> remove(std::string_view team_id, std::string_view id,
                      const std::optional<std::string>& created_by) override;

 private:
  Pool& pool_;
};

class PgUsageStore final : public UsageStore {
 public:
  explicit PgUsageStore(Pool& pool) : pool_(pool) {}
  Result<int> insert(const std::vector<domain::UsageEvent>& events) override;
  Result<domain::UsageReport> report(std::string_view team_id, std::string_view from_day,
                                     std::string_view to_day) override;

 private:
  Pool& pool_;
};

}  // namespace gatehouse::store::postgres
