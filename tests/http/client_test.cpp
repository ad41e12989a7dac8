#include "http/client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/test_http_server.hpp"

namespace gatehouse::http {
namespace {

using gatehouse::testing::always;
using gatehouse::testing::Behaviour;
using gatehouse::testing::fixture_path;
using gatehouse::testing::TestHttpServer;
using gatehouse::testing::TestRequest;
using gatehouse::testing::TestResponse;
using gatehouse::testing::TlsFiles;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

// Generous against a loaded CI machine, yet far below what a hang would take.
constexpr milliseconds kFast{2000};

std::unique_ptr<HttpClient> client(milliseconds default_timeout = milliseconds(5000),
                                   std::string extra_ca_file = {}) {
  return make_beast_client(
      {.default_timeout = default_timeout, .extra_ca_file = std::move(extra_ca_file)});
}

std::unique_ptr<HttpClient> client_trusting_test_ca() {
  return client(milliseconds(5000), fixture_path("ca.pem"));
}

struct Timed {
  tl::expected<ClientResponse, ClientError> result;
  milliseconds elapsed;
};

Timed timed_send(HttpClient& c, const ClientRequest& req) {
  const auto start = SteadyClock::now();
  auto result = c.send(req);
  return {std::move(result), std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start)};
}

TestResponse json(std::string body) {
  return {
      .status = 200, .headers = {{"Content-Type", "application/json"}}, .body = std::move(body)};
}

TlsFiles tls_files(const std::string& name) {
  return {fixture_path(name + ".pem"), fixture_path(name + "-key.pem")};
}

// ---- exchanges that work ------------------------------------------------------

TEST(HttpClient, GetToLoopbackReturnsStatusHeadersAndBody) {
  TestHttpServer server(
      always({.status = 200,
              .headers = {{"Content-Type", "application/json"}, {"X-Trace", "abc"}},
              .body = R"({"issuer":"x"})"}));
  auto r = client()->send({.url = server.url("/.well-known/openid-configuration?x=1")});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"issuer":"x"})");
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_EQ(r->header("x-trace"), "abc");  // names arrive lowercased

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const TestRequest& seen = requests[0];
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.target, "/.well-known/openid-configuration?x=1");
  EXPECT_EQ(seen.header("host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen.header("user-agent"), "gatehouse/0.1");
  EXPECT_EQ(seen.header("accept"), "application/json");
  EXPECT_EQ(seen.header("connection"), "");  // HTTP/1.1 keep-alive (see the keep-alive tests)
  EXPECT_EQ(seen.header("content-length"), "");
}

TEST(HttpClient, PostSendsFormBodyWithItsContentType) {
  TestHttpServer server(always(json(R"({"access_token":"t"})")));
  auto r = client()->send({.method = "POST",
                           .url = server.url("/token"),
                           .headers = {{"Authorization", "Basic Y2xpZW50OnNlY3JldA=="}},
                           .body = "grant_type=authorization_code&code=abc",
                           .content_type = "application/x-www-form-urlencoded"});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, R"({"access_token":"t"})");
  const TestRequest seen = server.requests().at(0);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.body, "grant_type=authorization_code&code=abc");
  EXPECT_EQ(seen.header("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(seen.header("content-length"), "38");
  EXPECT_EQ(seen.header("authorization"), "Basic Y2xpZW50OnNlY3JldA==");
}

TEST(HttpClient, LocalhostNameIsLoopbackForPlainHttp) {
  TestHttpServer server(always(json("{}")));
  auto r = client()->send({.url = "http://localhost:" + std::to_string(server.port()) + "/"});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(server.requests().at(0).header("host"), "localhost:" + std::to_string(server.port()));
}

TEST(HttpClient, ChunkedResponseIsRead) {
  TestHttpServer server(
      always({.status = 200, .body = R"({"keys":[{"kid":"k1"}]})", .chunked = true}));
  auto r = client()->send({.url = server.url("/jwks")});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, R"({"keys":[{"kid":"k1"}]})");
  EXPECT_EQ(r->header("transfer-encoding"), "chunked");
}

