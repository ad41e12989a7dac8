#pragma once
// Files compiled into the binary (templates, stylesheet, SQL migrations).
//   auto css = assets::find("style.css");  // std::optional<std::string_view>
#include <optional>
#include <string_view>
#include <vector>

namespace gatehouse::assets {

struct Asset {
  std::string_view name;
  std::string_view content;
};

// Every embedded file, in the order CMake listed them.
const std::vector<Asset>& all();

inline std::optional<std::string_view> find(std::string_view name) {
  for (const auto& a : all())
    if (a.name == name) return a.content;
  return std::nullopt;
}

}  // namespace gatehouse::assets
