#pragma once
// Time is passed in, never read from a global, so tests run on a fixed clock.
//   SystemClock clock;  auto t = clock.now();
#include <chrono>
#include <cstdint>

namespace gatehouse {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time: token expiry, cookie lifetimes, stored timestamps.
  [[nodiscard]] virtual TimePoint now() const = 0;
  // Monotonic time: caches, rate limits and timeouts that must not jump.
  [[nodiscard]] virtual std::chrono::steady_clock::time_point monotonic() const = 0;

  [[nodiscard]] std::int64_t unix_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count();
  }
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] TimePoint now() const override { return std::chrono::system_clock::now(); }
  [[nodiscard]] std::chrono::steady_clock::time_point monotonic() const override {
    return std::chrono::steady_clock::now();
  }
};

}  // namespace gatehouse
