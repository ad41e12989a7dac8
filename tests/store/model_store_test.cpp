#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rows.hpp"

namespace gatehouse::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

class ModelStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(db_->teams().insert(a_team("acme")));
    ASSERT_TRUE(db_->teams().insert(a_team("globex")));
  }

  std::vector<std::string> ids(std::string_view team,
                               const std::optional<std::string>& by = std::nullopt) {
    auto list = db_->models().list(team, by);
    EXPECT_TRUE(list);
    std::vector<std::string> out;
    if (list)
      for (const auto& m : *list) out.push_back(m.id);
    return out;
  }
};

}  // namespace

TEST_P(ModelStoreTest, InsertThenListReturnsEveryField) {
  ASSERT_TRUE(db_->models().insert(a_model("acme", "m1", "support-bot", "ada")));
  auto list = db_->models().list("acme", std::nullopt);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  const auto& m = list->front();
  EXPECT_EQ(m.id, "m1");
  EXPECT_EQ(m.team_id, "acme");
  EXPECT_EQ(m.created_by, "ada");
  EXPECT_EQ(m.name, "support-bot");
  EXPECT_EQ(m.base_model, "base-llm-7b");
  EXPECT_EQ(m.created_at, kT0);
}

TEST_P(ModelStoreTest, DuplicateNameInOneTeamIsConflict) {
  ASSERT_TRUE(db_->models().insert(a_model("acme", "m1", "support-bot")));
  auto again = db_->models().insert(a_model("acme", "m2", "support-bot"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), store::StoreError::conflict);
  EXPECT_THAT(ids("acme"), ElementsAre("m1"));
}

TEST_P(ModelStoreTest, SameNameInTwoTeamsIsAllowed) {
  ASSERT_TRUE(db_->models().insert(a_model("acme", "m1", "support-bot")));
  ASSERT_TRUE(db_->models().insert(a_model("globex", "m2", "support-bot")));
  EXPECT_THAT(ids("acme"), ElementsAre("m1"));
  EXPECT_THAT(ids("globex"), ElementsAre("m2"));
}

TEST_P(ModelStoreTest, ListFiltersByOwner) {
  ASSERT_TRUE(db_->models().insert(a_model("acme", "m-ada", "a", "ada")));
  ASSERT_TRUE(db_->models().insert(a_model("acme", "m-bob", "b", "bob")));
  EXPECT_THAT(ids("acme", "ada"), ElementsAre("m-ada"));
  EXPECT_THAT(ids("acme", "carol"), ElementsAre());
  EXPECT_THAT(ids("acme"), UnorderedElementsAre("m-ada", "m-bob"));
}

TEST_P(ModelStoreTest, RemoveByOwnerDeletesIt) {
  ASSERT_TRUE(db_->models().insert(a_model("acme", "m1", "support-bot", "ada")));
  ASSERT_TRUE(db_->models().remove("acme", "m1", "ada"));
  EXPECT_THAT(ids("acme"), ElementsAre());
}

TEST_P(ModelStoreTest, RemoveWithoutOwnerDeletesAnyonesModel) {
  ASSERT_TRUE(db_->models().insert(a_model("acme", "m1", "support-bot", "ada")));
  ASSERT_TRUE(db_->models().remove("acme", "m1", std::nullopt));
  EXPECT_THAT(ids("acme"), ElementsAre());
}

// Personal workspaces: one person must not delete another's model.
TEST_P(ModelStoreTest, RemoveWithWrongOwnerIsNotFoundAndKeepsIt) {
  ASSERT_TRUE(db_->models().insert(a_model("acme", "m1", "support-bot", "ada")));
  auto r = db_->models().remove("acme", "m1", "bob");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), store::StoreError::not_found);
  EXPECT_THAT(ids("acme"), ElementsAre("m1"));
}

TEST_P(ModelStoreTest, RemoveOfAnotherTeamsModelIsNotFoundAndKeepsIt) {
  ASSERT_TRUE(db_->models().insert(a_model("globex", "m1", "support-bot")));
  auto r = db_->models().remove("acme", "m1", std::nullopt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), store::StoreError::not_found);
  EXPECT_THAT(ids("globex"), ElementsAre("m1"));
}

TEST_P(ModelStoreTest, RemoveTwiceIsNotFound) {
  ASSERT_TRUE(db_->models().insert(a_model("acme", "m1", "support-bot")));
  ASSERT_TRUE(db_->models().remove("acme", "m1", std::nullopt));
  auto again = db_->models().remove("acme", "m1", std::nullopt);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), store::StoreError::not_found);
}

// Freeing a name by removing the model lets it be used again.
TEST_P(ModelStoreTest, NameIsFreeAgainAfterRemove) {
  ASSERT_TRUE(db_->models().insert(a_model("acme", "m1", "support-bot")));
  ASSERT_TRUE(db_->models().remove("acme", "m1", std::nullopt));
  EXPECT_TRUE(db_->models().insert(a_model("acme", "m2", "support-bot")));
}

INSTANTIATE_TEST_SUITE_P(Backends, ModelStoreTest, ::testing::ValuesIn(store_backends()),
                         backend_name);

}  // namespace gatehouse::testing
