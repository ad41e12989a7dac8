#include "support/test_http_server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>

namespace gatehouse::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

constexpr std::size_t kEndlessBytes = 50u * 1024 * 1024;
constexpr std::size_t kEndlessChunk = 64u * 1024;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string serialize(const TestResponse& r, bool keep_alive) {
  if (r.raw) return *r.raw;
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " +
                    std::string(bhttp::obsolete_reason(static_cast<bhttp::status>(r.status))) +
                    "\r\n";
  bool framed = false;
  for (const auto& [name, value] : r.headers) {
    out += name + ": " + value + "\r\n";
    framed = framed || beast::iequals(name, "content-length") ||
             beast::iequals(name, "transfer-encoding");
  }
  if (!keep_alive) out += "Connection: close\r\n";
  if (r.chunked) {
    out += "Transfer-Encoding: chunked\r\n\r\n";
    // Small chunks, so that a reader has to join several.
    constexpr std::size_t kChunk = 7;
    for (std::size_t i = 0; i < r.body.size(); i += kChunk) {
      const std::string piece = r.body.substr(i, kChunk);
      char size[16];
      std::snprintf(size, sizeof size, "%zx", piece.size());
      out += std::string(size) + "\r\n" + piece + "\r\n";
    }
    out += "0\r\n\r\n";
  } else {
    if (!framed) out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
    out += "\r\n" + r.body;
  }
  return out;
}

std::string endless_head(bool chunked) {
  return std::string("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n") +
         (chunked ? "Transfer-Encoding: chunked\r\n\r\n"
                  : "Content-Length: " + std::to_string(kEndlessBytes) + "\r\n\r\n");
}

}  // namespace

std::string TestRequest::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return {};
}

struct TestHttpServer::Impl {
  Handler handler;
  std::optional<ssl::context> tls;  // declared before ioc: outlives every stream
  std::atomic<Behaviour> behaviour{Behaviour::answer};
  std::atomic<std::int64_t> drip_ms{100};
  std::atomic<bool> keep_alive{false};
  mutable std::mutex mutex;
  std::vector<TestRequest> requests;
  int connections = 0;
  // Touched only on the server thread: how to close each live connection.
  std::map<int, std::function<void()>> closers;
  int next_id = 0;
  bool stopping = false;
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::uint16_t port = 0;
  std::thread thread;

  // Keeps a connection closable by the destructor for as long as it lives.
  class Registration {
   public:
    Registration(Impl& impl, std::function<void()> close) : impl_(impl), id_(impl.next_id++) {
      impl_.closers.emplace(id_, std::move(close));
    }
    ~Registration() { impl_.closers.erase(id_); }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

   private:
    Impl& impl_;
    int id_;
  };

