#pragma once
// The embedded backend (GATEHOUSE_DATABASE_URL=sqlite://PATH).
#include <memory>
#include <string>

#include "store/database.hpp"

namespace gatehouse::store::sqlite {

[[nodiscard]] tl::expected<std::unique_ptr<Database>, std::string> open(const std::string& path,
                                                                        int pool_size);

}  // namespace gatehouse::store::sqlite
