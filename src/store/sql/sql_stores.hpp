#pragma once
// The per-aggregate stores, written once over a driver (SQLite or
// PostgreSQL). Db is a driver's traits struct (sqlite::Driver,
// postgres::Driver): its Pool, Connection and Row, and the one behaviour in
// which the stores must differ (kTransactionsSerialize). Both drivers run
// the same SQL text; SQLite rewrites PostgreSQL's dialect at prepare time.
//   sql::SqlTeamStore<sqlite::Driver> teams(pool);
//   auto acme = teams.find("acme");
// The members are defined and instantiated for both drivers in the .cpp
// files beside this header: static calls to the driver, no virtual call
// per row.
#include "store/audit_store.hpp"
#include "store/login_attempt_store.hpp"
#include "store/postgres/postgres.hpp"
#include "store/session_store.hpp"
#include "store/signin_store.hpp"
#include "store/sqlite/sqlite.hpp"
#include "store/team_store.hpp"
#include "store/user_store.hpp"
#include "store/workspace_stores.hpp"

namespace gatehouse::store::sql {

template <class Db>
class SqlTeamStore final : public TeamStore {
 public:
  explicit SqlTeamStore(typename Db::Pool& pool) : pool_(pool) {}
  Result<std::optional<domain::Team>> find(std::string_view id) override;
  Result<std::vector<domain::Team>> list() override;
  Result<void> insert(const domain::Team& team) override;
  Result<void> update(const domain::Team& team) override;
  Result<void> remove(std::string_view id) override;

 private:
  typename Db::Pool& pool_;
};

template <class Db>
class SqlUserStore final : public UserStore {
 public:
  explicit SqlUserStore(typename Db::Pool& pool) : pool_(pool) {}
  Result<std::optional<domain::User>> find(std::string_view user_id) override;
  Result<std::optional<domain::User>> find_by_sub(std::string_view team_id,
                                                  std::string_view sub) override;
  Result<void> insert(const domain::User& user) override;
  Result<std::vector<domain::User>> list_by_team(std::string_view team_id) override;
  Result<RoleChange> set_role(std::string_view team_id, std::string_view user_id,
                              domain::Role role) override;

 private:
  typename Db::Pool& pool_;
};

template <class Db>
class SqlSessionStore final : public SessionStore {
 public:
  explicit SqlSessionStore(typename Db::Pool& pool) : pool_(pool) {}
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
  typename Db::Pool& pool_;
};

template <class Db>
class SqlLoginAttemptStore final : public LoginAttemptStore {
 public:
  explicit SqlLoginAttemptStore(typename Db::Pool& pool) : pool_(pool) {}
  Result<void> insert(const domain::LoginAttempt& attempt) override;
  Result<std::optional<domain::LoginAttempt>> take(std::string_view state_hash) override;
  Result<int> remove_expired(std::int64_t now) override;

 private:
  typename Db::Pool& pool_;
};

template <class Db>
class SqlAuditStore final : public AuditStore {
 public:
  explicit SqlAuditStore(typename Db::Pool& pool) : pool_(pool) {}
  Result<void> append(const domain::AuditEvent& event) override;
  Result<std::vector<domain::AuditEvent>> list(const AuditQuery& q) override;

 private:
  typename Db::Pool& pool_;
};

template <class Db>
class SqlSigninStore final : public SigninStore {
 public:
  explicit SqlSigninStore(typename Db::Pool& pool) : pool_(pool) {}
  Result<RecordedSignin> record(const CompletedSignin& signin) override;

 private:
  typename Db::Pool& pool_;
};

template <class Db>
class SqlTokenStore final : public TokenStore {
 public:
  explicit SqlTokenStore(typename Db::Pool& pool) : pool_(pool) {}
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
  typename Db::Pool& pool_;
};

template <class Db>
class SqlModelStore final : public ModelStore {
 public:
  explicit SqlModelStore(typename Db::Pool& pool) : pool_(pool) {}
  Result<void> insert(const domain::Model& model) override;
  Result<std::vector<domain::Model>> list(std::string_view team_id,
                                          const std::optional<std::string>& created_by) override;
  Result<void> remove(std::string_view team_id, std::string_view id,
                      const std::optional<std::string>& created_by) override;

 private:
  typename Db::Pool& pool_;
};

template <class Db>
class SqlUsageStore final : public UsageStore {
 public:
  explicit SqlUsageStore(typename Db::Pool& pool) : pool_(pool) {}
  Result<int> insert(const std::vector<domain::UsageEvent>& events) override;
  Result<domain::UsageReport> report(std::string_view team_id, std::string_view from_day,
                                     std::string_view to_day) override;

 private:
  typename Db::Pool& pool_;
};

// Defined in the .cpp files of this folder, for these two drivers only.
#define GATEHOUSE_SQL_STORES_EXTERN(Db)           \
  extern template class SqlTeamStore<Db>;         \
  extern template class SqlUserStore<Db>;         \
  extern template class SqlSessionStore<Db>;      \
  extern template class SqlLoginAttemptStore<Db>; \
  extern template class SqlAuditStore<Db>;        \
  extern template class SqlSigninStore<Db>;       \
  extern template class SqlTokenStore<Db>;        \
  extern template class SqlModelStore<Db>;        \
  extern template class SqlUsageStore<Db>;
GATEHOUSE_SQL_STORES_EXTERN(sqlite::Driver)
GATEHOUSE_SQL_STORES_EXTERN(postgres::Driver)
#undef GATEHOUSE_SQL_STORES_EXTERN

}  // namespace gatehouse::store::sql
