// The sign-in's one transaction (store/signin_store.hpp): person, session and
// signin.success land together or not at all, on every backend.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "rows.hpp"

namespace gatehouse::testing {
namespace {

using domain::Role;

class SigninStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(db_->teams().insert(a_team("acme")));
  }

  // What SigninFlow hands over: a candidate person (used only when new), a
  // session without its user_id, and an event made from the stored person.
  static store::CompletedSignin a_signin(std::string candidate_id, std::string sub,
                                         std::string session_hash, std::string event_id,
                                         std::int64_t at = kT0 + 100) {
    store::CompletedSignin s;
    s.person = a_user("acme", std::move(candidate_id), std::move(sub), Role::member, at);
    s.session = a_session(std::move(session_hash), s.person, at + 3600);
    s.session.user_id.clear();
    s.audit = [event_id = std::move(event_id), at](const domain::User& u) {
      return domain::AuditEvent{event_id,
                                at * 1'000'000,
                                u.team_id,
                                u.email,
                                "signin.success",
                                u.id,
                                "{\"role\":\"" + std::string(domain::to_string(u.role)) + "\"}"};
    };
    return s;
  }

  std::vector<domain::User> people() {
    auto l = db_->users().list_by_team("acme");
    EXPECT_TRUE(l);
    return l ? *l : std::vector<domain::User>{};
  }
  std::vector<domain::AuditEvent> events() {
    auto l = db_->audit().list({.team_id = "acme"});
    EXPECT_TRUE(l);
    return l ? *l : std::vector<domain::AuditEvent>{};
  }
  bool session_exists(const std::string& id_hash) {
    auto s = db_->sessions().find(id_hash);
    EXPECT_TRUE(s);
    return s && *s;
  }
};

}  // namespace

TEST_P(SigninStoreTest, FirstSignInStoresPersonSessionAndEventTogether) {
  auto r = db_->signins().record(a_signin("u1", "sub-1", "h1", "e1"));
  ASSERT_TRUE(r) << store::to_string(r.error());
  EXPECT_TRUE(r->created);
  EXPECT_FALSE(r->profile_changed);
  EXPECT_EQ(r->person.id, "u1");

  auto stored = people();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].id, "u1");
  EXPECT_EQ(stored[0].created_at, kT0 + 100);
  auto s = db_->sessions().find("h1");
  ASSERT_TRUE(s && *s);
  EXPECT_EQ((*s)->user_id, "u1");
  EXPECT_EQ((*s)->expires_at, kT0 + 100 + 3600);
  auto e = events();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].id, "e1");
  EXPECT_EQ(e[0].target, "u1");
}

// The role is decided once, at the first sign-in (SPEC.md §7): a later
// sign-in's candidate (here a member with a fresh id) must not replace it.
TEST_P(SigninStoreTest, ReturningPersonKeepsIdRoleAndCreationAndGetsNewProfile) {
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u1", "sub-1", Role::admin)));
  auto in = a_signin("u-candidate", "sub-1", "h1", "e1", kT0 + 500);
  in.person.email = "new@acme.test";
  in.person.name = "New Name";
  auto r = db_->signins().record(in);
  ASSERT_TRUE(r) << store::to_string(r.error());
  EXPECT_FALSE(r->created);
  EXPECT_TRUE(r->profile_changed);
  EXPECT_EQ(r->person.id, "u1");
  EXPECT_EQ(r->person.role, Role::admin);
  EXPECT_EQ(r->person.email, "new@acme.test");

  auto stored = people();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].id, "u1");
  EXPECT_EQ(stored[0].role, Role::admin);
  EXPECT_EQ(stored[0].created_at, kT0);
  EXPECT_EQ(stored[0].last_login_at, kT0 + 500);
  EXPECT_EQ(stored[0].email, "new@acme.test");
  EXPECT_EQ(stored[0].name, "New Name");
  auto s = db_->sessions().find("h1");
  ASSERT_TRUE(s && *s);
  EXPECT_EQ((*s)->user_id, "u1");
  auto e = events();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].target, "u1");
  EXPECT_EQ(e[0].details, R"({"role":"admin"})");
}

// The session cache evicts and announces only a changed profile: a flag that
// is always set would flood every instance's change feed.
TEST_P(SigninStoreTest, SignInWithTheSameProfileIsNoProfileChange) {
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u1", "sub-1")));
  auto r = db_->signins().record(a_signin("u-candidate", "sub-1", "h1", "e1"));
  ASSERT_TRUE(r) << store::to_string(r.error());
  EXPECT_FALSE(r->created);
  EXPECT_FALSE(r->profile_changed);
}

