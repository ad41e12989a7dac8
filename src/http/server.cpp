#include "http/server.hpp"

#include <charconv>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "core/log.hpp"
#include "http/request_parser.hpp"

namespace gatehouse::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

namespace {

// One io_context per I/O thread, each run by exactly one thread: a
// connection lives on one of them, so its coroutine, socket and timer need no
// strand and no lock, and the I/O threads share no scheduler queue.
using Executor = asio::io_context::executor_type;
template <class T>
using Awaitable = asio::awaitable<T, Executor>;
constexpr asio::use_awaitable_t<Executor> use_aw;
using Socket = asio::basic_stream_socket<tcp, Executor>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>, Executor>;

// One connection. Shared with its deadline timer's handler, which may run
// after the coroutine has moved on. Touched only by its io_context's thread.
struct Connection : std::enable_shared_from_this<Connection> {
  explicit Connection(Socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
  Socket socket;
  Timer timer;
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

bool allows_body(int status) { return !(status / 100 == 1 || status == 204 || status == 304); }

bool has_line_break(std::string_view s) {
  for (char c : s)
    if (c == '\r' || c == '\n') return true;
  return false;
}

// Content-Length, Transfer-Encoding, Connection: the framing is the server's.
bool is_framing(std::string_view name) {
  switch (name.size()) {
    case 10:
      return beast::iequals(name, "connection");
    case 14:
      return beast::iequals(name, "content-length");
    case 17:
      return beast::iequals(name, "transfer-encoding");
    default:
      return false;
  }
}

void append_number(std::string& out, long long v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// The status line and header block of res, written into out (reused per
// connection, so a small response costs no allocation). Framing headers are
// ours alone: a handler's Content-Length, Transfer-Encoding or Connection is
// dropped, and so is any header carrying a line break (response splitting).
void serialize_head(std::string& out, const Response& res, unsigned version, bool keep_alive) {
  out.clear();
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  append_number(out, res.status);
  out += ' ';
  auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(res.status));
  out.append(reason.data(), reason.size());
  out += "\r\n";
  for (const auto& [k, v] : res.headers) {
    if (is_framing(k) || has_line_break(k) || has_line_break(v)) {
      spdlog::error(
          "dropped response header '{}': framing headers are the server's, and no header may break "
          "a line",
          has_line_break(k) ? std::string_view("?") : std::string_view(k));
      continue;
    }
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  if (allows_body(res.status)) {
    out += "Content-Length: ";
    append_number(out, static_cast<long long>(res.body.size()));
    out += "\r\n";
  }
  if (version == 10 && keep_alive) out += "Connection: keep-alive\r\n";
  if (version != 10 && !keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  const Router& router;
  ServerHooks hooks;
  std::vector<std::unique_ptr<asio::io_context>> contexts;  // one per I/O thread
  std::size_t next_context = 0;                             // accept loop only
  std::vector<asio::executor_work_guard<Executor>> guards;  // run() until stop()
  asio::thread_pool workers;
  asio::thread_pool provider_workers;
  asio::basic_socket_acceptor<tcp, Executor> acceptor;
  asio::basic_signal_set<Executor> signals;
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
  std::string next_request_id() {
    std::string id;
    id.reserve(id_prefix.size() + 17);
    id = id_prefix;
    id += '-';
    fmt::format_to(std::back_inserter(id), "{:x}", ++request_counter);
    return id;
  }

  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(int n) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (int i = 0; i < std::max(1, n); ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }

  Impl(ServerOptions o, const Router& r, ServerHooks h)
      : options(std::move(o)),
        router(r),
        hooks(std::move(h)),
        contexts(make_contexts(options.io_threads)),
        workers(static_cast<std::size_t>(std::max(1, options.worker_threads))),
        provider_workers(static_cast<std::size_t>(std::max(1, options.provider_threads))),
        acceptor(contexts.front()->get_executor()),
        signals(contexts.front()->get_executor()) {}

  Response simple(int status, std::string_view text) {
    Response r = Response::text(status, std::string(text) + "\n");
    return r;
  }

  void finish(const Request& req, Response& res, std::string_view route,
              std::chrono::steady_clock::time_point started) {
    if (!hooks.on_response) return;
    RequestLogScope scope(req.request_id);
    hooks.on_response(req, res, route, std::chrono::steady_clock::now() - started);
  }

  // On whichever thread runs the handler: its log lines carry the request id.
  Response invoke(const Router::Match& m, Request& req) {
    RequestLogScope scope(req.request_id);
    try {
      return (*m.handler)(req);
    } catch (const std::exception& e) {
      // One top-level catch: a stray exception is a 500, never a crash.
      spdlog::error("request_id={} unhandled error in {}: {}", req.request_id, m.route, e.what());
      return simple(500, "internal error");
    }
  }

  // The fast path and io handlers answer here, on the I/O thread; everything
  // else runs on a worker pool and the answer comes back to this thread.
  std::optional<Response> answer_here(const Router::Match& m, Request& req) {
    if (m.fast) {
      RequestLogScope scope(req.request_id);
      try {
        if (auto r = (*m.fast)(req)) return r;
      } catch (const std::exception& e) {
        spdlog::error("request_id={} unhandled error in {}: {}", req.request_id, m.route, e.what());
        return simple(500, "internal error");
      }
    }
    if (m.execution == Execution::io) return invoke(m, req);
    return std::nullopt;
  }

  Awaitable<Response> call_on_pool(const Router::Match& m, Request& req) {
    auto& pool = m.execution == Execution::provider ? provider_workers : workers;
    co_return co_await asio::co_spawn(
        pool.get_executor(), [&]() -> asio::awaitable<Response> { co_return invoke(m, req); },
        use_aw);
  }

  // Reads one request. Returns false when the connection is to be closed
  // without an answer (the peer left, or idled out); otherwise ec says
  // whether the request is whole (ec clear) or why not. The first byte of a
  // request starts its header_timeout (slowloris); before that, the
  // connection may idle for idle_timeout (first request: header_timeout).
  Awaitable<bool> read_request(Connection& conn, beast::flat_buffer& buffer, RequestReader& reader,
                               bool first, beast::error_code& ec,
                               std::chrono::steady_clock::time_point& started) {
    bool idle = buffer.size() == 0;
    started = std::chrono::steady_clock::now();
    conn.arm(idle && !first ? options.idle_timeout : options.header_timeout);
    for (;;) {
      buffer.consume(reader.put(buffer.data(), ec));
      if (ec != bhttp::error::need_more) break;  // whole ({}) or refused
      auto got = co_await conn.socket.async_read_some(buffer.prepare(16 * 1024),
                                                      asio::redirect_error(use_aw, ec));
      buffer.commit(got);
      if (ec == asio::error::eof) ec = reader.end_of_input();  // cut short: partial_message, a 400
      if (ec) {
        conn.disarm();
        // Idle keep-alive connections that time out or close are not errors.
        co_return !idle;
      }
      if (idle && got > 0) {
        idle = false;
        started = std::chrono::steady_clock::now();
        conn.arm(options.header_timeout);
      }
    }
    conn.disarm();
    co_return true;
  }

  Awaitable<void> write(Connection& conn, const std::string& head, const std::string& body,
                        beast::error_code& ec) {
    std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::buffer(body)};
    conn.arm(options.header_timeout);
    co_await asio::async_write(conn.socket, buffers, asio::redirect_error(use_aw, ec));
    conn.disarm();
  }

  Awaitable<void> session(Socket socket) {
    auto conn = std::make_shared<Connection>(std::move(socket));
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
    std::string head;  // reused for every response's status line and headers
    static const std::string no_body;
    for (std::size_t n = 0; n < options.max_requests_per_connection && !stopping; ++n) {
      beast::error_code ec;
      RequestReader reader({options.header_limit, options.body_limit});
      std::chrono::steady_clock::time_point started;
      if (!co_await read_request(*conn, buffer, reader, n == 0, ec, started) || stopping) break;
      conn->busy = true;
      if (ec) {
        if (const int status = status_for_read_error(ec, conn->timed_out); status != 0) {
          Request blank;
          blank.remote_addr = remote;
          blank.request_id = next_request_id();
          Response res = simple(status, bhttp::obsolete_reason(static_cast<bhttp::status>(status)));
          finish(blank, res, "", started);
          serialize_head(head, res, 11, false);
          co_await write(*conn, head, res.body, ec);
        }
        break;
      }
      Request& req = reader.request();
      req.remote_addr = remote;
      req.request_id = next_request_id();
      const unsigned version = reader.version();
      const bool head_request = reader.is_head();
      bool keep_alive = reader.keep_alive() && n + 1 < options.max_requests_per_connection;
      Response res;
      std::string route;
      std::optional<Router::Match> m;
      {
        RequestLogScope scope(req.request_id);
        m = router.match(req, res);
      }
      if (m) {
        route = m->route;
        if (auto here = answer_here(*m, req))
          res = std::move(*here);
        else
          res = co_await call_on_pool(*m, req);
      }
      finish(req, res, route, started);
      keep_alive = keep_alive && !stopping;
      serialize_head(head, res, version, keep_alive);
      co_await write(*conn, head, head_request || !allows_body(res.status) ? no_body : res.body,
                     ec);
      conn->busy = false;
      if (ec || !keep_alive) break;
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

  Awaitable<void> accept_loop() {
    for (;;) {
      beast::error_code ec;
      // Connections are dealt round-robin to the I/O threads' contexts.
      auto& target = *contexts[next_context++ % contexts.size()];
      Socket socket =
          co_await acceptor.async_accept(target.get_executor(), asio::redirect_error(use_aw, ec));
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
      asio::co_spawn(target, session(std::move(socket)), asio::detached);
    }
  }

  void stop() {
    if (stopping.exchange(true)) return;
    asio::post(acceptor.get_executor(), [this] {
      beast::error_code ec;
      acceptor.close(ec);
      signals.cancel(ec);
      guards.clear();
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
  // Every context runs until stop() has closed the acceptor and released
  // these guards, and the connections on it have finished.
  for (auto& c : i.contexts) i.guards.push_back(asio::make_work_guard(c->get_executor()));
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < i.contexts.size(); ++t)
    threads.emplace_back([&i, t] { i.contexts[t]->run(); });
  i.contexts.front()->run();
  for (auto& t : threads) t.join();
  i.workers.join();
  i.provider_workers.join();
}

void Server::stop() { impl_->stop(); }

std::size_t Server::open_connections() const { return impl_->connections.load(); }

}  // namespace gatehouse::http
