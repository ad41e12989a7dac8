#pragma once
// An HttpClient decorator that caps the calls in flight to any one host.
// A provider that hangs can then hold at most `per_host` threads for the
// length of the timeout; further calls to it fail at once (as a timeout,
// which is what the person would otherwise get, only later), and calls to
// every other provider go on.
//   LimitedClient idp(*beast, 16);
#include <map>
#include <mutex>
#include <string>

#include "http/client.hpp"

namespace gatehouse::http {

class LimitedClient final : public HttpClient {
 public:
  LimitedClient(HttpClient& inner, int per_host) : inner_(inner), per_host_(per_host) {}
  [[nodiscard]] tl::expected<ClientResponse, ClientError> send(const ClientRequest& req) override;

 private:
  HttpClient& inner_;
  int per_host_;
  std::mutex mu_;
  std::map<std::string, int> in_flight_;
};

}  // namespace gatehouse::http
