#pragma once
// `gatehouse team …` (SPEC.md §2): the operator registers and changes teams.
// Input is validated before anything is opened or written; exit codes are
// 0 ok, 1 failure, 2 bad input; errors are one `error:` line on err.
//   TeamCommands cmds(db.teams(), box, discovery, clock, std::cout, std::cerr);
//   return cmds.add(args, secret);
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_box.hpp"
#include "store/audit_store.hpp"
#include "store/session_store.hpp"
#include "store/team_store.hpp"

namespace gatehouse::cli {

struct TeamAddArgs {
  std::string id, issuer, client_id, admin_email;
  std::optional<std::string> name;
  std::string workspace = "shared";
  bool no_discovery_check = false;
};

struct TeamUpdateArgs {
  std::string id;
  std::optional<std::string> issuer, client_id, admin_email, name, workspace;
  bool no_discovery_check = false;
};

// Returns nullopt when the issuer's discovery document is fetched and its
// `issuer` matches exactly; else the reason.
using DiscoveryCheck = std::function<std::optional<std::string>(const std::string& issuer)>;

// Reason for exit 2, or nullopt. Pure: safe before anything is opened.
[[nodiscard]] std::optional<std::string> validate(const TeamAddArgs& a);
[[nodiscard]] std::optional<std::string> validate(const TeamUpdateArgs& a);
// The first line of in, without its line ending; nullopt when empty.
[[nodiscard]] std::optional<std::string> read_secret_line(std::istream& in);

class TeamCommands {
 public:
  // box may be null for commands that seal nothing (list, show, enable…).
  TeamCommands(store::TeamStore& teams, store::SessionStore& sessions, store::AuditStore& audit,
               const crypto::SecretBox* box, DiscoveryCheck discovery, const Clock& clock,
               crypto::Random& rng, std::ostream& out, std::ostream& err)
      : teams_(teams),
        sessions_(sessions),
        audit_(audit),
        box_(box),
        discovery_(std::move(discovery)),
        clock_(clock),
        rng_(rng),
        out_(out),
        err_(err) {}

  int add(const TeamAddArgs& a, const std::string& client_secret);
  int list(bool json);
  int show(const std::string& id, bool json);
  int update(const TeamUpdateArgs& a, const std::optional<std::string>& client_secret);
  int set_enabled(const std::string& id, bool enabled);
  int remove(const std::string& id, bool yes);
  // `gatehouse audit`: events oldest first, as text or a JSON array of
  // {"at","team","actor","action","target","details"}.
  int audit(const std::optional<std::string>& team, const std::optional<std::string>& since,
            bool json);

 private:
  int fail(int code, const std::string& message);
  std::optional<domain::Team> load(const std::string& id, int& code);
  void record(const std::string& team_id, const std::string& action, const std::string& details);
  // Tells running servers' session caches (the session_changes feed).
  void announce(const std::string& team_id);

  store::TeamStore& teams_;
  store::SessionStore& sessions_;
  store::AuditStore& audit_;
  const crypto::SecretBox* box_;
  DiscoveryCheck discovery_;
  const Clock& clock_;
  crypto::Random& rng_;
  std::ostream& out_;
  std::ostream& err_;
};

}  // namespace gatehouse::cli
