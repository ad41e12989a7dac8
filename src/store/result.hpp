#pragma once
// What every store call returns: a value, or why the database could not give it.
#include <string_view>

#include <tl/expected.hpp>

namespace gatehouse::store {

enum class StoreError {
  unavailable,  // the database cannot be reached, is locked, read-only or full: 503
  conflict,     // a unique key already exists: 409
  not_found,    // the row to change does not exist: 404
};

template <typename T>
using Result = tl::expected<T, StoreError>;

[[nodiscard]] inline std::string_view to_string(StoreError e) {
  switch (e) {
    case StoreError::unavailable:
      return "the database is unavailable";
    case StoreError::conflict:
      return "already exists";
    case StoreError::not_found:
      return "not found";
  }
  return "store error";
}

}  // namespace gatehouse::store
