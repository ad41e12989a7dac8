#pragma once
// Who is asking: a signed-in person (cookie) or an API token. An API token
// acts as a member of its team, never as an admin (SPEC.md §4); in a personal
// workspace it acts for the person who created it.
#include <optional>
#include <string>

#include "domain/team.hpp"
#include "domain/user.hpp"

namespace gatehouse::workspace {

struct Actor {
  std::string team_id;
  domain::Workspace mode = domain::Workspace::shared;
  std::string user_id;  // the person, or the token's creator
  std::string label;    // for the audit trail: an email, or "token:<id>"
  domain::Role role = domain::Role::member;
  std::optional<std::string> token_id;  // set when authenticated by API token
  std::string team_name;

  [[nodiscard]] bool is_admin() const { return !token_id && role == domain::Role::admin; }
  // Whose tokens and models this actor sees: everyone's (shared) or its own (personal).
  [[nodiscard]] std::optional<std::string> owner_scope() const {
    if (mode == domain::Workspace::personal) return user_id;
    return std::nullopt;
  }
};

}  // namespace gatehouse::workspace
