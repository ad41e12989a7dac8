// PostgreSQL only: what several instances on one server, a restarting server
// and a busy pool need beyond the shared store suite. Needs
// GATEHOUSE_TEST_POSTGRES_URL (scripts/test starts a throwaway server);
// skipped without it, except the tests that need no server at all.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backends.hpp"
#include "rows.hpp"
#include "store/migrations.hpp"
#include "store/postgres/postgres_database.hpp"

namespace gatehouse::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Polls cond (a query on the admin connection) until it holds, at most 10 s:
// waits for the server to have done something, never for a fixed time.
template <typename Cond>
bool eventually(Cond cond) {
  for (auto end = Clock::now() + 10s; Clock::now() < end;) {
    if (cond()) return true;
    std::this_thread::sleep_for(10ms);  // a pause between polls, not a wait for an outcome
  }
  return false;
}

// A loopback port nothing listens on: bound, then closed again.
int closed_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto url = postgres_test_url();
    if (!url) GTEST_SKIP() << "GATEHOUSE_TEST_POSTGRES_URL is not set (scripts/test sets it)";
    scratch_ = std::make_unique<PostgresScratch>(*url);
  }

  std::unique_ptr<store::Database> open(const std::string& url,
                                        store::postgres::PoolOptions o = {}) {
    auto db = store::postgres::open(url, o);
    if (!db) throw std::runtime_error(db.error());
    return std::move(*db);
  }

  // Holds an exclusive lock on this schema's teams table from the admin
  // connection for `seconds`, returning once it is held: a call of the pool
  // that reads teams meanwhile waits inside its statement.
  std::jthread hold_teams_lock(int seconds) {
    std::string table = scratch_->schema() + ".teams";
    std::jthread holder([this, table, seconds] {
      scratch_->admin("BEGIN; LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(" +
                      std::to_string(seconds) + "); COMMIT");
    });
    bool held = eventually([&] {
      return scratch_->admin(
                 "SELECT COUNT(*) FROM pg_locks WHERE granted AND mode = "
                 "'AccessExclusiveLock' AND relation = '" +
                 table + "'::regclass") == "1";
    });
    if (!held) ADD_FAILURE() << "the lock was never taken";
    return holder;
  }

  // Whether a connection named `app` waits for a lock.
  bool waiting(const std::string& app) {
    return scratch_->admin("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '" +
                           app + "' AND wait_event_type = 'Lock'") != "0";
  }

  std::unique_ptr<PostgresScratch> scratch_;
};

// Several instances starting at once on a fresh database: without the
// advisory lock two of them would both create the same tables (one fails) or
// both record a migration (duplicate key).
TEST_F(PostgresTest, ConcurrentMigrateAppliesEachMigrationExactlyOnce) {
  constexpr int kInstances = 6;
  std::vector<std::unique_ptr<store::Database>> dbs;
  for (int i = 0; i < kInstances; ++i) dbs.push_back(open(scratch_->url()));
  std::vector<tl::expected<int, std::string>> results(kInstances);
  std::atomic<int> ready{0};
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kInstances; ++i)
      threads.emplace_back([&, i] {
        ready.fetch_add(1);
        while (ready.load() < kInstances) {
        }
        results[i] = dbs[i]->migrate();
      });
  }
  int applied = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.error();
    applied += *r;
  }
  EXPECT_EQ(applied, static_cast<int>(store::migrations().size()));
  EXPECT_EQ(scratch_->admin("SELECT COUNT(*) FROM " + scratch_->schema() + ".schema_migrations"),
            std::to_string(store::migrations().size()));
  EXPECT_TRUE(dbs[0]->teams().insert(a_team("acme")));
}

// The instances must come back by themselves when the server drops their
// connections (a restart, a failover, an operator's pg_terminate_backend).
TEST_F(PostgresTest, PoolReconnectsAfterTheServerDropsItsConnections) {
  std::string app = "gh_reconnect_" + scratch_->schema();
  auto db = open(scratch_->url_with("application_name=" + app), {.size = 4});
  ASSERT_TRUE(db->migrate());
  ASSERT_TRUE(db->teams().insert(a_team("acme")));
  auto count = [&] {
    return scratch_->admin("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '" +
                           app + "'");
  };
  ASSERT_EQ(count(), "1");
  scratch_->admin(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + app +
      "'");
  ASSERT_TRUE(eventually([&] { return count() == "0"; }));

  // The dead idle connection is noticed at checkout: not even one call fails.
  auto found = db->teams().find("acme");
  ASSERT_TRUE(found) << store::to_string(found.error());
  ASSERT_TRUE(*found);
  EXPECT_TRUE(db->ping());
}

