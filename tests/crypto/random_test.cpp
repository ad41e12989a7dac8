#include "crypto/random.hpp"

#include <set>

#include <gtest/gtest.h>

namespace gatehouse::crypto {
namespace {

TEST(RandomToken, ThirtyTwoBytesGiveFortyThreeUrlSafeCharacters) {
  SystemRandom rng;
  const auto t = random_token(rng, 32);
  EXPECT_EQ(t.size(), 43u);
  EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
}

TEST(RandomToken, SuccessiveTokensDiffer) {
  SystemRandom rng;
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(random_token(rng, 16));
  EXPECT_EQ(seen.size(), 100u);
}

TEST(RandomBytes, HasTheRequestedLength) {
  SystemRandom rng;
  EXPECT_EQ(random_bytes(rng, 0).size(), 0u);
  EXPECT_EQ(random_bytes(rng, 1000).size(), 1000u);
}

}  // namespace
}  // namespace gatehouse::crypto
