#include "core/assets.hpp"

#include <gtest/gtest.h>

namespace gatehouse {

TEST(Assets, UnknownNameIsEmpty) { EXPECT_FALSE(assets::find("no-such-file").has_value()); }

}  // namespace gatehouse