  asio::awaitable<void> accept_loop() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket =
          co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;  // closed by the destructor
      {
        std::lock_guard lock(mutex);
        ++connections;
      }
      asio::co_spawn(ioc, session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    asio::steady_timer timer(ioc);
    Registration registration(*this, [&socket, &timer] {
      beast::error_code ignored;
      socket.close(ignored);
      timer.cancel();
    });
    if (stopping) co_return;
    const Behaviour how = behaviour.load();
    const bool keep = keep_alive.load();
    beast::error_code ec;
    if (how == Behaviour::never_answer) {
      timer.expires_at(asio::steady_timer::time_point::max());
      co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      co_return;
    }
    if (tls) {
      ssl::stream<tcp::socket&> stream(socket, *tls);
      co_await stream.async_handshake(ssl::stream_base::server,
                                      asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      co_await serve(stream, socket, timer, how, keep);
    } else {
      co_await serve(socket, socket, timer, how, keep);
    }
  }

  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, tcp::socket& socket, asio::steady_timer& timer,
                              Behaviour first, bool keep) {
    beast::error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    beast::flat_buffer buffer;
    for (int n = 0;; ++n) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(16u * 1024 * 1024);
      co_await bhttp::async_read(stream, buffer, parser, token);
      if (ec) co_return;
      const Behaviour how = n == 0 ? first : behaviour.load();
      const std::chrono::milliseconds drip(drip_ms.load());
      const TestRequest request = record(parser.get());
      auto wait = [&]() -> asio::awaitable<void> {
        timer.expires_after(drip);
        co_await timer.async_wait(token);
      };

      switch (how) {
        case Behaviour::reset_after_request:
          // SO_LINGER with a zero timeout turns close() into an RST (RFC 9293 §3.6).
          socket.set_option(tcp::socket::linger(true, 0), ec);
          socket.close(ec);
          co_return;
        case Behaviour::close_second_request:
          if (n == 0) {
            co_await asio::async_write(stream, asio::buffer(serialize(answer(request), keep)),
                                       token);
            break;
          }
          [[fallthrough]];
        case Behaviour::close_without_answer:
          socket.shutdown(tcp::socket::shutdown_both, ec);
          socket.close(ec);
          co_return;
        case Behaviour::endless_body:
        case Behaviour::endless_chunked_body: {
          const bool chunked = how == Behaviour::endless_chunked_body;
          const std::string head = endless_head(chunked);
          co_await asio::async_write(stream, asio::buffer(head), token);
          const std::string zeros(kEndlessChunk, '0');
          const std::string piece = chunked ? "10000\r\n" + zeros + "\r\n" : zeros;
          for (std::size_t sent = 0; !ec && !stopping && sent < kEndlessBytes;
               sent += kEndlessChunk)
            co_await asio::async_write(stream, asio::buffer(piece), token);
          keep = false;
          break;
        }
        case Behaviour::drip: {
          const std::string bytes = serialize(answer(request), keep);
          for (std::size_t i = 0; i < bytes.size() && !ec && !stopping; ++i) {
            co_await asio::async_write(stream, asio::buffer(&bytes[i], 1), token);
            if (ec) break;
            co_await wait();
          }
          break;
        }
        case Behaviour::answer_late:
          co_await wait();
          if (ec || stopping) co_return;
          co_await asio::async_write(stream, asio::buffer(serialize(answer(request), keep)), token);
          break;
        case Behaviour::answer_then_stray:
          co_await asio::async_write(
              stream, asio::buffer(serialize(answer(request), keep) + std::string(kStrayAnswer)),
              token);
          break;
        case Behaviour::answer_then_stray_write: {
          // Corked: the two writes (over TLS, two records) leave in one
          // segment, so the client reads them from the socket together.
          int on = 1;
          ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_CORK, &on, sizeof on);
          co_await asio::async_write(stream, asio::buffer(serialize(answer(request), keep)), token);
          if (ec) co_return;
          co_await asio::async_write(stream, asio::buffer(kStrayAnswer), token);
          on = 0;
          ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_CORK, &on, sizeof on);
          break;
        }
        case Behaviour::answer_then_late_stray:
          co_await asio::async_write(stream, asio::buffer(serialize(answer(request), keep)), token);
          if (ec) co_return;
          co_await wait();
          if (ec || stopping) co_return;
          co_await asio::async_write(stream, asio::buffer(kStrayAnswer), token);
          break;
        case Behaviour::answer_then_close:
          co_await asio::async_write(stream, asio::buffer(serialize(answer(request), keep)), token);
          if (ec) co_return;
          co_await wait();
          socket.shutdown(tcp::socket::shutdown_both, ec);
          socket.close(ec);
          co_return;
        case Behaviour::answer:
        case Behaviour::never_answer:
          co_await asio::async_write(stream, asio::buffer(serialize(answer(request), keep)), token);
          break;
      }
      if (ec || stopping) co_return;
      if (!keep) break;
    }
    // Say we are done, then wait for the client to hang up: closing with its
    // bytes unread could turn into a reset that destroys the answer in flight.
    socket.shutdown(tcp::socket::shutdown_send, ec);
    char sink[512];
    while (!ec) co_await socket.async_read_some(asio::buffer(sink), token);
  }

  TestRequest record(const bhttp::request<bhttp::string_body>& req) {
    TestRequest out;
    out.method = std::string(req.method_string());
    out.target = std::string(req.target());
    for (const auto& field : req)
      out.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
    out.body = req.body();
    std::lock_guard lock(mutex);
    requests.push_back(out);
    return out;
  }

  TestResponse answer(const TestRequest& request) {
    try {
      return handler(request);
    } catch (const std::exception& e) {
      return TestResponse{.status = 500, .body = e.what()};
    }
  }
};

TestHttpServer::TestHttpServer(Handler handler, std::optional<TlsFiles> tls)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  if (tls) {
    impl_->tls.emplace(ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(tls->certificate_chain);
    impl_->tls->use_private_key_file(tls->private_key, ssl::context::pem);
  }
  // Bound and listening before the constructor returns: a client may connect at once.
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

TestHttpServer::~TestHttpServer() {
  asio::post(impl_->ioc, [impl = impl_.get()] {
    impl->stopping = true;
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    for (auto& [id, close] : impl->closers) close();
  });
  impl_->thread.join();  // run() returns once every connection has wound down
}

std::uint16_t TestHttpServer::port() const { return impl_->port; }

std::string TestHttpServer::url(std::string_view path_and_query) const {
  return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()) +
         std::string(path_and_query);
}

void TestHttpServer::set_behaviour(Behaviour behaviour, std::chrono::milliseconds drip_interval) {
  impl_->drip_ms = drip_interval.count();
  impl_->behaviour = behaviour;
}

void TestHttpServer::set_keep_alive(bool on) { impl_->keep_alive = on; }

std::vector<TestRequest> TestHttpServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

int TestHttpServer::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->connections;
}

TestHttpServer::Handler always(TestResponse response) {
  return [response = std::move(response)](const TestRequest&) { return response; };
}

std::string fixture_path(std::string_view name) {
  return std::string(GATEHOUSE_SOURCE_DIR) + "/tests/http/fixtures/" + std::string(name);
}

}  // namespace gatehouse::testing
