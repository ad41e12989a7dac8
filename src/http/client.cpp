// The real HttpClient: Beast over TCP or OpenSSL, one deadline for the whole
// exchange, and a small keep-alive pool per origin.
//
// Each connection owns its io_context; send() runs it on the calling worker
// thread until the exchange ends. A connection is used by one send() at a
// time: it is taken out of the pool under a lock and given back only when its
// last exchange ended cleanly (see Pool). The TLS context is only read after
// construction (SSL_new on a finished SSL_CTX is thread-safe), so any number
// of workers may call send() at once.
#include "http/client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <exception>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "http/url.hpp"

namespace gatehouse::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Endpoints = std::vector<tcp::endpoint>;
using WireRequest = bhttp::request<bhttp::string_body>;
using WireResponse = bhttp::response<bhttp::string_body>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// RFC 9110 §5.4 leaves the header size limit to the recipient: 16 KiB is far
// above what identity providers send and far below what would hurt a worker.
constexpr std::uint32_t kHeaderLimit = 16 * 1024;
// RFC 9110 §15.2: a client must accept 1xx answers it did not ask for before
// the final one. A provider that sends more than this is not answering.
constexpr int kMaxInterimResponses = 8;
constexpr std::string_view kUserAgent = "gatehouse/0.1";

tl::unexpected<ClientError> fail(ClientErrorKind kind, std::string detail) {
  return tl::unexpected(ClientError{kind, std::move(detail)});
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// What the exchange needs to know about one call, and what it reports back.
struct Exchange {
  WireRequest request;
  std::uint64_t max_body = 0;
  WireResponse response;
  // Set by write_and_read: the answer ended where its framing said and
  // nothing followed it, and neither side asked to close (see Pool).
  bool reusable = false;
  // Some of an answer arrived before a failure: the request was processed.
  bool received = false;
};

enum class Phase { connect, handshake, write, read };
struct Outcome {
  Phase phase = Phase::connect;
  beast::error_code ec;
};

// ---- the request ----------------------------------------------------------

// RFC 9110 §5.6.2 token.
bool is_token(std::string_view s) {
  static constexpr std::string_view kTchar = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           kTchar.find(c) != std::string_view::npos;
  });
}

