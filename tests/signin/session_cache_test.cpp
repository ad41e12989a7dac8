// The session cache keeps the bounds of issues #5/#6 on SQLite and
// PostgreSQL: what this instance changes applies at the very next request;
// what another instance or the `gatehouse team` CLI (each a connection of its
// own to the same database) changes applies after one poll, and never later
// than SessionCache::kMaxStaleness even when the poll stalls.
#include "signin/session_cache.hpp"

#include <atomic>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "cli/team_commands.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_box.hpp"
#include "signin/sessions.hpp"
#include "store/backends.hpp"
#include "store/database.hpp"
#include "support/fixed_clock.hpp"
#include "support/temp_dir.hpp"

namespace gatehouse {
namespace {

using testing::FixedClock;

// A connection whose change-feed reads fail on demand: the database going
// away as the poll sees it.
class FeedSwitch final : public store::Database {
 public:
  explicit FeedSwitch(std::unique_ptr<store::Database> inner)
      : inner_(std::move(inner)), sessions_(*this) {}
  std::atomic<bool> feed_down{false};
  store::TeamStore& teams() override { return inner_->teams(); }
  store::UserStore& users() override { return inner_->users(); }
  store::SessionStore& sessions() override { return sessions_; }
  store::LoginAttemptStore& login_attempts() override { return inner_->login_attempts(); }
  store::AuditStore& audit() override { return inner_->audit(); }
  store::SigninStore& signins() override { return inner_->signins(); }
  store::TokenStore& tokens() override { return inner_->tokens(); }
  store::ModelStore& models() override { return inner_->models(); }
  store::UsageStore& usage() override { return inner_->usage(); }
  store::Result<void> ping() override { return inner_->ping(); }
  tl::expected<int, std::string> migrate() override { return inner_->migrate(); }

 private:
  class Sessions final : public store::SessionStore {
   public:
    explicit Sessions(FeedSwitch& db) : db_(db) {}
    store::SessionStore& in() { return db_.inner_->sessions(); }
    store::Result<void> insert(const domain::Session& s) override { return in().insert(s); }
    store::Result<std::optional<domain::Session>> find(std::string_view h) override {
      return in().find(h);
    }
    store::Result<void> touch(std::string_view h, std::int64_t at) override {
      return in().touch(h, at);
    }
    store::Result<void> touch_all(
        const std::vector<std::pair<std::string, std::int64_t>>& s) override {
      return in().touch_all(s);
    }
    store::Result<void> remove(std::string_view h) override { return in().remove(h); }
    store::Result<int> remove_for_team(std::string_view t) override {
      return in().remove_for_team(t);
    }
    store::Result<int> remove_expired(std::int64_t now) override {
      return in().remove_expired(now);
    }
    store::Result<void> record_change(const store::SessionChange& c) override {
      return in().record_change(c);
    }
    store::Result<std::vector<store::SessionChange>> changes_since(std::int64_t us) override {
      if (db_.feed_down) return tl::unexpected(store::StoreError::unavailable);
      return in().changes_since(us);
    }
    store::Result<int> remove_changes_before(std::int64_t us) override {
      return in().remove_changes_before(us);
    }

   private:
    FeedSwitch& db_;
  };
  std::unique_ptr<store::Database> inner_;
  Sessions sessions_;
};

// One database that several processes connect to.
class SharedDatabase {
 public:
  explicit SharedDatabase(const std::string& backend) {
    if (backend == "postgres") {
      scratch_ = std::make_unique<testing::PostgresScratch>(*testing::postgres_test_url());
      url_ = scratch_->url();
    } else {
      url_ = "sqlite://" + dir_.file("gatehouse.db");
    }
    (void)connect()->migrate();
  }
  [[nodiscard]] std::unique_ptr<FeedSwitch> connect() const {
    auto db = store::open_database(url_);
    if (!db) throw std::runtime_error(db.error());
    if (auto m = (*db)->migrate(); !m) throw std::runtime_error(m.error());
    return std::make_unique<FeedSwitch>(std::move(*db));
  }

 private:
  testing::TempDir dir_;
  std::unique_ptr<testing::PostgresScratch> scratch_;
  std::string url_;
};

// One gatehouse process: its own connection, cache and Sessions, wired as serve.cpp does.
struct Instance {
  Instance(const SharedDatabase& shared, FixedClock& clock, crypto::Random& rng,
           crypto::SecretBox& box, std::size_t max_cached = signin::SessionCache::kDefaultMaxCached)
      : db(shared.connect()),
        cache(*db, clock, max_cached),
        observed(*db, cache, clock),
        sessions(
            observed, box, clock, rng,
            {.absolute_ttl = std::chrono::seconds(43200), .idle_ttl = std::chrono::seconds(7200)},
            &cache) {}
  std::unique_ptr<FeedSwitch> db;
  signin::SessionCache cache;
  signin::ObservedDatabase observed;
  signin::Sessions sessions;

