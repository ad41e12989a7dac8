#include <gtest/gtest.h>

#include "backends.hpp"

namespace gatehouse::testing {
namespace {

domain::Team team(std::string id) {
  domain::Team t;
  t.id = std::move(id);
  t.name = "Acme";
  t.issuer = "https://acme.okta.com";
  t.client_id = "cid";
  t.client_secret_sealed = "gh1.k.sealed";
  t.admin_email = "ada@acme.test";
  t.created_at = t.updated_at = 1700000000;
  return t;
}

class TeamStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (auto why = GetParam().unavailable()) GTEST_SKIP() << *why;
    db_ = GetParam().open();
  }
  std::unique_ptr<store::Database> db_;
};

}  // namespace

TEST_P(TeamStoreTest, InsertThenFind) {
  ASSERT_TRUE(db_->teams().insert(team("acme")));
  auto t = db_->teams().find("acme");
  ASSERT_TRUE(t && *t);
  EXPECT_EQ((*t)->issuer, "https://acme.okta.com");
  EXPECT_EQ((*t)->client_secret_sealed, "gh1.k.sealed");
  EXPECT_TRUE((*t)->enabled);
  EXPECT_EQ((*t)->workspace, domain::Workspace::shared);
}

TEST_P(TeamStoreTest, MissingTeamIsEmptyNotError) {
  auto t = db_->teams().find("nope");
  ASSERT_TRUE(t);
  EXPECT_FALSE(*t);
}

TEST_P(TeamStoreTest, DuplicateIdIsConflict) {
  ASSERT_TRUE(db_->teams().insert(team("acme")));
  EXPECT_EQ(db_->teams().insert(team("acme")).error(), store::StoreError::conflict);
}

TEST_P(TeamStoreTest, UpdateChangesFields) {
  ASSERT_TRUE(db_->teams().insert(team("acme")));
  auto t = team("acme");
  t.enabled = false;
  t.workspace = domain::Workspace::personal;
  t.updated_at = 1700000100;
  ASSERT_TRUE(db_->teams().update(t));
  auto got = db_->teams().find("acme");
  EXPECT_FALSE((*got)->enabled);
  EXPECT_EQ((*got)->workspace, domain::Workspace::personal);
  EXPECT_EQ((*got)->created_at, 1700000000);
  EXPECT_EQ((*got)->updated_at, 1700000100);
}

TEST_P(TeamStoreTest, UpdateOrRemoveMissingIsNotFound) {
  EXPECT_EQ(db_->teams().update(team("ghost")).error(), store::StoreError::not_found);
  EXPECT_EQ(db_->teams().remove("ghost").error(), store::StoreError::not_found);
}

TEST_P(TeamStoreTest, ListIsOrderedById) {
  ASSERT_TRUE(db_->teams().insert(team("zeta")));
  ASSERT_TRUE(db_->teams().insert(team("acme")));
  auto all = db_->teams().list();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "acme");
}

// Both backends run one SQL text whose ORDER BY says COLLATE "C" (byte
// order, whatever the PostgreSQL database's collation); SQLite rewrites it to
// its BINARY. Upper case sorts before '_' and lower case in both.
TEST_P(TeamStoreTest, ListIsInByteOrderOnEveryBackend) {
  for (const char* id : {"acme", "_lab", "Zeta"}) ASSERT_TRUE(db_->teams().insert(team(id)));
  auto all = db_->teams().list();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, "Zeta");
  EXPECT_EQ((*all)[1].id, "_lab");
  EXPECT_EQ((*all)[2].id, "acme");
}

TEST_P(TeamStoreTest, SqlInjectionInIdIsJustData) {
  auto t = team("x'); DROP TABLE teams; --");
  ASSERT_TRUE(db_->teams().insert(t));
  EXPECT_TRUE(*db_->teams().find("x'); DROP TABLE teams; --"));
  EXPECT_TRUE(db_->teams().list());
}

TEST_P(TeamStoreTest, MigrateTwiceAppliesNothing) {
  auto again = db_->migrate();
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(*again, 0);
  EXPECT_TRUE(db_->ping());
}

INSTANTIATE_TEST_SUITE_P(Backends, TeamStoreTest, ::testing::ValuesIn(store_backends()),
                         backend_name);

}  // namespace gatehouse::testing
