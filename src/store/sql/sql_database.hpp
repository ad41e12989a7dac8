#pragma once
// What a backend's Database is, but for its own ping() and migrate(): a
// connection pool and the stores over it, written once (store/sql/).
//   class SqliteDatabase final : public sql::SqlDatabase<sqlite::Driver> {
//     Result<void> ping() override;  tl::expected<int, std::string> migrate() override;
//   };
#include <utility>

#include "store/database.hpp"
#include "store/sql/sql_stores.hpp"

namespace gatehouse::store::sql {

template <class Db>
class SqlDatabase : public Database {
 public:
  // The arguments are the driver's Pool's.
  template <typename... PoolArgs>
  explicit SqlDatabase(PoolArgs&&... pool_args)
      : pool_(std::forward<PoolArgs>(pool_args)...),
        teams_(pool_),
        users_(pool_),
        sessions_(pool_),
        attempts_(pool_),
        audit_(pool_),
        signins_(pool_),
        tokens_(pool_),
        models_(pool_),
        usage_(pool_) {}

  TeamStore& teams() final { return teams_; }
  UserStore& users() final { return users_; }
  SessionStore& sessions() final { return sessions_; }
  LoginAttemptStore& login_attempts() final { return attempts_; }
  AuditStore& audit() final { return audit_; }
  SigninStore& signins() final { return signins_; }
  TokenStore& tokens() final { return tokens_; }
  ModelStore& models() final { return models_; }
  UsageStore& usage() final { return usage_; }

 protected:
  typename Db::Pool pool_;

 private:
  SqlTeamStore<Db> teams_;
  SqlUserStore<Db> users_;
  SqlSessionStore<Db> sessions_;
  SqlLoginAttemptStore<Db> attempts_;
  SqlAuditStore<Db> audit_;
  SqlSigninStore<Db> signins_;
  SqlTokenStore<Db> tokens_;
  SqlModelStore<Db> models_;
  SqlUsageStore<Db> usage_;
};

}  // namespace gatehouse::store::sql
