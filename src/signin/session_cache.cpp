#include "signin/session_cache.hpp"

#include <vector>

#include <spdlog/spdlog.h>

#include "crypto/encoding.hpp"

namespace gatehouse::signin {
namespace {

std::int64_t unix_micros(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::microseconds>(clock.now().time_since_epoch())
      .count();
}

std::optional<crypto::Digest256> digest_of(std::string_view id_hash) {
  auto raw = crypto::hex_decode(id_hash);
  crypto::Digest256 d{};
  if (!raw || raw->size() != d.size()) return std::nullopt;
  std::memcpy(d.data(), raw->data(), d.size());
  return d;
}

}  // namespace

SessionCache::SessionCache(store::Database& db, const Clock& clock, std::size_t max_cached)
    : db_(db), clock_(clock), max_cached_(max_cached) {
  refresh();
}

std::int64_t SessionCache::monotonic_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(clock_.monotonic().time_since_epoch())
      .count();
}

std::size_t SessionCache::cached() const {
  std::shared_lock lock(mu_);
  return by_digest_.size();
}

std::shared_ptr<const AuthContext> SessionCache::find(const crypto::Digest256& digest,
                                                      std::int64_t idle_ttl) {
  const auto now = clock_.unix_seconds();
  const auto mono = monotonic_ns();
  std::shared_lock lock(mu_);
  // The poll is what makes other instances' changes visible: without a
  // recent one, nothing here can be vouched for.
  const auto since = fresh_since_ns_.load(std::memory_order_relaxed);
  if (since == 0 || mono < since ||
      mono - since > std::chrono::duration_cast<std::chrono::nanoseconds>(kMaxStaleness).count())
    return nullptr;
  auto it = by_digest_.find(digest);
  if (it == by_digest_.end()) return nullptr;
  Entry& e = *it->second;
  const AuthContext& who = *e.who;
  // Expired here may still be alive in the database (another instance saw
  // it used since): a miss, never a removal.
  const auto seen = e.last_seen.load(std::memory_order_relaxed);
  if (now >= who.session.expires_at || now - seen >= idle_ttl) return nullptr;
  auto t = teams_.find(who.team.id);
  if (t == teams_.end() || !t->second.enabled || t->second.created_at != who.team.created_at ||
      t->second.updated_at != who.team.updated_at)
    return nullptr;
  if (seen < now) e.last_seen.store(now, std::memory_order_relaxed);
  hits_.fetch_add(1, std::memory_order_relaxed);
  return e.who;
}

void SessionCache::insert(const crypto::Digest256& digest, const AuthContext& who,
                          std::uint64_t generation_before) {
  // Secrets a hit never needs stay in the database only (and memory small).
  auto copy = std::make_shared<AuthContext>(who);
  copy->session.id_token_sealed.clear();
  copy->team.client_secret_sealed.clear();
  std::unique_lock lock(mu_);
  // An eviction (here or from the feed) landed while the caller read the
  // store: what it read may be what was just invalidated.
  if (evictions_.load() != generation_before) return;
  // While polls fail nothing is served from here; keep nothing either.
  if (fresh_since_ns_.load(std::memory_order_relaxed) == 0) return;
  // Only what the team snapshot can vouch for: a hit compares against it.
  auto t = teams_.find(who.team.id);
  if (t == teams_.end() || !t->second.enabled || t->second.created_at != who.team.created_at ||
      t->second.updated_at != who.team.updated_at)
    return;
  // Bounded: start over rather than grow; live sessions come back with one read each.
  if (by_digest_.size() >= max_cached_) clear_locked();
  auto& slot = by_digest_[digest];
  if (slot) {
    // A fresher read of an entry a hit refused (it looked idle here, but
    // another instance had seen it used): replace it, or it misses for good.
    slot->who = std::move(copy);
    if (slot->last_seen.load(std::memory_order_relaxed) < who.session.last_seen_at)
      slot->last_seen.store(who.session.last_seen_at, std::memory_order_relaxed);
    if (slot->flushed < who.session.last_seen_at)
      slot->flushed = who.session.last_seen_at;  // flush_mu_ readers hold mu_ shared
    return;
  }
  slot = std::make_unique<Entry>();
  slot->who = std::move(copy);
  slot->last_seen.store(who.session.last_seen_at, std::memory_order_relaxed);
  slot->flushed = who.session.last_seen_at;
  by_user_.emplace(who.user.id, digest);
}

void SessionCache::clear_locked() {
  by_digest_.clear();
  by_user_.clear();
}

void SessionCache::erase_locked(const crypto::Digest256& d) {
  auto it = by_digest_.find(d);
  if (it == by_digest_.end()) return;
  auto [b, e] = by_user_.equal_range(it->second->who->user.id);
  for (auto u = b; u != e; ++u)
    if (u->second == d) {
      by_user_.erase(u);
      break;
    }
  by_digest_.erase(it);
}

