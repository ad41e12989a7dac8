#pragma once
// A clock that moves only when the test says so.
//   FixedClock clock(1'700'000'000);  clock.advance(std::chrono::seconds(61));
#include <chrono>
#include <cstdint>

#include "core/clock.hpp"

namespace gatehouse::testing {

class FixedClock final : public Clock {
 public:
  explicit FixedClock(std::int64_t unix_seconds = 1'700'000'000)
      : now_(std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds))) {}
  [[nodiscard]] TimePoint now() const override { return now_; }
  [[nodiscard]] std::chrono::steady_clock::time_point monotonic() const override {
    return std::chrono::steady_clock::time_point(now_.time_since_epoch());
  }
  void advance(std::chrono::system_clock::duration d) { now_ += d; }
  void set(std::int64_t unix_seconds) {
    now_ = std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
  }

 private:
  TimePoint now_;
};

}  // namespace gatehouse::testing
