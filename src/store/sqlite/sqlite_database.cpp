#include "store/sqlite/sqlite_database.hpp"

#include <chrono>

#include <fmt/format.h>

#include "store/sql/migrate.hpp"
#include "store/sql/sql_database.hpp"

namespace gatehouse::store::sqlite {
namespace {

class SqliteDatabase final : public sql::SqlDatabase<Driver> {
 public:
  SqliteDatabase(const std::string& path, int pool_size) : SqlDatabase(path, pool_size) {}

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
    Result<void> probe = c->begin();
    if (probe) probe = sql::ok_or(c->exec(fmt::format("PRAGMA user_version = {}", version)));
    if (probe) probe = c->commit();
    c->end_open_transaction();
    c->set_busy_timeout(kBusyTimeout);
    return probe;
  }

  tl::expected<int, std::string> migrate() override {
    auto c = pool_.acquire();
    return sql::apply_migrations<Driver>(*c);
  }
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
