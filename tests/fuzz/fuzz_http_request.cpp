// The server's request reading path: raw bytes as a client sends them on one
// connection (pipelined requests included) through parse_request(), the same
// Beast parser, limits, error-to-status mapping and Request conversion that
// server.cpp runs on its socket. Then every accessor a handler calls on what
// came out.
//
// Besides crashes, sanitizer reports and hangs, it stops on:
// - an error status other than 400, 413, 431 (or 0: nothing was sent);
// - a header name that is not a lowercase token, or a value holding CR, LF or
//   NUL (header injection into anything that copies it out);
// - a body over the limit, or headers larger in total than the header limit;
// - a Content-Length that disagrees with the body handed to the handler, or
//   a request with both Content-Length and Transfer-Encoding that keeps the
//   connection open (request smuggling, RFC 9112 §6.1: MUST close);
// - a result that depends on how the bytes were split into reads (TCP
//   segmentation must not change whether or how a request is accepted).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include "http/request_parser.hpp"
#include "http/server.hpp"

namespace {

using namespace gatehouse::http;
namespace bhttp = boost::beast::http;

// A broken property names itself in the report next to the reproducer.
[[noreturn]] void fail(const char* what, int line) {
  std::fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, line, what);
  std::abort();
}
#define CHECK(x) ((x) ? (void)0 : fail(#x, __LINE__))

bool is_tchar(unsigned char c) {  // RFC 9110 §5.6.2
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view s, bool lowercase) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!is_tchar(c) || (lowercase && c >= 'A' && c <= 'Z')) return false;
  return true;
}

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// What a handler may call on any request.
void exercise(const Request& r) {
  (void)r.header("host");
  (void)r.cookie("gh_session");
  (void)r.query_params();
  (void)r.form();
  if (auto t = r.bearer_token()) CHECK(!t->empty() && t->find(' ') == std::string::npos);
}

void check_request(const ParsedRequest& p, const RequestLimits& limits, std::size_t offered) {
  const Request& r = p.request;
  CHECK(p.consumed > 0 && p.consumed <= offered);
  CHECK(p.version == 10 || p.version == 11);
  CHECK(is_token(r.method, false));
  CHECK(!r.target.empty());
  for (unsigned char c : r.target) CHECK(c > 0x20 && c != 0x7f);
  CHECK(r.body.size() <= limits.body_limit);
  std::size_t header_bytes = r.method.size() + r.target.size();
  std::size_t content_lengths = 0;
  bool transfer_encoding = false;
  for (const auto& [name, value] : r.headers) {
    CHECK(is_token(name, true));
    CHECK(value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
    header_bytes += name.size() + value.size();
    if (name == "transfer-encoding") transfer_encoding = true;
    if (name == "content-length") {
      ++content_lengths;
      if (all_digits(value)) CHECK(r.body.size() == std::stoull(value) || transfer_encoding);
    }
  }
  CHECK(header_bytes <= limits.header_limit);
  if (transfer_encoding && content_lengths > 0) CHECK(!p.keep_alive);
  exercise(r);
}

// The same bytes fed the way the server's read loop feeds them, in reads
// whose sizes come from `seed`: the outcome must equal the one-read parse.
void check_split_reads(std::string_view bytes, const RequestLimits& limits, std::uint32_t seed,
                       const tl::expected<ParsedRequest, int>& whole) {
  RequestReader reader(limits);
  std::string buffer;  // what the connection's flat_buffer holds
  std::size_t offered = 0, consumed = 0;
  boost::system::error_code ec;
  for (;;) {
    const auto used = reader.put(boost::asio::const_buffer(buffer.data(), buffer.size()), ec);
    buffer.erase(0, used);
    consumed += used;
    if (ec != bhttp::error::need_more) break;
    if (offered == bytes.size()) {
      ec = reader.end_of_input();
      break;
    }
    seed = seed * 1103515245u + 12345u;
    const std::size_t n = std::min<std::size_t>(1 + (seed >> 16) % 97, bytes.size() - offered);
    buffer.append(bytes.substr(offered, n));
    offered += n;
  }
  if (ec) {
    // Refused both ways; which of 400/431 may depend on where reads split
    // an invalid header that is also too long.
    CHECK(!whole && (whole.error() == 0) == (status_for_read_error(ec, false) == 0));
    return;
  }
  CHECK(whole.has_value());
  const ParsedRequest split{reader.request(), reader.keep_alive(), reader.version(), consumed};
  check_request(split, limits, bytes.size());
  CHECK(consumed == whole->consumed);
  CHECK(split.request.method == whole->request.method);
  CHECK(split.request.target == whole->request.target);
  CHECK(split.request.headers == whole->request.headers);
  CHECK(split.request.body == whole->request.body);
  CHECK(split.keep_alive == whole->keep_alive);
}

void run(std::string_view bytes, const RequestLimits& limits, std::uint32_t seed) {
  // One connection: requests until an error or a request that closes it.
  for (int n = 0; n < 16 && !bytes.empty(); ++n) {
    const auto parsed = parse_request(bytes, limits);
    check_split_reads(bytes, limits, seed + static_cast<std::uint32_t>(n), parsed);
    if (!parsed) {
      const int s = parsed.error();
      CHECK(s == 400 || s == 413 || s == 431 || s == 0);
      return;
    }
    check_request(*parsed, limits, bytes.size());
    if (!parsed->keep_alive) return;
    bytes.remove_prefix(parsed->consumed);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The limits the server ships with must be the ones fuzzed.
  static const bool same_defaults = [] {
    const ServerOptions server;
    const RequestLimits parser;
    return server.header_limit == parser.header_limit && server.body_limit == parser.body_limit;
  }();
  CHECK(same_defaults);
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::uint32_t seed = 2166136261u;
  for (std::size_t i = 0; i < size && i < 64; ++i) seed = (seed ^ data[i]) * 16777619u;
  run(bytes, RequestLimits{}, seed);
  // Small limits too, so inputs of a few hundred bytes reach 413 and 431.
  run(bytes, RequestLimits{.header_limit = 256, .body_limit = 64}, seed);
  return 0;
}
