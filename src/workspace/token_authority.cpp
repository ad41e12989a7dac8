#include "workspace/token_authority.hpp"

#include <vector>

#include <spdlog/spdlog.h>

#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "domain/workspace.hpp"

namespace gatehouse::workspace {

TokenAuthority::TokenAuthority(store::Database& db, const Clock& clock, std::size_t max_cached)
    : db_(db), clock_(clock), max_cached_(max_cached) {
  refresh_teams();
}

std::string TokenAuthority::hash(std::string_view secret) { return crypto::sha256_hex(secret); }

std::size_t TokenAuthority::cached() const {
  std::shared_lock lock(mu_);
  return by_hash_.size();
}

std::optional<TokenPrincipal> TokenAuthority::principal_locked(Entry& e) {
  auto t = teams_.find(e.team_id);
  if (t == teams_.end() || !t->second.enabled || t->second.created_at != e.team_created_at)
    return std::nullopt;
  auto now = clock_.unix_seconds();
  if (e.last_used.load(std::memory_order_relaxed) < now)
    e.last_used.store(now, std::memory_order_relaxed);
  return TokenPrincipal{e.token_id, e.team_id, t->second.name, e.user_id, t->second.mode};
}

std::optional<TokenPrincipal> TokenAuthority::check_cached(std::string_view secret) {
  if (!domain::looks_like_token(secret)) return std::nullopt;
  const auto d = crypto::sha256_digest(secret);
  std::shared_lock lock(mu_);
  auto it = by_hash_.find(d);
  if (it == by_hash_.end()) return std::nullopt;
  hits_.fetch_add(1, std::memory_order_relaxed);
  return principal_locked(*it->second);
}

store::Result<std::optional<TokenPrincipal>> TokenAuthority::check(std::string_view secret) {
  // Malformed tokens never reach the database.
  if (!domain::looks_like_token(secret)) return std::optional<TokenPrincipal>{};
  const auto d = crypto::sha256_digest(secret);
  {
    std::shared_lock lock(mu_);
    if (auto it = by_hash_.find(d); it != by_hash_.end()) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return principal_locked(*it->second);
    }
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  // The store keeps the digest in hex (what Service::create_token wrote).
  const auto h =
      crypto::hex_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
  auto evictions_before = evictions_.load();
  auto t = db_.tokens().find_by_hash(h);
  if (!t) return tl::unexpected(t.error());
  if (!*t || (*t)->revoked_at) return std::optional<TokenPrincipal>{};
  if (!teams_snapshot_has((*t)->team_id)) refresh_teams();
  std::unique_lock lock(mu_);
  if (evictions_.load() != evictions_before) {
    // A revocation landed while we read: what we read may be stale. Answer
    // from the store once more, uncached.
    lock.unlock();
    auto again = db_.tokens().find_by_hash(h);
    if (!again) return tl::unexpected(again.error());
    if (!*again || (*again)->revoked_at) return std::optional<TokenPrincipal>{};
    std::shared_lock read(mu_);
    auto team = teams_.find((*again)->team_id);
    if (team == teams_.end() || !team->second.enabled) return std::optional<TokenPrincipal>{};
    return TokenPrincipal{(*again)->id, (*again)->team_id, team->second.name, (*again)->created_by,
                          team->second.mode};
  }
  // Bounded: when full, start over rather than grow without limit; valid
  // tokens come back with one query each.
  if (by_hash_.size() >= max_cached_) {
    by_hash_.clear();
    hash_by_id_.clear();
  }
  auto& slot = by_hash_[d];
  if (!slot) {
    hash_by_id_[(*t)->id] = d;
    slot = std::make_unique<Entry>();
    slot->token_id = (*t)->id;
    slot->team_id = (*t)->team_id;
    slot->user_id = (*t)->created_by;
    slot->flushed = (*t)->last_used_at.value_or(0);
    if (auto team = teams_.find(slot->team_id); team != teams_.end())
      slot->team_created_at = team->second.created_at;
  }
  return principal_locked(*slot);
}

void TokenAuthority::evict_locked(const std::string& token_id) {
  evictions_.fetch_add(1);
  auto it = hash_by_id_.find(token_id);
  if (it == hash_by_id_.end()) return;
  by_hash_.erase(it->second);
  hash_by_id_.erase(it);
}

void TokenAuthority::evict_token(std::string_view token_id) {
  std::unique_lock lock(mu_);
  evict_locked(std::string(token_id));
}

bool TokenAuthority::teams_snapshot_has(const std::string& team_id) const {
  std::shared_lock lock(mu_);
  return teams_.count(team_id) > 0;
}

void TokenAuthority::refresh_teams() {
  auto all = db_.teams().list();
  if (!all) return;  // keep the last snapshot while the database is away
  std::unordered_map<std::string, TeamState> next;
  for (const auto& t : *all) next[t.id] = {t.enabled, t.workspace, t.created_at, t.name};
  // Revocations by any instance (this one evicted its own at once). Five
  // minutes of overlap absorb clock differences between instances.
  auto revoked = db_.tokens().revoked_since(clock_.unix_seconds() - 300);
  std::unique_lock lock(mu_);
  // Tokens of teams that are gone are forgotten, so a team registered again
  // under the same id never inherits them. The scan runs only when a team
  // went away: twice a second over a million entries would stall token checks.
  bool team_gone = false;
  for (const auto& [id, old] : teams_) {
    auto now_state = next.find(id);
    if (now_state == next.end() || now_state->second.created_at != old.created_at) team_gone = true;
  }
  for (auto it = by_hash_.begin(); team_gone && it != by_hash_.end();) {
    auto team = next.find(it->second->team_id);
    if (team == next.end() || team->second.created_at != it->second->team_created_at) {
      hash_by_id_.erase(it->second->token_id);
      it = by_hash_.erase(it);
    } else {
      ++it;
    }
  }
  if (revoked)
    for (const auto& id : *revoked)
      if (hash_by_id_.count(id)) evict_locked(id);
  teams_ = std::move(next);
}

void TokenAuthority::flush_last_used(std::int64_t min_step) {
  std::vector<std::pair<std::string, std::int64_t>> uses;
  std::lock_guard flush(flush_mu_);
  {
    std::shared_lock lock(mu_);
    for (auto& [h, e] : by_hash_) {
      auto at = e->last_used.load(std::memory_order_relaxed);
      if (at > e->flushed && (e->flushed == 0 || at - e->flushed >= min_step)) {
        uses.emplace_back(e->token_id, at);
      }
    }
  }
  if (uses.empty()) return;
  if (auto r = db_.tokens().record_use(uses); !r) {
    spdlog::warn("could not record last-used times of {} tokens: {}", uses.size(),
                 store::to_string(r.error()));
    return;
  }
  std::shared_lock lock(mu_);
  for (const auto& [id, at] : uses) {
    auto h = hash_by_id_.find(id);
    if (h == hash_by_id_.end()) continue;
    if (auto e = by_hash_.find(h->second); e != by_hash_.end() && e->second->flushed < at)
      e->second->flushed = at;
  }
}

}  // namespace gatehouse::workspace