TEST(HttpClient, RedirectIsNotFollowed) {
  TestHttpServer server(
      always({.status = 302, .headers = {{"Location", "https://evil.example/"}}}));
  auto r = client()->send({.url = server.url("/authorize")});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->header("location"), "https://evil.example/");
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, ErrorStatusIsAnAnswerNotAFailure) {
  TestHttpServer server(always({.status = 400, .body = R"({"error":"invalid_grant"})"}));
  auto r = client()->send({.url = server.url("/token")});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body, R"({"error":"invalid_grant"})");
}

// RFC 9110 §15.2: 1xx answers come before the real one and must be skipped.
TEST(HttpClient, InterimResponseIsSkipped) {
  TestHttpServer server(always(
      {.raw = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"}));
  auto r = client()->send({.url = server.url()});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok");
}

// RFC 9110 §9.3.2: the Content-Length of a HEAD answer describes a body that
// never comes; it must neither be waited for nor count against max_body.
TEST(HttpClient, HeadAnswerHasNoBodyWhateverItsLength) {
  TestHttpServer server(always({.raw = "HTTP/1.1 200 OK\r\nContent-Length: 50000000\r\n\r\n"}));
  auto r = client()->send({.method = "HEAD", .url = server.url(), .timeout = milliseconds(2000)});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
}

TEST(HttpClient, ConcurrentSendsFromManyThreadsEachGetTheirOwnAnswer) {
  TestHttpServer server([](const TestRequest& req) { return json(req.target); });
  auto shared = client();
  std::atomic<int> right{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 8; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const std::string target = "/t" + std::to_string(t) + "/" + std::to_string(i);
        auto r = shared->send({.url = server.url(target)});
        if (r && r->body == target) ++right;
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(right.load(), 40);
}

// ---- refused before any connection ----------------------------------------------

TEST(HttpClient, HttpToNonLoopbackHostIsRefused) {
  // 192.0.2.1 (RFC 5737 TEST-NET-1) would hang until the timeout if the client
  // tried to connect; the refusal must come first, at once.
  auto t = timed_send(*client(), {.url = "http://192.0.2.1/token", .timeout = milliseconds(5000)});
  ASSERT_FALSE(t.result);
  EXPECT_EQ(t.result.error().kind, ClientErrorKind::insecure_scheme);
  EXPECT_LT(t.elapsed, milliseconds(500));
  EXPECT_EQ(client()->send({.url = "http://idp.example.com/"}).error().kind,
            ClientErrorKind::insecure_scheme);
}

TEST(HttpClient, MalformedUrlIsBadUrl) {
  auto c = client();
  for (const char* url : {"", "ftp://127.0.0.1/", "http://user@127.0.0.1/", "/relative",
                          "http://127.0.0.1/#frag", "http://127.0.0.1:0/"}) {
    auto r = c->send({.url = url});
    ASSERT_FALSE(r) << url;
    EXPECT_EQ(r.error().kind, ClientErrorKind::bad_url) << url;
  }
}

TEST(HttpClient, HeaderWithLineBreakIsRefused) {
  TestHttpServer server(always(json("{}")));
  auto r = client()->send(
      {.url = server.url(), .headers = {{"Authorization", "Bearer x\r\nX-Injected: 1"}}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::bad_request);
  EXPECT_EQ(server.connections(), 0);
}

TEST(HttpClient, HeadersOwnedByTheClientCannotBeSet) {
  TestHttpServer server(always(json("{}")));
  auto c = client();
  for (const char* name :
       {"Host", "content-length", "Transfer-Encoding", "Connection", "Content-Type"}) {
    auto r = c->send({.url = server.url(), .headers = {{name, "x"}}});
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().kind, ClientErrorKind::bad_request) << name;
  }
  EXPECT_EQ(server.connections(), 0);
}

TEST(HttpClient, BodyWithoutContentTypeIsRefused) {
  TestHttpServer server(always(json("{}")));
  auto r = client()->send({.method = "POST", .url = server.url(), .body = "a=b"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::bad_request);
}

// ---- providers that misbehave -----------------------------------------------------

TEST(HttpClient, ProviderThatNeverAnswersTimesOutWithinLimit) {
  TestHttpServer server(always(json("{}")));
  server.set_behaviour(Behaviour::never_answer);
  auto t = timed_send(*client(), {.url = server.url("/token"), .timeout = milliseconds(300)});
  ASSERT_FALSE(t.result);
  EXPECT_EQ(t.result.error().kind, ClientErrorKind::timeout);
  EXPECT_EQ(t.result.error().message(),
            "the identity provider at 127.0.0.1 did not answer within 300 ms");
  EXPECT_GE(t.elapsed, milliseconds(290));
  EXPECT_LT(t.elapsed, kFast);
}

TEST(HttpClient, ClientDefaultTimeoutAppliesWhenRequestHasNone) {
  TestHttpServer server(always(json("{}")));
  server.set_behaviour(Behaviour::never_answer);
  auto t = timed_send(*client(milliseconds(300)), {.url = server.url()});
  ASSERT_FALSE(t.result);
  EXPECT_EQ(t.result.error().kind, ClientErrorKind::timeout);
  EXPECT_LT(t.elapsed, kFast);
}

// The deadline covers the whole exchange, not each read: a byte every 100 ms
// would keep a per-read timeout happy for ever.
TEST(HttpClient, SlowDripResponseTimesOut) {
  TestHttpServer server(always(json(std::string(200, 'x'))));
  server.set_behaviour(Behaviour::drip, milliseconds(100));
  auto t = timed_send(*client(), {.url = server.url(), .timeout = milliseconds(500)});
  ASSERT_FALSE(t.result);
  EXPECT_EQ(t.result.error().kind, ClientErrorKind::timeout);
  EXPECT_LT(t.elapsed, kFast);
}

TEST(HttpClient, HugeBodyIsRefused) {
  TestHttpServer server(always(json("{}")));
  server.set_behaviour(Behaviour::endless_body);  // claims 50 MB
  auto t = timed_send(*client(), {.url = server.url()});
  ASSERT_FALSE(t.result);
  EXPECT_EQ(t.result.error().kind, ClientErrorKind::too_large);
  EXPECT_LT(t.elapsed, kFast);
}

// Regression: Beast's eager parser dropped the body_limit error when the
// header and the first body bytes came in one read, and read all 50 MB
// (boostorg/beast#2183).
TEST(HttpClient, HugeContentLengthArrivingWithBodyBytesIsRefused) {
  TestHttpServer server(always(
      {.raw = "HTTP/1.1 200 OK\r\nContent-Length: 52428800\r\n\r\n" + std::string(4096, '0')}));
  auto r = client()->send({.url = server.url()});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::too_large);
  EXPECT_EQ(r.error().message(), "the response from 127.0.0.1 is larger than 1048576 bytes");
}

TEST(HttpClient, HugeChunkedBodyIsRefused) {
  TestHttpServer server(always(json("{}")));
  server.set_behaviour(Behaviour::endless_chunked_body);  // no length to refuse up front
  auto t = timed_send(*client(), {.url = server.url(), .max_body = 64 * 1024});
  ASSERT_FALSE(t.result);
  EXPECT_EQ(t.result.error().kind, ClientErrorKind::too_large);
  EXPECT_LT(t.elapsed, kFast);
}

TEST(HttpClient, BodyJustUnderTheLimitIsRead) {
  TestHttpServer server(always(json(std::string(1000, 'x'))));
  auto r = client()->send({.url = server.url(), .max_body = 1000});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body.size(), 1000u);
}

TEST(HttpClient, OversizedHeadersAreRefused) {
  TestHttpServer server(
      always({.status = 200, .headers = {{"X-Padding", std::string(20000, 'a')}}}));
  auto r = client()->send({.url = server.url()});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::too_large);
}

// RFC 6761 §6.4: .invalid never resolves. Where DNS answers, that is a
// resolve error; where no DNS server answers, the deadline must still hold.
TEST(HttpClient, UnresolvableHostIsResolveErrorWithinTheLimit) {
  auto t = timed_send(*client(),
                      {.url = "https://gatehouse-test.invalid/", .timeout = milliseconds(1000)});
  ASSERT_FALSE(t.result);
  const auto kind = t.result.error().kind;
  EXPECT_TRUE(kind == ClientErrorKind::resolve || kind == ClientErrorKind::timeout)
      << t.result.error().message();
  EXPECT_LT(t.elapsed, kFast);
}

TEST(HttpClient, ConnectionResetIsConnectError) {
  TestHttpServer server(always(json("{}")));
  server.set_behaviour(Behaviour::reset_after_request);
  auto r = client()->send({.url = server.url()});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::connect) << r.error().message();
}

TEST(HttpClient, ClosingWithoutAnswerIsConnectError) {
  TestHttpServer server(always(json("{}")));
  server.set_behaviour(Behaviour::close_without_answer);
  auto r = client()->send({.url = server.url()});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::connect) << r.error().message();
}