  // What a worker sees: the cache, else the store.
  std::optional<signin::AuthContext> who(const std::string& cookie) {
    auto w = sessions.authenticate(cookie);
    if (!w) throw std::runtime_error("store error");
    return *w;
  }
  std::optional<domain::Role> role_of(const std::string& cookie) {
    auto w = who(cookie);
    if (!w) return std::nullopt;
    return w->user.role;
  }
  // What the I/O thread answers without the store.
  bool hit(const std::string& cookie) { return sessions.authenticate_cached(cookie) != nullptr; }
};

class SessionCacheTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres" && !testing::postgres_test_url())
      GTEST_SKIP() << "GATEHOUSE_TEST_POSTGRES_URL is not set (scripts/test sets it)";
    shared = std::make_unique<SharedDatabase>(GetParam());
    cli_db = shared->connect();
    domain::Team t;
    t.id = "acme";
    t.name = "Acme";
    t.issuer = "https://idp.example";
    t.client_id = "c";
    t.client_secret_sealed = box.seal("client-secret", domain::client_secret_aad("acme"));
    t.admin_email = "ada@acme.example";
    t.created_at = t.updated_at = clock.unix_seconds();
    ASSERT_TRUE(cli_db->teams().insert(t));
    user = person("usr_1", "bob", domain::Role::member);
    admin = person("usr_2", "ada", domain::Role::admin);
    a = std::make_unique<Instance>(*shared, clock, rng, box);
    b = std::make_unique<Instance>(*shared, clock, rng, box);
    auto c = a->sessions.create(user, "id-token");
    ASSERT_TRUE(c);
    cookie = c->cookie_value;
    // Both instances have seen the session once: it is cached on each.
    ASSERT_TRUE(a->role_of(cookie));
    ASSERT_TRUE(b->role_of(cookie));
    ASSERT_TRUE(a->hit(cookie));
    ASSERT_TRUE(b->hit(cookie));
  }

  domain::User person(const std::string& id, const std::string& name, domain::Role role) {
    domain::User u;
    u.id = id;
    u.team_id = "acme";
    u.sub = "sub-" + name;
    u.email = name + "@acme.example";
    u.name = name;
    u.role = role;
    u.created_at = clock.unix_seconds();
    EXPECT_TRUE(cli_db->users().insert(u));
    return u;
  }

  // A returning sign-in of `who` on instance i, stored as SigninFlow stores it.
  store::Result<store::RecordedSignin> sign_in_again(Instance& i, const domain::User& who,
                                                     const std::string& email,
                                                     const std::string& name, std::int64_t at) {
    auto fresh = i.sessions.prepare(who.team_id, "id-token");
    domain::User candidate = who;
    candidate.id = "usr_candidate";
    candidate.email = email;
    candidate.name = name;
    candidate.last_login_at = at;
    return i.observed.signins().record(
        {.person = candidate, .session = fresh.row, .audit = [&](const domain::User& u) {
           return domain::AuditEvent{"evt_" + crypto::random_token(rng, 12),
                                     at * 1'000'000,
                                     u.team_id,
                                     u.email,
                                     "signin.success",
                                     u.id,
                                     "{}"};
         }});
  }

  // `gatehouse team …` in a process of its own.
  int team_command(const std::function<int(cli::TeamCommands&)>& run) {
    cli::TeamCommands cmds(
        cli_db->teams(), cli_db->sessions(), cli_db->audit(), &box,
        [](const std::string&) { return std::nullopt; }, clock, rng, out, err);
    return run(cmds);
  }

  void poll_everywhere() {
    a->cache.refresh();
    b->cache.refresh();
  }

  void expect_ended_everywhere() {
    for (auto* i : {a.get(), b.get()}) {
      EXPECT_FALSE(i->hit(cookie));
      EXPECT_FALSE(i->who(cookie));
    }
  }

