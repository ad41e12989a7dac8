#include "cli/team_commands.hpp"

#include <chrono>
#include <ctime>
#include <istream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "domain/workspace.hpp"

namespace gatehouse::cli {
namespace {

nlohmann::json to_json(const domain::Team& t) {
  // Never the client secret, sealed or not.
  return {{"id", t.id},
          {"name", t.name},
          {"issuer", t.issuer},
          {"client_id", t.client_id},
          {"admin_email", t.admin_email},
          {"workspace", domain::to_string(t.workspace)},
          {"enabled", t.enabled},
          {"created_at", t.created_at},
          {"updated_at", t.updated_at}};
}

std::optional<std::string> check_common(const std::optional<std::string>& email,
                                        const std::optional<std::string>& workspace,
                                        const std::optional<std::string>& client_id,
                                        const std::optional<std::string>& name) {
  if (email)
    if (auto e = domain::validate_email(*email)) return "--admin-email: " + *e;
  if (workspace && !domain::parse_workspace(*workspace))
    return "--workspace must be shared or personal";
  if (client_id && (client_id->empty() || client_id->size() > 255))
    return "--client-id must have 1 to 255 characters";
  if (name && name->size() > 200) return "--name has at most 200 characters";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> validate(const TeamAddArgs& a) {
  if (auto e = domain::check_team_id_syntax(a.id)) return "--team-id: " + *e;
  if (auto e = domain::validate_issuer(a.issuer)) return "--issuer: " + *e;
  if (auto e = domain::validate_team_id(a.id, a.issuer)) return "--team-id: " + *e;
  return check_common(a.admin_email, a.workspace, a.client_id, a.name);
}

std::optional<std::string> validate(const TeamUpdateArgs& a) {
  if (auto e = domain::check_team_id_syntax(a.id)) return "team ID: " + *e;
  if (a.issuer) {
    if (auto e = domain::validate_issuer(*a.issuer)) return "--issuer: " + *e;
    if (auto e = domain::validate_team_id(a.id, *a.issuer)) return "team ID: " + *e;
  }
  return check_common(a.admin_email, a.workspace, a.client_id, a.name);
}

std::optional<std::string> read_secret_line(std::istream& in) {
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return std::nullopt;
  return line;
}

int TeamCommands::fail(int code, const std::string& message) {
  err_ << "error: " << message << "\n";
  return code;
}

std::optional<domain::Team> TeamCommands::load(const std::string& id, int& code) {
  auto t = teams_.find(id);
  if (!t) {
    code = fail(1, std::string(store::to_string(t.error())));
    return std::nullopt;
  }
  if (!*t) {
    code = fail(1, "no team " + id);
    return std::nullopt;
  }
  return **t;
}

void TeamCommands::announce(const std::string& team_id) {
  // Running servers poll the team list too, but a change within the same
  // second (disable then enable, remove then add) leaves the team's
  // timestamps as they were; the feed row makes every session cache forget
  // the team's sessions within a poll either way.
  store::SessionChange c{
      std::chrono::duration_cast<std::chrono::microseconds>(clock_.now().time_since_epoch())
          .count(),
      std::string(store::kTeamChanged), team_id};
  if (!sessions_.record_change(c))
    err_ << "warning: running servers were not told of the change; they notice it by the "
            "team's state within a second\n";
}

void TeamCommands::record(const std::string& team_id, const std::string& action,
                          const std::string& details) {
  domain::AuditEvent e;
  e.id = "evt_" + crypto::random_token(rng_, 12);
  e.at_us = std::chrono::duration_cast<std::chrono::microseconds>(clock_.now().time_since_epoch())
                .count();
  e.team_id = team_id;
  e.actor = "operator";
  e.action = action;
  e.target = team_id;
  e.details = details;
  if (!audit_.append(e)) err_ << "warning: the audit event " << action << " was not stored\n";
}

int TeamCommands::add(const TeamAddArgs& a, const std::string& client_secret) {
  if (auto e = validate(a)) return fail(2, *e);
  auto existing = teams_.find(a.id);
  if (!existing) return fail(1, std::string(store::to_string(existing.error())));
  if (*existing) return fail(1, "team " + a.id + " already exists");
  if (!a.no_discovery_check)
    if (auto e = discovery_(a.issuer)) return fail(1, "discovery check failed: " + *e);
  domain::Team t;
  t.id = a.id;
  t.name = a.name.value_or(a.id);
  t.issuer = a.issuer;
  t.client_id = a.client_id;
  t.client_secret_sealed = box_->seal(client_secret, domain::client_secret_aad(a.id));
  t.admin_email = domain::lowercase(a.admin_email);
  t.workspace = *domain::parse_workspace(a.workspace);
  t.enabled = true;
  t.created_at = t.updated_at = clock_.unix_seconds();
  if (auto r = teams_.insert(t); !r) {
    if (r.error() == store::StoreError::conflict)
      return fail(1, "team " + a.id + " already exists");
    return fail(1, std::string(store::to_string(r.error())));
  }
  record(t.id, "team.add",
         nlohmann::json{{"issuer", t.issuer},
                        {"client_id", t.client_id},
                        {"admin_email", t.admin_email},
                        {"workspace", domain::to_string(t.workspace)}}
             .dump());
  out_ << "team " << t.id << " added\n";
  return 0;
}

int TeamCommands::list(bool json) {
  auto all = teams_.list();
  if (!all) return fail(1, std::string(store::to_string(all.error())));
  if (json) {
    auto arr = nlohmann::json::array();
    for (const auto& t : *all) arr.push_back(to_json(t));
    out_ << arr.dump(2) << "\n";
    return 0;
  }
  out_ << fmt::format("{:<24} {:<9} {:<9} {}\n", "TEAM ID", "STATE", "WORKSPACE", "ISSUER");
  for (const auto& t : *all)
    out_ << fmt::format("{:<24} {:<9} {:<9} {}\n", t.id, t.enabled ? "enabled" : "disabled",
                        domain::to_string(t.workspace), t.issuer);
  return 0;
}

int TeamCommands::show(const std::string& id, bool json) {
  int code = 0;
  auto t = load(id, code);
  if (!t) return code;
  if (json) {
    out_ << to_json(*t).dump(2) << "\n";
    return 0;
  }
  out_ << fmt::format(
      "team ID:       {}\nname:          {}\nissuer:        {}\nclient ID:     {}\n"
      "client secret: (stored encrypted, not shown)\nadmin email:   {}\nworkspace:     {}\n"
      "state:         {}\n",
      t->id, t->name, t->issuer, t->client_id, t->admin_email, domain::to_string(t->workspace),
      t->enabled ? "enabled" : "disabled");
  return 0;
}

int TeamCommands::update(const TeamUpdateArgs& a, const std::optional<std::string>& client_secret) {
  if (auto e = validate(a)) return fail(2, *e);
  int code = 0;
  auto t = load(a.id, code);
  if (!t) return code;
  if (a.issuer && *a.issuer != t->issuer && !a.no_discovery_check)
    if (auto e = discovery_(*a.issuer)) return fail(1, "discovery check failed: " + *e);
  nlohmann::json changed = nlohmann::json::object();
  if (a.issuer && *a.issuer != t->issuer) changed["issuer"] = *a.issuer;
  if (a.client_id && *a.client_id != t->client_id) changed["client_id"] = *a.client_id;
  if (a.admin_email) changed["admin_email"] = domain::lowercase(*a.admin_email);
  if (a.name) changed["name"] = *a.name;
  if (a.workspace) changed["workspace"] = *a.workspace;
  if (client_secret) changed["client_secret"] = "(replaced)";
  if (a.issuer) t->issuer = *a.issuer;
  if (a.client_id) t->client_id = *a.client_id;
  if (a.admin_email) t->admin_email = domain::lowercase(*a.admin_email);
  if (a.name) t->name = *a.name;
  if (a.workspace) t->workspace = *domain::parse_workspace(*a.workspace);
  if (client_secret)
    t->client_secret_sealed = box_->seal(*client_secret, domain::client_secret_aad(a.id));
  t->updated_at = clock_.unix_seconds();
  if (auto r = teams_.update(*t); !r) return fail(1, std::string(store::to_string(r.error())));
  announce(t->id);
  record(t->id, "team.update", changed.dump());
  out_ << "team " << t->id << " updated\n";
  return 0;
}

int TeamCommands::set_enabled(const std::string& id, bool enabled) {
  if (auto e = domain::check_team_id_syntax(id)) return fail(2, "team ID: " + *e);
  int code = 0;
  auto t = load(id, code);
  if (!t) return code;
  t->enabled = enabled;
  t->updated_at = clock_.unix_seconds();
  if (auto r = teams_.update(*t); !r) return fail(1, std::string(store::to_string(r.error())));
  int ended = 0;
  if (!enabled) {
    // Disabling is an incident tool: the team's sessions end for good, so
    // enabling it again later signs no one back in.
    auto r = sessions_.remove_for_team(id);
    if (!r)
      return fail(1, "team disabled, but its sessions could not be ended: " +
                         std::string(store::to_string(r.error())));
    ended = *r;
    announce(id);
  }
  record(id, enabled ? "team.enable" : "team.disable",
         enabled ? "{}" : nlohmann::json{{"sessions_ended", ended}}.dump());
  out_ << "team " << id << (enabled ? " enabled\n" : " disabled\n");
  return 0;
}

int TeamCommands::remove(const std::string& id, bool yes) {
  if (auto e = domain::check_team_id_syntax(id)) return fail(2, "team ID: " + *e);
  if (!yes) return fail(2, "removing team " + id + " deletes all its data; add --yes to confirm");
  int code = 0;
  if (!load(id, code)) return code;
  if (auto r = teams_.remove(id); !r) return fail(1, std::string(store::to_string(r.error())));
  announce(id);
  // Removing a team deletes its audit events with it; the removal itself
  // is kept under the team's id so the operator can still see it happened.
  record(id, "team.remove", "{}");
  out_ << "team " << id << " removed\n";
  return 0;
}

int TeamCommands::audit(const std::optional<std::string>& team,
                        const std::optional<std::string>& since, bool json) {
  store::AuditQuery q;
  q.team_id = team;
  q.limit = 1'000'000;
  if (since) {
    auto day = domain::parse_day(*since);
    if (!day) return fail(2, "--since: expected a date YYYY-MM-DD");
    q.since_us = *day * 1'000'000;
  }
  auto events = audit_.list(q);
  if (!events) return fail(1, std::string(store::to_string(events.error())));
  auto iso = [](std::int64_t at_us) {
    std::time_t t = static_cast<std::time_t>(at_us / 1'000'000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return std::string(buf);
  };
  if (json) {
    auto arr = nlohmann::json::array();
    for (const auto& e : *events) {
      auto details = nlohmann::json::parse(e.details, nullptr, false);
      if (details.is_discarded()) details = e.details;
      arr.push_back({{"at", iso(e.at_us)},
                     {"team", e.team_id},
                     {"actor", e.actor},
                     {"action", e.action},
                     {"target", e.target},
                     {"details", details}});
    }
    out_ << arr.dump(2) << "\n";
    return 0;
  }
  for (const auto& e : *events)
    out_ << fmt::format("{}  {:<16} {:<18} {:<28} {} {}\n", iso(e.at_us),
                        e.team_id.empty() ? "-" : e.team_id, e.action, e.actor, e.target,
                        e.details);
  return 0;
}

}  // namespace gatehouse::cli