TEST(HttpClient, RefusedConnectionIsConnectError) {
  // A bound socket that does not listen holds the port, so the refusal is certain.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  auto r =
      client()->send({.url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/"});
  ::close(fd);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::connect);
}

TEST(HttpClient, GarbageResponseIsProtocolError) {
  TestHttpServer server(always({.raw = "SSH-2.0-OpenSSH_9.2\r\n\r\n"}));
  auto r = client()->send({.url = server.url()});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::protocol);
}

TEST(HttpClient, TruncatedBodyIsProtocolError) {
  TestHttpServer server(always({.raw = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort"}));
  auto r = client()->send({.url = server.url()});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::protocol);
}

// Codes, tokens and client secrets travel in queries and bodies; error text
// ends up in logs and on error pages.
TEST(HttpClient, ErrorTextNeverContainsQueryHeadersOrBody) {
  TestHttpServer server(always(json("{}")));
  server.set_behaviour(Behaviour::never_answer);
  auto r = client()->send({.method = "POST",
                           .url = server.url("/token?code=SECRET-CODE"),
                           .headers = {{"Authorization", "Basic SECRET-AUTH"}},
                           .body = "client_secret=SECRET-BODY",
                           .content_type = "application/x-www-form-urlencoded",
                           .timeout = milliseconds(200)});
  ASSERT_FALSE(r);
  const std::string text = r.error().message() + r.error().detail;
  EXPECT_EQ(text.find("SECRET"), std::string::npos) << text;
  EXPECT_EQ(text.find("/token"), std::string::npos) << text;

  auto bad = client()->send({.url = "http://127.0.0.1/x?code=SECRET#frag"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message().find("SECRET"), std::string::npos) << bad.error().message();
}

TEST(HttpClient, ErrorWithoutDetailStillReadsAsASentence) {
  const ClientError e{ClientErrorKind::timeout, ""};
  EXPECT_EQ(e.message(), "the identity provider did not answer in time");
}

TEST(HttpClient, UnreadableExtraCaFileFailsAtStartUp) {
  EXPECT_THROW((void)make_beast_client({.extra_ca_file = fixture_path("no-such-ca.pem")}),
               std::runtime_error);
}

// ---- TLS --------------------------------------------------------------------------

TEST(HttpClient, TlsWithTrustedCaAndRightHostnameWorks) {
  TestHttpServer server(always(json(R"({"ok":true})")), tls_files("localhost"));
  auto c = client_trusting_test_ca();

  auto by_address = c->send({.url = server.url("/jwks")});  // iPAddress SAN 127.0.0.1
  ASSERT_TRUE(by_address) << by_address.error().message();
  EXPECT_EQ(by_address->body, R"({"ok":true})");

  auto by_name = c->send({.url = "https://localhost:" + std::to_string(server.port()) + "/jwks"});
  ASSERT_TRUE(by_name) << by_name.error().message();  // dNSName SAN localhost, via SNI
  EXPECT_EQ(by_name->status, 200);
}

TEST(HttpClient, TlsCertificateForAnotherHostIsRefused) {
  // Signed by the trusted CA, but for wrong.example: only the name check stops it.
  TestHttpServer server(always(json("{}")), tls_files("wrong-host"));
  auto r = client_trusting_test_ca()->send({.url = server.url()});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::tls);
  EXPECT_EQ(r.error().message(),
            "TLS certificate verification failed for host 127.0.0.1: the certificate is for "
            "another host");
  EXPECT_TRUE(server.requests().empty());  // nothing was sent to it
}

TEST(HttpClient, SelfSignedCertificateNotTrustedIsRefused) {
  TestHttpServer server(always(json("{}")), tls_files("self-signed"));
  auto r = client_trusting_test_ca()->send({.url = server.url()});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::tls);
  EXPECT_NE(r.error().message().find("TLS certificate verification failed for host 127.0.0.1"),
            std::string::npos)
      << r.error().message();
  EXPECT_TRUE(server.requests().empty());
}

TEST(HttpClient, TestCaIsNotTrustedUnlessConfigured) {
  TestHttpServer server(always(json("{}")), tls_files("localhost"));
  auto r = client()->send({.url = server.url()});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ClientErrorKind::tls);
}

