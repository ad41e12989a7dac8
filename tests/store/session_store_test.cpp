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

INSTANTIATE_TEST_SUITE_P(Backends, SessionStoreTest, ::testing::ValuesIn(store_backends()),
                         backend_name);

}  // namespace gatehouse::testing
