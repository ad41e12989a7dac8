// Slow clients on real sockets (issue #8, "2. Faults"): thousands of idle
// connections and slowloris clients that send their headers a byte at a time
// must not stop other clients from being served promptly, and the header
// timeout must close them.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "http/router.hpp"
#include "http/server.hpp"
#include "support/http_probe.hpp"

namespace gatehouse::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kIdle = 2000;
constexpr int kSlowloris = 200;
constexpr auto kHeaderTimeout = std::chrono::seconds(5);
// Long enough that a burst from other processes on a shared machine does not
// decide the ratio; the loaded window ends before the header timeout.
constexpr auto kWindow = std::chrono::seconds(2);

int connect_to(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

// True once the server has closed fd (read returns 0 or an error after any answer).
bool closed_by_server(int fd, std::chrono::milliseconds wait) {
  const auto until = Clock::now() + wait;
  char buf[512];
  while (Clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count());
    if (::poll(&p, 1, std::max(left, 1)) <= 0) continue;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return true;  // EOF or reset
  }
  return false;
}

class SlowClients : public ::testing::Test {
 protected:
  void SetUp() override {
    router.add(
        "GET", "/healthz", [](http::Request&) { return http::Response::text(200, "ok\n"); },
        http::Execution::io);
    router.add("GET", "/work", [](http::Request&) { return http::Response::text(200, "done\n"); });
    http::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.io_threads = 2;
    o.worker_threads = 4;
    o.header_timeout = kHeaderTimeout;
    o.handle_signals = false;
    server = std::make_unique<http::Server>(o, router);
    server->listen();
    runner = std::thread([this] { server->run(); });
  }
  void TearDown() override {
    server->stop();
    runner.join();
  }

  // Requests on fresh connections for `window`; how many were answered, and the slowest.
  std::pair<int, Clock::duration> serve_others(Clock::duration window) {
    int done = 0;
    Clock::duration slowest{};
    const auto until = Clock::now() + window;
    for (int n = 0; Clock::now() < until; ++n) {
      const auto t0 = Clock::now();
      auto r = probe(server->port(), {.target = n % 2 ? "/healthz" : "/work"}, 2s);
      slowest = std::max(slowest, Clock::now() - t0);
      if (r.status == 200) ++done;
    }
    return {done, slowest};
  }

  http::Router router;
  std::unique_ptr<http::Server> server;
  std::thread runner;
};

TEST_F(SlowClients, IdleConnectionsAndSlowlorisHeadersDoNotStopOtherClients) {
  auto [quiet, quiet_slowest] = serve_others(kWindow);
  ASSERT_GT(quiet, 0);

  std::vector<int> idle, loris;
  for (int i = 0; i < kIdle; ++i) {
    int fd = connect_to(server->port());
    ASSERT_GE(fd, 0) << "connection " << i;
    idle.push_back(fd);
  }
  const std::string request = "GET /work HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ";
  for (int i = 0; i < kSlowloris; ++i) {
    int fd = connect_to(server->port());
    ASSERT_GE(fd, 0);
    loris.push_back(fd);
  }
  const auto loris_start = Clock::now();
  std::atomic<bool> stop{false};
  std::thread dripper([&] {
    // One more header byte per connection every second, never finishing.
    for (std::size_t i = 0; !stop; ++i) {
      const char c = request[std::min(i, request.size() - 1)];
      for (int fd : loris) (void)::send(fd, &c, 1, MSG_NOSIGNAL);
      for (int k = 0; k < 10 && !stop; ++k) std::this_thread::sleep_for(100ms);
    }
  });
  std::this_thread::sleep_for(200ms);  // the first bytes are in
  auto [during, during_slowest] = serve_others(kWindow);

  const double ratio = static_cast<double>(during) / quiet;
  std::printf(
      "[ measure  ] %d requests in 2 s alone, %d beside %d idle and %d slowloris connections "
      "(ratio "
      "%.2f); "
      "slowest %lld ms vs %lld ms\n",
      quiet, during, kIdle, kSlowloris, ratio,
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(during_slowest).count()),
      static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(quiet_slowest).count()));
  EXPECT_GE(ratio, 0.5);
  EXPECT_LT(during_slowest, 500ms) << "a client waited behind slow ones";
  EXPECT_GE(server->open_connections(), static_cast<std::size_t>(kIdle + kSlowloris));

  // The header timeout ends both kinds: a request must arrive whole in time.
  for (int fd : loris) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(loris_start + kHeaderTimeout +
                                                                      2s - Clock::now());
    EXPECT_TRUE(closed_by_server(fd, std::max(left, 1ms)))
        << "a slowloris connection outlived the header timeout";
  }
  for (int fd : idle)
    EXPECT_TRUE(closed_by_server(fd, 2s)) << "an idle connection outlived the header timeout";
  stop = true;
  dripper.join();
  for (int fd : idle) ::close(fd);
  for (int fd : loris) ::close(fd);
  EXPECT_EQ(probe(server->port(), {.target = "/healthz"}).status, 200);
}

}  // namespace
}  // namespace gatehouse::testing