TEST(HttpClient, StalledTlsHandshakeTimesOut) {
  TestHttpServer server(always(json("{}")), tls_files("localhost"));
  server.set_behaviour(Behaviour::never_answer);  // accepts, never says ServerHello
  auto t =
      timed_send(*client_trusting_test_ca(), {.url = server.url(), .timeout = milliseconds(300)});
  ASSERT_FALSE(t.result);
  EXPECT_EQ(t.result.error().kind, ClientErrorKind::timeout);
  EXPECT_LT(t.elapsed, kFast);
}

TEST(HttpClient, TlsSlowDripTimesOut) {
  TestHttpServer server(always(json(std::string(100, 'x'))), tls_files("localhost"));
  server.set_behaviour(Behaviour::drip, milliseconds(50));
  auto t =
      timed_send(*client_trusting_test_ca(), {.url = server.url(), .timeout = milliseconds(400)});
  ASSERT_FALSE(t.result);
  EXPECT_EQ(t.result.error().kind, ClientErrorKind::timeout);
  EXPECT_LT(t.elapsed, kFast);
}

// ---- keep-alive: a pooled connection never carries someone else's answer ---------

TestResponse echo_target(const TestRequest& req) { return json(req.target); }

std::unique_ptr<TestHttpServer> keep_alive_server(std::optional<TlsFiles> tls = std::nullopt) {
  auto server = std::make_unique<TestHttpServer>(echo_target, std::move(tls));
  server->set_keep_alive(true);
  return server;
}

