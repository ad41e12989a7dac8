#pragma once
// Bytes from a client -> Request, under the header and body limits the server
// enforces. The server drives the same Beast parser from its socket; the pure
// parse_request() drives it from a buffer, so tests and tests/fuzz reach the
// very code that reads attacker bytes in production.
//   auto r = parse_request("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", RequestLimits{});
//   if (!r) return answer(r.error());          // 400, 413 or 431
//   r->request.path;                            // "/healthz"
#include <cstddef>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>
#include <tl/expected.hpp>

#include "http/message.hpp"

namespace gatehouse::http {

struct RequestLimits {
  std::size_t header_limit = 16 * 1024;  // request line and headers; larger: 431
  std::size_t body_limit = 1024 * 1024;  // larger: 413
};

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastRequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// One request from the bytes a connection delivers, read by read. Beast 1.74
// measures header_limit from where its previous parse call stopped: fields
// parsed by earlier calls do not count, so a header split across reads got
// through at up to about twice the limit (found by
// tests/fuzz/fuzz_http_request). The reader shrinks the parser's limit by what
// the header has used so far, and refuses ambiguous framing (check_framing).
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
  [[nodiscard]] const BeastRequest& message() const { return parser_.get(); }

 private:
  BeastRequestParser parser_;
  std::size_t header_limit_;
  std::size_t header_used_ = 0;
};

// The status that answers a failed read, or 0 when the client just went away
// (or stopped mid-request) and gets no answer. timed_out: the read deadline
// passed (408).
[[nodiscard]] int status_for_read_error(const boost::system::error_code& ec, bool timed_out);

// A parsed Beast message as handlers see it: header names lowercased, path
// percent-decoded (Request::make).
[[nodiscard]] Request to_request(const BeastRequest& in, std::string remote_addr);

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
