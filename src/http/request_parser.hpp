#pragma once
// Parses one HTTP/1.1 request straight into an http::Request: Beast's parser
// (grammar, header and body limits, chunked bodies, conflicting lengths) with
// our own callbacks, so a request is not built twice (Beast's field list,
// then a copy of it). The server feeds it bytes as they arrive; tests and the
// fuzzer feed it strings.
//   RequestParser p(16 * 1024, 1024 * 1024);
//   auto used = p.put(asio::buffer(bytes), ec);   // ec == error::need_more: feed more
//   if (p.is_done()) handle(p.request());
#include <cstddef>

#include <boost/beast/http/basic_parser.hpp>

#include "http/message.hpp"

namespace gatehouse::http {

class RequestParser : public boost::beast::http::basic_parser<true> {
 public:
  RequestParser(std::size_t header_limit, std::size_t body_limit);

  // The request read so far; whole once is_done().
  [[nodiscard]] Request& request() { return request_; }
  // 10 for HTTP/1.0, 11 for HTTP/1.1.
  [[nodiscard]] unsigned version() const { return version_; }
  [[nodiscard]] bool is_head() const { return head_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  void on_request_impl(boost::beast::http::verb method, string_view method_str, string_view target,
                       int version, error_code& ec) override;
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field, string_view name, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override;
  void on_finish_impl(error_code&) override {}

  Request request_;
  std::size_t body_limit_;
  unsigned version_ = 11;
  bool head_ = false;
};

}  // namespace gatehouse::http