void SessionCache::evict_session(std::string_view id_hash) {
  auto d = digest_of(id_hash);
  std::unique_lock lock(mu_);
  evictions_.fetch_add(1);
  if (d) erase_locked(*d);
}

void SessionCache::evict_user_locked(const std::string& user_id) {
  auto [b, e] = by_user_.equal_range(user_id);
  for (auto u = b; u != e; ++u) by_digest_.erase(u->second);
  by_user_.erase(b, e);
}

void SessionCache::evict_user(std::string_view user_id) {
  std::unique_lock lock(mu_);
  evictions_.fetch_add(1);
  evict_user_locked(std::string(user_id));
}

void SessionCache::evict_team_locked(const std::string& team_id) {
  for (auto it = by_digest_.begin(); it != by_digest_.end();) {
    if (it->second->who->team.id == team_id) {
      const auto d = it->first;
      ++it;
      erase_locked(d);
    } else {
      ++it;
    }
  }
}

void SessionCache::evict_team(std::string_view team_id) {
  std::unique_lock lock(mu_);
  evictions_.fetch_add(1);
  evict_team_locked(std::string(team_id));
}

void SessionCache::refresh() {
  std::lock_guard serial(refresh_mu_);
  // Taken before reading: a hit later vouches only for changes that
  // committed before this moment.
  const auto started = monotonic_ns();
  const auto now_us = unix_micros(clock_);
  auto all = db_.teams().list();
  auto changes = db_.sessions().changes_since(now_us - kFeedWindowUs);
  std::unique_lock lock(mu_);
  if (!all || !changes) {
    if (!failing_)
      spdlog::warn(
          "session cache: cannot read {} ({}); signed-in requests go to the database until it "
          "answers",
          all ? "the change feed" : "the teams",
          store::to_string(all ? changes.error() : all.error()));
    failing_ = true;
    fresh_since_ns_.store(0, std::memory_order_relaxed);
    evictions_.fetch_add(1);
    clear_locked();
    return;
  }
  if (failing_) spdlog::info("session cache: the database answers again");
  failing_ = false;
  std::unordered_map<std::string, TeamState> next;
  for (const auto& t : *all) next[t.id] = {t.enabled, t.created_at, t.updated_at};
  // A team that went, was disabled, re-registered or updated: its entries
  // go (a hit would refuse them anyway; this keeps the map from holding them).
  for (const auto& [id, old] : teams_) {
    auto n = next.find(id);
    if (n == next.end() || !n->second.enabled || n->second.created_at != old.created_at ||
        n->second.updated_at != old.updated_at) {
      evictions_.fetch_add(1);
      evict_team_locked(id);
    }
  }
  teams_ = std::move(next);
  for (auto& c : *changes) {
    auto key = std::make_tuple(c.at_us, c.kind, c.subject);
    if (applied_.count(key)) continue;
    evictions_.fetch_add(1);
    if (c.kind == store::kSessionEnded) {
      if (auto d = digest_of(c.subject)) erase_locked(*d);
    } else if (c.kind == store::kUserChanged) {
      evict_user_locked(c.subject);
    } else if (c.kind == store::kTeamChanged) {
      evict_team_locked(c.subject);
    } else {
      // A kind this version does not know (a newer instance wrote it): forget everything.
      clear_locked();
    }
    applied_.insert(std::move(key));
  }
  fresh_since_ns_.store(started, std::memory_order_relaxed);
  lock.unlock();
  // Rows older than the window are never read again.
  while (!applied_.empty() && std::get<0>(*applied_.begin()) < now_us - kFeedWindowUs)
    applied_.erase(applied_.begin());
}

void SessionCache::flush_last_seen(std::int64_t min_step) {
  std::vector<std::pair<std::string, std::int64_t>> seen;
  std::lock_guard flush(flush_mu_);
  {
    std::shared_lock lock(mu_);
    for (auto& [d, e] : by_digest_) {
      auto at = e->last_seen.load(std::memory_order_relaxed);
      if (at > e->flushed && at - e->flushed >= min_step)
        seen.emplace_back(e->who->session.id_hash, at);
    }
  }
  if (seen.empty()) return;
  if (auto r = db_.sessions().touch_all(seen); !r) {
    spdlog::warn("could not record last-seen times of {} sessions: {}", seen.size(),
                 store::to_string(r.error()));
    return;
  }
  std::shared_lock lock(mu_);
  for (const auto& [id_hash, at] : seen)
    if (auto d = digest_of(id_hash))
      if (auto e = by_digest_.find(*d); e != by_digest_.end() && e->second->flushed < at)
        e->second->flushed = at;
}

// --- ObservedDatabase ---

namespace {

void announce(store::SessionStore& s, const Clock& clock, std::string_view kind,
              std::string_view subject) {
  store::SessionChange c{unix_micros(clock), std::string(kind), std::string(subject)};
  if (auto r = s.record_change(c); !r)
    spdlog::warn("session cache: could not record a {} change for the other instances: {}", c.kind,
                 store::to_string(r.error()));
}

// A person's role, email or name changed: forgotten here, announced elsewhere.
void user_changed(store::Database& inner, SessionCache& cache, const Clock& clock,
                  std::string_view user_id) {
  cache.evict_user(user_id);
  announce(inner.sessions(), clock, store::kUserChanged, user_id);
}

}  // namespace

