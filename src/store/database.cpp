#include "store/database.hpp"

#include <charconv>

#include "store/postgres/postgres_database.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace gatehouse::store {
namespace {

// pool_max_conns=N in the URL's query sets the pool size (the name pgx uses).
// libpq refuses parameters it does not know, so it is taken out of the URL.
tl::expected<postgres::PoolOptions, std::string> take_pool_options(std::string& url) {
  postgres::PoolOptions options;
  auto q = url.find('?');
  if (q == std::string::npos) return options;
  std::string kept;
  std::string_view query = std::string_view(url).substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    constexpr std::string_view kKey = "pool_max_conns=";
    if (part.starts_with(kKey)) {
      auto v = part.substr(kKey.size());
      int n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc{} || end != v.data() + v.size() || n < 1 || n > 1000)
        return tl::unexpected(std::string("pool_max_conns in the database URL must be 1-1000"));
      options.size = n;
      continue;
    }
    if (!part.empty()) kept.append(kept.empty() ? "" : "&").append(part);
  }
  url.resize(q);
  if (!kept.empty()) url.append("?").append(kept);
  return options;
}

}  // namespace

tl::expected<std::unique_ptr<Database>, std::string> open_database(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (url.rfind(kSqlite, 0) == 0) {
    std::string path = url.substr(kSqlite.size());
    if (path.empty()) return tl::unexpected(std::string("the sqlite path is empty"));
    return sqlite::open(path, 8);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    std::string conninfo = url;
    auto options = take_pool_options(conninfo);
    if (!options) return tl::unexpected(options.error());
    return postgres::open(conninfo, *options);
  }
  return tl::unexpected(
      std::string("unsupported database URL scheme (expected sqlite:// or postgresql://)"));
}

}  // namespace gatehouse::store