TEST(HttpClient, KeepAliveConnectionIsReusedForTheSameOrigin) {
  auto server = keep_alive_server();
  auto c = client();
  for (const std::string target : {"/a", "/b", "/c"}) {
    auto r = c->send({.url = server->url(target)});
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->body, target);
  }
  EXPECT_EQ(server->connections(), 1);
}

TEST(HttpClient, TlsConnectionIsReusedWithoutANewHandshake) {
  auto server = keep_alive_server(tls_files("localhost"));
  auto c = client_trusting_test_ca();
  ASSERT_TRUE(c->send({.url = server->url("/a")}));
  auto r = c->send({.url = server->url("/b")});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->body, "/b");
  EXPECT_EQ(server->connections(), 1);
}

TEST(HttpClient, StaleAnswerToATimedOutRequestIsNeverReadAsTheNextOne) {
  auto server = keep_alive_server();
  auto c = client();
  ASSERT_TRUE(c->send({.url = server->url("/warm")}));  // a pooled connection exists
  server->set_behaviour(Behaviour::answer_late, milliseconds(500));
  auto late = c->send({.url = server->url("/first"), .timeout = milliseconds(150)});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().kind, ClientErrorKind::timeout);
  server->set_behaviour(Behaviour::answer);
  std::this_thread::sleep_for(milliseconds(600));  // "/first"'s answer is on its way by now
  auto next = c->send({.url = server->url("/second")});
  ASSERT_TRUE(next) << next.error().message();
  EXPECT_EQ(next->body, "/second");
  EXPECT_EQ(server->connections(), 2);
}

