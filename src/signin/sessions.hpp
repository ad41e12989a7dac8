#pragma once
// Browser sessions (SPEC.md §7): a random 256-bit id in the cookie, only its
// SHA-256 in the database, idle and absolute expiry, a CSRF token each.
// The person's role and the team's state are read on every request, so a
// role change or a disabled team applies at the very next request.
//   auto s = sessions.create(user, id_token);           // set cookie s->cookie_value
//   auto who = sessions.authenticate(cookie_value);     // Result<optional<AuthContext>>
#include <chrono>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_box.hpp"
#include "domain/team.hpp"
#include "domain/user.hpp"
#include "store/database.hpp"

namespace gatehouse::signin {

struct AuthContext {
  domain::User user;
  domain::Team team;
  domain::Session session;
};

struct SessionSettings {
  std::chrono::seconds absolute_ttl{43200};
  std::chrono::seconds idle_ttl{7200};
  bool secure_cookies = false;
};

class Sessions {
 public:
  Sessions(store::Database& db, const crypto::SecretBox& box, const Clock& clock,
           crypto::Random& rng, SessionSettings settings)
      : db_(db), box_(box), clock_(clock), rng_(rng), settings_(settings) {}

  struct Created {
    std::string cookie_value;
    std::string csrf_token;
  };
  [[nodiscard]] store::Result<Created> create(const domain::User& user, const std::string& id_token);
  // nullopt: no such session, expired (absolute or idle), person or team gone, team disabled.
  [[nodiscard]] store::Result<std::optional<AuthContext>> authenticate(std::string_view cookie_value);
  [[nodiscard]] store::Result<void> destroy(std::string_view cookie_value);
  // The ID token kept for logout's id_token_hint, if it can be opened.
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
};

}  // namespace gatehouse::signin