// An event id that exists already makes the audit insert, the last write,
// fail: the session and the new person before it must go with it, or a
// session would live with no signin.success behind it.
TEST_P(SigninStoreTest, SessionWithoutAuditTrailIsNeverLeftBehind) {
  ASSERT_TRUE(db_->audit().append({"e1", kT0, "acme", "x", "earlier", "", "{}"}));
  auto r = db_->signins().record(a_signin("u1", "sub-1", "h1", "e1"));
  ASSERT_FALSE(r);
  EXPECT_FALSE(session_exists("h1"));
  EXPECT_TRUE(people().empty());
  EXPECT_EQ(events().size(), 1u);
}

// The same for a returning person: their login time and profile stay as
// they were when the sign-in did not happen.
TEST_P(SigninStoreTest, FailedSignInOfReturningPersonLeavesTheirProfileUntouched) {
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u1", "sub-1")));
  ASSERT_TRUE(db_->audit().append({"e1", kT0, "acme", "x", "earlier", "", "{}"}));
  auto in = a_signin("u-candidate", "sub-1", "h1", "e1", kT0 + 500);
  in.person.email = "new@acme.test";
  ASSERT_FALSE(db_->signins().record(in));
  auto stored = people();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].email, "sub-1@example.test");
  EXPECT_EQ(stored[0].last_login_at, kT0);
  EXPECT_FALSE(session_exists("h1"));
}

// A session id that exists already makes the session insert fail: no
// signin.success may claim a sign-in that made no session, and no person
// may be created by it.
TEST_P(SigninStoreTest, AuditEventWithoutSessionIsNeverLeftBehind) {
  auto earlier = a_user("acme", "u0", "sub-0");
  ASSERT_TRUE(db_->users().insert(earlier));
  ASSERT_TRUE(db_->sessions().insert(a_session("h1", earlier)));
  auto r = db_->signins().record(a_signin("u1", "sub-1", "h1", "e1"));
  ASSERT_FALSE(r);
  EXPECT_TRUE(events().empty());
  ASSERT_EQ(people().size(), 1u);
  EXPECT_EQ((*db_->sessions().find("h1"))->user_id, "u0");
}

// A new person whose id is taken (another sub) cannot be stored: nothing
// after it may be, or a session would point at someone else's account.
TEST_P(SigninStoreTest, PersonThatCannotBeStoredLeavesNoSessionOrEvent) {
  ASSERT_TRUE(db_->users().insert(a_user("acme", "u1", "sub-other")));
  auto r = db_->signins().record(a_signin("u1", "sub-1", "h1", "e1"));
  ASSERT_FALSE(r);
  EXPECT_FALSE(session_exists("h1"));
  EXPECT_TRUE(events().empty());
  EXPECT_EQ(people().size(), 1u);
}

// The same person's first sign-in in two tabs at once: both insert, one
// wins. The other must get the winner's row, not a twin and not an error
// (in PostgreSQL a unique violation would abort its whole transaction and
// lose its session). SQLite serialises the two transactions, so there it
// is PostgreSQL's run that catches a regression. Many rounds on a spinning
// start line, as in UserStoreTest.ConcurrentMutualDemotionKeepsOneAdmin.
TEST_P(SigninStoreTest, FirstSignInInTwoTabsAtOnceMakesOnePerson) {
  constexpr int kRounds = 40;
  auto sub = [](int round) { return "sub-" + std::to_string(round); };
  std::vector<store::Result<store::RecordedSignin>> tab_a(kRounds), tab_b(kRounds);
  std::atomic<int> arrived{0};
  auto tab = [&](const std::string& name, std::vector<store::Result<store::RecordedSignin>>& out) {
    for (int round = 0; round < kRounds; ++round) {
      auto in = a_signin(name + std::to_string(round), sub(round),
                         name + "-h" + std::to_string(round), name + "-e" + std::to_string(round));
      arrived.fetch_add(1);
      while (arrived.load() < 2 * (round + 1)) {
      }
      out[round] = db_->signins().record(in);
    }
  };
  {
    std::jthread a([&] { tab("a", tab_a); });
    std::jthread b([&] { tab("b", tab_b); });
  }

  auto stored = people();
  EXPECT_EQ(stored.size(), static_cast<std::size_t>(kRounds));
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    ASSERT_TRUE(tab_a[round]) << store::to_string(tab_a[round].error());
    ASSERT_TRUE(tab_b[round]) << store::to_string(tab_b[round].error());
    EXPECT_EQ(tab_a[round]->person.id, tab_b[round]->person.id);
    EXPECT_NE(tab_a[round]->created, tab_b[round]->created);
    const auto& id = tab_a[round]->person.id;
    for (const char* name : {"a", "b"}) {
      auto s = db_->sessions().find(name + std::string("-h") + std::to_string(round));
      ASSERT_TRUE(s && *s) << name;
      EXPECT_EQ((*s)->user_id, id) << name;
    }
  }
  EXPECT_EQ(events().size(), static_cast<std::size_t>(2 * kRounds));
}

INSTANTIATE_TEST_SUITE_P(Backends, SigninStoreTest, ::testing::ValuesIn(store_backends()),
                         backend_name);

}  // namespace gatehouse::testing
