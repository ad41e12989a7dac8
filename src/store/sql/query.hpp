#pragma once
// What the two drivers (store/sqlite/, store/postgres/) share: the value a
// parameter binds, and reading a statement's rows into values. A Connection
// here is either driver's: exec(sql, params) -> Result<int> and
// query(sql, params, on_row).
//   auto team = sql::query_one(c, kFindTeam, {id}, read_team<Row>);   // optional
//   auto all = sql::query_all(c, kListTeams, {}, read_team<Row>);     // vector
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "store/result.hpp"

namespace gatehouse::store::sql {

// A statement parameter: NULL, an integer or text.
using Value = std::variant<std::nullptr_t, std::int64_t, std::string>;

[[nodiscard]] inline Value opt_value(const std::optional<std::string>& s) {
  return s ? Value(*s) : Value(nullptr);
}

// A statement's row count dropped: for callers that only care it ran.
[[nodiscard]] inline Result<void> ok_or(const Result<int>& r) {
  if (!r) return tl::unexpected(r.error());
  return {};
}

// The row count of a write that must change a row: not_found when none changed.
[[nodiscard]] inline Result<void> one_changed(const Result<int>& r) {
  if (!r) return tl::unexpected(r.error());
  if (*r == 0) return tl::unexpected(StoreError::not_found);
  return {};
}

// The first row read by `read`, or nullopt when there is none.
template <typename Connection, typename Read>
[[nodiscard]] auto query_one(Connection& c, std::string_view sql, const std::vector<Value>& params,
                             Read read)
    -> Result<std::optional<decltype(read(std::declval<typename Connection::Row&>()))>> {
  std::optional<decltype(read(std::declval<typename Connection::Row&>()))> out;
  auto r = c.query(sql, params, [&](typename Connection::Row& row) {
    if (!out) out = read(row);
  });
  if (!r) return tl::unexpected(r.error());
  return out;
}

// Every row, read by `read`, in the query's order.
template <typename Connection, typename Read>
[[nodiscard]] auto query_all(Connection& c, std::string_view sql, const std::vector<Value>& params,
                             Read read)
    -> Result<std::vector<decltype(read(std::declval<typename Connection::Row&>()))>> {
  std::vector<decltype(read(std::declval<typename Connection::Row&>()))> out;
  auto r = c.query(sql, params, [&](typename Connection::Row& row) { out.push_back(read(row)); });
  if (!r) return tl::unexpected(r.error());
  return out;
}

}  // namespace gatehouse::store::sql