// RFC 9110 §5.5: CR, LF and NUL are never part of a field value; letting one
// through would let a value start a header, or a request, of its own.
bool is_field_value(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

tl::expected<WireRequest, ClientError> build_request(const ClientRequest& in, const Url& url) {
  const bhttp::verb verb = bhttp::string_to_verb(in.method);
  switch (verb) {
    case bhttp::verb::get:
    case bhttp::verb::head:
    case bhttp::verb::post:
    case bhttp::verb::put:
    case bhttp::verb::patch:
    case bhttp::verb::delete_:
      break;
    default:
      return fail(ClientErrorKind::bad_request, "the HTTP method is not supported");
  }
  WireRequest req{verb, url.target, 11};
  req.set(bhttp::field::host, url.authority());
  req.set(bhttp::field::user_agent, kUserAgent);
  req.set(bhttp::field::accept, "application/json");
  // No Connection header: HTTP/1.1 keeps the connection open (RFC 9112 §9.3),
  // and Pool decides whether it is used again.
  for (const auto& [name, value] : in.headers) {
    if (!is_token(name) || !is_field_value(value))
      return fail(ClientErrorKind::bad_request, "a request header has an invalid name or value");
    switch (bhttp::string_to_field(name)) {
      case bhttp::field::host:
      case bhttp::field::connection:
      case bhttp::field::content_length:
      case bhttp::field::transfer_encoding:
      case bhttp::field::content_type:
        return fail(ClientErrorKind::bad_request,
                    "the " + name + " header is set by the HTTP client itself");
      default:
        req.set(name, value);
    }
  }
  if (!in.body.empty() && in.content_type.empty())
    return fail(ClientErrorKind::bad_request, "a request body needs a content type");
  if (!in.content_type.empty()) {
    if (!is_field_value(in.content_type))
      return fail(ClientErrorKind::bad_request, "the content type is not a valid header value");
    req.set(bhttp::field::content_type, in.content_type);
  }
  req.body() = in.body;
  req.prepare_payload();  // Content-Length, also "0" for an empty POST (RFC 9110 §8.6)
  return req;
}

// ---- name resolution --------------------------------------------------------

std::string timeout_text(const Url& url, std::chrono::milliseconds limit) {
  return "the identity provider at " + url.host + " did not answer within " +
         std::to_string(limit.count()) + " ms";
}

// The addresses to try, in order.
//
// getaddrinfo() cannot be cancelled, and Asio's async_resolve runs it on a
// thread that the io_context joins when it is destroyed: a DNS server that
// never answers would hold the worker long past the deadline. So a name is
// looked up on a detached thread that owns everything it touches, and the
// caller stops waiting for it at the deadline.
tl::expected<Endpoints, ClientError> resolve(const Url& url, Clock::time_point deadline,
                                             std::chrono::milliseconds limit) {
  const std::string host(url.bare_host());
  beast::error_code ec;
  const auto literal = asio::ip::make_address(host, ec);
  if (!ec) return Endpoints{tcp::endpoint(literal, url.port)};
  // RFC 6761 §6.3: localhost is loopback without asking anyone, so the
  // plain-http exception for loopback cannot be steered elsewhere by DNS.
  if (url.host == "localhost")
    return Endpoints{tcp::endpoint(asio::ip::address_v4::loopback(), url.port),
                     tcp::endpoint(asio::ip::address_v6::loopback(), url.port)};

  using Lookup = tl::expected<Endpoints, std::string>;
  auto promise = std::make_shared<std::promise<Lookup>>();
  auto future = promise->get_future();
  try {
    std::thread([promise, host, service = std::to_string(url.port)] {
      asio::io_context owner(1);  // a synchronous resolve runs on this thread
      tcp::resolver resolver(owner);
      beast::error_code lookup_ec;
      const auto results =
          resolver.resolve(host, service, tcp::resolver::numeric_service, lookup_ec);
      if (lookup_ec) {
        promise->set_value(tl::unexpected(lookup_ec.message()));
        return;
      }
      Endpoints endpoints;
      for (const auto& entry : results) endpoints.push_back(entry.endpoint());
      promise->set_value(std::move(endpoints));
    }).detach();
  } catch (const std::system_error&) {
    return fail(ClientErrorKind::resolve, "could not start a DNS lookup for " + url.host);
  }
  if (future.wait_until(deadline) != std::future_status::ready)
    return fail(ClientErrorKind::timeout, timeout_text(url, limit));
  Lookup lookup = future.get();
  if (!lookup)
    return fail(ClientErrorKind::resolve,
                "could not resolve host " + url.host + ": " + lookup.error());
  if (lookup->empty())
    return fail(ClientErrorKind::resolve, "host " + url.host + " has no address");
  return std::move(*lookup);
}

// ---- TLS --------------------------------------------------------------------

ssl::context make_tls_context(const ClientOptions& options) {
  ssl::context ctx(ssl::context::tls_client);
  // RFC 8996 retires TLS 1.0 and 1.1; RFC 9325 §3.1.1 asks for 1.2 at least.
  if (SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION) != 1)
    throw std::runtime_error("cannot require TLS 1.2 in the OpenSSL context");
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  ctx.set_verify_mode(ssl::verify_peer);
  try {
    ctx.set_default_verify_paths();
    if (!options.extra_ca_file.empty()) ctx.load_verify_file(options.extra_ca_file);
  } catch (const std::system_error& e) {
    throw std::runtime_error(
        "cannot load trusted CA certificates" +
        (options.extra_ca_file.empty() ? std::string() : " from " + options.extra_ca_file) + ": " +
        e.what());
  }
  return ctx;
}

// Names the peer must prove it is, before the handshake starts.
bool expect_peer(SSL* ssl, const Url& url) {
  const std::string host(url.bare_host());
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  if (!ec) {
    // RFC 6125 §1.7.2 / RFC 5280 §4.2.1.6: an address matches only an
    // iPAddress entry. No SNI: RFC 6066 §3 allows DNS names only.
    return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  }
  // RFC 6125 §6.4.3: a wildcard only as the whole left-most label.
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
}

std::string tls_failure_text(SSL* ssl, const Url& url, const beast::error_code& ec) {
  const long verify = SSL_get_verify_result(ssl);
  if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH)
    return "TLS certificate verification failed for host " + url.host +
           ": the certificate is for another host";
  if (verify != X509_V_OK)
    return "TLS certificate verification failed for host " + url.host + ": " +
           X509_verify_cert_error_string(verify);
  return "TLS handshake with host " + url.host + " failed: " + ec.message();
}

