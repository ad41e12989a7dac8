#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rows.hpp"

namespace gatehouse::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class UsageStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(db_->teams().insert(a_team("acme")));
    ASSERT_TRUE(db_->teams().insert(a_team("globex")));
  }

  domain::UsageReport report(std::string_view team, std::string_view from, std::string_view to) {
    auto r = db_->usage().report(team, from, to);
    EXPECT_TRUE(r);
    return r ? *r : domain::UsageReport{};
  }
};

std::vector<std::string> keys(const std::vector<domain::UsageRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.key);
  return out;
}

const domain::UsageRow* row(const std::vector<domain::UsageRow>& rows, std::string_view key) {
  for (const auto& r : rows)
    if (r.key == key) return &r;
  return nullptr;
}

}  // namespace

TEST_P(UsageStoreTest, InsertReturnsHowManyWereNew) {
  auto n = db_->usage().insert(
      {a_usage("e1", "acme", "2026-11-01"), a_usage("e2", "acme", "2026-11-01")});
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
}

TEST_P(UsageStoreTest, EmptyBatchAddsNothing) {
  auto n = db_->usage().insert({});
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 0);
}

// The gateway retries a flush whose answer it did not see; counting the retry
// would bill the team twice.
TEST_P(UsageStoreTest, SameBatchTwiceAddsNothingAndKeepsTotals) {
  const std::vector<domain::UsageEvent> batch{a_usage("e1", "acme", "2026-11-01"),
                                              a_usage("e2", "acme", "2026-11-02")};
  ASSERT_EQ(*db_->usage().insert(batch), 2);
  auto before = report("acme", "2026-11-01", "2026-11-30");
  auto again = db_->usage().insert(batch);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
  auto after = report("acme", "2026-11-01", "2026-11-30");
  EXPECT_EQ(after.total_micros, before.total_micros);
  EXPECT_EQ(after.total_micros, 2000);
  ASSERT_EQ(after.by_day.size(), 2u);
  EXPECT_EQ(after.by_day[0].requests, 1);
}

TEST_P(UsageStoreTest, RetriedBatchWithOneNewEventAddsOnlyThatOne) {
  ASSERT_EQ(*db_->usage().insert({a_usage("e1", "acme", "2026-11-01")}), 1);
  auto n = db_->usage().insert(
      {a_usage("e1", "acme", "2026-11-01"), a_usage("e2", "acme", "2026-11-01")});
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(report("acme", "2026-11-01", "2026-11-01").total_micros, 2000);
}

TEST_P(UsageStoreTest, RepeatedIdWithinOneBatchCountsOnce) {
  auto n = db_->usage().insert(
      {a_usage("e1", "acme", "2026-11-01"), a_usage("e1", "acme", "2026-11-01")});
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(report("acme", "2026-11-01", "2026-11-01").total_micros, 1000);
}

TEST_P(UsageStoreTest, ReportSumsByDayModelAndToken) {
  auto e1 = a_usage("e1", "acme", "2026-11-01", "small", "tok-a", 100);
  auto e2 = a_usage("e2", "acme", "2026-11-01", "large", "tok-a", 5000);
  auto e3 = a_usage("e3", "acme", "2026-11-02", "large", "tok-b", 7000);
  e3.input_tokens = 1;
  e3.output_tokens = 2;
  ASSERT_EQ(*db_->usage().insert({e1, e2, e3}), 3);

  auto r = report("acme", "2026-11-01", "2026-11-02");
  EXPECT_EQ(r.total_micros, 12100);

  EXPECT_THAT(keys(r.by_day), ElementsAre("2026-11-01", "2026-11-02"));
  const auto* nov1 = row(r.by_day, "2026-11-01");
  ASSERT_TRUE(nov1);
  EXPECT_EQ(nov1->input_tokens, 20);
  EXPECT_EQ(nov1->output_tokens, 40);
  EXPECT_EQ(nov1->cost_micros, 5100);
  EXPECT_EQ(nov1->requests, 2);

  ASSERT_EQ(r.by_model.size(), 2u);
  const auto* large = row(r.by_model, "large");
  ASSERT_TRUE(large);
  EXPECT_EQ(large->input_tokens, 11);
  EXPECT_EQ(large->output_tokens, 22);
  EXPECT_EQ(large->cost_micros, 12000);
  EXPECT_EQ(large->requests, 2);
  ASSERT_TRUE(row(r.by_model, "small"));
  EXPECT_EQ(row(r.by_model, "small")->cost_micros, 100);

  ASSERT_EQ(r.by_token.size(), 2u);
  ASSERT_TRUE(row(r.by_token, "tok-a"));
  EXPECT_EQ(row(r.by_token, "tok-a")->cost_micros, 5100);
  EXPECT_EQ(row(r.by_token, "tok-a")->requests, 2);
  ASSERT_TRUE(row(r.by_token, "tok-b"));
  EXPECT_EQ(row(r.by_token, "tok-b")->cost_micros, 7000);
}

