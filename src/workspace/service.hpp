#pragma once
// The rules of the team workspace (SPEC.md §3–§5, the guide's Notes): roles,
// shared or personal tokens and models, usage and billing. Used by both the
// HTML pages and the JSON API, so the two cannot disagree.
//   auto t = ws.create_token(actor, "ci");        // expected<CreatedToken, Error>
//   auto r = ws.set_role(actor, user_id, Role::admin);
// Objects of another team, or of another person in a personal workspace,
// are not_found: never "forbidden", which would confirm they exist.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "core/clock.hpp"
#include "core/rate_limiter.hpp"
#include "crypto/random.hpp"
#include "domain/workspace.hpp"
#include "store/database.hpp"
#include "workspace/actor.hpp"
#include "workspace/token_authority.hpp"

namespace gatehouse::workspace {

enum class Error {
  forbidden,      // 403: admins only
  not_found,      // 404: no such object in this team (or not yours, in a personal workspace)
  exists,         // 409 "exists": a model of that name already
  last_admin,     // 409 "last_admin": the team would have no admin left
  invalid_input,  // 400: see the message
  unavailable,    // 503: the database is not answering
  rate_limited,   // 429: too many token creations for this team
};

struct Failure {
  Error error;
  std::string message;
  int retry_after = 0;  // seconds, with rate_limited
};

[[nodiscard]] int status(Error e);
[[nodiscard]] std::string_view code(Error e);

struct CreatedToken {
  domain::ApiToken token;
  std::string secret;  // shown once, never stored
};

template <typename T>
using Outcome = tl::expected<T, Failure>;

class Service {
 public:
  // token_creation: per team (SPEC.md §2).
  Service(store::Database& db, TokenAuthority& authority, const Clock& clock, crypto::Random& rng,
          RateLimiter& token_creation)
      : db_(db), authority_(authority), clock_(clock), rng_(rng), token_creation_(token_creation) {}

  // The caller's role as stored now, not as the session cache remembers it
  // (up to a second old on another instance, docs/signin.md): whatever only
  // an admin may do or see is decided by this.
  [[nodiscard]] Outcome<bool> is_admin_now(const Actor& a);
  [[nodiscard]] Outcome<std::vector<domain::User>> members(const Actor& a);
  [[nodiscard]] Outcome<domain::User> set_role(const Actor& a, const std::string& user_id,
                                               domain::Role role);

  [[nodiscard]] Outcome<std::vector<domain::ApiToken>> tokens(const Actor& a);
  [[nodiscard]] Outcome<CreatedToken> create_token(const Actor& a, const std::string& name);
  [[nodiscard]] Outcome<void> revoke_token(const Actor& a, const std::string& token_id);

  [[nodiscard]] Outcome<std::vector<domain::Model>> models(const Actor& a);
  [[nodiscard]] Outcome<domain::Model> create_model(const Actor& a, const std::string& name,
                                                    const std::string& base_model);
  [[nodiscard]] Outcome<void> delete_model(const Actor& a, const std::string& model_id);

  // Admins only; days inclusive, at most 366 of them.
  [[nodiscard]] Outcome<domain::UsageReport> usage(const Actor& a, const std::string& from_day,
                                                   const std::string& to_day);
  // Admins only; newest last.
  [[nodiscard]] Outcome<std::vector<domain::AuditEvent>> activity(const Actor& a,
                                                                  std::size_t limit);

  // People's display names by user id, for "created by" columns.
  [[nodiscard]] std::string display_name(const std::string& team_id, const std::string& user_id);

 private:
  void audit(const Actor& a, const std::string& action, const std::string& target,
             const nlohmann::json& details);

  store::Database& db_;
  TokenAuthority& authority_;
  const Clock& clock_;
  crypto::Random& rng_;
  RateLimiter& token_creation_;
};

}  // namespace gatehouse::workspace
