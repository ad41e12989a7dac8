#pragma once
// An HttpClient decorator that caps the calls in flight to any one host.
// A provider that hangs can then hold at most `per_host` threads for the
// length of the timeout, plus `per_host * 4` callers waiting for a turn
// (each at most `max_wait`); further calls to it fail at once, as a
// timeout (what the person would otherwise get, only later). Calls to every
// other provider go on. A healthy provider under a burst of sign-ins is
// only queued briefly, not refused: 32 people signing in at once against a
// cap of 16 all get in (bench/README.md, sign-ins per second).
//   LimitedClient idp(*beast, 16, std::chrono::seconds(5));
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

#include "http/client.hpp"

namespace gatehouse::http {

class LimitedClient final : public HttpClient {
 public:
  LimitedClient(HttpClient& inner, int per_host, std::chrono::milliseconds max_wait)
      : inner_(inner), per_host_(per_host), max_waiting_(per_host * 4), max_wait_(max_wait) {}
  [[nodiscard]] tl::expected<ClientResponse, ClientError> send(const ClientRequest& req) override;

 private:
  struct Host {
    int in_flight = 0;
    int waiting = 0;
  };
  HttpClient& inner_;
  int per_host_;
  int max_waiting_;
  std::chrono::milliseconds max_wait_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::map<std::string, Host> hosts_;
};

}  // namespace gatehouse::http
