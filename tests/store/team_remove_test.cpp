// TeamStore::remove: "deletes the team and everything that belongs to it"
// (`gatehouse team remove ID --yes`). Team IDs can be registered again later,
// possibly by another organisation, so nothing of the old team may survive
// to show up under the new one.
#include <gtest/gtest.h>

#include "rows.hpp"

namespace gatehouse::testing {
namespace {

class TeamRemoveTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    for (const char* team : {"acme", "globex"}) {
      const std::string t = team;
      ASSERT_TRUE(db_->teams().insert(a_team(t)));
      auto person = a_user(t, t + "-u1", "sub-1", domain::Role::admin);
      ASSERT_TRUE(db_->users().insert(person));
      ASSERT_TRUE(db_->sessions().insert(a_session(t + "-s1", person)));
      ASSERT_TRUE(db_->login_attempts().insert(an_attempt(t + "-state", t)));
      ASSERT_TRUE(db_->tokens().insert(a_token(t, t + "-t1", person.id)));
      ASSERT_TRUE(db_->models().insert(a_model(t, t + "-m1", "support-bot", person.id)));
      ASSERT_EQ(db_->usage().insert({a_usage(t + "-e1", t, "2026-11-01")}).value_or(-1), 1);
      ASSERT_TRUE(db_->audit().append({t + "-a1", kT0 * 1'000'000, t, "admin@" + t + ".test",
                                       "signin.success", person.id, "{}"}));
    }
  }

  // Re-registering the ID is the case that matters: lists scoped by team id
  // would then show whatever the old team left behind.
  void remove_and_register_again(const std::string& team) {
    ASSERT_TRUE(db_->teams().remove(team));
    ASSERT_FALSE(*db_->teams().find(team));
    ASSERT_TRUE(db_->teams().insert(a_team(team)));
  }
};

}  // namespace

TEST_P(TeamRemoveTest, RemoveDeletesItsPeopleAndSessions) {
  remove_and_register_again("acme");
  EXPECT_FALSE(*db_->users().find("acme-u1"));
  EXPECT_FALSE(*db_->users().find_by_sub("acme", "sub-1"));
  EXPECT_TRUE(db_->users().list_by_team("acme")->empty());
  EXPECT_FALSE(*db_->sessions().find("acme-s1"));
}

TEST_P(TeamRemoveTest, RemoveDeletesItsTokensAndModels) {
  remove_and_register_again("acme");
  EXPECT_FALSE(*db_->tokens().find_by_hash("sha256-of-acme-t1"));
  EXPECT_FALSE(*db_->tokens().find_by_id("acme-t1"));
  EXPECT_TRUE(db_->tokens().list("acme", std::nullopt)->empty());
  EXPECT_TRUE(db_->models().list("acme", std::nullopt)->empty());
}

TEST_P(TeamRemoveTest, RemoveDeletesItsPendingSignInsAndUsage) {
  remove_and_register_again("acme");
  EXPECT_FALSE(*db_->login_attempts().take("acme-state"));
  EXPECT_EQ(db_->usage().report("acme", "2026-11-01", "2026-11-01")->total_micros, 0);
}

// Regression: audit_events.team_id has no foreign key, and remove() once
// deleted only the team row, so the next team registered under the same ID
// saw the old team's sign-in emails and role changes on /activity.
TEST_P(TeamRemoveTest, RemoveDeletesItsAuditTrail) {
  remove_and_register_again("acme");
  auto trail = db_->audit().list({.team_id = "acme"});
  ASSERT_TRUE(trail);
  EXPECT_TRUE(trail->empty());
}

TEST_P(TeamRemoveTest, RemoveLeavesOtherTeamsAlone) {
  ASSERT_TRUE(db_->teams().remove("acme"));
  EXPECT_TRUE(*db_->teams().find("globex"));
  EXPECT_TRUE(*db_->users().find("globex-u1"));
  EXPECT_TRUE(*db_->sessions().find("globex-s1"));
  EXPECT_TRUE(*db_->tokens().find_by_id("globex-t1"));
  EXPECT_EQ(db_->models().list("globex", std::nullopt)->size(), 1u);
  EXPECT_EQ(db_->usage().report("globex", "2026-11-01", "2026-11-01")->total_micros, 1000);
  EXPECT_EQ(db_->audit().list({.team_id = "globex"})->size(), 1u);
  EXPECT_TRUE(*db_->login_attempts().take("globex-state"));
}

INSTANTIATE_TEST_SUITE_P(Backends, TeamRemoveTest, ::testing::ValuesIn(store_backends()),
                         backend_name);

}  // namespace gatehouse::testing
