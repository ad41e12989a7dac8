// Key rotation without letting a forged kid turn us into a request amplifier
// (SPEC §7: at most one unknown-kid refetch per issuer per 10 s).
#include "oidc/jwks_cache.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/fake_http_client.hpp"
#include "support/fixed_clock.hpp"
#include "support/test_signer.hpp"

namespace gatehouse::testing {
namespace {

using namespace std::chrono_literals;

class JwksCache : public ::testing::Test {
 protected:
  const std::string issuer = "https://idp.example";
  const std::string uri = "https://idp.example/keys";
  static const TestSigner& old_key() {
    static const TestSigner k = TestSigner::ec_p256("old");
    return k;
  }
  static const TestSigner& new_key() {
    static const TestSigner k = TestSigner::ec_p256("new");
    return k;
  }
  FixedClock clock;
  FakeHttpClient http;
  oidc::JwksCache cache{http, clock};

  auto keys(const std::optional<std::string>& kid, const std::string& iss = "https://idp.example") {
    return cache.keys_for(iss, iss + "/keys", kid);
  }
};

TEST_F(JwksCache, FetchedOnFirstUseAndCached) {
  http.respond(uri, 200, TestSigner::jwks({&old_key()}));
  ASSERT_TRUE(keys("old"));
  ASSERT_TRUE(keys("old"));
  EXPECT_EQ(http.count(uri), 1u);
}

TEST_F(JwksCache, JwksRefetchedOnceForUnknownKid) {
  http.respond(uri, 200, TestSigner::jwks({&old_key()}));
  ASSERT_TRUE(keys("old"));
  // The provider rotates: the next token names a key we have not seen.
  http.respond(uri, 200, TestSigner::jwks({&old_key(), &new_key()}));
  auto k = keys("new");
  ASSERT_TRUE(k);
  EXPECT_TRUE((*k)->has_kid("new"));
  EXPECT_EQ(http.count(uri), 2u);
  ASSERT_TRUE(keys("new"));
  EXPECT_EQ(http.count(uri), 2u);
}

TEST_F(JwksCache, JwksRefetchRateLimitedPerIssuer) {
  http.respond(uri, 200, TestSigner::jwks({&old_key()}));
  ASSERT_TRUE(keys("old"));
  ASSERT_TRUE(keys("forged-1"));  // one refetch allowed
  EXPECT_EQ(http.count(uri), 2u);
  clock.advance(9s);
  auto k = keys("forged-2");  // within 10 s: served from cache, no request
  ASSERT_TRUE(k);
  EXPECT_FALSE((*k)->has_kid("forged-2"));
  EXPECT_EQ(http.count(uri), 2u);
  clock.advance(1s);
  ASSERT_TRUE(keys("forged-3"));
  EXPECT_EQ(http.count(uri), 3u);
}

TEST_F(JwksCache, RateLimitIsPerIssuer) {
  const std::string other = "https://other.example";
  http.respond(uri, 200, TestSigner::jwks({&old_key()}));
  http.respond(other + "/keys", 200, TestSigner::jwks({&old_key()}));
  ASSERT_TRUE(keys("old"));
  ASSERT_TRUE(keys("old", other));
  ASSERT_TRUE(keys("forged"));
  ASSERT_TRUE(keys("forged", other));  // the other issuer's budget is its own
  EXPECT_EQ(http.count(uri), 2u);
  EXPECT_EQ(http.count(other + "/keys"), 2u);
}

TEST_F(JwksCache, FirstFetchDoesNotCountTowardRateLimit) {
  http.respond(uri, 200, TestSigner::jwks({&old_key()}));
  ASSERT_TRUE(keys("new"));  // first use: fetched, kid absent, no second request
  EXPECT_EQ(http.count(uri), 1u);
  http.respond(uri, 200, TestSigner::jwks({&old_key(), &new_key()}));
  auto k = keys("new");  // the refetch budget is still there
  ASSERT_TRUE(k);
  EXPECT_TRUE((*k)->has_kid("new"));
  EXPECT_EQ(http.count(uri), 2u);
}

TEST_F(JwksCache, ExpiryFetchDoesNotCountTowardRateLimit) {
  http.respond(uri, 200, TestSigner::jwks({&old_key()}), {{"cache-control", "max-age=300"}});
  ASSERT_TRUE(keys("old"));
  clock.advance(301s);
  ASSERT_TRUE(keys("old"));  // expired: fetched again, not a kid refetch
  EXPECT_EQ(http.count(uri), 2u);
  clock.advance(1s);
  http.respond(uri, 200, TestSigner::jwks({&old_key(), &new_key()}));
  auto k = keys("new");  // 1 s after the expiry fetch, and still allowed
  ASSERT_TRUE(k);
  EXPECT_TRUE((*k)->has_kid("new"));
  EXPECT_EQ(http.count(uri), 3u);
}

TEST_F(JwksCache, MaxAgeHonouredWithinBounds) {
  http.respond(uri, 200, TestSigner::jwks({&old_key()}),
               {{"cache-control", "public, max-age=7200"}});
  ASSERT_TRUE(keys("old"));
  clock.advance(7199s);
  ASSERT_TRUE(keys("old"));
  EXPECT_EQ(http.count(uri), 1u);
  clock.advance(1s);
  ASSERT_TRUE(keys("old"));
  EXPECT_EQ(http.count(uri), 2u);
}

TEST_F(JwksCache, TinyMaxAgeIsRaisedToFiveMinutes) {
  http.respond(uri, 200, TestSigner::jwks({&old_key()}), {{"cache-control", "max-age=1"}});
  ASSERT_TRUE(keys("old"));
  clock.advance(299s);
  ASSERT_TRUE(keys("old"));
  EXPECT_EQ(http.count(uri), 1u);
}

TEST_F(JwksCache, HugeMaxAgeIsCappedAtOneDay) {
  http.respond(uri, 200, TestSigner::jwks({&old_key()}), {{"cache-control", "max-age=31536000"}});
  ASSERT_TRUE(keys("old"));
  clock.advance(24h);
  ASSERT_TRUE(keys("old"));
  EXPECT_EQ(http.count(uri), 2u);
}

TEST_F(JwksCache, DefaultLifetimeIsOneHour) {
  http.respond(uri, 200, TestSigner::jwks({&old_key()}));
  ASSERT_TRUE(keys("old"));
  clock.advance(3599s);
  ASSERT_TRUE(keys("old"));
  clock.advance(1s);
  ASSERT_TRUE(keys("old"));
  EXPECT_EQ(http.count(uri), 2u);
}

TEST_F(JwksCache, LastGoodKeysServedWhenRefetchFails) {
  http.respond(uri, 200, TestSigner::jwks({&old_key()}));
  ASSERT_TRUE(keys("old"));
  http.fail(uri, http::ClientErrorKind::connect);
  auto k = keys("new");  // refetch fails: the old keys still verify old tokens
  ASSERT_TRUE(k);
  EXPECT_TRUE((*k)->has_kid("old"));
  clock.advance(2h);  // expired, and the provider is still down
  k = keys("old");
  ASSERT_TRUE(k);
  EXPECT_TRUE((*k)->has_kid("old"));
}

TEST_F(JwksCache, DownProviderIsNotAskedOnEverySignIn) {
  http.respond(uri, 200, TestSigner::jwks({&old_key()}));
  ASSERT_TRUE(keys("old"));
  http.fail(uri, http::ClientErrorKind::timeout);
  clock.advance(2h);
  ASSERT_TRUE(keys("old"));
  ASSERT_TRUE(keys("old"));
  ASSERT_TRUE(keys("old"));
  EXPECT_EQ(http.count(uri), 2u);
}

TEST_F(JwksCache, FirstFetchFailureIsReported) {
  http.fail(uri, http::ClientErrorKind::timeout);
  auto k = keys("old");
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().error, oidc::Error::provider_timeout);
  http.respond(uri, 500, "oops");
  k = keys("old");
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().error, oidc::Error::jwks_failed);
}

