#pragma once
// Token buckets per key (a client address, a team): `burst` requests at once,
// then `per_second` on average (SPEC.md §2 GATEHOUSE_RATE_LIMITS). In memory,
// per instance; the number of keys is bounded, oldest-idle keys go first.
//   RateLimiter starts(clock, 120, 2);
//   if (auto wait = starts.acquire(req.remote_addr)) return too_many(*wait);
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"

namespace gatehouse {

class RateLimiter {
 public:
  RateLimiter(const Clock& clock, double burst, double per_second, bool enabled = true,
              std::size_t max_keys = 100'000)
      : clock_(clock), burst_(burst), rate_(per_second), enabled_(enabled), max_keys_(max_keys) {}

  // Takes one token. nullopt: allowed. Otherwise the whole seconds until a
  // token is back (for Retry-After), and nothing is taken.
  [[nodiscard]] std::optional<int> acquire(const std::string& key);
  // Like acquire() but takes nothing: for limits that only failures consume.
  [[nodiscard]] std::optional<int> check(const std::string& key);
  // How many requests this limiter has refused (for /metrics).
  [[nodiscard]] std::uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point at;
  };
  std::optional<int> take(const std::string& key, double cost);

  const Clock& clock_;
  double burst_, rate_;
  bool enabled_;
  std::size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::atomic<std::uint64_t> refused_{0};
};

}  // namespace gatehouse
