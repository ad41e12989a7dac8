#pragma once
// Prometheus metrics (text exposition format 0.0.4), every name gatehouse_….
// Counters and histograms are atomics found by name+labels under a shared
// lock; values owned elsewhere (cache hits, open connections) are read by
// callbacks when /metrics is scraped, so the hot path pays nothing for them.
//   registry.counter("gatehouse_signins_total", {{"outcome", "success"}}).inc();
//   registry.histogram("gatehouse_http_request_duration_seconds", {{"route", r}}).observe(0.002);
//   registry.callback("gatehouse_open_connections", "gauge", "Open connections", [&] { return n();
//   });
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

namespace gatehouse::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class Histogram {
 public:
  // Upper bounds in seconds, from 0.5 ms to 30 s: token checks and IdP calls both fit.
  static constexpr std::array<double, 14> kBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30};
  void observe(double seconds);
  [[nodiscard]] std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  friend class Registry;
  std::array<std::atomic<std::uint64_t>, kBounds.size()> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_micros_{0};
};

class Registry {
 public:
  // help is recorded once per name.
  Counter& counter(const std::string& name, const Labels& labels = {},
                   const std::string& help = "");
  Histogram& histogram(const std::string& name, const Labels& labels = {},
                       const std::string& help = "");
  // type: "counter" or "gauge".
  void callback(const std::string& name, const std::string& type, const std::string& help,
                std::function<double()> read);
  [[nodiscard]] std::string render() const;

 private:
  static std::string key(const std::string& name, const Labels& labels);
  mutable std::shared_mutex mu_;
  std::map<std::string, std::unique_ptr<Counter>> counters_;      // key -> counter
  std::map<std::string, std::unique_ptr<Histogram>> histograms_;  // key -> histogram
  std::map<std::string, std::string> help_;                       // name -> help
  std::vector<std::tuple<std::string, std::string, std::string, std::function<double()>>>
      callbacks_;
};

}  // namespace gatehouse::metrics
