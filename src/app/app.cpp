#include "app/app.hpp"

#include <iostream>
#include <memory>
#include <optional>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "app/serve.hpp"
#include "cli/team_commands.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_box.hpp"
#include "domain/team.hpp"
#include "http/client.hpp"
#include "oidc/relying_party.hpp"
#include "store/database.hpp"

namespace gatehouse::app {
namespace {

struct Failure {
  int code;
  std::string message;
};

// What every command but `serve` needs, built after its input was validated
// so that bad input writes nothing.
struct Services {
  config::Config cfg;
  SystemClock clock;
  crypto::SystemRandom rng;
  std::unique_ptr<store::Database> db;
  std::optional<crypto::SecretBox> box;
};

tl::expected<config::Config, Failure> load_config() {
  auto env = config::process_env();
  if (!env) return tl::unexpected(Failure{2, env.error()});
  auto cfg = config::from_env(*env);
  if (!cfg) return tl::unexpected(Failure{2, cfg.error()});
  return *cfg;
}

tl::expected<std::unique_ptr<Services>, Failure> open_services(bool need_key) {
  auto cfg = load_config();
  if (!cfg) return tl::unexpected(cfg.error());
  auto s = std::make_unique<Services>();
  s->cfg = *cfg;
  auto db = store::open_database(s->cfg.database_url);
  if (!db) return tl::unexpected(Failure{1, "cannot open the database: " + db.error()});
  s->db = std::move(*db);
  if (auto m = s->db->migrate(); !m)
    return tl::unexpected(Failure{1, "cannot bring the database schema up to date: " + m.error()});
  if (need_key) {
    auto box = crypto::SecretBox::load_or_create(s->cfg.secret_key_file, s->rng);
    if (!box) return tl::unexpected(Failure{1, box.error()});
    s->box.emplace(std::move(*box));
  }
  return s;
}

int report(const Failure& f) {
  std::cerr << "error: " << f.message << "\n";
  return f.code;
}

cli::DiscoveryCheck discovery_check(const config::Config& cfg, const Clock& clock,
                                    crypto::Random& rng) {
  return [&cfg, &clock, &rng](const std::string& issuer) -> std::optional<std::string> {
    auto http = http::make_beast_client({.default_timeout = cfg.idp_timeout});
    oidc::RelyingParty rp(*http, clock, rng);
    std::string detail;
    auto md = rp.metadata(issuer, &detail);
    // The operator also needs the technical reason behind the words meant for people.
    if (!md)
      return std::string(oidc::message(md.error())) + (detail.empty() ? "" : " (" + detail + ")");
    return std::nullopt;
  };
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gatehouse: team accounts and single sign-on for the inference platform"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every command");

  auto* serve = app.add_subcommand("serve", "Run the HTTP service");
  auto* migrate = app.add_subcommand("migrate", "Bring the database schema up to date");
  auto* team = app.add_subcommand("team", "Register and manage teams")->require_subcommand(1);

  cli::TeamAddArgs add_args;
  bool add_secret_stdin = false;
  auto* add = team->add_subcommand("add", "Register a team's OpenID Connect provider");
  add->add_option("--team-id", add_args.id, "Team ID people type at sign-in")->required();
  add->add_option("--issuer", add_args.issuer, "The provider's exact issuer URL")->required();
  add->add_option("--client-id", add_args.client_id, "OIDC client ID")->required();
  add->add_flag("--client-secret-stdin", add_secret_stdin, "Read the client secret from stdin")
      ->required();
  add->add_option("--admin-email", add_args.admin_email, "Becomes team admin on first sign-in")
      ->required();
  add->add_option("--name", add_args.name, "Display name");
  add->add_option("--workspace", add_args.workspace, "shared (default) or personal");
  add->add_flag("--no-discovery-check", add_args.no_discovery_check,
                "Do not fetch the discovery document now");

  bool json = false;
  auto* list = team->add_subcommand("list", "List teams");
  list->add_flag("--json", json, "Machine-readable output");

