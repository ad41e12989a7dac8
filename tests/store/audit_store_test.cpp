#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rows.hpp"

namespace gatehouse::testing {
namespace {

using ::testing::ElementsAre;

constexpr std::int64_t kUs = 1'000'000;  // audit times are unix microseconds

domain::AuditEvent an_event(std::string id, std::string team_id, std::int64_t at_us) {
  return {std::move(id), at_us, std::move(team_id),   "ada@acme.test",
          "role.change", "u2",  R"({"role":"admin"})"};
}

class AuditStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(db_->teams().insert(a_team("acme")));
    ASSERT_TRUE(db_->teams().insert(a_team("globex")));
  }

  std::vector<std::string> ids(const store::AuditQuery& q) {
    auto events = db_->audit().list(q);
    EXPECT_TRUE(events);
    std::vector<std::string> out;
    if (events)
      for (const auto& e : *events) out.push_back(e.id);
    return out;
  }
};

}  // namespace

TEST_P(AuditStoreTest, AppendThenListReturnsEveryField) {
  ASSERT_TRUE(db_->audit().append(an_event("e1", "acme", kT0 * kUs + 7)));
  auto events = db_->audit().list({});
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  const auto& e = events->front();
  EXPECT_EQ(e.id, "e1");
  EXPECT_EQ(e.at_us, kT0 * kUs + 7);
  EXPECT_EQ(e.team_id, "acme");
  EXPECT_EQ(e.actor, "ada@acme.test");
  EXPECT_EQ(e.action, "role.change");
  EXPECT_EQ(e.target, "u2");
  EXPECT_EQ(e.details, R"({"role":"admin"})");
}

TEST_P(AuditStoreTest, EmptyTrailListsNothing) {
  auto events = db_->audit().list({});
  ASSERT_TRUE(events);
  EXPECT_TRUE(events->empty());
}

// SPEC.md: `audit --json` prints events oldest first, whatever order they
// were written in; microseconds order events within one second.
TEST_P(AuditStoreTest, ListIsOldestFirst) {
  ASSERT_TRUE(db_->audit().append(an_event("e3", "acme", kT0 * kUs + 2)));
  ASSERT_TRUE(db_->audit().append(an_event("e1", "acme", kT0 * kUs)));
  ASSERT_TRUE(db_->audit().append(an_event("e2", "acme", kT0 * kUs + 1)));
  EXPECT_THAT(ids({}), ElementsAre("e1", "e2", "e3"));
}

TEST_P(AuditStoreTest, FilterByTeamShowsOnlyThatTeam) {
  ASSERT_TRUE(db_->audit().append(an_event("a1", "acme", kT0 * kUs)));
  ASSERT_TRUE(db_->audit().append(an_event("g1", "globex", kT0 * kUs + 1)));
  ASSERT_TRUE(db_->audit().append(an_event("a2", "acme", kT0 * kUs + 2)));
  EXPECT_THAT(ids({.team_id = "acme"}), ElementsAre("a1", "a2"));
  EXPECT_THAT(ids({.team_id = "globex"}), ElementsAre("g1"));
  EXPECT_THAT(ids({}), ElementsAre("a1", "g1", "a2"));
}

TEST_P(AuditStoreTest, SinceIsInclusive) {
  ASSERT_TRUE(db_->audit().append(an_event("before", "acme", kT0 * kUs - 1)));
  ASSERT_TRUE(db_->audit().append(an_event("at", "acme", kT0 * kUs)));
  ASSERT_TRUE(db_->audit().append(an_event("after", "acme", kT0 * kUs + 1)));
  EXPECT_THAT(ids({.since_us = kT0 * kUs}), ElementsAre("at", "after"));
}

TEST_P(AuditStoreTest, TeamAndSinceFilterTogether) {
  ASSERT_TRUE(db_->audit().append(an_event("a-old", "acme", kT0 * kUs - 1)));
  ASSERT_TRUE(db_->audit().append(an_event("g-new", "globex", kT0 * kUs + 1)));
  ASSERT_TRUE(db_->audit().append(an_event("a-new", "acme", kT0 * kUs + 2)));
  EXPECT_THAT(ids({.team_id = "acme", .since_us = kT0 * kUs}), ElementsAre("a-new"));
}

TEST_P(AuditStoreTest, LimitCapsTheCount) {
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(db_->audit().append(an_event("e" + std::to_string(i), "acme", kT0 * kUs + i)));
  EXPECT_EQ(ids({.limit = 3}).size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditStoreTest, ::testing::ValuesIn(store_backends()),
                         backend_name);

}  // namespace gatehouse::testing
