#include <gtest/gtest.h>

#include "rows.hpp"

namespace gatehouse::testing {
namespace {

class SessionStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(db_->teams().insert(a_team("acme")));
    ASSERT_TRUE(db_->users().insert(ada_));
  }
  domain::User ada_ = a_user("acme", "u1", "sub-1");
};

}  // namespace

TEST_P(SessionStoreTest, InsertThenFindReturnsEveryField) {
  ASSERT_TRUE(db_->sessions().insert(a_session("h1", ada_, kT0 + 3600)));
  auto s = db_->sessions().find("h1");
  ASSERT_TRUE(s && *s);
  EXPECT_EQ((*s)->user_id, "u1");
  EXPECT_EQ((*s)->team_id, "acme");
  EXPECT_EQ((*s)->csrf_token, "csrf-u1");
  EXPECT_EQ((*s)->id_token_sealed, "sealed-id-token");
  EXPECT_EQ((*s)->created_at, kT0);
  EXPECT_EQ((*s)->last_seen_at, kT0);
  EXPECT_EQ((*s)->expires_at, kT0 + 3600);
}

TEST_P(SessionStoreTest, UnknownSessionIsEmptyNotError) {
  auto s = db_->sessions().find("no-such-hash");
  ASSERT_TRUE(s);
  EXPECT_FALSE(*s);
}

TEST_P(SessionStoreTest, SessionOfUnknownUserIsRefused) {
  auto ghost = a_user("acme", "ghost", "sub-ghost");
  EXPECT_FALSE(db_->sessions().insert(a_session("h1", ghost)));
  EXPECT_FALSE(*db_->sessions().find("h1"));
}

TEST_P(SessionStoreTest, TouchMovesLastSeenAndNothingElse) {
  ASSERT_TRUE(db_->sessions().insert(a_session("h1", ada_, kT0 + 3600)));
  ASSERT_TRUE(db_->sessions().touch("h1", kT0 + 60));
  auto s = db_->sessions().find("h1");
  ASSERT_TRUE(s && *s);
  EXPECT_EQ((*s)->last_seen_at, kT0 + 60);
  EXPECT_EQ((*s)->created_at, kT0);
  // The absolute expiry never slides: activity must not keep a session alive forever.
  EXPECT_EQ((*s)->expires_at, kT0 + 3600);
}

TEST_P(SessionStoreTest, TouchLeavesOtherSessionsAlone) {
  ASSERT_TRUE(db_->sessions().insert(a_session("h1", ada_)));
  ASSERT_TRUE(db_->sessions().insert(a_session("h2", ada_)));
  ASSERT_TRUE(db_->sessions().touch("h1", kT0 + 60));
  EXPECT_EQ((*db_->sessions().find("h2"))->last_seen_at, kT0);
}

// Sign-out may run twice (double click, two tabs): the second is not an error.
TEST_P(SessionStoreTest, RemoveIsIdempotent) {
  ASSERT_TRUE(db_->sessions().insert(a_session("h1", ada_)));
  EXPECT_TRUE(db_->sessions().remove("h1"));
  EXPECT_FALSE(*db_->sessions().find("h1"));
  EXPECT_TRUE(db_->sessions().remove("h1"));
  EXPECT_TRUE(db_->sessions().remove("never-existed"));
}

TEST_P(SessionStoreTest, RemoveTakesOnlyThatSession) {
  ASSERT_TRUE(db_->sessions().insert(a_session("h1", ada_)));
  ASSERT_TRUE(db_->sessions().insert(a_session("h2", ada_)));
  ASSERT_TRUE(db_->sessions().remove("h1"));
  EXPECT_TRUE(*db_->sessions().find("h2"));
}

