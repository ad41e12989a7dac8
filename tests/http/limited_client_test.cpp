#include "http/limited_client.hpp"

#include <future>
#include <vector>

#include <gtest/gtest.h>

#include "support/fake_http_client.hpp"

namespace gatehouse::http {
namespace {

using namespace std::chrono_literals;

const std::string kSlow = "https://slow.idp.example/token";
const std::string kOther = "https://other.idp.example/token";

ClientRequest get(const std::string& url) {
  ClientRequest r;
  r.url = url;
  return r;
}

TEST(LimitedClient, BurstAboveTheCapIsQueuedNotRefused) {
  testing::FakeHttpClient inner;
  inner.respond(kSlow, 200, "{}");
  inner.hold(kSlow);
  LimitedClient client(inner, 2, 5s);
  std::vector<std::future<tl::expected<ClientResponse, ClientError>>> calls;
  for (int i = 0; i < 5; ++i)
    calls.push_back(std::async(std::launch::async, [&] { return client.send(get(kSlow)); }));
  ASSERT_TRUE(inner.wait_until_held(kSlow, 2));
  EXPECT_EQ(inner.count(kSlow), 2u) << "only `per_host` calls reach the provider at once";
  inner.release(kSlow);
  for (auto& c : calls) {
    auto r = c.get();
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(inner.count(kSlow), 5u);
}

TEST(LimitedClient, HangingProviderHoldsBoundedThreadsAndOthersGoOn) {
  testing::FakeHttpClient inner;
  inner.respond(kSlow, 200, "{}");
  inner.respond(kOther, 200, "{}");
  inner.hold(kSlow);
  LimitedClient client(inner, 1, 200ms);
  auto stuck = std::async(std::launch::async, [&] { return client.send(get(kSlow)); });
  ASSERT_TRUE(inner.wait_until_held(kSlow, 1));
  // Waiters: at most per_host * 4, each for at most max_wait; then refused.
  std::vector<std::future<tl::expected<ClientResponse, ClientError>>> waiters;
  for (int i = 0; i < 6; ++i)
    waiters.push_back(std::async(std::launch::async, [&] { return client.send(get(kSlow)); }));
  int refused = 0;
  for (auto& w : waiters) {
    auto r = w.get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ClientErrorKind::timeout);
    ++refused;
  }
  EXPECT_EQ(refused, 6);
  EXPECT_EQ(inner.count(kSlow), 1u) << "no waiter reached the hanging provider";
  auto other = client.send(get(kOther));
  ASSERT_TRUE(other) << "another provider is not held up by the hanging one";
  inner.release(kSlow);
  EXPECT_TRUE(stuck.get());
}

}  // namespace
}  // namespace gatehouse::http