// ?from=&to= name whole days and both are included (SPEC.md billing route).
TEST_P(UsageStoreTest, PeriodBoundariesAreInclusive) {
  ASSERT_EQ(*db_->usage().insert(
                {a_usage("before", "acme", "2026-10-31"), a_usage("first", "acme", "2026-11-01"),
                 a_usage("last", "acme", "2026-11-30"), a_usage("after", "acme", "2026-12-01")}),
            4);
  auto r = report("acme", "2026-11-01", "2026-11-30");
  EXPECT_THAT(keys(r.by_day), ElementsAre("2026-11-01", "2026-11-30"));
  EXPECT_EQ(r.total_micros, 2000);
}

TEST_P(UsageStoreTest, OneDayPeriodIsThatDay) {
  ASSERT_EQ(*db_->usage().insert(
                {a_usage("e1", "acme", "2026-11-01"), a_usage("e2", "acme", "2026-11-02")}),
            2);
  EXPECT_THAT(keys(report("acme", "2026-11-02", "2026-11-02").by_day), ElementsAre("2026-11-02"));
}

TEST_P(UsageStoreTest, ReportIsScopedToTheTeam) {
  ASSERT_EQ(*db_->usage().insert({a_usage("a1", "acme", "2026-11-01", "m1", "tok-a", 100),
                                  a_usage("g1", "globex", "2026-11-01", "m1", "tok-g", 9000)}),
            2);
  auto r = report("acme", "2026-11-01", "2026-11-01");
  EXPECT_EQ(r.total_micros, 100);
  EXPECT_THAT(keys(r.by_token), ElementsAre("tok-a"));
}

TEST_P(UsageStoreTest, PeriodWithoutUsageIsAnEmptyReport) {
  auto r = report("acme", "2026-11-01", "2026-11-30");
  EXPECT_EQ(r.total_micros, 0);
  EXPECT_THAT(r.by_day, IsEmpty());
  EXPECT_THAT(r.by_model, IsEmpty());
  EXPECT_THAT(r.by_token, IsEmpty());
}

// All or nothing: the gateway sees the flush fail and keeps the whole batch;
// a partly stored batch would leave billed rows nobody knows were kept.
TEST_P(UsageStoreTest, BatchWithOneBadEventStoresNothing) {
  auto bad = a_usage("e3", "no-such-team", "2026-11-01");  // violates the team foreign key
  auto r = db_->usage().insert(
      {a_usage("e1", "acme", "2026-11-01"), a_usage("e2", "acme", "2026-11-01"), bad});
  EXPECT_FALSE(r);
  EXPECT_EQ(report("acme", "2026-11-01", "2026-11-01").total_micros, 0);
  // The good events were not stored: sent again alone, both are new.
  auto retry = db_->usage().insert(
      {a_usage("e1", "acme", "2026-11-01"), a_usage("e2", "acme", "2026-11-01")});
  ASSERT_TRUE(retry);
  EXPECT_EQ(*retry, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, UsageStoreTest, ::testing::ValuesIn(store_backends()),
                         backend_name);

}  // namespace gatehouse::testing
