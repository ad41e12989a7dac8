#include "store/postgres/postgres_database.hpp"

#include <chrono>

#include <fmt/format.h>

#include "store/migrations.hpp"
#include "store/postgres/postgres_stores.hpp"

namespace gatehouse::store::postgres {
namespace {

// pg_advisory_xact_lock key of schema migrations ("gatehous" in ASCII): every
// instance starting at once queues on it, and each migration runs in the
// transaction that holds it, so each is applied exactly once.
constexpr std::int64_t kMigrationLock = 0x6761746568'6f7573;

constexpr std::string_view kLockMigrations = "SELECT pg_advisory_xact_lock($1)";
constexpr std::string_view kCreateMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
constexpr std::string_view kIsApplied = "SELECT 1 FROM schema_migrations WHERE version = $1";
constexpr std::string_view kRecordMigration =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)";

class PgDatabase final : public Database {
 public:
  PgDatabase(const std::string& url, PoolOptions options)
      : pool_(url, options),
        teams_(pool_),
        users_(pool_),
        sessions_(pool_),
        attempts_(pool_),
        audit_(pool_),
        tokens_(pool_),
        models_(pool_),
        usage_(pool_) {}

  TeamStore& teams() override { return teams_; }
  UserStore& users() override { return users_; }
  SessionStore& sessions() override { return sessions_; }
  LoginAttemptStore& login_attempts() override { return attempts_; }
  AuditStore& audit() override { return audit_; }
  TokenStore& tokens() override { return tokens_; }
  ModelStore& models() override { return models_; }
  UsageStore& usage() override { return usage_; }

  Result<void> ping() override {
    return pool_.with([](Connection& c) { return ok_or(c.exec("SELECT 1")); });
  }

  tl::expected<int, std::string> migrate() override {
    auto lease = pool_.acquire();
    if (!lease) return tl::unexpected(std::string("cannot connect to the PostgreSQL server"));
    Connection& c = **lease;
    // CREATE TABLE IF NOT EXISTS is not safe against itself in PostgreSQL
    // (two sessions can both pass the check), so it runs under the lock too.
    if (auto r = locked(c, [&] { return ok_or(c.exec(kCreateMigrations)); }); !r)
      return tl::unexpected("cannot create schema_migrations: " + r.error());
    int applied = 0;
    for (const auto& m : migrations()) {
      bool ran = false;
      auto r = locked(c, [&]() -> Result<void> {
        bool done = false;
        auto q = c.query(kIsApplied, {std::int64_t{m.version}}, [&](Row&) { done = true; });
        if (!q || done) return q;
        auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
        if (auto s = c.exec_script(m.sql); !s) return s;
        ran = true;
        return ok_or(c.exec(kRecordMigration,
                            {std::int64_t{m.version}, std::string(m.name), std::int64_t{now}}));
      });
      if (!r) return tl::unexpected(fmt::format("migration {} failed: {}", m.name, r.error()));
      if (ran) ++applied;
    }
    return applied;
  }

 private:
  // fn inside one transaction that holds the migration lock; rolled back on
  // failure, with the server's message.
  template <typename F>
  static tl::expected<void, std::string> locked(Connection& c, F fn) {
    Result<void> r = c.exec_script("BEGIN");
    if (r) r = ok_or(c.exec(kLockMigrations, {kMigrationLock}));
    if (r) r = fn();
    if (r) r = c.exec_script("COMMIT");
    if (r) return {};
    std::string error = c.last_error();
    (void)c.exec_script("ROLLBACK");
    return tl::unexpected(error);
  }

  Pool pool_;
  PgTeamStore teams_;
  PgUserStore users_;
  PgSessionStore sessions_;
  PgLoginAttemptStore attempts_;
  PgAuditStore audit_;
  PgTokenStore tokens_;
  PgModelStore models_;
  PgUsageStore usage_;
};

}  // namespace

tl::expected<std::unique_ptr<Database>, std::string> open(const std::string& url,
                                                          PoolOptions options) {
  return std::make_unique<PgDatabase>(url, options);
}

}  // namespace gatehouse::store::postgres
