#pragma once
// Deterministic "randomness" for tests: each fill() continues a byte counter,
// so successive tokens differ but runs repeat.
//   SequenceRandom rng;  auto state = crypto::random_token(rng, 32);
#include <cstdint>
#include <span>

#include "crypto/random.hpp"

namespace gatehouse::testing {

class SequenceRandom final : public crypto::Random {
 public:
  explicit SequenceRandom(std::uint8_t seed = 1) : next_(seed) {}
  void fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = next_++;
  }

 private:
  std::uint8_t next_;
};

}  // namespace gatehouse::testing
