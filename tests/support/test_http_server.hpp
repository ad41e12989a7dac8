#pragma once
// A local HTTP(S) server for tests, standing in for an identity provider. It
// listens on 127.0.0.1 at a free port before the constructor returns (so tests
// never wait for it to be ready), answers each request through a handler, and
// can misbehave the ways a broken provider does.
//   TestHttpServer idp([](const TestRequest& r) {
//     return r.target == "/token" ? TestResponse{.status = 200, .body = R"({"a":1})"}
//                                 : TestResponse{.status = 404};
//   });
//   client->send({.url = idp.url("/token")});
//   idp.set_behaviour(Behaviour::never_answer);        // now it hangs
//   TestHttpServer tls_idp(handler, TlsFiles{fixture_path("localhost.pem"),
//                                            fixture_path("localhost-key.pem")});
// Every answer carries "Connection: close" and each connection serves one
// request, unless set_keep_alive(true): then connections serve request after
// request, each under the behaviour set when it arrives.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gatehouse::testing {

struct TestRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  // First header with that (lowercase) name, or "".
  [[nodiscard]] std::string header(std::string_view lower_name) const;
};

struct TestResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool chunked = false;  // Transfer-Encoding: chunked instead of Content-Length
  // When set, sent byte for byte instead of status, headers and body.
  std::optional<std::string> raw;
};

enum class Behaviour {
  answer,                // the handler's response, at once
  never_answer,          // accepts the connection, then neither reads nor writes (no TLS handshake)
  drip,                  // the handler's response one byte at a time, drip_interval apart
  reset_after_request,   // reads the request, then resets the connection (TCP RST)
  close_without_answer,  // reads the request, then closes without sending a byte
  endless_body,          // 200 claiming a 50 MB Content-Length, then zeros until the peer leaves
  endless_chunked_body,  // 200 chunked, chunks of zeros until the peer leaves
  // For keep-alive connections:
  answer_late,              // the handler's response after drip_interval
  answer_then_stray,        // the response and, in the same write, a second one nobody asked for
  answer_then_late_stray,   // the response, then after drip_interval a second one nobody asked for
  answer_then_stray_write,  // the response, then at once in a write (a TLS record) of its own a
                            // second one
  answer_then_close,  // the response (keep-alive), then closes the connection after drip_interval
  close_second_request,  // answers a connection's first request, closes at its second unanswered
};

// The unsolicited answer of answer_then_stray and answer_then_late_stray.
inline constexpr std::string_view kStrayAnswer =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
    "{\"stray\":\"yes\"}";

struct TlsFiles {
  std::string certificate_chain;  // PEM
  std::string private_key;        // PEM
};

class TestHttpServer {
 public:
  using Handler = std::function<TestResponse(const TestRequest&)>;

  explicit TestHttpServer(Handler handler, std::optional<TlsFiles> tls = std::nullopt);
  ~TestHttpServer();  // closes every connection and joins the server thread
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  // "http(s)://127.0.0.1:PORT" + path_and_query.
  [[nodiscard]] std::string url(std::string_view path_and_query = "/") const;

  // Applies to connections accepted from now on (with keep-alive: to requests
  // read from now on).
  void set_behaviour(Behaviour behaviour,
                     std::chrono::milliseconds drip_interval = std::chrono::milliseconds(100));

  // Connections accepted from now on serve many requests (HTTP/1.1 keep-alive).
  void set_keep_alive(bool on);

  [[nodiscard]] std::vector<TestRequest> requests() const;  // complete requests, in order
  [[nodiscard]] int connections() const;                    // accepted so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A handler that answers every request with the same response.
[[nodiscard]] TestHttpServer::Handler always(TestResponse response);

// tests/http/fixtures/NAME: ca.pem; localhost.pem + localhost-key.pem (signed by
// ca.pem, for localhost, 127.0.0.1 and ::1); wrong-host.pem + wrong-host-key.pem
// (signed by ca.pem, for wrong.example); self-signed.pem + self-signed-key.pem.
// See make_fixtures.sh there.
[[nodiscard]] std::string fixture_path(std::string_view name);

}  // namespace gatehouse::testing
