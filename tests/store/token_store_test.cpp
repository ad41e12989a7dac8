#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rows.hpp"

namespace gatehouse::testing {
namespace {

using ::testing::ElementsAre;

class TokenStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(db_->teams().insert(a_team("acme")));
    ASSERT_TRUE(db_->teams().insert(a_team("globex")));
  }

  std::vector<std::string> active(std::string_view team,
                                  const std::optional<std::string>& by = std::nullopt) {
    auto list = db_->tokens().list(team, by);
    EXPECT_TRUE(list);
    std::vector<std::string> out;
    if (list)
      for (const auto& t : *list) out.push_back(t.id);
    return out;
  }

  std::optional<std::int64_t> last_used(std::string_view id) {
    auto t = db_->tokens().find_by_id(id);
    EXPECT_TRUE(t && *t);
    return t && *t ? (*t)->last_used_at : std::nullopt;
  }
};

}  // namespace

TEST_P(TokenStoreTest, InsertThenFindByHashReturnsEveryField) {
  ASSERT_TRUE(db_->tokens().insert(a_token("acme", "t1", "u1", kT0 + 5)));
  auto t = db_->tokens().find_by_hash("sha256-of-t1");
  ASSERT_TRUE(t && *t);
  EXPECT_EQ((*t)->id, "t1");
  EXPECT_EQ((*t)->team_id, "acme");
  EXPECT_EQ((*t)->created_by, "u1");
  EXPECT_EQ((*t)->name, "token t1");
  EXPECT_EQ((*t)->prefix, "gh_t1");
  EXPECT_EQ((*t)->secret_hash, "sha256-of-t1");
  EXPECT_EQ((*t)->created_at, kT0 + 5);
  EXPECT_FALSE((*t)->last_used_at);
  EXPECT_FALSE((*t)->revoked_at);
}

TEST_P(TokenStoreTest, UnknownHashIsEmptyNotError) {
  auto t = db_->tokens().find_by_hash("sha256-of-nothing");
  ASSERT_TRUE(t);
  EXPECT_FALSE(*t);
}

// Team-scoped lookups back /api/v1/tokens/{id}: naming another team's token
// id must look exactly like naming no token at all.
TEST_P(TokenStoreTest, FindIsScopedToTheTeam) {
  ASSERT_TRUE(db_->tokens().insert(a_token("acme", "t1", "u1")));
  auto mine = db_->tokens().find("acme", "t1");
  ASSERT_TRUE(mine && *mine);
  EXPECT_EQ((*mine)->id, "t1");
  auto theirs = db_->tokens().find("globex", "t1");
  ASSERT_TRUE(theirs);
  EXPECT_FALSE(*theirs);
}

TEST_P(TokenStoreTest, FindByIdNeedsNoTeam) {
  ASSERT_TRUE(db_->tokens().insert(a_token("globex", "t1", "u1")));
  auto t = db_->tokens().find_by_id("t1");
  ASSERT_TRUE(t && *t);
  EXPECT_EQ((*t)->team_id, "globex");
  EXPECT_FALSE(*db_->tokens().find_by_id("t-none"));
}

TEST_P(TokenStoreTest, ListIsOldestFirstAndOnlyThatTeam) {
  ASSERT_TRUE(db_->tokens().insert(a_token("acme", "t-late", "u1", kT0 + 20)));
  ASSERT_TRUE(db_->tokens().insert(a_token("acme", "t-early", "u1", kT0 + 10)));
  ASSERT_TRUE(db_->tokens().insert(a_token("globex", "t-other", "u1", kT0)));
  EXPECT_THAT(active("acme"), ElementsAre("t-early", "t-late"));
}

TEST_P(TokenStoreTest, ListExcludesRevoked) {
  ASSERT_TRUE(db_->tokens().insert(a_token("acme", "t1", "u1", kT0 + 1)));
  ASSERT_TRUE(db_->tokens().insert(a_token("acme", "t2", "u1", kT0 + 2)));
  ASSERT_TRUE(db_->tokens().revoke("acme", "t1", kT0 + 50));
  EXPECT_THAT(active("acme"), ElementsAre("t2"));
}

// Personal workspaces show each person only their own tokens.
TEST_P(TokenStoreTest, ListFiltersByCreator) {
  ASSERT_TRUE(db_->tokens().insert(a_token("acme", "t-ada", "ada", kT0 + 1)));
  ASSERT_TRUE(db_->tokens().insert(a_token("acme", "t-bob", "bob", kT0 + 2)));
  EXPECT_THAT(active("acme", "ada"), ElementsAre("t-ada"));
  EXPECT_THAT(active("acme", "bob"), ElementsAre("t-bob"));
  EXPECT_THAT(active("acme", "carol"), ElementsAre());
  EXPECT_THAT(active("acme"), ElementsAre("t-ada", "t-bob"));
}

