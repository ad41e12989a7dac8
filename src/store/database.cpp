#include "store/database.hpp"

#include "store/sqlite/sqlite_database.hpp"

namespace gatehouse::store {

tl::expected<std::unique_ptr<Database>, std::string> open_database(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (url.rfind(kSqlite, 0) == 0) {
    std::string path = url.substr(kSqlite.size());
    if (path.empty()) return tl::unexpected(std::string("the sqlite path is empty"));
    return sqlite::open(path, 8);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0)
    return tl::unexpected(std::string("PostgreSQL support is not built into this version yet"));
  return tl::unexpected(std::string("unsupported database URL scheme (expected sqlite:// or postgresql://)"));
}

}  // namespace gatehouse::store
