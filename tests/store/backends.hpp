#pragma once
// The backends every store test runs against: SQLite, and PostgreSQL when
// GATEHOUSE_TEST_POSTGRES_URL names a server (scripts/test starts one; else
// those tests are skipped, saying so).
//   INSTANTIATE_TEST_SUITE_P(Backends, MyStoreTest, testing::ValuesIn(store_backends()),
//   backend_name);
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/database.hpp"

namespace gatehouse::testing {

struct Backend {
  std::string name;
  // A fresh, migrated, empty database for one test.
  std::function<std::unique_ptr<store::Database>()> open;
  // Why this backend cannot run here (the test is skipped), or nullopt. The
  // list of backends is fixed, so ctest, which lists the tests at build
  // time, knows the PostgreSQL ones whatever the environment was then.
  std::function<std::optional<std::string>()> unavailable = [] { return std::nullopt; };
};

std::vector<Backend> store_backends();

inline void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

// GATEHOUSE_TEST_POSTGRES_URL, or nullopt when unset or empty.
std::optional<std::string> postgres_test_url();

// A schema of its own on the test server, dropped (with everything in it)
// when this goes; url() connects with it as the search_path, so the
// migrations and every unqualified table name land in it.
//   PostgresScratch scratch(*postgres_test_url());
//   auto db = store::open_database(scratch.url());
class PostgresScratch {
 public:
  explicit PostgresScratch(std::string server_url);
  ~PostgresScratch();
  PostgresScratch(const PostgresScratch&) = delete;
  PostgresScratch& operator=(const PostgresScratch&) = delete;

  [[nodiscard]] const std::string& url() const { return url_; }
  [[nodiscard]] const std::string& schema() const { return schema_; }
  // url() with extra libpq URL parameters (`application_name=x`).
  [[nodiscard]] std::string url_with(const std::string& params) const;
  // Runs SQL on a connection of its own (the test's admin connection);
  // the first column of the first row, or "" when none. Throws on error.
  std::string admin(const std::string& sql) const;

 private:
  std::string server_url_;
  std::string schema_;
  std::string url_;
};

}  // namespace gatehouse::testing