  FixedClock clock{1'700'000'000};
  crypto::SystemRandom rng;
  crypto::SecretBox box{{{"test-key", std::string(32, '\x2a')}}, "test-key", rng};
  std::unique_ptr<SharedDatabase> shared;
  std::unique_ptr<FeedSwitch> cli_db;
  domain::User user, admin;
  std::unique_ptr<Instance> a, b;
  std::string cookie;
  std::ostringstream out, err;
};

TEST_P(SessionCacheTest, LiveSessionIsAnsweredFromMemoryWithoutAQuery) {
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

TEST_P(SessionCacheTest, ForgedCookieIsNeverAnsweredFromMemory) {
  EXPECT_FALSE(a->hit(std::string(43, 'A')));
  EXPECT_FALSE(a->hit(cookie.substr(1)));
  EXPECT_FALSE(a->hit(cookie + "A"));
  EXPECT_FALSE(a->who(std::string(43, 'A')));
}

// A memory dump or a bug that leaks a cached entry must not hand out the ID
// token or the team's client secret; logout still finds the ID token.
TEST_P(SessionCacheTest, CachedCopyHoldsNoSealedSecretsButLogoutStillFindsTheIdToken) {
  auto who = a->sessions.authenticate_cached(cookie);
  ASSERT_TRUE(who);
  EXPECT_TRUE(who->session.id_token_sealed.empty());
  EXPECT_TRUE(who->team.client_secret_sealed.empty());
  EXPECT_EQ(a->sessions.id_token(who->session), "id-token");
}

TEST_P(SessionCacheTest, StaleRoleAfterPromotionOnThisInstanceIsNeverServed) {
  ASSERT_TRUE(a->observed.users().set_role("acme", user.id, domain::Role::admin));
  EXPECT_FALSE(a->hit(cookie));  // evicted before set_role returned
  EXPECT_EQ(a->role_of(cookie), domain::Role::admin);
}

TEST_P(SessionCacheTest, AdminRightsAfterDemotionOnThisInstanceAreNeverServed) {
  auto c = a->sessions.create(admin, "id-token");
  ASSERT_TRUE(c);
  ASSERT_EQ(a->role_of(c->cookie_value), domain::Role::admin);
  ASSERT_TRUE(
      a->observed.users().set_role("acme", user.id, domain::Role::admin));  // not the last admin
  ASSERT_TRUE(a->observed.users().set_role("acme", admin.id, domain::Role::member));
  EXPECT_FALSE(a->hit(c->cookie_value));
  EXPECT_EQ(a->role_of(c->cookie_value), domain::Role::member);
}

TEST_P(SessionCacheTest, StaleRoleOnAnotherInstanceEndsWithinOnePoll) {
  ASSERT_TRUE(a->observed.users().set_role("acme", user.id, domain::Role::admin));
  b->cache.refresh();  // the 0.5 s poll
  EXPECT_FALSE(b->hit(cookie));
  EXPECT_EQ(b->role_of(cookie), domain::Role::admin);
  // Applied once: the fresh snapshot stays cached across later polls.
  b->cache.refresh();
  EXPECT_TRUE(b->hit(cookie));
}

TEST_P(SessionCacheTest, ReplayAfterLogoutOnThisInstanceIsRefused) {
  ASSERT_TRUE(a->sessions.destroy(cookie));
  EXPECT_FALSE(a->hit(cookie));
  EXPECT_FALSE(a->who(cookie));
}

TEST_P(SessionCacheTest, ReplayAfterLogoutOnAnotherInstanceIsRefusedWithinOnePoll) {
  ASSERT_TRUE(a->sessions.destroy(cookie));
  b->cache.refresh();
  EXPECT_FALSE(b->hit(cookie));
  EXPECT_FALSE(b->who(cookie));
}

TEST_P(SessionCacheTest,
       ProfileRefreshedAtSignInIsShownAtTheNextRequestHereAndAfterOnePollElsewhere) {
  ASSERT_TRUE(sign_in_again(*a, user, "robert@acme.example", "Robert", clock.unix_seconds()));
  EXPECT_FALSE(a->hit(cookie));
  EXPECT_EQ(a->who(cookie)->user.name, "Robert");
  b->cache.refresh();
  EXPECT_FALSE(b->hit(cookie));
  EXPECT_EQ(b->who(cookie)->user.email, "robert@acme.example");
}

// Every sign-in records the login; only a changed profile may cost every
// instance a re-read, or sign-ins would flood the feed.
TEST_P(SessionCacheTest, SignInThatChangesNothingShownWritesNoFeedRowAndKeepsTheCache) {
  auto before = cli_db->sessions().changes_since(0);
  ASSERT_TRUE(before);
  ASSERT_TRUE(sign_in_again(*a, user, user.email, user.name, clock.unix_seconds() + 5));
  auto after = cli_db->sessions().changes_since(0);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->size(), before->size());
  EXPECT_TRUE(a->hit(cookie));
}

TEST_P(SessionCacheTest, SessionOfATeamDisabledByTheCliEndsEverywhereWithinOnePoll) {
  ASSERT_EQ(team_command([](auto& c) { return c.set_enabled("acme", false); }), 0) << err.str();
  poll_everywhere();
  expect_ended_everywhere();
}

// The team's timestamps have a second's resolution: disable and enable in
// the same second leave them as they were. The CLI's feed row still ends
// the sessions the disable deleted.
TEST_P(SessionCacheTest, DisableThenEnableWithinOneSecondStillEndsCachedSessions) {
  ASSERT_EQ(team_command([](auto& c) { return c.set_enabled("acme", false); }), 0) << err.str();
  ASSERT_EQ(team_command([](auto& c) { return c.set_enabled("acme", true); }), 0) << err.str();
  poll_everywhere();
  expect_ended_everywhere();
}

TEST_P(SessionCacheTest, SessionOfATeamRemovedByTheCliEndsEverywhereWithinOnePoll) {
  ASSERT_EQ(team_command([](auto& c) { return c.remove("acme", true); }), 0) << err.str();
  poll_everywhere();
  expect_ended_everywhere();
}

// A team removed and registered again (same id, same second, so the same
// created_at) is another customer: the old cookies must not open it.
TEST_P(SessionCacheTest, TeamReRegisteredWithinOneSecondDoesNotReviveOldSessions) {
  ASSERT_EQ(team_command([](auto& c) { return c.remove("acme", true); }), 0) << err.str();
  cli::TeamAddArgs args;
  args.id = "acme";
  args.issuer = "https://other-idp.example";
  args.client_id = "c2";
  args.admin_email = "it@acme.example";
  args.no_discovery_check = true;
  ASSERT_EQ(team_command([&](auto& c) { return c.add(args, "secret"); }), 0) << err.str();
  poll_everywhere();
  expect_ended_everywhere();
}

TEST_P(SessionCacheTest, TeamUpdatedByTheCliIsShownWithinOnePoll) {
  cli::TeamUpdateArgs args;
  args.id = "acme";
  args.name = "Acme Renamed";
  ASSERT_EQ(team_command([&](auto& c) { return c.update(args, std::nullopt); }), 0) << err.str();
  poll_everywhere();
  for (auto* i : {a.get(), b.get()}) {
    EXPECT_FALSE(i->hit(cookie));
    EXPECT_EQ(i->who(cookie)->team.name, "Acme Renamed");
  }
}

TEST_P(SessionCacheTest, TeamSessionsRemovedOnThisInstanceEndAtOnceAndElsewhereWithinOnePoll) {
  ASSERT_TRUE(a->observed.sessions().remove_for_team("acme"));
  EXPECT_FALSE(a->hit(cookie));
  b->cache.refresh();
  expect_ended_everywhere();
}

// The bound does not rest on the timer firing: a cache whose last good poll
// started more than kMaxStaleness ago answers nothing from memory.
TEST_P(SessionCacheTest, CacheWhosePollStalledStopsAnsweringAfterTheStalenessBound) {
  clock.advance(signin::SessionCache::kMaxStaleness / 2);
  EXPECT_TRUE(b->hit(cookie));
  clock.advance(signin::SessionCache::kMaxStaleness / 2 + std::chrono::milliseconds(1));
  EXPECT_FALSE(b->hit(cookie));
  ASSERT_TRUE(b->who(cookie));  // the store still answers
  b->cache.refresh();
  EXPECT_TRUE(b->hit(cookie));
}

TEST_P(SessionCacheTest, UnreadableFeedForgetsEverythingUntilTheDatabaseAnswers) {
  b->db->feed_down = true;
  b->cache.refresh();
  EXPECT_FALSE(b->hit(cookie));
  EXPECT_EQ(b->cache.cached(), 0u);
  ASSERT_TRUE(b->who(cookie));  // read from the store, not cached: the poll vouches for nothing
  EXPECT_FALSE(b->hit(cookie));
  EXPECT_EQ(b->cache.cached(), 0u);
  b->db->feed_down = false;
  b->cache.refresh();
  ASSERT_TRUE(b->who(cookie));
  EXPECT_TRUE(b->hit(cookie));
}

TEST_P(SessionCacheTest, IdleSessionIsNotAnsweredFromMemory) {
  clock.advance(std::chrono::seconds(7200));
  poll_everywhere();  // so that only idleness can refuse the hit
  EXPECT_FALSE(a->hit(cookie));
  EXPECT_FALSE(a->who(cookie));
}

TEST_P(SessionCacheTest, SessionPastItsAbsoluteExpiryIsNotAnsweredFromMemory) {
  // Active every hour: never idle, but the absolute limit still holds.
  for (int h = 0; h < 12; ++h) {
    clock.advance(std::chrono::seconds(3600));
    a->cache.refresh();
    if (h < 11) {
      ASSERT_TRUE(a->hit(cookie)) << h;
    }
  }
  EXPECT_FALSE(a->hit(cookie));
  EXPECT_FALSE(a->who(cookie));
}

TEST_P(SessionCacheTest, UseOnOneInstanceKeepsTheSessionAliveOnAnotherAfterAFlush) {
  // Used on A for two hours in all; B last saw it at the start.
  for (int m = 0; m < 4; ++m) {
    clock.advance(std::chrono::seconds(1800));
    poll_everywhere();
    ASSERT_TRUE(a->hit(cookie));
    a->cache.flush_last_seen();
  }
  EXPECT_FALSE(b->hit(cookie));  // B's copy looks idle: the database decides
  EXPECT_TRUE(b->who(cookie));
}

TEST_P(SessionCacheTest, HitsWriteNothingUntilFlushedThenOneBatch) {
  auto stored = [&] {
    return (*cli_db->sessions().find(signin::Sessions::hash_id(cookie)))->last_seen_at;
  };
  const auto before = stored();
  clock.advance(std::chrono::seconds(120));
  a->cache.refresh();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(a->hit(cookie));
  EXPECT_EQ(stored(), before);
  a->cache.flush_last_seen();
  EXPECT_EQ(stored(), clock.unix_seconds());
}

TEST_P(SessionCacheTest, ReadStraddlingAnEvictionIsNotCached) {
  a->cache.evict_session(signin::Sessions::hash_id(cookie));
  auto g = a->cache.generation();
  auto who = b->who(cookie);  // what a worker read before the change
  ASSERT_TRUE(who);
  a->cache.evict_user(user.id);  // the change lands meanwhile
  a->cache.insert(crypto::sha256_digest(cookie), *who, g);
  EXPECT_FALSE(a->hit(cookie));
}

// B's worker read the old role, then A changed it and B's poll applied the
// change before the worker stored what it read.
TEST_P(SessionCacheTest, ReadStraddlingAChangeFromAnotherInstanceIsNotCached) {
  b->cache.evict_session(signin::Sessions::hash_id(cookie));
  auto g = b->cache.generation();
  auto stale = b->who(cookie);
  ASSERT_TRUE(stale);
  ASSERT_TRUE(a->observed.users().set_role("acme", user.id, domain::Role::admin));
  b->cache.refresh();
  b->cache.insert(crypto::sha256_digest(cookie), *stale, g);
  EXPECT_FALSE(b->hit(cookie));
  EXPECT_EQ(b->role_of(cookie), domain::Role::admin);
}

TEST_P(SessionCacheTest, MemoryStaysBoundedWhenMoreSessionsAreLiveThanItHolds) {
  Instance small(*shared, clock, rng, box, 2);
  std::vector<std::string> cookies;
  for (int i = 0; i < 5; ++i) {
    auto c = small.sessions.create(user, "id-token");
    ASSERT_TRUE(c);
    cookies.push_back(c->cookie_value);
  }
  for (const auto& c : cookies) {
    ASSERT_TRUE(small.who(c));
    EXPECT_LE(small.cache.cached(), 2u);
  }
  for (const auto& c : cookies) EXPECT_TRUE(small.who(c));  // correct either way
}

// For TSan (scripts/test's TSAN_TESTS): hits on I/O threads, misses and role
// changes on workers, polls and flushes on the background thread, at once.
TEST_P(SessionCacheTest, HitsMissesEvictionsPollsAndFlushesRunConcurrently) {
  std::atomic<bool> stop{false};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int r = 0; r < 3; ++r)
    threads.emplace_back([&] {
      while (!stop) {
        (void)a->hit(cookie);
        auto w = a->sessions.authenticate(cookie);
        if (!w || !*w) ++refused;
      }
    });
  threads.emplace_back([&] {
    while (!stop) {
      a->cache.refresh();
      a->cache.flush_last_seen(1);
    }
  });
  for (int i = 0; i < 40; ++i) {
    auto role = i % 2 ? domain::Role::member : domain::Role::admin;
    ASSERT_TRUE(a->observed.users().set_role("acme", user.id, role));
    ASSERT_EQ(a->role_of(cookie), role) << i;  // the changer's very next request
  }
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(refused, 0);
  EXPECT_EQ(a->role_of(cookie), domain::Role::member);
}

INSTANTIATE_TEST_SUITE_P(Backends, SessionCacheTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gatehouse
