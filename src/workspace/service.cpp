#include "workspace/service.hpp"

#include <chrono>

#include <spdlog/spdlog.h>

#include "crypto/hash.hpp"

namespace gatehouse::workspace {
namespace {

tl::unexpected<Failure> fail(Error e, std::string message) {
  return tl::unexpected(Failure{e, std::move(message)});
}

tl::unexpected<Failure> down() {
  return fail(Error::unavailable, "The database is not answering. Please try again shortly.");
}

tl::unexpected<Failure> admins_only() {
  return fail(Error::forbidden, "Only team admins can do this.");
}

}  // namespace

int status(Error e) {
  switch (e) {
    case Error::forbidden:
      return 403;
    case Error::not_found:
      return 404;
    case Error::exists:
    case Error::last_admin:
      return 409;
    case Error::invalid_input:
      return 400;
    case Error::unavailable:
      return 503;
    case Error::rate_limited:
      return 429;
  }
  return 500;
}

std::string_view code(Error e) {
  switch (e) {
    case Error::forbidden:
      return "forbidden";
    case Error::not_found:
      return "not_found";
    case Error::exists:
      return "exists";
    case Error::last_admin:
      return "last_admin";
    case Error::invalid_input:
      return "invalid_input";
    case Error::unavailable:
      return "unavailable";
    case Error::rate_limited:
      return "rate_limited";
  }
  return "error";
}

Outcome<bool> Service::is_admin_now(const Actor& a) {
  if (a.token_id) return false;  // an API token is never an admin
  auto u = db_.users().find(a.user_id);
  if (!u) return down();
  return *u && (*u)->team_id == a.team_id && (*u)->role == domain::Role::admin;
}

Outcome<std::vector<domain::User>> Service::members(const Actor& a) {
  auto r = db_.users().list_by_team(a.team_id);
  if (!r) return down();
  return *r;
}

Outcome<domain::User> Service::set_role(const Actor& a, const std::string& user_id,
                                        domain::Role role) {
  if (auto admin = is_admin_now(a); !admin)
    return tl::unexpected(admin.error());
  else if (!*admin)
    return admins_only();
  auto before = db_.users().find(user_id);
  if (!before) return down();
  if (!*before || (*before)->team_id != a.team_id)
    return fail(Error::not_found, "No such member in your team.");
  auto r = db_.users().set_role(a.team_id, user_id, role);
  if (!r) {
    if (r.error() == store::StoreError::not_found)
      return fail(Error::not_found, "No such member in your team.");
    return down();
  }
  if (*r == store::UserStore::RoleChange::last_admin)
    return fail(Error::last_admin,
                "The team needs at least one admin. Make someone else admin first.");
  domain::User u = **before;
  if (*r == store::UserStore::RoleChange::changed) {
    audit(
        a, "role.change", u.id,
        {{"email", u.email}, {"from", domain::to_string(u.role)}, {"to", domain::to_string(role)}});
    u.role = role;
  }
  return u;
}

Outcome<std::vector<domain::ApiToken>> Service::tokens(const Actor& a) {
  auto r = db_.tokens().list(a.team_id, a.owner_scope());
  if (!r) return down();
  return *r;
}

Outcome<CreatedToken> Service::create_token(const Actor& a, const std::string& name) {
  if (auto e = domain::validate_name("A token", name)) return fail(Error::invalid_input, *e);
  if (auto wait = token_creation_.acquire(a.team_id))
    return tl::unexpected(Failure{Error::rate_limited,
                                  "Your team is creating tokens too fast. Try again in " +
                                      std::to_string(*wait) + " seconds.",
                                  *wait});
  CreatedToken out;
  out.secret = std::string(domain::kTokenPrefix) + crypto::random_token(rng_, 32);
  auto& t = out.token;
  t.id = "tok_" + crypto::random_token(rng_, 12);
  t.team_id = a.team_id;
  t.created_by = a.user_id;
  t.name = name;
  t.prefix = out.secret.substr(0, 10);
  t.secret_hash = TokenAuthority::hash(out.secret);
  t.created_at = clock_.unix_seconds();
  if (!db_.tokens().insert(t)) return down();
  audit(a, "token.create", t.id, {{"name", t.name}, {"prefix", t.prefix}});
  return out;
}

Outcome<void> Service::revoke_token(const Actor& a, const std::string& token_id) {
  auto t = db_.tokens().find(a.team_id, token_id);
  if (!t) return down();
  auto owner = a.owner_scope();
  if (!*t || (*t)->revoked_at || (owner && (*t)->created_by != *owner))
    return fail(Error::not_found, "No such token in your team.");
  auto r = db_.tokens().revoke(a.team_id, token_id, clock_.unix_seconds());
  if (!r) {
    if (r.error() == store::StoreError::not_found)
      return fail(Error::not_found, "No such token in your team.");
    return down();
  }
  // Stops working on this instance now, not when a cache entry expires.
  authority_.evict_token(token_id);
  audit(a, "token.revoke", token_id, {{"name", (*t)->name}, {"prefix", (*t)->prefix}});
  return {};
}

Outcome<std::vector<domain::Model>> Service::models(const Actor& a) {
  auto r = db_.models().list(a.team_id, a.owner_scope());
  if (!r) return down();
  return *r;
}

Outcome<domain::Model> Service::create_model(const Actor& a, const std::string& name,
                                             const std::string& base_model) {
  if (auto e = domain::validate_name("A model", name)) return fail(Error::invalid_input, *e);
  if (auto e = domain::validate_name("The base model", base_model))
    return fail(Error::invalid_input, *e);
  domain::Model m{"mdl_" + crypto::random_token(rng_, 12),
                  a.team_id,
                  a.user_id,
                  name,
                  base_model,
                  clock_.unix_seconds()};
  auto r = db_.models().insert(m);
  if (!r) {
    if (r.error() == store::StoreError::conflict)
      return fail(Error::exists, "Your team already has a model named '" + name + "'.");
    return down();
  }
  audit(a, "model.create", m.id, {{"name", m.name}, {"base_model", m.base_model}});
  return m;
}

Outcome<void> Service::delete_model(const Actor& a, const std::string& model_id) {
  auto r = db_.models().remove(a.team_id, model_id, a.owner_scope());
  if (!r) {
    if (r.error() == store::StoreError::not_found)
      return fail(Error::not_found, "No such model in your team.");
    return down();
  }
  audit(a, "model.delete", model_id, nlohmann::json::object());
  return {};
}

Outcome<domain::UsageReport> Service::usage(const Actor& a, const std::string& from_day,
                                            const std::string& to_day) {
  if (auto admin = is_admin_now(a); !admin)
    return tl::unexpected(admin.error());
  else if (!*admin)
    return admins_only();
  auto from = domain::parse_day(from_day);
  auto to = domain::parse_day(to_day);
  if (!from || !to) return fail(Error::invalid_input, "Dates are YYYY-MM-DD, like 2026-11-01.");
  if (*from > *to) return fail(Error::invalid_input, "The period starts after it ends.");
  if ((*to - *from) / domain::kSecondsPerDay + 1 > 366)
    return fail(Error::invalid_input, "Choose a period of at most 366 days.");
  auto r = db_.usage().report(a.team_id, from_day, to_day);
  if (!r) return down();
  return *r;
}

Outcome<std::vector<domain::AuditEvent>> Service::activity(const Actor& a, std::size_t limit) {
  if (auto admin = is_admin_now(a); !admin)
    return tl::unexpected(admin.error());
  else if (!*admin)
    return admins_only();
  store::AuditQuery q;
  q.team_id = a.team_id;
  q.limit = 100000;
  auto r = db_.audit().list(q);
  if (!r) return down();
  if (r->size() > limit) r->erase(r->begin(), r->end() - static_cast<std::ptrdiff_t>(limit));
  return *r;
}

std::string Service::display_name(const std::string& team_id, const std::string& user_id) {
  auto u = db_.users().find(user_id);
  if (u && *u && (*u)->team_id == team_id) return (*u)->email;
  return user_id;
}

void Service::audit(const Actor& a, const std::string& action, const std::string& target,
                    const nlohmann::json& details) {
  domain::AuditEvent e;
  e.id = "evt_" + crypto::random_token(rng_, 12);
  e.at_us = std::chrono::duration_cast<std::chrono::microseconds>(clock_.now().time_since_epoch())
                .count();
  e.team_id = a.team_id;
  e.actor = a.label;
  e.action = action;
  e.target = target;
  e.details = details.dump();
  if (!db_.audit().append(e))
    spdlog::error("audit event {} for team {} not stored", action, a.team_id);
}

}  // namespace gatehouse::workspace
