// The real server on 127.0.0.1:0, spoken to over real sockets.
#include "http/server.hpp"

#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio.hpp>

namespace gatehouse::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class ServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions o = {}) {
    o.port = 0;
    o.handle_signals = false;
    o.io_threads = 2;
    o.worker_threads = 4;
    server_ = std::make_unique<Server>(o, router_);
    server_->listen();
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  tcp::socket connect() {
    tcp::socket s(ioc_);
    s.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    return s;
  }
  // Sends raw bytes and reads until the peer closes or a full response with
  // Content-Length has arrived.
  static std::string exchange(tcp::socket& s, const std::string& raw) {
    asio::write(s, asio::buffer(raw));
    return read_response(s);
  }
  static std::string read_response(tcp::socket& s) {
    std::string out;
    char buf[4096];
    for (;;) {
      boost::system::error_code ec;
      auto n = s.read_some(asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) break;
      auto end = out.find("\r\n\r\n");
      if (end != std::string::npos) {
        auto cl = out.find("Content-Length: ");
        if (cl != std::string::npos && cl < end) {
          auto len = std::stoul(out.substr(cl + 16));
          if (out.size() >= end + 4 + len) break;
        }
      }
    }
    return out;
  }

  Router router_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  asio::io_context ioc_;
};

}  // namespace

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  router_.add("GET", "/hello/{name}",
              [](Request& r) { return Response::text(200, "hi " + r.path_param("name")); });
  start();
  auto s = connect();
  auto a = exchange(s, "GET /hello/ada HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(a.find("200 OK"), std::string::npos);
  EXPECT_NE(a.find("hi ada"), std::string::npos);
  auto b = exchange(s, "GET /hello/max HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(b.find("hi max"), std::string::npos);
}

TEST_F(ServerTest, PipelinedRequestsAnswerInOrder) {
  router_.add("GET", "/n/{n}",
              [](Request& r) { return Response::text(200, "n=" + r.path_param("n")); });
  start();
  auto s = connect();
  asio::write(s, asio::buffer(std::string("GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /n/2 "
                                          "HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
  std::string all;
  char buf[4096];
  boost::system::error_code ec;
  while (!ec) {
    auto n = s.read_some(asio::buffer(buf), ec);
    all.append(buf, n);
  }
  auto one = all.find("n=1");
  auto two = all.find("n=2");
  ASSERT_NE(one, std::string::npos);
  ASSERT_NE(two, std::string::npos);
  EXPECT_LT(one, two);
}

TEST_F(ServerTest, OversizedHeaderIs431) {
  start({.header_limit = 1024});
  auto s = connect();
  auto r =
      exchange(s, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
  EXPECT_NE(r.find("431"), std::string::npos) << r;
}

TEST_F(ServerTest, OversizedBodyIs413) {
  router_.add("POST", "/p", [](Request&) { return Response::text(200, "ok"); });
  start({.body_limit = 100});
  auto s = connect();
  auto r = exchange(
      s, "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'b'));
  EXPECT_NE(r.find("413"), std::string::npos) << r;
}

TEST_F(ServerTest, MalformedRequestIs400) {
  start();
  auto s = connect();
  auto r = exchange(s, "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_NE(r.find("400"), std::string::npos) << r;
}

// Slowloris: a client that sends half a request and stalls gets 408 and its
// connection back, instead of holding it forever.
TEST_F(ServerTest, StalledRequestIs408) {
  start({.header_timeout = std::chrono::seconds(1)});
  auto s = connect();
  auto r = exchange(s, "GET / HTTP/1.1\r\nHost: x\r\n");
  EXPECT_NE(r.find("408"), std::string::npos) << r;
}

TEST_F(ServerTest, UnknownRouteIs404AndWrongMethod405) {
  router_.add("GET", "/only-get", [](Request&) { return Response::text(200, "ok"); });
  start();
  auto s = connect();
  EXPECT_NE(exchange(s, "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n").find("404"), std::string::npos);
  EXPECT_NE(
      exchange(s, "POST /only-get HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").find("405"),
      std::string::npos);
}

TEST_F(ServerTest, HandlerExceptionIs500AndServerKeepsServing) {
  router_.add("GET", "/boom", [](Request&) -> Response { throw std::runtime_error("boom"); });
  router_.add("GET", "/ok", [](Request&) { return Response::text(200, "fine"); });
  start();
  auto s = connect();
  EXPECT_NE(exchange(s, "GET /boom HTTP/1.1\r\nHost: x\r\n\r\n").find("500"), std::string::npos);
  auto s2 = connect();
  EXPECT_NE(exchange(s2, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n").find("fine"), std::string::npos);
}

TEST_F(ServerTest, StopFinishesTheRequestInFlight) {
  std::promise<void> entered, release;
  auto released = release.get_future().share();
  router_.add("GET", "/slow", [&](Request&) {
    entered.set_value();
    released.wait();
    return Response::text(200, "finished");
  });
  start();
  auto s = connect();
  asio::write(s, asio::buffer(std::string("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")));
  entered.get_future().wait();
  server_->stop();
  release.set_value();
  auto r = read_response(s);
  EXPECT_NE(r.find("finished"), std::string::npos);
  EXPECT_NE(r.find("Connection: close"), std::string::npos);
  thread_.join();
}

TEST_F(ServerTest, IoRoutesAnswerWhileEveryWorkerIsBusy) {
  std::promise<void> release;
  auto released = release.get_future().share();
  // By value: a worker may still be inside wait() when the test body ends.
  router_.add("GET", "/block", [released](Request&) {
    released.wait();
    return Response::text(200, "done");
  });
  router_.add(
      "GET", "/healthz", [](Request&) { return Response::text(200, "alive"); }, Execution::io);
  start();
  std::vector<tcp::socket> blockers;
  for (int i = 0; i < 4; ++i) {
    blockers.push_back(connect());
    asio::write(blockers.back(),
                asio::buffer(std::string("GET /block HTTP/1.1\r\nHost: x\r\n\r\n")));
  }
  auto s = connect();
  EXPECT_NE(exchange(s, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").find("alive"),
            std::string::npos);
  release.set_value();
}

TEST_F(ServerTest, ResponseSplittingHeaderIsDroppedNotSent) {
  // A handler that echoes input into a header must not let a CR LF start a
  // second header (or a second response) on the wire.
  router_.add("GET", "/echo", [](Request&) {
    Response r = Response::text(200, "ok");
    r.headers.emplace_back("X-Echo", "a\r\nSet-Cookie: gh_session=stolen");
    r.headers.emplace_back("X-Fine", "yes");
    return r;
  });
  start();
  auto s = connect();
  auto a = exchange(s, "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(a.find("200 OK"), std::string::npos);
  EXPECT_EQ(a.find("Set-Cookie"), std::string::npos) << a;
  EXPECT_EQ(a.find("X-Echo"), std::string::npos) << a;
  EXPECT_NE(a.find("X-Fine: yes\r\n"), std::string::npos) << a;
}

TEST_F(ServerTest, FramingHeadersAreTheServersAlone) {
  // A handler's own Content-Length or Transfer-Encoding would let the body
  // smuggle a second response to a proxy; the server computes the framing.
  router_.add("GET", "/frame", [](Request&) {
    Response r = Response::text(200, "four");
    r.headers.emplace_back("Content-Length", "0");
    r.headers.emplace_back("Transfer-Encoding", "chunked");
    return r;
  });
  start();
  auto s = connect();
  auto a = exchange(s, "GET /frame HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(a.find("Content-Length: 4\r\n\r\nfour"), std::string::npos) << a;
  EXPECT_EQ(a.find("Content-Length: 0"), std::string::npos) << a;
  EXPECT_EQ(a.find("Transfer-Encoding"), std::string::npos) << a;
}

TEST_F(ServerTest, NoContentHasNoBodyAndHeadHasLengthWithoutBody) {
  router_.add("GET", "/none", [](Request&) { return Response::empty(204); });
  router_.add("GET", "/doc", [](Request&) { return Response::text(200, "body"); });
  start();
  auto c = connect();
  auto none = exchange(c, "GET /none HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(none.find("HTTP/1.1 204 No Content\r\n"), std::string::npos) << none;
  EXPECT_EQ(none.find("Content-Length"), std::string::npos) << none;
  // HEAD: the length of the body a GET would get, and no body, so the next
  // response on the connection is read from the right place.
  auto s = connect();
  asio::write(s, asio::buffer(std::string("HEAD /doc HTTP/1.1\r\nHost: x\r\n\r\nGET /doc "
                                          "HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
  std::string all;
  char buf[4096];
  boost::system::error_code ec;
  while (!ec) {
    auto n = s.read_some(asio::buffer(buf), ec);
    all.append(buf, n);
  }
  auto first = all.find("HTTP/1.1 200 OK\r\n");
  auto second = all.find("HTTP/1.1 200 OK\r\n", first + 1);
  ASSERT_NE(second, std::string::npos) << all;
  EXPECT_EQ(all.substr(second - 4, 4), "\r\n\r\n") << "HEAD answer carried a body: " << all;
  EXPECT_NE(all.find("Connection: close\r\n", second), std::string::npos) << all;
  EXPECT_EQ(all.substr(all.size() - 8), "\r\n\r\nbody");
}

TEST_F(ServerTest, Http10KeepAliveIsAnsweredInKind) {
  router_.add("GET", "/doc", [](Request&) { return Response::text(200, "x"); });
  start();
  auto s = connect();
  auto a = exchange(s, "GET /doc HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_NE(a.find("HTTP/1.0 200 OK\r\n"), std::string::npos) << a;
  EXPECT_NE(a.find("Connection: keep-alive\r\n"), std::string::npos) << a;
  auto b = exchange(s, "GET /doc HTTP/1.0\r\n\r\n");
  EXPECT_NE(b.find("HTTP/1.0 200 OK\r\n"), std::string::npos) << b;
}

}  // namespace gatehouse::http
