#pragma once
// People, their browser sessions, pending sign-ins and audit events: plain
// values, the rules that need no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::domain {

enum class Role { member, admin };
[[nodiscard]] std::string_view to_string(Role r);
[[nodiscard]] std::optional<Role> parse_role(std::string_view s);

// A person is (team, sub), never an email alone (OIDC Core §5.7).
struct User {
  std::string id;
  std::string team_id;
  std::string sub;
  std::string email;
  std::string name;
  Role role = Role::member;
  std::int64_t created_at = 0;
  std::int64_t last_login_at = 0;
};

struct Session {
  std::string id_hash;  // sha256 hex of the cookie value; the value itself is never stored
  std::string user_id;
  std::string team_id;
  std::string csrf_token;
  std::string id_token_sealed;
  std::int64_t created_at = 0;
  std::int64_t last_seen_at = 0;
  std::int64_t expires_at = 0;  // absolute expiry
};

struct LoginAttempt {
  std::string state_hash;    // sha256 hex of state: the lookup key
  std::string browser_hash;  // sha256 hex of the gh_login cookie that started it
  std::string team_id;
  std::string issuer;
  std::string client_id;
  std::string state;
  std::string nonce;
  std::string code_verifier;
  std::string return_to;  // a path on this service, already checked
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
};

struct AuditEvent {
  std::string id;
  std::int64_t at_us = 0;  // unix microseconds
  std::string team_id;
  std::string actor;   // user email, "operator", or "gateway"
  std::string action;  // signin.success, signin.failure, role.change, token.create, …
  std::string target;
  std::string details;  // JSON object text
};

// The admin rule of SPEC.md §7: the team's admin email (case-insensitive),
// unless the provider says the address is not verified (false or "false").
[[nodiscard]] bool becomes_admin(std::string_view email, std::string_view admin_email,
                                 std::optional<bool> email_verified);

}  // namespace gatehouse::domain
