#pragma once
// An HttpClient that answers from canned responses by URL and records every
// request. Thread-safe; a URL can be held so concurrent callers pile up on it
// until the test releases it (no sleeps).
//   FakeHttpClient http;
//   http.respond("https://idp/jwks", 200, jwks_json, {{"cache-control", "max-age=600"}});
//   http.fail("https://idp/token", http::ClientErrorKind::timeout);
//   ... code under test ...
//   EXPECT_EQ(http.count("https://idp/jwks"), 1u);
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "http/client.hpp"

namespace gatehouse::testing {

class FakeHttpClient final : public http::HttpClient {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  void respond(const std::string& url, int status, std::string body, Headers headers = {}) {
    std::lock_guard lock(mu_);
    answers_[url] = http::ClientResponse{status, std::move(headers), std::move(body)};
  }
  void fail(const std::string& url, http::ClientErrorKind kind,
            std::string detail = "fake failure") {
    std::lock_guard lock(mu_);
    answers_[url] = http::ClientError{kind, std::move(detail)};
  }

  // Requests to url wait in send() until release(url); the answer is looked
  // up on release, so the test may change it while they wait.
  void hold(const std::string& url) {
    std::lock_guard lock(mu_);
    held_.insert(url);
  }
  void release(const std::string& url) {
    std::lock_guard lock(mu_);
    held_.erase(url);
    cv_.notify_all();
  }
  // Waits (on a condition variable, bounded) until n requests are held at url.
  bool wait_until_held(const std::string& url, std::size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return waiting_[url] >= n; });
  }

  [[nodiscard]] std::vector<http::ClientRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  [[nodiscard]] std::size_t count(const std::string& url) const {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const auto& r : requests_) n += r.url == url;
    return n;
  }
  [[nodiscard]] std::optional<http::ClientRequest> last(const std::string& url) const {
    std::lock_guard lock(mu_);
    for (auto it = requests_.rbegin(); it != requests_.rend(); ++it)
      if (it->url == url) return *it;
    return std::nullopt;
  }

  tl::expected<http::ClientResponse, http::ClientError> send(
      const http::ClientRequest& req) override {
    std::unique_lock lock(mu_);
    requests_.push_back(req);
    if (held_.count(req.url)) {
      ++waiting_[req.url];
      cv_.notify_all();
      cv_.wait(lock, [&] { return held_.count(req.url) == 0; });
      --waiting_[req.url];
    }
    auto it = answers_.find(req.url);
    if (it == answers_.end())
      return tl::unexpected(
          http::ClientError{http::ClientErrorKind::connect, "no canned response"});
    if (auto* err = std::get_if<http::ClientError>(&it->second)) return tl::unexpected(*err);
    auto resp = std::get<http::ClientResponse>(it->second);
    if (resp.body.size() > req.max_body)
      return tl::unexpected(
          http::ClientError{http::ClientErrorKind::too_large, "body over max_body"});
    return resp;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::variant<http::ClientResponse, http::ClientError>> answers_;
  std::set<std::string> held_;
  std::map<std::string, std::size_t> waiting_;
  std::vector<http::ClientRequest> requests_;
};

}  // namespace gatehouse::testing
