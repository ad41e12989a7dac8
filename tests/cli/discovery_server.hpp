#pragma once
// A stand-in OpenID Provider for `gatehouse team add`: serves one discovery
// document at http://127.0.0.1:PORT/.well-known/openid-configuration (404 for
// anything else) and counts the requests. Listening before the constructor
// returns, so tests never wait for it.
//   DiscoveryServer idp;                          // document's issuer == idp.url()
//   DiscoveryServer wrong([](auto& url) { return url + "1"; });
//   ... gatehouse team add --issuer idp.url() ...;  EXPECT_EQ(idp.requests(), 1);
// One request per connection ("Connection: close"); plain POSIX sockets so it
// does not depend on the code under test.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

namespace gatehouse::testing {

class DiscoveryServer {
 public:
  // Maps this server's URL to the `issuer` its document claims.
  using IssuerOf = std::function<std::string(const std::string& url)>;

  explicit DiscoveryServer(IssuerOf issuer_of = [](const std::string& url) { return url; }) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        ::pipe2(stop_, O_CLOEXEC) != 0)
      throw std::runtime_error("DiscoveryServer: cannot listen on 127.0.0.1");
    url_ = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    const std::string issuer = issuer_of(url_);
    document_ =
        nlohmann::json{
            {"issuer", issuer},
            {"authorization_endpoint", url_ + "/oauth2/v1/authorize"},
            {"token_endpoint", url_ + "/oauth2/v1/token"},
            {"userinfo_endpoint", url_ + "/oauth2/v1/userinfo"},
            {"jwks_uri", url_ + "/oauth2/v1/keys"},
            {"end_session_endpoint", url_ + "/oauth2/v1/logout"},
            {"response_types_supported", {"code"}},
            {"subject_types_supported", {"public"}},
            {"id_token_signing_alg_values_supported", {"RS256"}},
            {"token_endpoint_auth_methods_supported", {"client_secret_basic"}},
            {"code_challenge_methods_supported", {"S256"}},
        }
            .dump();
    thread_ = std::thread([this] { serve(); });
  }
  ~DiscoveryServer() {
    (void)!::write(stop_[1], "x", 1);
    thread_.join();
    ::close(listen_fd_);
    ::close(stop_[0]);
    ::close(stop_[1]);
  }
  DiscoveryServer(const DiscoveryServer&) = delete;
  DiscoveryServer& operator=(const DiscoveryServer&) = delete;

  [[nodiscard]] const std::string& url() const { return url_; }
  [[nodiscard]] int requests() const { return requests_.load(); }

 private:
  void serve() {
    for (;;) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) continue;
      if (fds[1].revents) return;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      answer(fd);
      ::close(fd);
    }
  }

  void answer(int fd) {
    std::string request;
    char buf[2048];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return;  // a client that stalls is dropped
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) return;
      request.append(buf, static_cast<std::size_t>(n));
    }
    ++requests_;
    const bool found = request.rfind("GET /.well-known/openid-configuration ", 0) == 0;
    const std::string body = found ? document_ : std::string(R"({"error":"not_found"})");
    const std::string response =
        std::string(found ? "HTTP/1.1 200 OK" : "HTTP/1.1 404 Not Found") +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    for (std::size_t done = 0; done < response.size();) {
      ssize_t n = ::send(fd, response.data() + done, response.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return;
      done += static_cast<std::size_t>(n);
    }
  }

  int listen_fd_ = -1;
  int stop_[2] = {-1, -1};
  std::string url_;
  std::string document_;
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace gatehouse::testing
