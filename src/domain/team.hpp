#pragma once
// A team: one customer's SSO connection and shared workspace (SPEC.md §2).
//   if (auto err = validate_team_id("acme-ml", "https://acme.okta.com")) reject(*err);
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::domain {

enum class Workspace { shared, personal };

struct Team {
  std::string id;  // the Team ID people type
  std::string name;
  std::string issuer;  // exact OIDC issuer
  std::string client_id;
  std::string client_secret_sealed;  // SecretBox output; never the plaintext
  std::string admin_email;           // lowercased
  Workspace workspace = Workspace::shared;
  bool enabled = true;
  std::int64_t created_at = 0;  // unix seconds
  std::int64_t updated_at = 0;
};

[[nodiscard]] std::string_view to_string(Workspace w);
// The AAD that binds a sealed client secret to its team's row.
[[nodiscard]] std::string client_secret_aad(std::string_view team_id);
[[nodiscard]] std::optional<Workspace> parse_workspace(std::string_view s);

// Team ID syntax: lowercase letters, digits and single dashes, starting with a
// letter or digit, not ending with a dash, 2–63 characters. Returns the
// reason when invalid.
[[nodiscard]] std::optional<std::string> check_team_id_syntax(std::string_view id);

// Syntax, plus the Okta rule: for issuers on *.okta.com, *.oktapreview.com,
// *.okta-emea.com the Team ID is the Okta subdomain or starts with it and a
// dash. Prevents one Okta org from registering another org's name.
[[nodiscard]] std::optional<std::string> validate_team_id(std::string_view id,
                                                          std::string_view issuer);

// A plausible address: one '@', non-empty local part, a dotted domain, no
// spaces or control characters, at most 254 characters.
[[nodiscard]] std::optional<std::string> validate_email(std::string_view email);

// Lowercased copy (emails compare case-insensitively for the admin rule).
[[nodiscard]] std::string lowercase(std::string_view s);

// The issuer must be an absolute https URL (http only for loopback hosts),
// without query or fragment.
[[nodiscard]] std::optional<std::string> validate_issuer(std::string_view issuer);

}  // namespace gatehouse::domain
