#include "domain/user.hpp"

#include "domain/team.hpp"

namespace gatehouse::domain {

std::string_view to_string(Role r) { return r == Role::admin ? "admin" : "member"; }

std::optional<Role> parse_role(std::string_view s) {
  if (s == "admin") return Role::admin;
  if (s == "member") return Role::member;
  return std::nullopt;
}

bool becomes_admin(std::string_view email, std::string_view admin_email,
                   std::optional<bool> email_verified) {
  if (email_verified == false) return false;
  return !email.empty() && lowercase(email) == lowercase(admin_email);
}

}  // namespace gatehouse::domain
