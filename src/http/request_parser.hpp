#pragma once
// Bytes from a client -> Request, under the header and body limits the server
// enforces. The server drives a RequestReader from its socket; the pure
// parse_request() drives one from a buffer, so tests and tests/fuzz reach the
// very code that reads attacker bytes in production.
//   auto r = parse_request("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", RequestLimits{});
//   if (!r) return answer(r.error());          // 400, 413 or 431
//   r->request.path;                            // "/healthz"
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/system/error_code.hpp>
#include <tl/expected.hpp>

#include "http/message.hpp"

namespace gatehouse::http {

struct RequestLimits {
  std::size_t header_limit = 16 * 1024;  // request line and headers; larger: 431
  std::size_t body_limit = 1024 * 1024;  // larger: 413
};

// Beast's HTTP/1.1 grammar (limits, chunked bodies, conflicting lengths) with
// callbacks that fill an http::Request directly, so a request is not built
// twice (Beast's field list, then a copy of it). Use it through RequestReader.
class RequestParser : public boost::beast::http::basic_parser<true> {
 public:
  explicit RequestParser(std::size_t body_limit);
  [[nodiscard]] Request& request() { return request_; }
  [[nodiscard]] unsigned version() const { return version_; }  // 10 or 11
  [[nodiscard]] bool is_head() const { return head_; }
  [[nodiscard]] bool has_transfer_encoding() const { return transfer_encoding_; }
  [[nodiscard]] bool has_content_length() const { return content_length_; }
  // What trailer fields (after a chunked body) may take, name and value
  // bytes: what the header left of the header limit.
  void trailer_limit(std::size_t bytes) { trailer_left_ = bytes; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  void on_request_impl(boost::beast::http::verb method, string_view method_str, string_view target,
                       int version, error_code& ec) override;
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field f, string_view name, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override;
  void on_finish_impl(error_code&) override {}

  Request request_;
  std::size_t body_limit_;
  unsigned version_ = 11;
  bool head_ = false;
  bool transfer_encoding_ = false;
  bool content_length_ = false;
  std::size_t trailer_left_ = 0;
};

// One request from the bytes a connection delivers, read by read. Beast 1.74
// applies header_limit to the unparsed bytes of one parse call only: fields
// parsed by earlier calls do not count, so a client sending its header in
// pieces could get past the limit (found by tests/fuzz/fuzz_http_request).
// The reader shrinks the parser's limit by what the header has used so far.
//   RequestReader reader(limits);
//   for (;;) {
//     buffer.consume(reader.put(buffer.data(), ec));
//     if (ec != http::error::need_more) break;      // done ({}) or failed
//     read more into buffer; on end of file: ec = reader.end_of_input(); break;
//   }
class RequestReader {
 public:
  explicit RequestReader(const RequestLimits& limits);
  // Parses as much of `data` as it can; returns the bytes used. ec:
  // need_more (read more), another error, or none when the request is done.
  std::size_t put(boost::asio::const_buffer data, boost::system::error_code& ec);
  // The client closed its side: a started request is cut short.
  [[nodiscard]] boost::system::error_code end_of_input();
  [[nodiscard]] bool done() const { return parser_.is_done(); }
  [[nodiscard]] bool got_some() const { return parser_.got_some(); }
  // The request; whole once done().
  [[nodiscard]] Request& request() { return parser_.request(); }
  [[nodiscard]] unsigned version() const { return parser_.version(); }
  [[nodiscard]] bool keep_alive() const { return parser_.keep_alive(); }
  [[nodiscard]] bool is_head() const { return parser_.is_head(); }

 private:
  RequestParser parser_;
  std::size_t header_limit_;
  std::size_t header_used_ = 0;
};

// The status that answers a failed read, or 0 when the client just went away
// (or stopped mid-request) and gets no answer. timed_out: the read deadline
// passed (408).
[[nodiscard]] int status_for_read_error(const boost::system::error_code& ec, bool timed_out);

struct ParsedRequest {
  Request request;
  bool keep_alive = false;
  unsigned version = 11;     // 10 or 11
  std::size_t consumed = 0;  // bytes of the input this request took; the rest is the next one
};

// Reads one request from the front of `bytes`, which is everything the client
// sent before closing its side. The error is status_for_read_error() of what
// went wrong: 400, 413, 431, or 0 for a truncated or empty input.
[[nodiscard]] tl::expected<ParsedRequest, int> parse_request(std::string_view bytes,
                                                             const RequestLimits& limits);

}  // namespace gatehouse::http
