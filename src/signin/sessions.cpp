#include "signin/sessions.hpp"

#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"

namespace gatehouse::signin {
namespace {

// Writing last_seen_at on every request would make every page view a
// database write; a minute of idle-time resolution is plenty.
constexpr std::int64_t kTouchEverySeconds = 60;

std::string aad_for(std::string_view id_hash) { return "session:" + std::string(id_hash); }

}  // namespace

std::string Sessions::hash_id(std::string_view cookie_value) {
  return crypto::sha256_hex(cookie_value);
}

std::string Sessions::cookie_name() const {
  return settings_.secure_cookies ? "__Host-gh_session" : "gh_session";
}

Sessions::Prepared Sessions::prepare(const std::string& team_id, const std::string& id_token) {
  Created c{crypto::random_token(rng_, 32), crypto::random_token(rng_, 32)};
  auto now = clock_.unix_seconds();
  domain::Session s;
  s.id_hash = hash_id(c.cookie_value);
  s.team_id = team_id;
  s.csrf_token = c.csrf_token;
  s.id_token_sealed = box_.seal(id_token, aad_for(s.id_hash));
  s.created_at = s.last_seen_at = now;
  s.expires_at = now + settings_.absolute_ttl.count();
  return {std::move(c), std::move(s)};
}

store::Result<Sessions::Created> Sessions::create(const domain::User& user,
                                                  const std::string& id_token) {
  auto p = prepare(user.team_id, id_token);
  p.row.user_id = user.id;
  if (auto r = db_.sessions().insert(p.row); !r) return tl::unexpected(r.error());
  return std::move(p.created);
}

std::shared_ptr<const AuthContext> Sessions::authenticate_cached(std::string_view cookie_value) {
  if (!cache_ || cookie_value.size() != 43) return nullptr;
  return cache_->find(crypto::sha256_digest(cookie_value), settings_.idle_ttl.count());
}

store::Result<std::optional<AuthContext>> Sessions::authenticate(std::string_view cookie_value) {
  // A session id is 43 base64url characters; anything else cannot match.
  if (cookie_value.size() != 43) return std::optional<AuthContext>{};
  const auto digest = crypto::sha256_digest(cookie_value);
  std::uint64_t generation = 0;
  if (cache_) {
    if (auto hit = cache_->find(digest, settings_.idle_ttl.count()))
      return std::optional<AuthContext>{*hit};
    cache_->count_miss();
    generation = cache_->generation();
  }
  const auto id_hash = crypto::hex_encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
  auto ended = [&] {
    (void)db_.sessions().remove(id_hash);
    if (cache_) cache_->evict_session(id_hash);
    return std::optional<AuthContext>{};
  };
  auto s = db_.sessions().find(id_hash);
  if (!s) return tl::unexpected(s.error());
  if (!*s) {
    if (cache_) cache_->evict_session(id_hash);
    return std::optional<AuthContext>{};
  }
  auto now = clock_.unix_seconds();
  if (now >= (*s)->expires_at || now - (*s)->last_seen_at >= settings_.idle_ttl.count())
    return ended();
  auto user = db_.users().find((*s)->user_id);
  if (!user) return tl::unexpected(user.error());
  auto team = db_.teams().find((*s)->team_id);
  if (!team) return tl::unexpected(team.error());
  // A disabled team's sessions end for good: enabling it again later must
  // not bring them back (disabling is what an operator does in an incident).
  if (!*user || !*team || !(*team)->enabled) return ended();
  if (now - (*s)->last_seen_at >= kTouchEverySeconds) {
    if (auto r = db_.sessions().touch(id_hash, now); !r) return tl::unexpected(r.error());
    (*s)->last_seen_at = now;
  }
  AuthContext who{std::move(**user), std::move(**team), std::move(**s)};
  if (cache_) cache_->insert(digest, who, generation);
  return who;
}

store::Result<void> Sessions::destroy(std::string_view cookie_value) {
  auto id_hash = hash_id(cookie_value);
  auto r = db_.sessions().remove(id_hash);
  if (cache_) cache_->evict_session(id_hash);
  return r;
}

std::optional<std::string> Sessions::id_token(const domain::Session& s) const {
  if (s.id_token_sealed.empty()) {
    // A cached session carries no ID token (SessionCache::insert): ask the store.
    auto stored = db_.sessions().find(s.id_hash);
    if (!stored || !*stored || (*stored)->id_token_sealed.empty()) return std::nullopt;
    return id_token(**stored);
  }
  auto t = box_.open(s.id_token_sealed, aad_for(s.id_hash));
  if (!t) return std::nullopt;
  return *t;
}

}  // namespace gatehouse::signin