  std::string id;
  auto* show = team->add_subcommand("show", "Show a team (never its client secret)");
  show->add_option("ID", id)->required();
  show->add_flag("--json", json, "Machine-readable output");

  cli::TeamUpdateArgs upd_args;
  bool upd_secret_stdin = false;
  auto* update = team->add_subcommand("update", "Change a team");
  update->add_option("ID", upd_args.id)->required();
  update->add_option("--issuer", upd_args.issuer);
  update->add_option("--client-id", upd_args.client_id);
  update->add_flag("--client-secret-stdin", upd_secret_stdin);
  update->add_option("--admin-email", upd_args.admin_email);
  update->add_option("--name", upd_args.name);
  update->add_option("--workspace", upd_args.workspace);
  update->add_flag("--no-discovery-check", upd_args.no_discovery_check);

  auto* disable = team->add_subcommand("disable", "Stop a team's sign-ins and tokens");
  disable->add_option("ID", id)->required();
  auto* enable = team->add_subcommand("enable", "Allow a disabled team again");
  enable->add_option("ID", id)->required();
  bool yes = false;
  auto* remove = team->add_subcommand("remove", "Delete a team and all its data");
  remove->add_option("ID", id)->required();
  remove->add_flag("--yes", yes, "Confirm");

  std::optional<std::string> audit_team, audit_since;
  auto* audit = app.add_subcommand("audit", "Show the audit trail, oldest first");
  audit->add_option("--team", audit_team, "Only this team");
  audit->add_option("--since", audit_since, "From this day on (YYYY-MM-DD)");
  audit->add_flag("--json", json, "A JSON array of events");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }

  if (serve->parsed()) {
    auto cfg = load_config();
    if (!cfg) return report(cfg.error());
    setup_logging(cfg->log_format == config::LogFormat::json);
    return run_server(*cfg);
  }

  // Validate first: bad input must write nothing, not even the key file.
  std::optional<std::string> secret;
  if (add->parsed()) {
    if (auto e = cli::validate(add_args)) return report({2, *e});
    secret = cli::read_secret_line(std::cin);
    if (!secret)
      return report({2, "--client-secret-stdin: standard input has no secret on its first line"});
  } else if (update->parsed()) {
    if (auto e = cli::validate(upd_args)) return report({2, *e});
    if (upd_secret_stdin) {
      secret = cli::read_secret_line(std::cin);
      if (!secret)
        return report({2, "--client-secret-stdin: standard input has no secret on its first line"});
    }
  }
  if (remove->parsed() && !yes)
    return report({2, "removing team " + id + " deletes all its data; add --yes to confirm"});
  if (show->parsed() || disable->parsed() || enable->parsed() || remove->parsed())
    if (auto e = domain::check_team_id_syntax(id)) return report({2, "team ID: " + *e});
  bool writes_secret = add->parsed() || (update->parsed() && upd_secret_stdin);
  auto s = open_services(writes_secret);
  if (!s) return report(s.error());
  if (migrate->parsed()) {
    std::cout << "database schema is up to date\n";
    return 0;
  }
  auto& svc = **s;
  cli::TeamCommands cmds(
      svc.db->teams(), svc.db->sessions(), svc.db->audit(), svc.box ? &*svc.box : nullptr,
      discovery_check(svc.cfg, svc.clock, svc.rng), svc.clock, svc.rng, std::cout, std::cerr);
  if (audit->parsed()) return cmds.audit(audit_team, audit_since, json);
  if (add->parsed()) return cmds.add(add_args, *secret);
  if (list->parsed()) return cmds.list(json);
  if (show->parsed()) return cmds.show(id, json);
  if (update->parsed()) return cmds.update(upd_args, secret);
  if (disable->parsed()) return cmds.set_enabled(id, false);
  if (enable->parsed()) return cmds.set_enabled(id, true);
  if (remove->parsed()) return cmds.remove(id, yes);
  return 2;
}

}  // namespace gatehouse::app