TEST_F(JwksCache, InvalidJwksIsNotCached) {
  http.respond(uri, 200, "{\"keys\":[]}");
  auto k = keys("old");
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().error, oidc::Error::jwks_failed);
  http.respond(uri, 200, TestSigner::jwks({&old_key()}));
  EXPECT_TRUE(keys("old"));
}

TEST_F(JwksCache, ConcurrentUnknownKidRefetchesCoalesce) {
  http.respond(uri, 200, TestSigner::jwks({&old_key()}));
  ASSERT_TRUE(keys("old"));
  http.respond(uri, 200, TestSigner::jwks({&old_key(), &new_key()}));
  http.hold(uri);

  constexpr int kThreads = 8;
  std::atomic<int> found{0};
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    auto k = keys("new");
    if (k && (*k)->has_kid("new")) ++found;
  });
  ASSERT_TRUE(http.wait_until_held(uri, 1));  // the first caller is fetching
  for (int i = 1; i < kThreads; ++i)
    threads.emplace_back([&] {
      auto k = keys("new");
      if (k && (*k)->has_kid("new")) ++found;
    });
  // Without a condition variable to wait on, poll the cache's own count
  // (yield, no sleep) until every other caller waits on the one fetch.
  while (cache.waiters(issuer) < kThreads - 1) std::this_thread::yield();
  http.release(uri);
  for (auto& t : threads) t.join();

  EXPECT_EQ(found.load(), kThreads);  // every caller got the rotated key...
  EXPECT_EQ(http.count(uri), 2u);     // ...from a single refetch
}

}  // namespace
}  // namespace gatehouse::testing
