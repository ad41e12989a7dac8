#pragma once
// A transaction on one pooled connection of either driver, written once:
// the driver's Connection says how to begin, commit and roll back.
//   return sql::transaction<int>(pool_, [&](Connection& c) -> Result<int> { … });
#include "store/result.hpp"

namespace gatehouse::store::sql {

// Runs fn(Connection&) between begin and commit; rolls back when fn or the
// commit fails, and returns fn's result or the first failure.
template <typename T, class Pool, class Fn>
Result<T> transaction(Pool& pool, Fn&& fn) {
  return pool.with([&](auto& c) -> Result<T> {
    if (auto r = c.begin(); !r) return tl::unexpected(r.error());
    Result<T> out = fn(c);
    if (!out) {
      c.rollback();
      return out;
    }
    if (auto r = c.commit(); !r) {
      c.rollback();
      return tl::unexpected(r.error());
    }
    return out;
  });
}

}  // namespace gatehouse::store::sql
