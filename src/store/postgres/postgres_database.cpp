#include "store/postgres/postgres_database.hpp"

#include "store/sql/migrate.hpp"
#include "store/sql/sql_database.hpp"

namespace gatehouse::store::postgres {
namespace {

// pg_advisory_xact_lock key of schema migrations ("gatehous" in ASCII): every
// instance starting at once queues on it, and each migration runs in the
// transaction that holds it, so each is applied exactly once.
constexpr std::int64_t kMigrationLock = 0x6761746568'6f7573;
constexpr std::string_view kLockMigrations = "SELECT pg_advisory_xact_lock($1)";

class PgDatabase final : public sql::SqlDatabase<Driver> {
 public:
  PgDatabase(const std::string& url, PoolOptions options) : SqlDatabase(url, options) {}

  Result<void> ping() override {
    return pool_.with([](Connection& c) { return sql::ok_or(c.exec("SELECT 1")); });
  }

  tl::expected<int, std::string> migrate() override {
    auto lease = pool_.acquire();
    if (!lease) return tl::unexpected(std::string("cannot connect to the PostgreSQL server"));
    return sql::apply_migrations<Driver>(**lease);
  }
};

}  // namespace

Result<void> Driver::lock_migrations(Connection& c) {
  return sql::ok_or(c.exec(kLockMigrations, {kMigrationLock}));
}

tl::expected<std::unique_ptr<Database>, std::string> open(const std::string& url,
                                                          PoolOptions options) {
  return std::make_unique<PgDatabase>(url, options);
}

}  // namespace gatehouse::store::postgres
