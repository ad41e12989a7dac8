#include "backends.hpp"

#include <cstdlib>
#include <filesystem>
#include <random>

namespace gatehouse::testing {

std::vector<Backend> store_backends() {
  std::vector<Backend> out;
  out.push_back({"sqlite", [] {
    std::random_device rd;
    auto dir = std::filesystem::temp_directory_path() /
               ("gatehouse-store-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir);
    auto db = store::open_database("sqlite://" + (dir / "test.db").string());
    if (!db) throw std::runtime_error(db.error());
    if (auto m = (*db)->migrate(); !m) throw std::runtime_error(m.error());
    return std::move(*db);
  }});
  return out;
}

}  // namespace gatehouse::testing
