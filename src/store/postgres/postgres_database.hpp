#pragma once
// The shared backend (GATEHOUSE_DATABASE_URL=postgresql://…): several
// instances on one database. The URL goes to libpq unchanged; connections
// open lazily, so opening succeeds while the server is down and calls return
// StoreError::unavailable until it is back.
//   auto db = postgres::open("postgresql://gh@db/gatehouse", {.size = 8});
#include <memory>
#include <string>

#include "store/database.hpp"
#include "store/postgres/postgres.hpp"

namespace gatehouse::store::postgres {

[[nodiscard]] tl::expected<std::unique_ptr<Database>, std::string> open(const std::string& url,
                                                                        PoolOptions options);

}  // namespace gatehouse::store::postgres
