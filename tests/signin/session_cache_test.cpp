// The session cache keeps the bounds of issues #5/#6: what this instance
// changes applies at the very next request; what another instance (a second
// cache on the same database) changes applies after one poll (0.5 s).
#include "signin/session_cache.hpp"

#include <gtest/gtest.h>

#include "crypto/random.hpp"
#include "crypto/secret_box.hpp"
#include "signin/sessions.hpp"
#include "store/database.hpp"
#include "support/fixed_clock.hpp"
#include "support/temp_dir.hpp"

namespace gatehouse {
namespace {

using testing::FixedClock;
using testing::TempDir;

std::unique_ptr<store::Database> open_db(const std::string& path) {
  auto db = store::open_database("sqlite://" + path);
  if (!db) throw std::runtime_error(db.error());
  if (auto m = (*db)->migrate(); !m) throw std::runtime_error(m.error());
  return std::move(*db);
}

// One gatehouse process: its own connection, cache and Sessions.
struct Instance {
  Instance(const std::string& path, FixedClock& clock, crypto::Random& rng, crypto::SecretBox& box)
      : db(open_db(path)),
        cache(*db, clock),
        observed(*db, cache, clock),
        sessions(observed, box, clock, rng, {.absolute_ttl = std::chrono::seconds(43200),
                                             .idle_ttl = std::chrono::seconds(7200)},
                 &cache) {}
  std::unique_ptr<store::Database> db;
  signin::SessionCache cache;
  signin::ObservedDatabase observed;
  signin::Sessions sessions;

  std::optional<domain::Role> role_of(const std::string& cookie) {
    auto who = sessions.authenticate(cookie);
    if (!who || !*who) return std::nullopt;
    return (*who)->user.role;
  }
};

class SessionCacheTest : public ::testing::Test {
 protected:
  SessionCacheTest() {
    auto setup = open_db(path);
    domain::Team t;
    t.id = "acme";
    t.name = "Acme";
    t.issuer = "https://idp.example";
    t.client_id = "c";
    t.client_secret_sealed = "x";
    t.admin_email = "ada@acme.example";
    t.created_at = t.updated_at = clock.unix_seconds();
    EXPECT_TRUE(setup->teams().insert(t));
    user.id = "usr_1";
    user.team_id = "acme";
    user.sub = "sub-1";
    user.email = "bob@acme.example";
    user.name = "Bob";
    user.role = domain::Role::member;
    user.created_at = clock.unix_seconds();
    EXPECT_TRUE(setup->users().insert(user));
    a = std::make_unique<Instance>(path, clock, rng, box);
    b = std::make_unique<Instance>(path, clock, rng, box);
    auto c = a->sessions.create(user, "id-token");
    EXPECT_TRUE(c);
    cookie = c->cookie_value;
    // Both instances have seen the session once: it is cached on each.
    EXPECT_TRUE(a->role_of(cookie));
    EXPECT_TRUE(b->role_of(cookie));
    EXPECT_TRUE(a->sessions.authenticate_cached(cookie));
    EXPECT_TRUE(b->sessions.authenticate_cached(cookie));
  }

