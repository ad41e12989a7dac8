#include "http/request_parser.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>

namespace gatehouse::http {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

RequestParser::RequestParser(std::size_t body_limit) : body_limit_(body_limit) {
  this->body_limit(body_limit);
}

void RequestParser::on_request_impl(bhttp::verb method, string_view method_str, string_view target,
                                    int version, error_code&) {
  request_ = Request::make(std::string(method_str), std::string(target));
  request_.headers.reserve(16);
  version_ = static_cast<unsigned>(version);
  head_ = method == bhttp::verb::head;
}

void RequestParser::on_field_impl(bhttp::field f, string_view name, string_view value,
                                  error_code& ec) {
  if (is_header_done()) {
    // A trailer field (RFC 9112 §7.1.2). Never merged into the headers (RFC
    // 9110 §6.5.2): an Authorization or Cookie sent after the body, where a
    // proxy in front may not look, must not count as one. Discarded, but its
    // bytes count against what the header left of the header limit (Beast
    // 1.74 does not bound trailers; found by tests/fuzz/fuzz_http_request).
    if (name.size() + value.size() > trailer_left_)
      ec = bhttp::error::header_limit;
    else
      trailer_left_ -= name.size() + value.size();
    return;
  }
  if (f == bhttp::field::transfer_encoding) transfer_encoding_ = true;
  if (f == bhttp::field::content_length) content_length_ = true;
  std::string lower(name.size(), '\0');
  std::transform(name.begin(), name.end(), lower.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  request_.headers.emplace_back(std::move(lower), std::string(value));
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      error_code&) {
  if (content_length)
    request_.body.reserve(
        static_cast<std::size_t>(std::min<std::uint64_t>(*content_length, body_limit_)));
}

std::size_t RequestParser::on_body_impl(string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

namespace {

// RFC 9112 §6.3: a request whose Transfer-Encoding does not end in chunked
// has no knowable body length (MUST 400). Beast 1.74 accepts one, and takes
// Content-Length when it follows such a Transfer-Encoding: two framings that
// a proxy in front may read differently (request smuggling, §6.1). Both are
// refused.
boost::system::error_code check_framing(const RequestParser& parser) {
  if (!parser.has_transfer_encoding()) return {};
  if (!parser.chunked() || parser.has_content_length()) return bhttp::error::bad_transfer_encoding;
  return {};
}

}  // namespace

RequestReader::RequestReader(const RequestLimits& limits)
    : parser_(limits.body_limit), header_limit_(limits.header_limit) {}

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
      parser_.eager(true);  // the body in one pass
    }
    const auto used = parser_.put(data + total, ec);
    total += used;
    if (in_header) {
      header_used_ += used;
      if (header_used_ > header_limit_) ec = bhttp::error::header_limit;
      if (!ec && parser_.is_header_done()) {
        ec = check_framing(parser_);
        parser_.trailer_limit(header_limit_ - header_used_);
      }
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

tl::expected<ParsedRequest, int> parse_request(std::string_view bytes,
                                               const RequestLimits& limits) {
  RequestReader reader(limits);
  boost::system::error_code ec;
  // All of `bytes` is one read; the client sent nothing more.
  const auto used = reader.put(asio::const_buffer(bytes.data(), bytes.size()), ec);
  if (ec == bhttp::error::need_more) ec = reader.end_of_input();
  if (ec) return tl::unexpected(status_for_read_error(ec, false));
  return ParsedRequest{std::move(reader.request()), reader.keep_alive(), reader.version(), used};
}

}  // namespace gatehouse::http
