#pragma once
// Browser sessions (SPEC.md §7): a random 256-bit id in the cookie, only its
// SHA-256 in the database, idle and absolute expiry, a CSRF token each.
// With a SessionCache (session_cache.hpp) a live session is answered from
// memory within the cache's bounds; without one, the person's role and the
// team's state are read on every request. Either way a role change or a
// disabled team applies at the very next request on this instance.
//   auto s = sessions.create(user, id_token);           // set cookie s->cookie_value
//   auto p = sessions.prepare(team_id, id_token);       // the row, for db.signins().record()
//   auto who = sessions.authenticate(cookie_value);     // Result<optional<AuthContext>>
//   if (auto who = sessions.authenticate_cached(v))     // no I/O (I/O thread); nullptr: ask
//   authenticate()
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_box.hpp"
#include "domain/team.hpp"
#include "domain/user.hpp"
#include "signin/session_cache.hpp"
#include "store/database.hpp"

namespace gatehouse::signin {

struct SessionSettings {
  std::chrono::seconds absolute_ttl{43200};
  std::chrono::seconds idle_ttl{7200};
  bool secure_cookies = false;
};

class Sessions {
 public:
  Sessions(store::Database& db, const crypto::SecretBox& box, const Clock& clock,
           crypto::Random& rng, SessionSettings settings, SessionCache* cache = nullptr)
      : db_(db), box_(box), clock_(clock), rng_(rng), settings_(settings), cache_(cache) {}

  struct Created {
    std::string cookie_value;
    std::string csrf_token;
  };
  [[nodiscard]] store::Result<Created> create(const domain::User& user,
                                              const std::string& id_token);
  // A new session of a person of team_id, built but not stored: the
  // sign-in's one transaction (store::SigninStore) stores it and fills in
  // row.user_id once it knows the person.
  struct Prepared {
    Created created;
    domain::Session row;
  };
  [[nodiscard]] Prepared prepare(const std::string& team_id, const std::string& id_token);
  // nullopt: no such session, expired (absolute or idle), person or team gone, team disabled.
  [[nodiscard]] store::Result<std::optional<AuthContext>> authenticate(
      std::string_view cookie_value);
  // Never blocks: the cached snapshot of a live session, or nullptr when
  // there is no cache, the session is not in it, or it may have ended.
  [[nodiscard]] std::shared_ptr<const AuthContext> authenticate_cached(
      std::string_view cookie_value);
  [[nodiscard]] store::Result<void> destroy(std::string_view cookie_value);
  // The ID token kept for logout's id_token_hint, if it can be opened (read
  // from the store when s is a cached copy, which carries none).
  [[nodiscard]] std::optional<std::string> id_token(const domain::Session& s) const;

  // "__Host-gh_session" on https (a cookie no subdomain can set), else "gh_session".
  [[nodiscard]] std::string cookie_name() const;
  [[nodiscard]] const SessionSettings& settings() const { return settings_; }
  [[nodiscard]] static std::string hash_id(std::string_view cookie_value);

 private:
  store::Database& db_;
  const crypto::SecretBox& box_;
  const Clock& clock_;
  crypto::Random& rng_;
  SessionSettings settings_;
  SessionCache* cache_;
};

}  // namespace gatehouse::signin
