#include "core/rate_limiter.hpp"

#include <cmath>

namespace gatehouse {

std::optional<int> RateLimiter::acquire(const std::string& key) { return take(key, 1.0); }

std::optional<int> RateLimiter::check(const std::string& key) { return take(key, 0.0); }

std::optional<int> RateLimiter::take(const std::string& key, double cost) {
  if (!enabled_) return std::nullopt;
  auto now = clock_.monotonic();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      // Drop buckets that have refilled completely: they carry no state.
      for (auto b = buckets_.begin(); b != buckets_.end();) {
        double secs = std::chrono::duration<double>(now - b->second.at).count();
        if (b->second.tokens + secs * rate_ >= burst_)
          b = buckets_.erase(b);
        else
          ++b;
      }
      if (buckets_.size() >= max_keys_) buckets_.clear();
    }
    it = buckets_.emplace(key, Bucket{burst_, now}).first;
  }
  auto& b = it->second;
  double secs = std::chrono::duration<double>(now - b.at).count();
  b.tokens = std::min(burst_, b.tokens + secs * rate_);
  b.at = now;
  double need = std::max(cost, 1.0);
  if (b.tokens + 1e-9 < need) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    return std::max(1, static_cast<int>(std::ceil((need - b.tokens) / rate_)));
  }
  b.tokens -= cost;
  return std::nullopt;
}

}  // namespace gatehouse
