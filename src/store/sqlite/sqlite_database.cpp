#include "store/sqlite/sqlite_database.hpp"

#include <chrono>

#include <fmt/format.h>

#include "store/migrations.hpp"
#include "store/sqlite/sqlite_stores.hpp"

namespace gatehouse::store::sqlite {
namespace {

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(const std::string& path, int pool_size)
      : pool_(path, pool_size),
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

  // Ready: the file can be read (a real table, not SELECT 1, which needs no
  // file at all), was writable when the connection opened, and, after a write failed (locked by
  // another process, read-only, disk full), a write commits again. That probe rewrites the unused
  // user_version header field with its own value: one page, no rows.
  Result<void> ping() override {
    auto c = pool_.acquire();
    std::int64_t version = 0;
    if (auto r = c->query("SELECT count(*) FROM schema_migrations", {}, [](Row&) {}); !r)
      return tl::unexpected(r.error());
    if (c->read_only()) return tl::unexpected(StoreError::unavailable);
    if (!pool_.write_failing()) return {};
    if (auto r = c->query("PRAGMA user_version", {}, [&](Row& row) { version = row.int64(0); }); !r)
      return tl::unexpected(r.error());
    // A short wait: a probe must answer before the prober gives up.
    c->set_busy_timeout(std::chrono::milliseconds(250));
    Result<void> probe = ok_or(c->exec("BEGIN IMMEDIATE"));
    if (probe) probe = ok_or(c->exec(fmt::format("PRAGMA user_version = {}", version)));
    if (probe) probe = ok_or(c->exec("COMMIT"));
    c->end_open_transaction();
    c->set_busy_timeout(kBusyTimeout);
    return probe;
  }

  tl::expected<int, std::string> migrate() override {
    auto c = pool_.acquire();
    if (!c->exec_script(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"))
      return tl::unexpected("cannot create schema_migrations: " + c->last_error());
    int applied = 0;
    for (const auto& m : migrations()) {
      // BEGIN IMMEDIATE takes the write lock first, so two processes starting
      // at once apply each migration exactly once.
      if (!c->exec("BEGIN IMMEDIATE"))
        return tl::unexpected("cannot lock the database: " + c->last_error());
      bool done = false;
      auto q = c->query("SELECT 1 FROM schema_migrations WHERE version = $1",
                        {std::int64_t{m.version}}, [&](Row&) { done = true; });
      if (!q) {
        (void)c->exec("ROLLBACK");
        return tl::unexpected("cannot read schema_migrations: " + c->last_error());
      }
      if (!done) {
        auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
        if (!c->exec_script(m.sql) ||
            !c->exec(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                {std::int64_t{m.version}, std::string(m.name), std::int64_t{now}})) {
          std::string err = c->last_error();
          (void)c->exec("ROLLBACK");
          return tl::unexpected(fmt::format("migration {} failed: {}", m.name, err));
        }
        ++applied;
      }
      if (!c->exec("COMMIT")) return tl::unexpected("cannot commit migration: " + c->last_error());
    }
    return applied;
  }

 private:
  Pool pool_;
  SqliteTeamStore teams_;
  SqliteUserStore users_;
  SqliteSessionStore sessions_;
  SqliteLoginAttemptStore attempts_;
  SqliteAuditStore audit_;
  SqliteTokenStore tokens_;
  SqliteModelStore models_;
  SqliteUsageStore usage_;
};

}  // namespace

tl::expected<std::unique_ptr<Database>, std::string> open(const std::string& path, int pool_size) {
  try {
    return std::make_unique<SqliteDatabase>(path, pool_size);
  } catch (const std::exception& e) {
    return tl::unexpected(std::string(e.what()));
  }
}

}  // namespace gatehouse::store::sqlite
