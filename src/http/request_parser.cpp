#include "http/request_parser.hpp"

#include <cctype>
#include <cstdint>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>

namespace gatehouse::http {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

namespace {

// RFC 9112 §6.3: a request whose Transfer-Encoding does not end in chunked
// has no knowable body length (MUST 400). Beast 1.74 accepts one, and takes
// Content-Length when it follows such a Transfer-Encoding: two framings that
// a proxy in front may read differently (request smuggling, §6.1). Both are
// refused.
boost::system::error_code check_framing(const BeastRequestParser& parser) {
  const auto& h = parser.get();
  if (h.find(bhttp::field::transfer_encoding) == h.end()) return {};
  if (!parser.chunked() || h.find(bhttp::field::content_length) != h.end())
    return bhttp::error::bad_transfer_encoding;
  return {};
}

}  // namespace

RequestReader::RequestReader(const RequestLimits& limits) : header_limit_(limits.header_limit) {
  parser_.body_limit(limits.body_limit);
}

std::size_t RequestReader::put(asio::const_buffer data, boost::system::error_code& ec) {
  std::size_t total = 0;
  ec = {};
  while (!parser_.is_done()) {
    const bool in_header = !parser_.is_header_done();
    if (in_header) {
      // What the header has left; Beast never parses past it in one call.
      // Not eager: the call stops at the end of the header, so `used` counts
      // header bytes only.
      parser_.header_limit(static_cast<std::uint32_t>(header_limit_ - header_used_));
      parser_.eager(false);
    } else {
      parser_.eager(true);  // as http::async_read: the body in one pass
    }
    const auto used = parser_.put(data + total, ec);
    total += used;
    if (in_header) {
      header_used_ += used;
      if (header_used_ > header_limit_) ec = bhttp::error::header_limit;
      if (!ec && parser_.is_header_done()) ec = check_framing(parser_);
      // Unparsed header bytes that already fill what is left: Beast, having
      // scanned them under a larger limit, would wait for more forever.
      if (ec == bhttp::error::need_more && data.size() - total >= header_limit_ - header_used_)
        ec = bhttp::error::header_limit;
    }
    // need_more after some progress: the rest may parse now (Beast holds
    // back a field it cannot see the end of).
    if (ec == bhttp::error::need_more && used > 0 && total < data.size()) continue;
    if (ec || used == 0) break;
  }
  if (!ec && !parser_.is_done()) ec = bhttp::error::need_more;
  return total;
}

boost::system::error_code RequestReader::end_of_input() {
  boost::system::error_code ec;
  if (parser_.got_some())
    parser_.put_eof(ec);  // partial_message unless the request was complete
  else
    ec = bhttp::error::end_of_stream;
  return ec;
}

int status_for_read_error(const boost::system::error_code& ec, bool timed_out) {
  if (timed_out) return 408;
  if (ec == bhttp::error::header_limit) return 431;
  if (ec == bhttp::error::body_limit) return 413;
  if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
    return 0;
  return 400;
}

Request to_request(const BeastRequest& in, std::string remote_addr) {
  Request r = Request::make(std::string(in.method_string()), std::string(in.target()), in.body());
  r.headers.reserve(16);
  for (const auto& f : in) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  r.remote_addr = std::move(remote_addr);
  return r;
}

tl::expected<ParsedRequest, int> parse_request(std::string_view bytes,
                                               const RequestLimits& limits) {
  RequestReader reader(limits);
  boost::system::error_code ec;
  // All of `bytes` is one read; the client sent nothing more.
  const auto used = reader.put(asio::const_buffer(bytes.data(), bytes.size()), ec);
  if (ec == bhttp::error::need_more) ec = reader.end_of_input();
  if (ec) return tl::unexpected(status_for_read_error(ec, false));
  const auto& message = reader.message();
  return ParsedRequest{to_request(message, {}), message.keep_alive(), message.version(), used};
}

}  // namespace gatehouse::http
