#pragma once
// A blocking HTTP/1.1 client for tests that drive a gatehouse process over a
// real socket. It never throws on I/O: a failed or timed-out exchange is a
// response with status 0, so load generators can count what did not succeed.
// Independent of src/http, so the code under test does not check itself.
//   auto r = probe(port, {.method = "GET", .target = "/healthz"});
//   ProbeClient keep(port);                      // one keep-alive connection
//   auto s = keep.send({.target = "/internal/authz", .headers = {{"Authorization", "Bearer " +
//   t}}});
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gatehouse::testing {

struct ProbeRequest {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct ProbeResponse {
  int status = 0;  // 0: no answer (refused, reset, timed out)
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  // First header with that (lowercase) name, or "".
  [[nodiscard]] std::string header(std::string_view lower_name) const;
  // Value of the cookie of that name set by a Set-Cookie header, or "".
  [[nodiscard]] std::string set_cookie(std::string_view name) const;
};

// One request on a fresh connection.
[[nodiscard]] ProbeResponse probe(std::uint16_t port, const ProbeRequest& request,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Requests one after another on one keep-alive connection, reconnecting after a failure.
class ProbeClient {
 public:
  explicit ProbeClient(std::uint16_t port);
  ~ProbeClient();
  ProbeClient(const ProbeClient&) = delete;
  ProbeClient& operator=(const ProbeClient&) = delete;
  [[nodiscard]] ProbeResponse send(const ProbeRequest& request,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// application/x-www-form-urlencoded encoding of one value.
[[nodiscard]] std::string form_encode(std::string_view value);
// The value of a query parameter in a URL or target ("" when absent), decoded.
[[nodiscard]] std::string query_param(std::string_view url, std::string_view name);

}  // namespace gatehouse::testing
