#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rows.hpp"

namespace gatehouse::testing {
namespace {

using domain::Role;
using RoleChange = store::UserStore::RoleChange;

class UserStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(db_->teams().insert(a_team("acme")));
    ASSERT_TRUE(db_->teams().insert(a_team("globex")));
  }

  Role role_of(std::string_view user_id) {
    auto u = db_->users().find(user_id);
    EXPECT_TRUE(u && *u);
    return u && *u ? (*u)->role : Role::member;
  }
};

}  // namespace

TEST_P(UserStoreTest, InsertThenFindReturnsEveryField) {
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u1", "sub-1", Role::admin, kT0 + 5)));
  auto u = db_->users().find("u1");
  ASSERT_TRUE(u && *u);
  EXPECT_EQ((*u)->team_id, "acme");
  EXPECT_EQ((*u)->sub, "sub-1");
  EXPECT_EQ((*u)->email, "sub-1@example.test");
  EXPECT_EQ((*u)->name, "Person sub-1");
  EXPECT_EQ((*u)->role, Role::admin);
  EXPECT_EQ((*u)->created_at, kT0 + 5);
  EXPECT_EQ((*u)->last_login_at, kT0 + 5);
}

TEST_P(UserStoreTest, UnknownUserIsEmptyNotError) {
  auto by_id = db_->users().find("nobody");
  ASSERT_TRUE(by_id);
  EXPECT_FALSE(*by_id);
  auto by_sub = db_->users().find_by_sub("acme", "nobody");
  ASSERT_TRUE(by_sub);
  EXPECT_FALSE(*by_sub);
}

TEST_P(UserStoreTest, FindBySubIsScopedToTheTeam) {
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u1", "sub-1")));
  auto here = db_->users().find_by_sub("acme", "sub-1");
  ASSERT_TRUE(here && *here);
  EXPECT_EQ((*here)->id, "u1");
  // A sub is only unique within one issuer (OIDC Core 5.7): another team's
  // provider may hand out the same string for someone else.
  auto there = db_->users().find_by_sub("globex", "sub-1");
  ASSERT_TRUE(there);
  EXPECT_FALSE(*there);
}

// Two first sign-ins of one person at once both try to insert; the second
// must learn it lost rather than create a twin.
TEST_P(UserStoreTest, SameSubTwiceInOneTeamIsConflict) {
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u1", "sub-1")));
  auto again = db_->users().insert(a_user("acme", "u2", "sub-1"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), store::StoreError::conflict);
  EXPECT_FALSE(*db_->users().find("u2"));
}

TEST_P(UserStoreTest, SameSubInTwoTeamsIsTwoPeople) {
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u1", "sub-1")));
  ASSERT_TRUE(db_->users().insert(a_user("globex", "u2", "sub-1")));
  EXPECT_EQ((*db_->users().find_by_sub("acme", "sub-1"))->id, "u1");
  EXPECT_EQ((*db_->users().find_by_sub("globex", "sub-1"))->id, "u2");
}

TEST_P(UserStoreTest, UserOfUnknownTeamIsRefused) {
  EXPECT_FALSE(db_->users().insert(a_user("ghost", "u1", "sub-1")));
  EXPECT_FALSE(*db_->users().find("u1"));
}

TEST_P(UserStoreTest, ListByTeamIsOldestFirstAndOnlyThatTeam) {
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u-c", "sub-c", Role::member, kT0 + 30)));
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u-a", "sub-a", Role::member, kT0 + 10)));
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u-b", "sub-b", Role::member, kT0 + 20)));
  ASSERT_TRUE(db_->users().insert(a_user("globex", "u-x", "sub-x", Role::member, kT0)));
  auto list = db_->users().list_by_team("acme");
  ASSERT_TRUE(list);
  std::vector<std::string> ids;
  for (const auto& u : *list) ids.push_back(u.id);
  EXPECT_THAT(ids, ::testing::ElementsAre("u-a", "u-b", "u-c"));
}

TEST_P(UserStoreTest, ListOfTeamWithoutPeopleIsEmpty) {
  auto list = db_->users().list_by_team("acme");
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->empty());
}

TEST_P(UserStoreTest, PromotingMemberIsChanged) {
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u1", "sub-1", Role::member)));
  auto r = db_->users().set_role("acme", "u1", Role::admin);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, RoleChange::changed);
  EXPECT_EQ(role_of("u1"), Role::admin);
}

TEST_P(UserStoreTest, SettingTheCurrentRoleIsUnchanged) {
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u1", "sub-1", Role::admin)));
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u2", "sub-2", Role::member)));
  EXPECT_EQ(*db_->users().set_role("acme", "u1", Role::admin), RoleChange::unchanged);
  EXPECT_EQ(*db_->users().set_role("acme", "u2", Role::member), RoleChange::unchanged);
}

