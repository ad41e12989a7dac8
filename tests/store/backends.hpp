#pragma once
// The backends every store test runs against. SQLite always; PostgreSQL when
// GATEHOUSE_TEST_POSTGRES_URL names a server (scripts/test starts one).
//   INSTANTIATE_TEST_SUITE_P(Backends, MyStoreTest, testing::ValuesIn(store_backends()), backend_name);
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/database.hpp"

namespace gatehouse::testing {

struct Backend {
  std::string name;
  // A fresh, migrated, empty database for one test.
  std::function<std::unique_ptr<store::Database>()> open;
};

std::vector<Backend> store_backends();

inline void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

}  // namespace gatehouse::testing
