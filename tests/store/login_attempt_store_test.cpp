#include <latch>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "rows.hpp"

namespace gatehouse::testing {
namespace {

class LoginAttemptStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(db_->teams().insert(a_team("acme")));
  }
};

}  // namespace

TEST_P(LoginAttemptStoreTest, TakeReturnsEveryField) {
  ASSERT_TRUE(db_->login_attempts().insert(an_attempt("s1", "acme", kT0 + 600)));
  auto a = db_->login_attempts().take("s1");
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->state_hash, "s1");
  EXPECT_EQ((*a)->browser_hash, "browser-hash");
  EXPECT_EQ((*a)->team_id, "acme");
  EXPECT_EQ((*a)->issuer, "https://idp.example");
  EXPECT_EQ((*a)->client_id, "cid");
  EXPECT_EQ((*a)->state, "state");
  EXPECT_EQ((*a)->nonce, "nonce");
  EXPECT_EQ((*a)->code_verifier, "verifier");
  EXPECT_EQ((*a)->return_to, "/after");
  EXPECT_EQ((*a)->created_at, kT0);
  EXPECT_EQ((*a)->expires_at, kT0 + 600);
}

TEST_P(LoginAttemptStoreTest, TakeOfUnknownStateIsEmptyNotError) {
  auto a = db_->login_attempts().take("no-such-state");
  ASSERT_TRUE(a);
  EXPECT_FALSE(*a);
}

// RFC 9700 4.7: a replayed callback (same state) must find nothing.
TEST_P(LoginAttemptStoreTest, TakeIsSingleUse) {
  ASSERT_TRUE(db_->login_attempts().insert(an_attempt("s1", "acme")));
  auto first = db_->login_attempts().take("s1");
  ASSERT_TRUE(first && *first);
  auto second = db_->login_attempts().take("s1");
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second);
}

TEST_P(LoginAttemptStoreTest, TakeLeavesOtherAttemptsAlone) {
  ASSERT_TRUE(db_->login_attempts().insert(an_attempt("s1", "acme")));
  ASSERT_TRUE(db_->login_attempts().insert(an_attempt("s2", "acme")));
  ASSERT_TRUE(*db_->login_attempts().take("s1"));
  EXPECT_TRUE(*db_->login_attempts().take("s2"));
}

// A replayed callback racing the real one: with find-then-delete both read
// the row before either deletes it, and both redeem the code. Threads are
// made per round (a latch lines them up); 200 rounds because such a mutant
// lost only about one round in twenty here.
TEST_P(LoginAttemptStoreTest, ConcurrentTakeYieldsOneWinner) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 200;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const std::string state = "race-" + std::to_string(round);
    ASSERT_TRUE(db_->login_attempts().insert(an_attempt(state, "acme")));

    std::latch start(kThreads);
    std::vector<store::Result<std::optional<domain::LoginAttempt>>> got(kThreads);
    {
      std::vector<std::jthread> threads;
      for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
          start.arrive_and_wait();
          got[t] = db_->login_attempts().take(state);
        });
    }

    int winners = 0;
    for (const auto& r : got) {
      ASSERT_TRUE(r) << store::to_string(r.error());
      if (*r) ++winners;
    }
    ASSERT_EQ(winners, 1);
  }
}

// Expired means now >= expires_at, as signin/flow.cpp checks it.
TEST_P(LoginAttemptStoreTest, RemoveExpiredCountsThoseAtOrBeforeNow) {
  ASSERT_TRUE(db_->login_attempts().insert(an_attempt("past", "acme", kT0 + 100)));
  ASSERT_TRUE(db_->login_attempts().insert(an_attempt("now", "acme", kT0 + 200)));
  ASSERT_TRUE(db_->login_attempts().insert(an_attempt("future", "acme", kT0 + 201)));
  auto n = db_->login_attempts().remove_expired(kT0 + 200);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(*db_->login_attempts().remove_expired(kT0 + 200), 0);
  EXPECT_FALSE(*db_->login_attempts().take("past"));
  EXPECT_FALSE(*db_->login_attempts().take("now"));
  EXPECT_TRUE(*db_->login_attempts().take("future"));
}

INSTANTIATE_TEST_SUITE_P(Backends, LoginAttemptStoreTest, ::testing::ValuesIn(store_backends()),
                         backend_name);

}  // namespace gatehouse::testing
