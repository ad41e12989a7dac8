#pragma once
// The numbered SQL files of migrations/, compiled into the binary, in order.
//   for (auto& m : migrations()) apply(m.version, m.sql);
#include <string_view>
#include <vector>

namespace gatehouse::store {

struct Migration {
  int version;  // from the file name: 0003_tokens.sql -> 3
  std::string_view name;
  std::string_view sql;
};

[[nodiscard]] std::vector<Migration> migrations();

}  // namespace gatehouse::store