// Expired means now >= expires_at, as signin/sessions.cpp checks it, so a
// session expiring exactly now goes too.
TEST_P(SessionStoreTest, RemoveExpiredCountsThoseAtOrBeforeNow) {
  ASSERT_TRUE(db_->sessions().insert(a_session("past", ada_, kT0 + 100)));
  ASSERT_TRUE(db_->sessions().insert(a_session("now", ada_, kT0 + 200)));
  ASSERT_TRUE(db_->sessions().insert(a_session("future", ada_, kT0 + 201)));
  auto n = db_->sessions().remove_expired(kT0 + 200);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
  EXPECT_FALSE(*db_->sessions().find("past"));
  EXPECT_FALSE(*db_->sessions().find("now"));
  EXPECT_TRUE(*db_->sessions().find("future"));
  EXPECT_EQ(*db_->sessions().remove_expired(kT0 + 200), 0);
}

// The session cache's batched last-seen write (SessionCache::flush_last_seen).
TEST_P(SessionStoreTest, TouchAllMovesEveryListedSessionInOneCall) {
  ASSERT_TRUE(db_->sessions().insert(a_session("h1", ada_)));
  ASSERT_TRUE(db_->sessions().insert(a_session("h2", ada_)));
  ASSERT_TRUE(db_->sessions().insert(a_session("h3", ada_)));
  ASSERT_TRUE(db_->sessions().touch_all({{"h2", kT0 + 120}, {"h1", kT0 + 60}, {"gone", kT0 + 60}}));
  EXPECT_EQ((*db_->sessions().find("h1"))->last_seen_at, kT0 + 60);
  EXPECT_EQ((*db_->sessions().find("h2"))->last_seen_at, kT0 + 120);
  EXPECT_EQ((*db_->sessions().find("h3"))->last_seen_at, kT0);
  EXPECT_TRUE(db_->sessions().touch_all({}));
}

// Two instances flush in any order: the later flush of an older time must
// not make a session look idle sooner than it is.
TEST_P(SessionStoreTest, TouchAllNeverMovesLastSeenBackwards) {
  ASSERT_TRUE(db_->sessions().insert(a_session("h1", ada_)));
  ASSERT_TRUE(db_->sessions().touch_all({{"h1", kT0 + 600}}));
  ASSERT_TRUE(db_->sessions().touch_all({{"h1", kT0 + 300}}));
  EXPECT_EQ((*db_->sessions().find("h1"))->last_seen_at, kT0 + 600);
}

TEST_P(SessionStoreTest, ChangeFeedReturnsRowsAtOrAfterTheTimeOldestFirst) {
  const std::int64_t us = kT0 * 1'000'000;
  ASSERT_TRUE(db_->sessions().record_change({us + 30, "user", "u1"}));
  ASSERT_TRUE(db_->sessions().record_change({us + 10, "session", "h1"}));
  ASSERT_TRUE(db_->sessions().record_change({us + 20, "team", "acme"}));
  auto all = db_->sessions().changes_since(us + 10);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].at_us, us + 10);
  EXPECT_EQ((*all)[0].kind, "session");
  EXPECT_EQ((*all)[0].subject, "h1");
  EXPECT_EQ((*all)[1].kind, "team");
  EXPECT_EQ((*all)[2].subject, "u1");
  auto later = db_->sessions().changes_since(us + 11);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->size(), 2u);
}

TEST_P(SessionStoreTest, ChangeFeedKeepsRowsUntilRemovedBeforeTheirTime) {
  const std::int64_t us = kT0 * 1'000'000;
  ASSERT_TRUE(db_->sessions().record_change({us, "session", "h1"}));
  ASSERT_TRUE(db_->sessions().record_change({us + 5, "session", "h2"}));
  auto n = db_->sessions().remove_changes_before(us + 5);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  auto rest = db_->sessions().changes_since(0);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].subject, "h2");
}

INSTANTIATE_TEST_SUITE_P(Backends, SessionStoreTest, ::testing::ValuesIn(store_backends()),
                         backend_name);

}  // namespace gatehouse::testing