  TempDir tmp;
  const std::string path = tmp.file("gatehouse.db");
  FixedClock clock{1'700'000'000};
  crypto::SystemRandom rng;
  crypto::SecretBox box{{{"test-key", std::string(32, '\x2a')}}, "test-key", rng};
  domain::User user;
  std::unique_ptr<Instance> a, b;
  std::string cookie;
};

TEST_F(SessionCacheTest, ALiveSessionIsAnsweredFromMemoryWithoutAQuery) {
  auto misses = a->cache.misses();
  auto hits = a->cache.hits();
  EXPECT_EQ(a->role_of(cookie), domain::Role::member);
  EXPECT_EQ(a->cache.misses(), misses);
  EXPECT_EQ(a->cache.hits(), hits + 1);
  auto who = a->sessions.authenticate_cached(cookie);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->user.email, "bob@acme.example");
  EXPECT_EQ(who->team.name, "Acme");
}

TEST_F(SessionCacheTest, ForgedCookieIsNeverAnsweredFromMemory) {
  EXPECT_FALSE(a->sessions.authenticate_cached(std::string(43, 'A')));
  EXPECT_FALSE(a->sessions.authenticate_cached(cookie.substr(1)));
  auto who = a->sessions.authenticate(std::string(43, 'A'));
  ASSERT_TRUE(who);
  EXPECT_FALSE(*who);
}

TEST_F(SessionCacheTest, StaleRoleAfterPromotionOnThisInstanceIsNeverServed) {
  ASSERT_TRUE(a->observed.users().set_role("acme", user.id, domain::Role::admin));
  EXPECT_FALSE(a->sessions.authenticate_cached(cookie));  // evicted at once
  EXPECT_EQ(a->role_of(cookie), domain::Role::admin);
}

TEST_F(SessionCacheTest, StaleRoleOnAnotherInstanceEndsWithinOnePoll) {
  ASSERT_TRUE(a->observed.users().set_role("acme", user.id, domain::Role::admin));
  b->cache.refresh();  // the 0.5 s poll
  EXPECT_FALSE(b->sessions.authenticate_cached(cookie));
  EXPECT_EQ(b->role_of(cookie), domain::Role::admin);
  // Applied once: the fresh snapshot stays cached across later polls.
  b->cache.refresh();
  EXPECT_TRUE(b->sessions.authenticate_cached(cookie));
}

TEST_F(SessionCacheTest, ReplayAfterLogoutOnThisInstanceIsRefused) {
  ASSERT_TRUE(a->sessions.destroy(cookie));
  EXPECT_FALSE(a->sessions.authenticate_cached(cookie));
  auto who = a->sessions.authenticate(cookie);
  ASSERT_TRUE(who);
  EXPECT_FALSE(*who);
}

TEST_F(SessionCacheTest, ReplayAfterLogoutOnAnotherInstanceIsRefusedWithinOnePoll) {
  ASSERT_TRUE(a->sessions.destroy(cookie));
  b->cache.refresh();
  EXPECT_FALSE(b->sessions.authenticate_cached(cookie));
  auto who = b->sessions.authenticate(cookie);
  ASSERT_TRUE(who);
  EXPECT_FALSE(*who);
}

TEST_F(SessionCacheTest, SessionOfADisabledTeamEndsWithinOnePoll) {
  // `gatehouse team disable` runs in another process: straight to the database.
  auto cli = open_db(path);
  auto t = cli->teams().find("acme");
  ASSERT_TRUE(t && *t);
  (*t)->enabled = false;
  (*t)->updated_at += 1;
  ASSERT_TRUE(cli->teams().update(**t));
  ASSERT_TRUE(cli->sessions().remove_for_team("acme"));
  for (auto* i : {a.get(), b.get()}) {
    i->cache.refresh();
    EXPECT_FALSE(i->sessions.authenticate_cached(cookie));
    auto who = i->sessions.authenticate(cookie);
    ASSERT_TRUE(who);
    EXPECT_FALSE(*who);
  }
}

TEST_F(SessionCacheTest, SessionOfARemovedTeamEndsWithinOnePoll) {
  auto cli = open_db(path);
  ASSERT_TRUE(cli->teams().remove("acme"));
  b->cache.refresh();
  EXPECT_FALSE(b->sessions.authenticate_cached(cookie));
  auto who = b->sessions.authenticate(cookie);
  ASSERT_TRUE(who);
  EXPECT_FALSE(*who);
}

TEST_F(SessionCacheTest, TeamSessionsRemovedOnThisInstanceEndAtOnceAndElsewhereWithinOnePoll) {
  ASSERT_TRUE(a->observed.sessions().remove_for_team("acme"));
  EXPECT_FALSE(a->sessions.authenticate_cached(cookie));
  b->cache.refresh();
  EXPECT_FALSE(b->sessions.authenticate_cached(cookie));
}

TEST_F(SessionCacheTest, IdleSessionIsNotAnsweredFromMemory) {
  clock.advance(std::chrono::seconds(7200));
  EXPECT_FALSE(a->sessions.authenticate_cached(cookie));
  auto who = a->sessions.authenticate(cookie);
  ASSERT_TRUE(who);
  EXPECT_FALSE(*who);
}

TEST_F(SessionCacheTest, SessionPastItsAbsoluteExpiryIsNotAnsweredFromMemory) {
  // Active every hour: never idle, but the absolute limit still holds.
  for (int h = 0; h < 12; ++h) {
    clock.advance(std::chrono::seconds(3600));
    (void)a->sessions.authenticate(cookie);
  }
  EXPECT_FALSE(a->sessions.authenticate_cached(cookie));
  auto who = a->sessions.authenticate(cookie);
  ASSERT_TRUE(who);
  EXPECT_FALSE(*who);
}

TEST_F(SessionCacheTest, UseOnOneInstanceKeepsTheSessionAliveOnAnotherAfterAFlush) {
  // Used on A for two hours in all; B last saw it at the start.
  for (int m = 0; m < 4; ++m) {
    clock.advance(std::chrono::seconds(1800));
    ASSERT_TRUE(a->sessions.authenticate_cached(cookie));
    a->cache.flush_last_seen();
  }
  EXPECT_FALSE(b->sessions.authenticate_cached(cookie));  // B's copy looks idle: the database decides
  auto who = b->sessions.authenticate(cookie);
  ASSERT_TRUE(who);
  EXPECT_TRUE(*who);
}

TEST_F(SessionCacheTest, HitsWriteNothingUntilFlushed) {
  auto before = a->db->sessions().find(signin::Sessions::hash_id(cookie));
  ASSERT_TRUE(before && *before);
  clock.advance(std::chrono::seconds(120));
  ASSERT_TRUE(a->sessions.authenticate_cached(cookie));
  auto mid = a->db->sessions().find(signin::Sessions::hash_id(cookie));
  EXPECT_EQ((*mid)->last_seen_at, (*before)->last_seen_at);
  a->cache.flush_last_seen();
  auto after = a->db->sessions().find(signin::Sessions::hash_id(cookie));
  EXPECT_EQ((*after)->last_seen_at, clock.unix_seconds());
}

TEST_F(SessionCacheTest, ReadStraddlingAnEvictionIsNotCached) {
  a->cache.evict_session(signin::Sessions::hash_id(cookie));
  auto g = a->cache.generation();
  auto who = b->sessions.authenticate(cookie);  // what a worker read before the change
  ASSERT_TRUE(who && *who);
  a->cache.evict_user(user.id);  // the change lands meanwhile
  a->cache.insert(crypto::sha256_digest(cookie), **who, g);
  EXPECT_FALSE(a->sessions.authenticate_cached(cookie));
}

}  // namespace
}  // namespace gatehouse
