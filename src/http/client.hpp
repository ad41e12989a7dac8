#pragma once
// Outbound HTTP(S) for talking to identity providers. Behind an interface so
// the OIDC code is tested with a fake; the real one is Beast + OpenSSL.
//   auto r = client.send({.method = "GET", .url = issuer + "/.well-known/openid-configuration"});
//   if (!r) log(r.error().message());  else use(r->status, r->body);
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace gatehouse::http {

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  // Extra headers, e.g. Authorization. Host, Connection, Content-Length,
  // Transfer-Encoding and Content-Type belong to the client: naming one here is
  // bad_request. User-Agent and Accept (default application/json) may be replaced.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type;  // set with body, e.g. application/x-www-form-urlencoded
  // 0 = the client's default (GATEHOUSE_IDP_TIMEOUT_MS). The limit covers the
  // whole exchange: resolve, connect, TLS, write, read.
  std::chrono::milliseconds timeout{0};
  std::size_t max_body = 1 << 20;  // larger responses fail with too_large
};

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;

  // First header with that (lowercase) name, or "".
  [[nodiscard]] std::string header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers)
      if (k == lower_name) return v;
    return {};
  }
};

enum class ClientErrorKind {
  bad_url,          // not an absolute http(s) URL
  insecure_scheme,  // http:// to a host that is not loopback
  resolve,          // DNS failure
  connect,          // TCP connect failed or was reset
  tls,              // handshake failed, certificate or hostname not valid
  timeout,          // the time limit ran out
  too_large,        // response body over max_body (or headers over their limit)
  protocol,         // not a valid HTTP response
  bad_request,      // the request itself is unusable: unknown method, a header with CR/LF,
                    // a header the client sets itself, a body without a content type
};

struct ClientError {
  ClientErrorKind kind;
  // One short sentence for logs and error pages, e.g. "the identity provider at
  // idp.example did not answer within 10000 ms". Names the host at most: never
  // the path, query, request headers or body (they carry codes and secrets).
  std::string detail;
  // detail, or a generic sentence for the kind when detail is empty (fakes).
  [[nodiscard]] std::string message() const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Blocking; call only off the server's I/O threads. Never follows redirects.
  [[nodiscard]] virtual tl::expected<ClientResponse, ClientError> send(
      const ClientRequest& req) = 0;
};

struct ClientOptions {
  std::chrono::milliseconds default_timeout{10000};
  // Keep-alive: a connection whose exchange ended cleanly is kept this long
  // for the next request to the same origin (0: every exchange on a new
  // connection), at most pool_per_origin of them per origin.
  std::chrono::milliseconds pool_idle{4000};
  std::size_t pool_per_origin = 16;
  // Extra CA file (PEM) trusted in addition to the system store; for tests.
  std::string extra_ca_file;
};

// Builds the TLS context once (TLS 1.2+, system CAs plus extra_ca_file, peer and
// host name verification); loading the system CA store takes tens of ms, so
// make one client at start-up and share it: send() is safe from any number of
// threads, and the client keeps idle connections per origin for the next
// send() (a token request then costs no TCP or TLS handshake). Throws
// std::runtime_error when extra_ca_file cannot be loaded.
std::unique_ptr<HttpClient> make_beast_client(ClientOptions options);

// True for localhost, 127.0.0.0/8 and [::1]: the hosts that may be plain http.
[[nodiscard]] bool is_loopback_host(std::string_view host);

}  // namespace gatehouse::http
