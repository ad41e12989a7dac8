#pragma once
// The HTTP/1.1 server: Beast on Asio with C++20 coroutines, one coroutine per
// connection, handlers on a separate worker pool so blocking work (database,
// identity provider) never runs on an I/O thread.
//   Server server(options, router, hooks);
//   server.listen();              // binds; server.port() is known from here
//   server.run();                 // blocks until stop() or SIGTERM/SIGINT
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/router.hpp"

namespace gatehouse::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int io_threads = 2;
  int worker_threads = 16;
  int provider_threads = 64;                // for Execution::provider handlers
  std::size_t header_limit = 16 * 1024;     // larger: 431
  std::size_t body_limit = 1024 * 1024;     // larger: 413
  std::chrono::seconds header_timeout{10};  // a request must arrive whole within this: 408
  std::chrono::seconds idle_timeout{60};    // keep-alive connection with no request: closed
  std::size_t max_requests_per_connection = 10000;
  std::size_t max_connections = 10000;  // beyond: new connections are closed at once
  bool handle_signals = true;           // SIGTERM/SIGINT stop the server
};

// Called for every response before it is sent (security headers, metrics,
// access log). route is the matched pattern or "" for 404/405/limits.
struct ServerHooks {
  std::function<void(const Request&, Response&, std::string_view route,
                     std::chrono::steady_clock::duration elapsed)>
      on_response;
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, ServerHooks hooks = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listener; throws std::runtime_error with a clear message on failure.
  void listen();
  [[nodiscard]] std::uint16_t port() const;
  // Serves until stop(); then finishes in-flight requests and returns.
  void run();
  // Thread-safe; callable from any thread or a signal handler's strand.
  void stop();
  [[nodiscard]] std::size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatehouse::http
