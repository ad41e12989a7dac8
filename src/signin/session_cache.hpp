#pragma once
// Signed-in requests answered from memory (issue #7 figure 2). A bounded map
// from the SHA-256 of the session cookie to the (session, person, team)
// snapshot read from the database, with the bounds of issues #5 and #6:
// - this instance evicts at once whatever it changes itself (logout, role
//   change, a profile refreshed at sign-in, a team's sessions removed):
//   ObservedDatabase below does it before the changing call returns;
// - every change is also appended to the session_changes feed
//   (migrations/0005), which refresh() polls twice a second, so other
//   instances and the `gatehouse team` CLI reach every cache within a poll;
// - a hit needs a poll that started at most kMaxStaleness ago and succeeded:
//   when the poll stalls or the database is away, hits stop and the store
//   decides (a guarantee, not a hope about the timer);
// - team state (enabled, re-registered, updated) is checked on every hit
//   against a snapshot of the teams table refreshed by the same poll;
// - expiry (absolute and idle) is checked on every hit; a doubtful entry is a
//   miss and the database decides.
// last_seen_at is kept in memory and written in batches by flush_last_seen().
//   if (auto who = cache.find(digest, idle_ttl)) ...     // any thread, no I/O
//   auto g = cache.generation(); read the store; cache.insert(digest, who, g);
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <unordered_map>

#include "core/clock.hpp"
#include "crypto/hash.hpp"
#include "domain/team.hpp"
#include "domain/user.hpp"
#include "store/database.hpp"

namespace gatehouse::signin {

struct AuthContext {
  domain::User user;
  domain::Team team;
  domain::Session session;
};

class SessionCache {
 public:
  // An estimated 1.5 KB each (not measured): ~150 MB when full.
  static constexpr std::size_t kDefaultMaxCached = 100'000;
  SessionCache(store::Database& db, const Clock& clock, std::size_t max_cached = kDefaultMaxCached);

  // No I/O. The snapshot when the session is cached, unexpired, its team is
  // enabled and unchanged in the latest snapshot, and the last poll is fresh;
  // nullptr otherwise (ask the store). The snapshot carries neither the sealed
  // ID token nor the team's sealed client secret (Sessions::id_token reads it).
  [[nodiscard]] std::shared_ptr<const AuthContext> find(const crypto::Digest256& digest,
                                                        std::int64_t idle_ttl);
  // Read before the store; insert() ignores what was read across an eviction.
  [[nodiscard]] std::uint64_t generation() const { return evictions_.load(); }
  void insert(const crypto::Digest256& digest, const AuthContext& who,
              std::uint64_t generation_before);

  void evict_session(std::string_view id_hash);
  void evict_user(std::string_view user_id);
  void evict_team(std::string_view team_id);

  // Twice a second: reloads team states and applies the change feed of the
  // last two minutes (rows already applied are skipped). A failed read
  // forgets everything: nothing cached can be vouched for without it.
  void refresh();
  // Writes, in one transaction, last-seen times that moved by min_step or
  // more since last written (at shutdown: 1, everything).
  static constexpr std::int64_t kLastSeenStep = 60;
  void flush_last_seen(std::int64_t min_step = kLastSeenStep);

  [[nodiscard]] std::size_t cached() const;
  [[nodiscard]] std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  void count_miss() { misses_.fetch_add(1, std::memory_order_relaxed); }

  // How far back refresh() reads the feed: instance clocks must agree within it.
  static constexpr std::int64_t kFeedWindowUs = 120'000'000;
  // The longest a change made elsewhere can go unseen here: two polls.
  static constexpr std::chrono::milliseconds kMaxStaleness{1000};

 private:
  struct Entry {
    std::shared_ptr<const AuthContext> who;
    std::atomic<std::int64_t> last_seen{0};  // written on hits without the unique lock
    std::int64_t flushed = 0;                // guarded by flush_mu_
  };
  struct TeamState {
    bool enabled = false;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
  };
  [[nodiscard]] std::int64_t monotonic_ns() const;
  void clear_locked();
  void erase_locked(const crypto::Digest256& d);
  void evict_user_locked(const std::string& user_id);
  void evict_team_locked(const std::string& team_id);

  store::Database& db_;
  const Clock& clock_;
  std::size_t max_cached_;
  mutable std::shared_mutex mu_;
  std::unordered_map<crypto::Digest256, std::unique_ptr<Entry>, crypto::Digest256Hash> by_digest_;
  std::unordered_multimap<std::string, crypto::Digest256> by_user_;
  std::unordered_map<std::string, TeamState> teams_;
  // Monotonic start time of the last poll that read both the teams and the
  // feed; 0: none (hits refused). Written under mu_ (unique).
  std::atomic<std::int64_t> fresh_since_ns_{0};
  std::mutex refresh_mu_;
  std::set<std::tuple<std::int64_t, std::string, std::string>> applied_;  // guarded by refresh_mu_
  bool failing_ = false;                                                  // guarded by refresh_mu_
  std::mutex flush_mu_;
  std::atomic<std::uint64_t> hits_{0}, misses_{0};
  // Bumped by every eviction: an insert() whose store read straddles one is dropped.
  std::atomic<std::uint64_t> evictions_{0};
};

// The database seen through the session cache: the writes that end or change
// a cached session (including a sign-in that refreshes a person's email or
// name) evict it here at once and append to the change feed for the other
// instances. Everything else passes through.
class ObservedDatabase final : public store::Database {
 public:
  ObservedDatabase(store::Database& inner, SessionCache& cache, const Clock& clock);
  ~ObservedDatabase() override;
  store::TeamStore& teams() override { return inner_.teams(); }
  store::UserStore& users() override;
  store::SessionStore& sessions() override;
  store::LoginAttemptStore& login_attempts() override { return inner_.login_attempts(); }
  store::AuditStore& audit() override { return inner_.audit(); }
  store::SigninStore& signins() override;
  store::TokenStore& tokens() override { return inner_.tokens(); }
  store::ModelStore& models() override { return inner_.models(); }
  store::UsageStore& usage() override { return inner_.usage(); }
  store::Result<void> ping() override { return inner_.ping(); }
  tl::expected<int, std::string> migrate() override { return inner_.migrate(); }

 private:
  class Users;
  class Sessions;
  class Signins;
  store::Database& inner_;
  std::unique_ptr<Users> users_;
  std::unique_ptr<Sessions> sessions_;
  std::unique_ptr<Signins> signins_;
};

}  // namespace gatehouse::signin