TEST_P(UserStoreTest, SetRoleOfUnknownPersonIsNotFound) {
  auto r = db_->users().set_role("acme", "nobody", Role::admin);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), store::StoreError::not_found);
}

// An admin of one team must not be able to change a person of another team
// by naming their user id.
TEST_P(UserStoreTest, SetRoleOfAnotherTeamsPersonIsNotFound) {
  ASSERT_TRUE(db_->users().insert(a_user("globex", "u-x", "sub-x", Role::member)));
  auto r = db_->users().set_role("acme", "u-x", Role::admin);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), store::StoreError::not_found);
  EXPECT_EQ(role_of("u-x"), Role::member);
}

TEST_P(UserStoreTest, DemotingTheOnlyAdminIsLastAdminAndKeepsTheRole) {
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u1", "sub-1", Role::admin)));
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u2", "sub-2", Role::member)));
  auto r = db_->users().set_role("acme", "u1", Role::member);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, RoleChange::last_admin);
  EXPECT_EQ(role_of("u1"), Role::admin);
}

// The count is per team: another team's admin does not make this one spare.
TEST_P(UserStoreTest, AdminsOfOtherTeamsDoNotCountTowardsLastAdmin) {
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u1", "sub-1", Role::admin)));
  ASSERT_TRUE(db_->users().insert(a_user("globex", "u-x", "sub-x", Role::admin)));
  EXPECT_EQ(*db_->users().set_role("acme", "u1", Role::member), RoleChange::last_admin);
}

TEST_P(UserStoreTest, DemotingOneOfTwoAdminsIsChanged) {
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u1", "sub-1", Role::admin)));
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u2", "sub-2", Role::admin)));
  EXPECT_EQ(*db_->users().set_role("acme", "u1", Role::member), RoleChange::changed);
  EXPECT_EQ(role_of("u1"), Role::member);
  EXPECT_EQ(*db_->users().set_role("acme", "u2", Role::member), RoleChange::last_admin);
}

// SPEC.md: 409 last_admin "when it would leave the team without an admin".
// A count-then-write outside one serialised transaction lets two admins who
// demote each other at the same moment both see two admins and both succeed,
// leaving the team with none. One fresh team per round and many rounds,
// because one lucky interleaving proves nothing; the two threads live across
// rounds so that each pair of calls can start together.
TEST_P(UserStoreTest, ConcurrentMutualDemotionKeepsOneAdmin) {
  constexpr int kRounds = 50;
  auto team = [](int round) { return "race-" + std::to_string(round); };
  for (int round = 0; round < kRounds; ++round) {
    ASSERT_TRUE(db_->teams().insert(a_team(team(round))));
    ASSERT_TRUE(db_->users().insert(a_user(team(round), team(round) + "-a", "sub-a", Role::admin)));
    ASSERT_TRUE(db_->users().insert(a_user(team(round), team(round) + "-b", "sub-b", Role::admin)));
  }

  std::vector<store::Result<RoleChange>> a_demotes_b(kRounds), b_demotes_a(kRounds);
  // A spinning start line, not a blocking barrier: a woken thread trails by
  // more than a whole set_role call. With std::barrier an unserialised
  // set_role passed every run; with the spin it failed every run.
  std::atomic<int> arrived{0};
  auto demote = [&](const char* target, std::vector<store::Result<RoleChange>>& out) {
    for (int round = 0; round < kRounds; ++round) {
      arrived.fetch_add(1);
      while (arrived.load() < 2 * (round + 1)) {
      }
      out[round] = db_->users().set_role(team(round), team(round) + target, Role::member);
    }
  };
  {
    std::jthread a([&] { demote("-b", a_demotes_b); });
    std::jthread b([&] { demote("-a", b_demotes_a); });
  }

  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    ASSERT_TRUE(a_demotes_b[round]) << store::to_string(a_demotes_b[round].error());
    ASSERT_TRUE(b_demotes_a[round]) << store::to_string(b_demotes_a[round].error());
    EXPECT_EQ((std::multiset<RoleChange>{*a_demotes_b[round], *b_demotes_a[round]}),
              (std::multiset<RoleChange>{RoleChange::changed, RoleChange::last_admin}));
    auto people = db_->users().list_by_team(team(round));
    ASSERT_TRUE(people);
    EXPECT_EQ(std::count_if(people->begin(), people->end(),
                            [](const domain::User& u) { return u.role == Role::admin; }),
              1);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, UserStoreTest, ::testing::ValuesIn(store_backends()),
                         backend_name);

}  // namespace gatehouse::testing