TEST(HttpClient, TooLargeAnswerLeavesNoConnectionBehindForTheNextRequest) {
  TestHttpServer server([](const TestRequest& req) {
    return json(req.target == "/big" ? std::string(4096, 'x') : req.target);
  });
  server.set_keep_alive(true);
  auto c = client();
  ASSERT_TRUE(c->send({.url = server.url("/warm")}));
  auto big = c->send({.url = server.url("/big"), .max_body = 100});
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().kind, ClientErrorKind::too_large);
  auto next = c->send({.url = server.url("/next")});
  ASSERT_TRUE(next) << next.error().message();
  EXPECT_EQ(next->body, "/next");
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClient, UnsolicitedSecondAnswerIsNeverTakenForTheNextRequest) {
  auto server = keep_alive_server();
  server->set_behaviour(Behaviour::answer_then_stray);
  auto c = client();
  auto first = c->send({.url = server->url("/a")});
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->body, "/a");
  server->set_behaviour(Behaviour::answer);
  auto next = c->send({.url = server->url("/b")});
  ASSERT_TRUE(next) << next.error().message();
  EXPECT_EQ(next->body, "/b");
  EXPECT_EQ(server->connections(), 2);
}

TEST(HttpClient, LateUnsolicitedAnswerIsNeverTakenForTheNextRequest) {
  auto server = keep_alive_server();
  server->set_behaviour(Behaviour::answer_then_late_stray, milliseconds(30));
  auto c = client();
  ASSERT_TRUE(c->send({.url = server->url("/a")}));
  server->set_behaviour(Behaviour::answer);
  std::this_thread::sleep_for(milliseconds(300));  // the stray answer waits on the idle connection
  auto next = c->send({.url = server->url("/b")});
  ASSERT_TRUE(next) << next.error().message();
  EXPECT_EQ(next->body, "/b");
  EXPECT_EQ(server->connections(), 2);
}

TEST(HttpClient, UnsolicitedSecondTlsRecordIsNeverTakenForTheNextRequest) {
  // The stray answer in a TLS record of its own, right behind the real one.
  // Read from the socket together with the answer, it waits inside the
  // connection (in OpenSSL or, still encrypted, in Asio's input buffer),
  // where a peek at the socket cannot see it. (One that arrives while the
  // next request is already on its way cannot be told from that request's
  // answer by any HTTP/1.1 client; the ID token's nonce is what stops that.)
  auto server = keep_alive_server(tls_files("localhost"));
  server->set_behaviour(Behaviour::answer_then_stray_write);
  auto c = client_trusting_test_ca();
  for (int i = 0; i < 5; ++i) {
    const std::string target = "/t" + std::to_string(i);
    auto r = c->send({.url = server->url(target)});
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->body, target);
    std::this_thread::sleep_for(milliseconds(50));  // the stray has arrived
  }
}

TEST(HttpClient, AnswerSayingConnectionCloseEndsTheConnection) {
  TestHttpServer server([](const TestRequest& req) {
    auto r = json(req.target);
    r.headers.emplace_back("Connection", "close");
    return r;
  });
  server.set_keep_alive(true);
  auto c = client();
  ASSERT_TRUE(c->send({.url = server.url("/a")}));
  auto next = c->send({.url = server.url("/b")});
  ASSERT_TRUE(next) << next.error().message();
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClient, ProviderClosingAnIdleConnectionCostsNoRequest) {
  auto server = keep_alive_server();
  server->set_behaviour(Behaviour::answer_then_close, milliseconds(30));
  auto c = client();
  ASSERT_TRUE(c->send({.url = server->url("/a")}));
  server->set_behaviour(Behaviour::answer);
  std::this_thread::sleep_for(milliseconds(300));
  auto next = c->send({.url = server->url("/b")});
  ASSERT_TRUE(next) << next.error().message();
  EXPECT_EQ(next->body, "/b");
  EXPECT_EQ(server->connections(), 2);
}