class ObservedDatabase::Users final : public store::UserStore {
 public:
  Users(store::Database& inner, SessionCache& cache, const Clock& clock)
      : inner_(inner), cache_(cache), clock_(clock) {}
  store::Result<std::optional<domain::User>> find(std::string_view id) override {
    return inner_.users().find(id);
  }
  store::Result<std::optional<domain::User>> find_by_sub(std::string_view team_id,
                                                         std::string_view sub) override {
    return inner_.users().find_by_sub(team_id, sub);
  }
  store::Result<void> insert(const domain::User& u) override { return inner_.users().insert(u); }
  store::Result<std::vector<domain::User>> list_by_team(std::string_view team_id) override {
    return inner_.users().list_by_team(team_id);
  }
  store::Result<RoleChange> set_role(std::string_view team_id, std::string_view user_id,
                                     domain::Role role) override {
    auto r = inner_.users().set_role(team_id, user_id, role);
    if (r && *r == RoleChange::changed) changed(user_id);
    return r;
  }

 private:
  void changed(std::string_view user_id) { user_changed(inner_, cache_, clock_, user_id); }
  store::Database& inner_;
  SessionCache& cache_;
  const Clock& clock_;
};

class ObservedDatabase::Sessions final : public store::SessionStore {
 public:
  Sessions(store::Database& inner, SessionCache& cache, const Clock& clock)
      : inner_(inner), cache_(cache), clock_(clock) {}
  store::Result<void> insert(const domain::Session& s) override {
    return inner_.sessions().insert(s);
  }
  store::Result<std::optional<domain::Session>> find(std::string_view id_hash) override {
    return inner_.sessions().find(id_hash);
  }
  store::Result<void> touch(std::string_view id_hash, std::int64_t at) override {
    return inner_.sessions().touch(id_hash, at);
  }
  store::Result<void> touch_all(
      const std::vector<std::pair<std::string, std::int64_t>>& seen) override {
    return inner_.sessions().touch_all(seen);
  }
  store::Result<void> remove(std::string_view id_hash) override {
    auto r = inner_.sessions().remove(id_hash);
    // Evicted even when the delete failed: the next request asks the store.
    cache_.evict_session(id_hash);
    if (r) announce(inner_.sessions(), clock_, store::kSessionEnded, id_hash);
    return r;
  }
  store::Result<int> remove_for_team(std::string_view team_id) override {
    auto r = inner_.sessions().remove_for_team(team_id);
    cache_.evict_team(team_id);
    if (r) announce(inner_.sessions(), clock_, store::kTeamChanged, team_id);
    return r;
  }
  // Absolute expiry is checked on every hit: nothing to evict.
  store::Result<int> remove_expired(std::int64_t now) override {
    return inner_.sessions().remove_expired(now);
  }
  store::Result<void> record_change(const store::SessionChange& c) override {
    return inner_.sessions().record_change(c);
  }
  store::Result<std::vector<store::SessionChange>> changes_since(std::int64_t since_us) override {
    return inner_.sessions().changes_since(since_us);
  }
  store::Result<int> remove_changes_before(std::int64_t before_us) override {
    return inner_.sessions().remove_changes_before(before_us);
  }

 private:
  store::Database& inner_;
  SessionCache& cache_;
  const Clock& clock_;
};

class ObservedDatabase::Signins final : public store::SigninStore {
 public:
  Signins(store::Database& inner, SessionCache& cache, const Clock& clock)
      : inner_(inner), cache_(cache), clock_(clock) {}
  // Most sign-ins change nothing /me shows: only a new email or name evicts
  // and is announced (after the transaction committed), so sign-ins do not
  // flood the feed. A new session evicts nothing.
  store::Result<store::RecordedSignin> record(const store::CompletedSignin& s) override {
    auto r = inner_.signins().record(s);
    if (r && r->profile_changed) user_changed(inner_, cache_, clock_, r->person.id);
    return r;
  }

 private:
  store::Database& inner_;
  SessionCache& cache_;
  const Clock& clock_;
};

ObservedDatabase::ObservedDatabase(store::Database& inner, SessionCache& cache, const Clock& clock)
    : inner_(inner),
      users_(std::make_unique<Users>(inner, cache, clock)),
      sessions_(std::make_unique<Sessions>(inner, cache, clock)),
      signins_(std::make_unique<Signins>(inner, cache, clock)) {}

ObservedDatabase::~ObservedDatabase() = default;

store::UserStore& ObservedDatabase::users() { return *users_; }
store::SessionStore& ObservedDatabase::sessions() { return *sessions_; }
store::SigninStore& ObservedDatabase::signins() { return *signins_; }

}  // namespace gatehouse::signin
