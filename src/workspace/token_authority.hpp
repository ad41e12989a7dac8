#pragma once
// Answers "is this API token valid, and whose is it?" — the hot path of the
// platform (/internal/authz). Valid tokens are answered from a bounded
// in-memory cache; the team's enabled/workspace state comes from a snapshot
// refreshed from the database every half second, so `gatehouse team disable`
// (another process) takes effect within a second. Revocation on this
// instance evicts the token at once. last_used_at is collected in memory
// and written in one batch by flush(), never once per request.
//   if (auto p = authority.check_cached(secret)) allow(*p);   // I/O thread, no blocking
//   else if (auto p = authority.check(secret)) ...            // worker thread, may query the store
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"
#include "crypto/hash.hpp"
#include "domain/team.hpp"
#include "store/database.hpp"

namespace gatehouse::workspace {

struct TokenPrincipal {
  std::string token_id;
  std::string team_id;
  std::string team_name;
  std::string user_id;  // the creator
  domain::Workspace mode = domain::Workspace::shared;
};

class TokenAuthority {
 public:
  TokenAuthority(store::Database& db, const Clock& clock, std::size_t max_cached = 1'000'000);

  // No I/O: the answer when the token is cached (valid), else nullopt
  // (unknown to the cache: ask check()).
  [[nodiscard]] std::optional<TokenPrincipal> check_cached(std::string_view secret);
  // May query the store. nullopt: not a valid token of an enabled team.
  [[nodiscard]] store::Result<std::optional<TokenPrincipal>> check(std::string_view secret);

  // This instance revoked a token: forget it now.
  void evict_token(std::string_view token_id);
  // Brings the cache in line with the database; call on a timer (twice a
  // second) and after changing a team here: reloads team states, forgets the
  // tokens of teams that are gone, and evicts tokens revoked in the last five
  // minutes by any instance.
  void refresh_teams();
  // Writes the collected last-used times of tokens whose time moved on by at
  // least min_step since it was last written: "last used" is shown to the
  // minute, and a busy gateway keeps every token in use, so writing each
  // token every ten seconds cost a sixth of the token-check CPU at 100,000
  // tokens (bench/results). At shutdown: min_step 1, everything.
  static constexpr std::int64_t kLastUsedStep = 60;
  void flush_last_used(std::int64_t min_step = kLastUsedStep);

  [[nodiscard]] static std::string hash(std::string_view secret);
  [[nodiscard]] std::size_t cached() const;
  // Lookups answered from memory vs. those that needed the store (for /metrics).
  [[nodiscard]] std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    std::string token_id, team_id, user_id;
    // Written on the hot path without a lock; read by flush_last_used().
    std::atomic<std::int64_t> last_used{0};
    std::int64_t flushed = 0;          // guarded by flush_mu_
    std::int64_t team_created_at = 0;  // a team re-registered under the same id is another team
  };
  struct TeamState {
    bool enabled = false;
    domain::Workspace mode = domain::Workspace::shared;
    std::int64_t created_at = 0;
    std::string name;
  };
  void evict_locked(const std::string& token_id);
  bool teams_snapshot_has(const std::string& team_id) const;
  // Under mu_ (shared).
  std::optional<TokenPrincipal> principal_locked(Entry& e);

  store::Database& db_;
  const Clock& clock_;
  std::size_t max_cached_;
  mutable std::shared_mutex mu_;
  // Keyed by the raw SHA-256 of the secret: a lookup allocates nothing. The
  // digest is uniform, so its first word is a good bucket hash.
  std::unordered_map<crypto::Digest256, std::unique_ptr<Entry>, crypto::Digest256Hash> by_hash_;
  std::unordered_map<std::string, crypto::Digest256>
      hash_by_id_;  // token id -> digest, for eviction
  std::unordered_map<std::string, TeamState> teams_;
  std::mutex flush_mu_;
  std::atomic<std::uint64_t> hits_{0}, misses_{0};
  // Bumped by every eviction: a check() whose store read straddles one does
  // not cache what it read (the token may have been revoked meanwhile).
  std::atomic<std::uint64_t> evictions_{0};
};

}  // namespace gatehouse::workspace
