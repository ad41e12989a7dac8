#pragma once
// Process-wide logging setup (spdlog to stderr). In JSON mode every line is
// one object: {"ts":"…","level":"info","msg":"…"}, plus "request_id" on every
// line written while a request is being handled.
//   setup_logging(/*json=*/false);
//   spdlog::info("listening on {}:{}", host, port);
// Never log secrets, authorization codes, tokens or session ids.
//
// The request id follows the handling thread, not the coroutine: the server
// opens a RequestLogScope around each synchronous stretch of work for a request
// (router, handler on its worker thread, response hook), never across a
// co_await, so the id cannot leak onto another request's lines.
//   { RequestLogScope scope(req.request_id); handler(req); }
#include <string>
#include <string_view>

namespace gatehouse {

void setup_logging(bool json);

// The id of the request this thread is handling now, or "".
[[nodiscard]] std::string_view current_request_id();

class RequestLogScope {
 public:
  explicit RequestLogScope(std::string_view request_id);
  ~RequestLogScope();
  RequestLogScope(const RequestLogScope&) = delete;
  RequestLogScope& operator=(const RequestLogScope&) = delete;

 private:
  std::string previous_;
};

}  // namespace gatehouse
