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

void apply_limits(BeastRequestParser& parser, const RequestLimits& limits) {
  parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
  parser.body_limit(limits.body_limit);
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
  BeastRequestParser parser;
  apply_limits(parser, limits);
  // As http::async_read does: parse the body in the same pass as the header.
  parser.eager(true);
  boost::system::error_code ec;
  std::string_view rest = bytes;
  bool closed = false;  // everything the client sent has been offered
  while (!parser.is_done()) {
    if (closed) {
      // As http::read_some on end of file: a started message is cut short
      // (partial_message), an untouched one is the client going away.
      if (parser.got_some())
        parser.put_eof(ec);
      else
        ec = bhttp::error::end_of_stream;
      if (ec) break;
      continue;
    }
    const auto used = parser.put(asio::const_buffer(rest.data(), rest.size()), ec);
    rest.remove_prefix(used);
    if (ec == bhttp::error::need_more)
      ec = {};
    else if (ec)
      break;
    // The parser wants more than the client sent: what the socket read sees
    // next is end of file.
    if (used == 0 || rest.empty()) closed = true;
  }
  if (ec) return tl::unexpected(status_for_read_error(ec, false));
  const auto& message = parser.get();
  ParsedRequest out{to_request(message, {}), message.keep_alive(), message.version(),
                    bytes.size() - rest.size()};
  return out;
}

}  // namespace gatehouse::http