TEST(HttpClient, ReusedConnectionClosedUnansweredIsRetriedOnceOnANewOne) {
  auto server = keep_alive_server();
  server->set_behaviour(Behaviour::close_second_request);
  auto c = client();
  ASSERT_TRUE(c->send({.url = server->url("/a")}));
  auto next = c->send({.url = server->url("/b")});
  ASSERT_TRUE(next) << next.error().message();
  EXPECT_EQ(next->body, "/b");
  EXPECT_EQ(server->connections(), 2);
  const auto seen = server->requests();
  ASSERT_EQ(seen.size(), 3u);  // /a, /b closed unanswered, /b again on a new connection
  EXPECT_EQ(seen[1].target, "/b");
  EXPECT_EQ(seen[2].target, "/b");
}

TEST(HttpClient, WrittenPostOnAReusedConnectionClosedUnansweredIsNotSentTwice) {
  // The provider may have processed it (a code redeemed) before it closed:
  // sending it again is not the client's call (RFC 9112 §9.3.1).
  auto server = keep_alive_server();
  server->set_behaviour(Behaviour::close_second_request);
  auto c = client();
  const auto post = [&](const std::string& target) {
    return c->send({.method = "POST",
                    .url = server->url(target),
                    .body = "code=abc",
                    .content_type = "application/x-www-form-urlencoded"});
  };
  ASSERT_TRUE(post("/a"));
  auto second = post("/b");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, ClientErrorKind::connect) << second.error().message();
  EXPECT_EQ(server->requests().size(), 2u);
}

TEST(HttpClient, ReusedConnectionResetAfterAnsweringPartlyIsNotRetried) {
  // Part of an answer arrived: the provider processed the request (it may
  // have redeemed a code), so sending it again is not the client's call.
  TestHttpServer server([](const TestRequest& req) {
    if (req.target == "/a") return json("/a");
    return TestResponse{.raw = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"};
  });
  server.set_keep_alive(true);
  auto c = client();
  ASSERT_TRUE(c->send({.url = server.url("/a")}));
  server.set_behaviour(Behaviour::answer_then_close, milliseconds(30));
  auto cut = c->send({.url = server.url("/b")});
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().kind, ClientErrorKind::protocol) << cut.error().message();
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(HttpClient, ConnectionIsNeverSharedBetweenTwoNamesOfOneAddress) {
  // The TLS peer was checked for the name it was reached by: a connection to
  // "localhost" is not a connection to "127.0.0.1", even on the same socket address.
  auto server = keep_alive_server(tls_files("localhost"));
  auto c = client_trusting_test_ca();
  const std::string by_name = "https://localhost:" + std::to_string(server->port());
  ASSERT_TRUE(c->send({.url = by_name + "/a"}));
  ASSERT_TRUE(c->send({.url = server->url("/b")}));
  EXPECT_EQ(server->connections(), 2);
  ASSERT_TRUE(c->send({.url = by_name + "/c"}));
  EXPECT_EQ(server->connections(), 2);  // each name has its own connection, reused
}

TEST(HttpClient, IdleConnectionOlderThanTheLimitIsNotReused) {
  auto server = keep_alive_server();
  auto c =
      make_beast_client({.default_timeout = milliseconds(5000), .pool_idle = milliseconds(50)});
  ASSERT_TRUE(c->send({.url = server->url("/a")}));
  std::this_thread::sleep_for(milliseconds(200));
  ASSERT_TRUE(c->send({.url = server->url("/b")}));
  EXPECT_EQ(server->connections(), 2);
}

TEST(HttpClient, PoolOffMeansOneConnectionPerExchange) {
  auto server = keep_alive_server();
  auto c = make_beast_client({.default_timeout = milliseconds(5000), .pool_idle = milliseconds(0)});
  ASSERT_TRUE(c->send({.url = server->url("/a")}));
  ASSERT_TRUE(c->send({.url = server->url("/b")}));
  EXPECT_EQ(server->connections(), 2);
}

}  // namespace
}  // namespace gatehouse::http