// Revoked tokens stay for billing; the gateway still finds them by hash and
// refuses them because revoked_at is set.
TEST_P(TokenStoreTest, RevokedTokenIsStillFoundWithItsRevocationTime) {
  ASSERT_TRUE(db_->tokens().insert(a_token("acme", "t1", "u1")));
  ASSERT_TRUE(db_->tokens().revoke("acme", "t1", kT0 + 50));
  auto t = db_->tokens().find_by_hash("sha256-of-t1");
  ASSERT_TRUE(t && *t);
  EXPECT_EQ((*t)->revoked_at, kT0 + 50);
}

// A second revoke must not move revoked_at: billing reads when it stopped.
TEST_P(TokenStoreTest, RevokeTwiceIsNotFoundAndKeepsTheFirstTime) {
  ASSERT_TRUE(db_->tokens().insert(a_token("acme", "t1", "u1")));
  ASSERT_TRUE(db_->tokens().revoke("acme", "t1", kT0 + 50));
  auto again = db_->tokens().revoke("acme", "t1", kT0 + 90);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), store::StoreError::not_found);
  EXPECT_EQ((*db_->tokens().find_by_id("t1"))->revoked_at, kT0 + 50);
}

TEST_P(TokenStoreTest, RevokeOfUnknownTokenIsNotFound) {
  auto r = db_->tokens().revoke("acme", "t-none", kT0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), store::StoreError::not_found);
}

TEST_P(TokenStoreTest, RevokeOfAnotherTeamsTokenIsNotFoundAndLeavesItActive) {
  ASSERT_TRUE(db_->tokens().insert(a_token("globex", "t1", "u1")));
  auto r = db_->tokens().revoke("acme", "t1", kT0 + 50);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), store::StoreError::not_found);
  EXPECT_FALSE((*db_->tokens().find_by_id("t1"))->revoked_at);
}

// Flushes from several gateway instances arrive out of order; an older
// report must not move last_used_at back.
TEST_P(TokenStoreTest, RecordUseOnlyMovesForward) {
  ASSERT_TRUE(db_->tokens().insert(a_token("acme", "t1", "u1")));
  ASSERT_TRUE(db_->tokens().record_use({{"t1", kT0 + 200}}));
  EXPECT_EQ(last_used("t1"), kT0 + 200);
  ASSERT_TRUE(db_->tokens().record_use({{"t1", kT0 + 100}}));
  EXPECT_EQ(last_used("t1"), kT0 + 200);
  ASSERT_TRUE(db_->tokens().record_use({{"t1", kT0 + 300}}));
  EXPECT_EQ(last_used("t1"), kT0 + 300);
}

TEST_P(TokenStoreTest, RecordUseBatchKeepsEachTokensLatest) {
  ASSERT_TRUE(db_->tokens().insert(a_token("acme", "t1", "u1")));
  ASSERT_TRUE(db_->tokens().insert(a_token("acme", "t2", "u1")));
  ASSERT_TRUE(db_->tokens().record_use({{"t1", kT0 + 500}, {"t2", kT0 + 10}, {"t1", kT0 + 400}}));
  EXPECT_EQ(last_used("t1"), kT0 + 500);
  EXPECT_EQ(last_used("t2"), kT0 + 10);
}

// A token whose team was removed between request and flush must not make
// the whole batch fail.
TEST_P(TokenStoreTest, RecordUseOfUnknownTokenIsIgnored) {
  ASSERT_TRUE(db_->tokens().insert(a_token("acme", "t1", "u1")));
  ASSERT_TRUE(db_->tokens().record_use({{"t-gone", kT0 + 5}, {"t1", kT0 + 6}}));
  EXPECT_EQ(last_used("t1"), kT0 + 6);
  EXPECT_FALSE(*db_->tokens().find_by_id("t-gone"));
}

// The hash is the gateway's only key: two tokens with one hash would make
// authentication ambiguous, across teams too.
TEST_P(TokenStoreTest, DuplicateSecretHashIsConflictEvenAcrossTeams) {
  ASSERT_TRUE(db_->tokens().insert(a_token("acme", "t1", "u1")));
  auto same_team = a_token("acme", "t2", "u1");
  same_team.secret_hash = "sha256-of-t1";
  auto r1 = db_->tokens().insert(same_team);
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error(), store::StoreError::conflict);
  auto other_team = a_token("globex", "t3", "u1");
  other_team.secret_hash = "sha256-of-t1";
  auto r2 = db_->tokens().insert(other_team);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error(), store::StoreError::conflict);
  EXPECT_EQ((*db_->tokens().find_by_hash("sha256-of-t1"))->id, "t1");
}

TEST_P(TokenStoreTest, TokenOfUnknownTeamIsRefused) {
  EXPECT_FALSE(db_->tokens().insert(a_token("ghost", "t1", "u1")));
  EXPECT_FALSE(*db_->tokens().find_by_id("t1"));
}

INSTANTIATE_TEST_SUITE_P(Backends, TokenStoreTest, ::testing::ValuesIn(store_backends()),
                         backend_name);

}  // namespace gatehouse::testing
