#include "store/migrations.hpp"

#include <algorithm>
#include <cctype>

#include "core/assets.hpp"

namespace gatehouse::store {

std::vector<Migration> migrations() {
  std::vector<Migration> out;
  for (const auto& a : assets::all()) {
    if (!a.name.ends_with(".sql") || a.name.size() < 6 ||
        !std::isdigit(static_cast<unsigned char>(a.name[0])))
      continue;
    int version = 0;
    for (char c : a.name) {
      if (!std::isdigit(static_cast<unsigned char>(c))) break;
      version = version * 10 + (c - '0');
    }
    out.push_back({version, a.name, a.content});
  }
  std::sort(out.begin(), out.end(),
            [](const auto& x, const auto& y) { return x.version < y.version; });
  return out;
}

}  // namespace gatehouse::store
