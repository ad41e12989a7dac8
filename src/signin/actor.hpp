#pragma once
// A signed-in person as a workspace actor.
#include "signin/sessions.hpp"
#include "workspace/actor.hpp"

namespace gatehouse::signin {

[[nodiscard]] inline workspace::Actor to_actor(const AuthContext& who) {
  return {who.team.id,   who.team.workspace, who.user.id,  who.user.email,
          who.user.role, std::nullopt,       who.team.name};
}

}  // namespace gatehouse::signin
