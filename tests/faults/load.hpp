#pragma once
// Background load on a gatehouse process for fault tests: threads that each
// keep one connection and send token checks and /healthz alternately,
// counting answers that came back right (204 and 200) and the rest. Tests
// compare how many completed in a window with a fault against a window of the
// same length without one, in the same run: a ratio, not an absolute speed.
//   Load load(gh.port(), token, 2);
//   auto before = load.completed();  ...  auto after = load.completed();
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "support/http_probe.hpp"
#include "support/process_signin.hpp"

namespace gatehouse::testing {

class Load {
 public:
  Load(std::uint16_t port, std::string token, int threads) {
    for (int t = 0; t < threads; ++t)
      threads_.emplace_back([this, port, token] {
        ProbeClient client(port);
        const ProbeRequest check = authz(token), health{.target = "/healthz"};
        for (std::uint64_t n = 0; !stop_; ++n) {
          auto r = client.send(n % 2 ? health : check, std::chrono::seconds(5));
          if (r.status == (n % 2 ? 200 : 204))
            ++completed_;
          else
            ++failed_;
        }
      });
  }
  ~Load() { stop(); }
  Load(const Load&) = delete;
  Load& operator=(const Load&) = delete;

  void stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  [[nodiscard]] std::uint64_t completed() const { return completed_.load(); }
  [[nodiscard]] std::uint64_t failed() const { return failed_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> completed_{0}, failed_{0};
  std::vector<std::thread> threads_;
};

}  // namespace gatehouse::testing
