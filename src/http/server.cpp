#include "http/server.hpp"

#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <random>

#include <boost/asio.hpp>
#include <fmt/format.h>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "http/request_parser.hpp"

namespace gatehouse::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

namespace {

using Strand = asio::strand<asio::io_context::executor_type>;

// One connection. Shared with its deadline timer's handler, which may run
// after the coroutine has moved on. Touched only on the connection's strand.
struct Connection : std::enable_shared_from_this<Connection> {
  Connection(tcp::socket s, const Strand& strand) : socket(std::move(s)), timer(strand) {}
  tcp::socket socket;
  asio::steady_timer timer;
  bool busy = false;
  bool timed_out = false;
  bool armed = false;
  bool watching = false;  // one wait is pending on the timer
  bool closed = false;
  std::chrono::steady_clock::time_point deadline{};

  // Unlike beast::tcp_stream, which closes the socket when time runs out,
  // this only cancels the pending operation, so a 408 can still be sent.
  // One long-lived wait per connection: arm() and disarm() only move the
  // deadline, so a request costs no timer-queue insert and cancel (5,500
  // instructions per token check, bench/results/authz-2026-11-29-profile.md).
  void arm(std::chrono::steady_clock::duration d) {
    timed_out = false;
    armed = true;
    deadline = std::chrono::steady_clock::now() + d;
    if (!watching) {
      watching = true;
      timer.expires_at(deadline);
      wait();
    } else if (deadline < timer.expiry()) {
      timer.expires_at(deadline);  // the pending wait ends aborted and waits again
    }
  }
  void wait() {
    timer.async_wait([self = shared_from_this()](const beast::error_code& ec) {
      if (self->closed) {
        self->watching = false;
        return;
      }
      if (ec == asio::error::operation_aborted) {
        self->wait();
        return;
      }
      if (ec || !self->armed) {
        self->watching = false;
        return;
      }
      if (std::chrono::steady_clock::now() >= self->deadline) {
        self->watching = false;
        self->timed_out = true;
        beast::error_code ignored;
        self->socket.cancel(ignored);
        return;
      }
      self->timer.expires_at(self->deadline);
      self->wait();
    });
  }
  void disarm() { armed = false; }
};

bhttp::response<bhttp::string_body> to_beast(Response&& res, unsigned version, bool keep_alive,
                                             bool head) {
  bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
  for (auto& [k, v] : res.headers) out.insert(k, v);
  if (!head) out.body() = std::move(res.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  return out;
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  const Router& router;
  ServerHooks hooks;
  asio::io_context ioc;
  asio::thread_pool workers;
  asio::thread_pool provider_workers;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connections{0};
  std::mutex mu;
  std::set<std::shared_ptr<Connection>> live;
  std::string id_prefix = random_prefix();
  std::atomic<std::uint64_t> request_counter{0};

  // Unique per process run and request; shown to people on error pages and
  // written on log lines so the two can be matched.
  static std::string random_prefix() {
    std::random_device rd;
    return fmt::format("{:08x}", rd());
  }
  std::string next_request_id() { return fmt::format("{}-{:x}", id_prefix, ++request_counter); }

  Impl(ServerOptions o, const Router& r, ServerHooks h)
      : options(std::move(o)),
        router(r),
        hooks(std::move(h)),
        ioc(std::max(1, options.io_threads)),
        workers(static_cast<std::size_t>(std::max(1, options.worker_threads))),
        provider_workers(static_cast<std::size_t>(std::max(1, options.provider_threads))),
        acceptor(ioc),
        signals(ioc) {}

  Response simple(int status, std::string_view text) {
    Response r = Response::text(status, std::string(text) + "\n");
    return r;
  }

  void finish(const Request& req, Response& res, std::string_view route,
              std::chrono::steady_clock::time_point started) {
    if (hooks.on_response)
      hooks.on_response(req, res, route, std::chrono::steady_clock::now() - started);
  }

  awaitable<Response> call(const Router::Match& m, Request& req) {
    auto invoke = [&]() -> Response {
      try {
        return (*m.handler)(req);
      } catch (const std::exception& e) {
        // One top-level catch: a stray exception is a 500, never a crash.
        spdlog::error("request_id={} unhandled error in {}: {}", req.request_id, m.route, e.what());
        return simple(500, "internal error");
      }
    };
    if (m.fast) {
      try {
        if (auto r = (*m.fast)(req)) co_return std::move(*r);
      } catch (const std::exception& e) {
        spdlog::error("request_id={} unhandled error in {}: {}", req.request_id, m.route, e.what());
        co_return simple(500, "internal error");
      }
    }
    if (m.execution == Execution::io) co_return invoke();
    auto& pool = m.execution == Execution::provider ? provider_workers : workers;
    co_return co_await asio::co_spawn(
        pool.get_executor(), [&]() -> awaitable<Response> { co_return invoke(); }, use_awaitable);
  }

  awaitable<void> session(tcp::socket socket, Strand strand) {
    auto conn = std::make_shared<Connection>(std::move(socket), strand);
    {
      std::lock_guard lock(mu);
      live.insert(conn);
    }
    std::string remote;
    {
      beast::error_code ec;
      auto ep = conn->socket.remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string();
    }
    beast::flat_buffer buffer;
    for (std::size_t n = 0; n < options.max_requests_per_connection && !stopping; ++n) {
      beast::error_code ec;
      // Idle phase: a keep-alive connection may wait for its next request this long.
      if (buffer.size() == 0) {
        conn->arm(n == 0 ? options.header_timeout : options.idle_timeout);
        auto got = co_await conn->socket.async_read_some(buffer.prepare(4096),
                                                         asio::redirect_error(use_awaitable, ec));
        conn->disarm();
        buffer.commit(got);
        if (ec || stopping) break;
      }
      // Request phase: once bytes have arrived, the whole request must follow
      // within header_timeout (slowloris).
      conn->busy = true;
      auto started = std::chrono::steady_clock::now();
      RequestReader reader({options.header_limit, options.body_limit});
      conn->arm(options.header_timeout);
      for (;;) {
        buffer.consume(reader.put(buffer.data(), ec));
        if (ec != bhttp::error::need_more) break;
        auto got = co_await conn->socket.async_read_some(buffer.prepare(65536),
                                                         asio::redirect_error(use_awaitable, ec));
        buffer.commit(got);
        if (ec == asio::error::eof) ec = reader.end_of_input();
        if (ec) break;
      }
      conn->disarm();
      if (ec) {
        if (const int status = status_for_read_error(ec, conn->timed_out); status != 0) {
          Request blank;
          blank.remote_addr = remote;
          Response res = simple(status, bhttp::obsolete_reason(static_cast<bhttp::status>(status)));
          finish(blank, res, "", started);
          auto out = to_beast(std::move(res), 11, false, false);
          conn->arm(std::chrono::seconds(5));
          co_await bhttp::async_write(conn->socket, out, asio::redirect_error(use_awaitable, ec));
          conn->disarm();
        }
        break;
      }
      auto& in = reader.message();
      Request req = to_request(in, remote);
      req.request_id = next_request_id();
      bool keep_alive = in.keep_alive() && n + 1 < options.max_requests_per_connection;
      Response res;
      std::string route;
      if (auto m = router.match(req, res)) {
        route = m->route;
        res = co_await call(*m, req);
      }
      finish(req, res, route, started);
      auto out = to_beast(std::move(res), in.version(), keep_alive && !stopping,
                          in.method() == bhttp::verb::head);
      conn->arm(options.header_timeout);
      co_await bhttp::async_write(conn->socket, out, asio::redirect_error(use_awaitable, ec));
      conn->disarm();
      conn->busy = false;
      if (ec || !out.keep_alive()) break;
    }
    {
      std::lock_guard lock(mu);
      live.erase(conn);
    }
    beast::error_code ignored;
    conn->socket.shutdown(tcp::socket::shutdown_send, ignored);
    conn->socket.close(ignored);
    conn->closed = true;
    conn->timer.cancel();
    --connections;
  }

  awaitable<void> accept_loop() {
    for (;;) {
      beast::error_code ec;
      auto socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        continue;  // EMFILE and friends: keep serving the connections we have
      }
      if (connections.load() >= options.max_connections) {
        socket.close(ec);
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      ++connections;
      auto strand = asio::make_strand(ioc);
      asio::co_spawn(strand, session(std::move(socket), strand), asio::detached);
    }
  }

  void stop() {
    if (stopping.exchange(true)) return;
    asio::post(ioc, [this] {
      beast::error_code ec;
      acceptor.close(ec);
      signals.cancel(ec);
      std::lock_guard lock(mu);
      for (const auto& c : live) {
        // Idle connections are closed now; busy ones finish their response
        // and then close because `stopping` is set.
        asio::post(c->timer.get_executor(), [c] {
          beast::error_code ignored;
          if (!c->busy) c->socket.cancel(ignored);
        });
      }
    });
  }
};

Server::Server(ServerOptions options, const Router& router, ServerHooks hooks)
    : impl_(std::make_unique<Impl>(std::move(options), router, std::move(hooks))) {}

Server::~Server() {
  impl_->workers.join();
  impl_->provider_workers.join();
}

void Server::listen() {
  auto& i = *impl_;
  beast::error_code ec;
  auto address = asio::ip::make_address(i.options.host, ec);
  if (ec) throw std::runtime_error("cannot listen on '" + i.options.host + "': not an IP address");
  tcp::endpoint ep(address, i.options.port);
  i.acceptor.open(ep.protocol(), ec);
  if (!ec) i.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) i.acceptor.bind(ep, ec);
  if (!ec) i.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + i.options.host + ":" +
                             std::to_string(i.options.port) + ": " + ec.message());
}

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::run() {
  auto& i = *impl_;
  if (i.options.handle_signals) {
    i.signals.add(SIGINT);
    i.signals.add(SIGTERM);
    i.signals.async_wait([this](const beast::error_code& ec, int) {
      if (!ec) {
        spdlog::info("stopping: finishing in-flight requests");
        stop();
      }
    });
  }
  asio::co_spawn(i.acceptor.get_executor(), i.accept_loop(), asio::detached);
  std::vector<std::thread> threads;
  for (int t = 1; t < i.options.io_threads; ++t) threads.emplace_back([&i] { i.ioc.run(); });
  i.ioc.run();
  for (auto& t : threads) t.join();
  i.workers.join();
  i.provider_workers.join();
}

void Server::stop() { impl_->stop(); }

std::size_t Server::open_connections() const { return impl_->connections.load(); }

}  // namespace gatehouse::http
