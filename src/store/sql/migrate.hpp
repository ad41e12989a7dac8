#pragma once
// Applying the numbered migrations (store/migrations.hpp) on either driver,
// written once. Each runs in a transaction that also records it in
// schema_migrations, under Db::lock_migrations, so that instances starting at
// once apply each exactly once.
//   auto applied = sql::apply_migrations<sqlite::Driver>(*conn);  // how many ran
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <tl/expected.hpp>

#include "store/migrations.hpp"
#include "store/sql/query.hpp"

namespace gatehouse::store::sql {

inline constexpr std::string_view kCreateSchemaMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
inline constexpr std::string_view kIsMigrationApplied =
    "SELECT 1 FROM schema_migrations WHERE version = $1";
inline constexpr std::string_view kRecordMigration =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)";

// fn inside one transaction that holds the migration lock; rolled back on
// failure, with the database's message.
template <class Db, class Fn>
tl::expected<void, std::string> under_migration_lock(typename Db::Connection& c, Fn fn) {
  Result<void> r = c.begin();
  if (r) r = Db::lock_migrations(c);
  if (r) r = fn();
  if (r) r = c.commit();
  if (r) return {};
  std::string error = c.last_error();
  c.rollback();
  return tl::unexpected(error);
}

template <class Db>
tl::expected<int, std::string> apply_migrations(typename Db::Connection& c) {
  // CREATE TABLE IF NOT EXISTS is not safe against itself in PostgreSQL
  // (two sessions can both pass the check), so it runs under the lock too.
  if (auto r = under_migration_lock<Db>(c, [&] { return ok_or(c.exec(kCreateSchemaMigrations)); });
      !r)
    return tl::unexpected("cannot create schema_migrations: " + r.error());
  int applied = 0;
  for (const auto& m : migrations()) {
    bool ran = false;
    auto r = under_migration_lock<Db>(c, [&]() -> Result<void> {
      auto done = query_one(c, kIsMigrationApplied, {std::int64_t{m.version}},
                            [](const typename Db::Row&) { return true; });
      if (!done) return tl::unexpected(done.error());
      if (*done) return {};
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

}  // namespace gatehouse::store::sql