// A connection that dies under a statement fails that call (unavailable,
// not a crash or a hang) and is replaced for the next one.
TEST_F(PostgresTest, ConnectionKilledMidStatementFailsThatCallOnly) {
  std::string app = "gh_midcall_" + scratch_->schema();
  auto db = open(scratch_->url_with("application_name=" + app), {.size = 1});
  ASSERT_TRUE(db->migrate());
  ASSERT_TRUE(db->teams().insert(a_team("acme")));
  // The pool's one connection waits inside a statement for a lock.
  auto holder = hold_teams_lock(2);
  store::Result<std::optional<domain::Team>> during;
  std::jthread caller([&] { during = db->teams().find("acme"); });
  ASSERT_TRUE(eventually([&] { return waiting(app); }));
  scratch_->admin(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + app +
      "'");
  caller.join();
  ASSERT_FALSE(during);
  EXPECT_EQ(during.error(), store::StoreError::unavailable);
  holder.join();
  auto after = db->teams().find("acme");
  ASSERT_TRUE(after) << store::to_string(after.error());
  EXPECT_TRUE(*after);
}

// Every worker waiting for a connection must not hang the service: a caller
// that finds the pool busy gives up after acquire_timeout with unavailable.
TEST_F(PostgresTest, ExhaustedPoolFailsWithinTheAcquireTimeout) {
  std::string app = "gh_busy_" + scratch_->schema();
  auto db =
      open(scratch_->url_with("application_name=" + app), {.size = 1, .acquire_timeout = 300ms});
  ASSERT_TRUE(db->migrate());
  auto holder = hold_teams_lock(2);
  store::Result<std::vector<domain::Team>> blocked;
  std::jthread waiter([&] { blocked = db->teams().list(); });
  ASSERT_TRUE(eventually([&] { return waiting(app); }));

  auto start = Clock::now();
  auto r = db->ping();
  auto took = Clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), store::StoreError::unavailable);
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 1500ms);

  waiter.join();
  EXPECT_TRUE(blocked) << "the waiting call completes once the lock is gone";
  EXPECT_TRUE(db->ping());
}

// The pool size comes from the URL (pool_max_conns, as pgx names it) and
// must not reach libpq, which refuses parameters it does not know.
TEST_F(PostgresTest, PoolSizeInTheUrlIsAcceptedAndNotPassedToLibpq) {
  auto db = store::open_database(scratch_->url_with("pool_max_conns=2"));
  ASSERT_TRUE(db) << db.error();
  EXPECT_TRUE((*db)->migrate());
  EXPECT_TRUE((*db)->ping());
}

// No server needed: a server that is down (nothing listens on the port)
// answers every call with unavailable, quickly, and opening still succeeds so
// that gatehouse starts and reports not-ready instead of exiting.
TEST(PostgresDown, CallsAreUnavailableQuicklyWhileTheServerIsDown) {
  auto url = "postgresql://postgres@127.0.0.1:" + std::to_string(closed_port()) + "/gatehouse";
  auto db = store::postgres::open(url, {.size = 2, .connect_timeout_s = 1});
  ASSERT_TRUE(db);
  auto start = Clock::now();
  auto ping = (*db)->ping();
  ASSERT_FALSE(ping);
  EXPECT_EQ(ping.error(), store::StoreError::unavailable);
  auto team = (*db)->teams().find("acme");
  ASSERT_FALSE(team);
  EXPECT_EQ(team.error(), store::StoreError::unavailable);
  auto migrated = (*db)->migrate();
  EXPECT_FALSE(migrated);
  EXPECT_LT(Clock::now() - start, 3s);
}

TEST(PostgresDown, BadPoolSizeInTheUrlIsRefused) {
  for (const char* bad : {"0", "-1", "x", "1001", ""}) {
    auto db = store::open_database(std::string("postgresql://127.0.0.1/db?pool_max_conns=") + bad);
    EXPECT_FALSE(db) << bad;
  }
}

}  // namespace
}  // namespace gatehouse::testing