// ---- the exchange -------------------------------------------------------------

template <class Stream>
asio::awaitable<Outcome> write_and_read(Stream& stream, Exchange& ex) {
  beast::error_code ec;
  co_await bhttp::async_write(stream, ex.request, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Outcome{Phase::write, ec};

  beast::flat_buffer buffer;
  for (int i = 0; i < kMaxInterimResponses; ++i) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(ex.max_body);  // also bounds chunked and read-to-close bodies
    if (ex.request.method() == bhttp::verb::head) parser.skip(true);  // RFC 9110 §9.3.2
    // The header on its own first: Beast's eager parser (what async_read
    // uses) loses the body_limit error for a too large Content-Length and
    // goes on reading (boostorg/beast#2183). Read alone, the header fails at
    // once, before a byte of a 50 MB body is buffered.
    co_await bhttp::async_read_header(stream, buffer, parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
    ex.received = ex.received || parser.got_some() || buffer.size() > 0;
    if (ec) co_return Outcome{Phase::read, ec};
    if (!parser.is_done()) {
      if (const auto length = parser.content_length(); length && *length > ex.max_body)
        co_return Outcome{Phase::read, bhttp::error::body_limit};
      co_await bhttp::async_read(stream, buffer, parser,
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return Outcome{Phase::read, ec};
    }
    if (parser.get().result_int() / 100 != 1) {
      // Bytes after the answer were never asked for: whatever they are, they
      // must not be read as the answer to a later request.
      ex.reusable = parser.keep_alive() && buffer.size() == 0;
      ex.response = parser.release();
      co_return Outcome{Phase::read, {}};
    }
  }
  co_return Outcome{Phase::read, bhttp::error::bad_status};
}

asio::awaitable<Outcome> exchange_plain(beast::tcp_stream& stream, const Endpoints& endpoints,
                                        Exchange& ex) {
  beast::error_code ec;
  co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Outcome{Phase::connect, ec};
  co_return co_await write_and_read(stream, ex);
}

asio::awaitable<Outcome> exchange_tls(TlsStream& stream, const Endpoints& endpoints, Exchange& ex) {
  beast::error_code ec;
  co_await beast::get_lowest_layer(stream).async_connect(
      endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Outcome{Phase::connect, ec};
  co_await stream.async_handshake(ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Outcome{Phase::handshake, ec};
  // No TLS close_notify at the end: the message has its own length, and
  // waiting for the provider's close_notify would only give it time to stall.
  co_return co_await write_and_read(stream, ex);
}

// Runs one exchange to its end on the connection's io_context.
Outcome run(asio::awaitable<Outcome> exchange, asio::io_context& ioc) {
  Outcome outcome;
  std::exception_ptr thrown;
  ioc.restart();
  asio::co_spawn(ioc, std::move(exchange), [&](std::exception_ptr e, Outcome o) {
    thrown = e;
    outcome = o;
  });
  ioc.run();
  if (thrown) std::rethrow_exception(thrown);  // a bug, not a network failure
  return outcome;
}

bool is_connection_lost(const beast::error_code& ec) {
  return ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::eof || ec == bhttp::error::end_of_stream;
}

ClientError classify(const Outcome& o, const Url& url, std::chrono::milliseconds limit,
                     Clock::time_point deadline, const Exchange& ex, SSL* ssl) {
  const auto& ec = o.ec;
  const std::string where = url.host + ":" + std::to_string(url.port);
  // Past the deadline, whatever broke broke because the time ran out.
  if (ec == beast::error::timeout || Clock::now() >= deadline)
    return {ClientErrorKind::timeout, timeout_text(url, limit)};
  if (ec == bhttp::error::body_limit)
    return {ClientErrorKind::too_large, "the response from " + url.host + " is larger than " +
                                            std::to_string(ex.max_body) + " bytes"};
  if (ec == bhttp::error::header_limit)
    return {ClientErrorKind::too_large, "the response headers from " + url.host +
                                            " are larger than " + std::to_string(kHeaderLimit) +
                                            " bytes"};
  if (ec == asio::error::connection_refused)
    return {ClientErrorKind::connect, "the connection to " + where + " was refused"};
  if (is_connection_lost(ec))
    return {ClientErrorKind::connect, where + " closed or reset the connection before answering"};
  switch (o.phase) {
    case Phase::connect:
      return {ClientErrorKind::connect, "could not connect to " + where + ": " + ec.message()};
    case Phase::handshake:
      return {ClientErrorKind::tls, ssl != nullptr ? tls_failure_text(ssl, url, ec)
                                                   : "TLS handshake with " + url.host + " failed"};
    case Phase::write:
      return {ClientErrorKind::connect,
              "could not send the request to " + where + ": " + ec.message()};
    case Phase::read:
      break;
  }
  // A TLS peer that closes without close_notify may have been cut off by an
  // attacker (RFC 8446 §6.1); the body cannot be trusted to be whole.
  if (ec == ssl::error::stream_truncated)
    return {ClientErrorKind::protocol, "the response from " + url.host + " was cut off"};
  return {ClientErrorKind::protocol,
          "the response from " + url.host + " is not valid HTTP: " + ec.message()};
}

ClientResponse to_client_response(WireResponse&& res) {
  ClientResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res)
    out.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
  out.body = std::move(res.body());
  return out;
}

// One connection to one origin, with the io_context its stream runs on.
struct Connection {
  asio::io_context ioc{1};
  std::optional<beast::tcp_stream> plain;  // exactly one of plain and tls is set
  std::optional<TlsStream> tls;
  Clock::time_point idle_since{};

  beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  SSL* ssl() { return tls ? tls->native_handle() : nullptr; }
};

// Idle keep-alive connections, by origin (scheme, host as written, port).
//
// A connection that is given back may be used for the next request to the same
// origin, so the rule is that the next caller can only ever read the answer to
// its own request:
// - it goes back only after an exchange that ended cleanly: the whole answer
//   read as its framing says, no byte after it, no "Connection: close", and no
//   TLS record buffered (Exchange::reusable, give_back). A connection left
//   mid-answer by a timeout, an error or a too-large body is closed, never pooled;
// - before it is used again it must have nothing to read: a byte there is
//   either the provider closing or an answer nobody asked for (take);
// - it is never used for another origin: "localhost" and "127.0.0.1" are two
//   origins, as are two names of one address, because the TLS peer was checked
//   for the name it was reached by.
// Connections idle longer than `idle` are closed: below the 5 s that Node's
// HTTP server (oidc-provider) keeps idle connections, so the provider rarely
// closes one under us.
// Nothing more to read from a TLS connection, found without waiting: a
// record that arrived in the same socket read as the answer's last one stays
// inside the connection — decrypted in OpenSSL, or still encrypted in Asio's
// input buffer, where neither SSL_pending nor a peek at the socket can see
// it. So one read of the stream is started and the io_context polled: it
// completes at once if anything is there; otherwise it is cancelled before it
// takes a byte off the socket, and the connection stays as it was.
bool tls_quiet(Connection& c) {
  if (SSL_pending(c.ssl()) > 0 || SSL_has_pending(c.ssl()) == 1) return false;
  char byte = 0;
  bool done = false;
  std::size_t got = 0;
  beast::error_code ec;
  c.ioc.restart();
  c.tls->async_read_some(asio::buffer(&byte, 1), [&](beast::error_code e, std::size_t n) {
    done = true;
    ec = e;
    got = n;
  });
  c.ioc.poll();
  if (!done) {
    c.tcp().cancel();
    c.ioc.restart();
    c.ioc.run();  // the cancelled read completes; nothing was read
  }
  return got == 0 && ec == asio::error::operation_aborted;
}

class Pool {
 public:
  Pool(std::chrono::milliseconds idle, std::size_t per_origin)
      : idle_(idle), per_origin_(per_origin) {}

  std::unique_ptr<Connection> take(const std::string& origin) {
    for (;;) {
      std::unique_ptr<Connection> c;
      {
        std::lock_guard lock(mu_);
        auto it = idle_by_origin_.find(origin);
        if (it == idle_by_origin_.end() || it->second.empty()) return nullptr;
        c = std::move(it->second.back());  // the most recently used: the likeliest alive
        it->second.pop_back();
      }
      if (Clock::now() - c->idle_since < idle_ && quiet(*c)) return c;
      // Closed outside the lock; try the next one.
    }
  }

  void give_back(const std::string& origin, std::unique_ptr<Connection> c) {
    if (idle_.count() <= 0 || per_origin_ == 0) return;
    c->idle_since = Clock::now();
    std::unique_ptr<Connection> dropped;
    std::lock_guard lock(mu_);
    auto& idle = idle_by_origin_[origin];
    if (idle.size() >= per_origin_) {
      dropped = std::move(idle.front());  // the oldest goes
      idle.erase(idle.begin());
    }
    idle.push_back(std::move(c));
  }

 private:
  // Nothing to read on an idle connection: not closed by the peer, no bytes
  // that arrived after the last answer.
  static bool quiet(Connection& c) {
    char byte = 0;
    const auto n = ::recv(c.tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  const std::chrono::milliseconds idle_;
  const std::size_t per_origin_;
  std::mutex mu_;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle_by_origin_;
};

class BeastClient final : public HttpClient {
 public:
  explicit BeastClient(ClientOptions options)
      : options_(std::move(options)),
        tls_(make_tls_context(options_)),
        pool_(options_.pool_idle, options_.pool_per_origin) {}

  tl::expected<ClientResponse, ClientError> send(const ClientRequest& in) override {
    const auto limit = in.timeout.count() > 0 ? in.timeout : options_.default_timeout;
    const auto deadline = Clock::now() + limit;

    auto url = parse_url(in.url);
    if (!url) return fail(ClientErrorKind::bad_url, "the URL is not usable: " + url.error());
    // SPEC §2: plain http only to loopback; refused before any packet leaves.
    if (url->scheme == "http" && !is_loopback_host(url->host))
      return fail(ClientErrorKind::insecure_scheme,
                  "plain http is allowed only to loopback hosts, not to " + url->host);
    auto request = build_request(in, *url);
    if (!request) return tl::unexpected(request.error());
    const std::string origin = url->origin();

    if (auto c = pool_.take(origin)) {
      Exchange ex{*request, in.max_body, {}};
      c->tcp().expires_at(deadline);
      const Outcome o = c->tls ? run(write_and_read(*c->tls, ex), c->ioc)
                               : run(write_and_read(*c->plain, ex), c->ioc);
      if (!o.ec) return finish(origin, std::move(c), ex);
      // The provider closed this idle connection as the request went out, and
      // answered nothing. It goes once more on a new connection when that
      // cannot make the provider act twice (RFC 9112 §9.3.1): the request
      // could not be written, or it only reads (GET, HEAD). A POST that was
      // written may have been processed (a code redeemed): its failure is the
      // answer. So is every other failure.
      const bool only_reads =
          request->method() == bhttp::verb::get || request->method() == bhttp::verb::head;
      const bool closed_unanswered =
          !ex.received && (is_connection_lost(o.ec) || o.ec == ssl::error::stream_truncated);
      if (!closed_unanswered || (o.phase != Phase::write && !only_reads) ||
          Clock::now() >= deadline)
        return tl::unexpected(classify(o, *url, limit, deadline, ex, c->ssl()));
    }

    auto endpoints = resolve(*url, deadline, limit);
    if (!endpoints) return tl::unexpected(endpoints.error());
    Exchange ex{std::move(*request), in.max_body, {}};
    auto c = std::make_unique<Connection>();
    Outcome o;
    if (url->scheme == "https") {
      c->tls.emplace(c->ioc, tls_);
      if (!expect_peer(c->ssl(), *url))
        return fail(ClientErrorKind::tls, "cannot set up TLS verification for host " + url->host);
      // One absolute expiry covers connect, handshake, write and read alike.
      c->tcp().expires_at(deadline);
      o = run(exchange_tls(*c->tls, *endpoints, ex), c->ioc);
    } else {
      c->plain.emplace(c->ioc);
      c->tcp().expires_at(deadline);
      o = run(exchange_plain(*c->plain, *endpoints, ex), c->ioc);
    }
    if (o.ec) return tl::unexpected(classify(o, *url, limit, deadline, ex, c->ssl()));
    return finish(origin, std::move(c), ex);
  }

 private:
  ClientResponse finish(const std::string& origin, std::unique_ptr<Connection> c, Exchange& ex) {
    if (ex.reusable && (!c->tls || tls_quiet(*c))) pool_.give_back(origin, std::move(c));
    return to_client_response(std::move(ex.response));
  }

  const ClientOptions options_;
  ssl::context tls_;  // configured here, then only read (see the file comment)
  Pool pool_;
};

}  // namespace

std::unique_ptr<HttpClient> make_beast_client(ClientOptions options) {
  return std::make_unique<BeastClient>(std::move(options));
}

}  // namespace gatehouse::http
