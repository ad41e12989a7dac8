// The real server on 127.0.0.1:0, spoken to over real sockets.
#include "http/server.hpp"

#include <future>
#include <thread>

#include <boost/asio.hpp>
#include <gtest/gtest.h>

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
  router_.add("GET", "/hello/{name}", [](Request& r) { return Response::text(200, "hi " + r.path_param("name")); });
  start();
  auto s = connect();
  auto a = exchange(s, "GET /hello/ada HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(a.find("200 OK"), std::string::npos);
  EXPECT_NE(a.find("hi ada"), std::string::npos);
  auto b = exchange(s, "GET /hello/max HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(b.find("hi max"), std::string::npos);
}

TEST_F(ServerTest, PipelinedRequestsAnswerInOrder) {
  router_.add("GET", "/n/{n}", [](Request& r) { return Response::text(200, "n=" + r.path_param("n")); });
  start();
  auto s = connect();
  asio::write(s, asio::buffer(std::string("GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /n/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
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
  auto r = exchange(s, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
  EXPECT_NE(r.find("431"), std::string::npos) << r;
}

TEST_F(ServerTest, OversizedBodyIs413) {
  router_.add("POST", "/p", [](Request&) { return Response::text(200, "ok"); });
  start({.body_limit = 100});
  auto s = connect();
  auto r = exchange(s, "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'b'));
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
  EXPECT_NE(exchange(s, "POST /only-get HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").find("405"), std::string::npos);
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
  router_.add("GET", "/healthz", [](Request&) { return Response::text(200, "alive"); }, Execution::io);
  start();
  std::vector<tcp::socket> blockers;
  for (int i = 0; i < 4; ++i) {
    blockers.push_back(connect());
    asio::write(blockers.back(), asio::buffer(std::string("GET /block HTTP/1.1\r\nHost: x\r\n\r\n")));
  }
  auto s = connect();
  EXPECT_NE(exchange(s, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").find("alive"), std::string::npos);
  release.set_value();
}

}  // namespace gatehouse::http
