#include "web/workspace_routes.hpp"

#include <algorithm>
#include <map>
#include <variant>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "crypto/hash.hpp"
#include "signin/actor.hpp"
#include "web/billing_chart.hpp"

namespace gatehouse::web {
namespace {

using http::Request;
using http::Response;
using kainjow::mustache::data;
using workspace::Error;
using workspace::Failure;

constexpr std::size_t kActivityLimit = 200;
constexpr std::int64_t kDefaultBillingDays = 30;

// A signed-in request: who, as the workspace sees them, and as the header shows them.
struct Signed {
  signin::AuthContext who;
  workspace::Actor actor;
  Viewer viewer;
};

// The session, or the response to send instead. A POST without a session
// gets 303 (not 302) so the browser follows it with a GET.
std::variant<Signed, Response> signed_in(WebContext& ctx, const Request& req) {
  auto auth = require_session(ctx, req);
  if (auth.reject) {
    if (req.method == "POST" && auth.reject->status == 302)
      return Response::redirect(303, "/login");
    return std::move(*auth.reject);
  }
  auto actor = signin::to_actor(*auth.who);
  auto viewer = viewer_of(*auth.who);
  return Signed{std::move(*auth.who), std::move(actor), std::move(viewer)};
}

Response page(const WebContext& ctx, int status, const std::string& name, const std::string& title,
              const Signed& s, const data& d) {
  return Response::html(status, ctx.pages.render(name, title, s.viewer, d));
}

Response failure(const WebContext& ctx, const Request& req, const Signed& s, const Failure& f,
                 std::string title = "That did not work") {
  return error_page(ctx, req, workspace::status(f.error), std::move(title), f.message, s.viewer);
}

// The parsed form of a state-changing POST, or nullopt when its CSRF token
// is missing or is not this session's (SPEC.md §3).
std::optional<http::Params> checked_form(const Request& req, const Signed& s) {
  auto form = req.form();
  if (!form) return std::nullopt;
  auto token = form->get("csrf_token");
  if (!token || !crypto::constant_time_equal(*token, s.who.session.csrf_token)) return std::nullopt;
  return std::move(*form);
}

Response csrf_refused(const WebContext& ctx, const Request& req, const Signed& s) {
  return error_page(
      ctx, req, 403, "Request refused",
      "The form was out of date or did not come from this site. Reload the page and try again.",
      s.viewer);
}

std::string date_of(std::int64_t unix_seconds) { return domain::format_day(unix_seconds); }

std::string datetime_of(std::int64_t unix_seconds) {
  auto in_day =
      ((unix_seconds % domain::kSecondsPerDay) + domain::kSecondsPerDay) % domain::kSecondsPerDay;
  return fmt::format("{} {:02}:{:02}", domain::format_day(unix_seconds), in_day / 3600,
                     in_day % 3600 / 60);
}

std::string grouped(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

// ---- /team ----------------------------------------------------------------

Response team_page(const WebContext& ctx, const Request& req, workspace::Service& ws,
                   const Signed& s, int status, const std::optional<std::string>& alert) {
  auto members = ws.members(s.actor);
  if (!members) return failure(ctx, req, s, members.error());
  auto admin_now = ws.is_admin_now(s.actor);
  if (!admin_now) return failure(ctx, req, s, admin_now.error());
  const bool can_manage = *admin_now;
  data list{data::type::list};
  for (const auto& u : *members) {
    const bool admin = u.role == domain::Role::admin;
    const std::string name = u.name.empty() ? u.email : u.name;
    data row;
    row.set("id", u.id);
    row.set("name", name);
    row.set("email", u.email);
    row.set("role", std::string(domain::to_string(u.role)));
    row.set("joined", date_of(u.created_at));
    row.set("last_login", u.last_login_at > 0 ? datetime_of(u.last_login_at) + " UTC" : "never");
    row.set("is_you", u.id == s.who.user.id);
    row.set("can_manage", can_manage);
    row.set("next_role", admin ? "member" : "admin");
    row.set("button", admin ? "Make member" : "Make admin");
    row.set("action_label", admin ? "Make " + name + " a member" : "Make " + name + " an admin");
    list.push_back(row);
  }
  data d;
  d.set("team_name", s.who.team.name);
  d.set("team_id", s.who.team.id);
  d.set("count", members->size() == 1 ? std::string("1 member")
                                      : fmt::format("{} members", members->size()));
  d.set("members", list);
  d.set("can_manage", can_manage);
  if (alert) d.set("alert", *alert);
  return page(ctx, status, "team", "Team", s, d);
}

Response post_role(WebContext& ctx, Request& req, workspace::Service& ws, const Signed& s) {
  auto form = checked_form(req, s);
  if (!form) return csrf_refused(ctx, req, s);
  auto role = domain::parse_role(form->get("role").value_or(""));
  if (!role)
    return error_page(ctx, req, 400, "Unknown role", "A role is admin or member.", s.viewer);
  auto r = ws.set_role(s.actor, req.path_param("user_id"), *role);
  if (!r) {
    if (r.error().error == Error::last_admin)
      return team_page(ctx, req, ws, s, 409, r.error().message);
    if (r.error().error == Error::forbidden)
      return error_page(ctx, req, 403, "Admins only", "Only team admins can change roles.",
                        s.viewer);
    return failure(ctx, req, s, r.error(), "Role not changed");
  }
  return Response::redirect(303, "/team");
}

// ---- /tokens --------------------------------------------------------------

Response tokens_page(const WebContext& ctx, const Request& req, workspace::Service& ws,
                     const Signed& s, int status, const std::optional<std::string>& alert,
                     const std::string& name_value) {
  auto tokens = ws.tokens(s.actor);
  if (!tokens) return failure(ctx, req, s, tokens.error());
  data list{data::type::list};
  std::map<std::string, std::string> names;  // user id -> display name, one lookup per person
  for (const auto& t : *tokens) {
    auto [it, fresh] = names.try_emplace(t.created_by);
    if (fresh) it->second = ws.display_name(s.actor.team_id, t.created_by);
    data row;
    row.set("id", t.id);
    row.set("name", t.name);
    row.set("prefix", t.prefix);
    row.set("created_by", it->second);
    row.set("created", date_of(t.created_at));
    row.set("last_used", t.last_used_at ? datetime_of(*t.last_used_at) + " UTC" : "never");
    list.push_back(row);
  }
  data d;
  d.set("personal", s.actor.mode == domain::Workspace::personal);
  d.set("has_tokens", !tokens->empty());
  d.set("tokens", list);
  d.set("name_value", name_value);
  if (alert) d.set("alert", *alert);
  return page(ctx, status, "tokens", "API tokens", s, d);
}

Response post_token(WebContext& ctx, Request& req, workspace::Service& ws, const Signed& s) {
  auto form = checked_form(req, s);
  if (!form) return csrf_refused(ctx, req, s);
  std::string name = form->get("name").value_or("");
  auto created = ws.create_token(s.actor, name);
  if (!created) {
    if (created.error().error == Error::invalid_input)
      return tokens_page(ctx, req, ws, s, 400, created.error().message + ".", name);
    return failure(ctx, req, s, created.error(), "Token not created");
  }
  data d;
  d.set("name", created->token.name);
  d.set("secret", created->secret);
  auto res = page(ctx, 201, "token_created", "Token created", s, d);
  // The secret is in this body and nowhere else: no cache may keep it.
  res.set_header("Cache-Control", "no-store");
  return res;
}

Response post_revoke(WebContext& ctx, Request& req, workspace::Service& ws, const Signed& s) {
  if (!checked_form(req, s)) return csrf_refused(ctx, req, s);
  auto r = ws.revoke_token(s.actor, req.path_param("id"));
  if (!r) return failure(ctx, req, s, r.error(), "Token not revoked");
  return Response::redirect(303, "/tokens");
}

// ---- /models --------------------------------------------------------------

Response models_page(const WebContext& ctx, const Request& req, workspace::Service& ws,
                     const Signed& s, int status, const std::optional<std::string>& alert,
                     const std::string& name_value, const std::string& base_value) {
  auto models = ws.models(s.actor);
  if (!models) return failure(ctx, req, s, models.error());
  data list{data::type::list};
  std::map<std::string, std::string> names;
  for (const auto& m : *models) {
    auto [it, fresh] = names.try_emplace(m.created_by);
    if (fresh) it->second = ws.display_name(s.actor.team_id, m.created_by);
    data row;
    row.set("id", m.id);
    row.set("name", m.name);
    row.set("base_model", m.base_model);
    row.set("created_by", it->second);
    row.set("created", date_of(m.created_at));
    list.push_back(row);
  }
  data d;
  d.set("personal", s.actor.mode == domain::Workspace::personal);
  d.set("has_models", !models->empty());
  d.set("models", list);
  d.set("name_value", name_value);
  d.set("base_value", base_value);
  if (alert) d.set("alert", *alert);
  return page(ctx, status, "models", "Models", s, d);
}

Response post_model(WebContext& ctx, Request& req, workspace::Service& ws, const Signed& s) {
  auto form = checked_form(req, s);
  if (!form) return csrf_refused(ctx, req, s);
  std::string name = form->get("name").value_or("");
  std::string base = form->get("base_model").value_or("");
  auto created = ws.create_model(s.actor, name, base);
  if (!created) {
    auto e = created.error().error;
    if (e == Error::invalid_input || e == Error::exists) {
      std::string message = created.error().message;
      if (!message.ends_with('.')) message += '.';
      return models_page(ctx, req, ws, s, workspace::status(e), message, name, base);
    }
    return failure(ctx, req, s, created.error(), "Model not added");
  }
  return Response::redirect(303, "/models");
}

Response post_model_delete(WebContext& ctx, Request& req, workspace::Service& ws, const Signed& s) {
  if (!checked_form(req, s)) return csrf_refused(ctx, req, s);
  auto r = ws.delete_model(s.actor, req.path_param("id"));
  if (!r) return failure(ctx, req, s, r.error(), "Model not deleted");
  return Response::redirect(303, "/models");
}

// ---- /billing -------------------------------------------------------------

struct Period {
  std::string from, to;
};

// from/to from the query; by default the 30 days ending today (UTC). "Today"
// is the session's last-seen time, which Sessions sets from the injected
// clock (to the minute), so no handler reads the system clock.
std::optional<Period> period_of(const Request& req, const Signed& s) {
  auto q = req.query_params();
  if (!q) return std::nullopt;
  const std::int64_t now = std::max(s.who.session.last_seen_at, s.who.session.created_at);
  Period p{domain::format_day(now - (kDefaultBillingDays - 1) * domain::kSecondsPerDay),
           domain::format_day(now)};
  if (auto from = q->get("from"); from && !from->empty()) p.from = *from;
  if (auto to = q->get("to"); to && !to->empty()) p.to = *to;
  return p;
}

Response billing_forbidden(const WebContext& ctx, const Request& req, const Signed& s) {
  return error_page(
      ctx, req, 403, "Admins only",
      "Only team admins can see billing. Ask an admin of your team if you need these numbers.",
      s.viewer);
}

data usage_rows(const std::vector<domain::UsageRow>& rows,
                const std::map<std::string, std::string>* labels) {
  data list{data::type::list};
  for (const auto& r : rows) {
    data row;
    row.set("key", r.key);
    if (labels) {
      if (auto it = labels->find(r.key); it != labels->end()) row.set("label", it->second);
    }
    row.set("requests", grouped(r.requests));
    row.set("input", grouped(r.input_tokens));
    row.set("output", grouped(r.output_tokens));
    row.set("cost", format_usd(r.cost_micros));
    list.push_back(row);
  }
  return list;
}

Response billing(WebContext& ctx, Request& req, workspace::Service& ws, const Signed& s) {
  if (auto admin = ws.is_admin_now(s.actor); !admin)
    return failure(ctx, req, s, admin.error());
  else if (!*admin)
    return billing_forbidden(ctx, req, s);
  auto p = period_of(req, s);
  if (!p) return error_page(ctx, req, 400, "Bad period", "The dates could not be read.", s.viewer);
  data d;
  d.set("team_name", s.who.team.name);
  d.set("from", p->from);
  d.set("to", p->to);
  auto report = ws.usage(s.actor, p->from, p->to);
  if (!report) {
    if (report.error().error == Error::forbidden) return billing_forbidden(ctx, req, s);
    if (report.error().error != Error::invalid_input) return failure(ctx, req, s, report.error());
    d.set("alert", report.error().message);
    return page(ctx, 400, "billing", "Billing", s, d);
  }
  // Token names for the by-token table; a revoked token is shown by its id.
  std::map<std::string, std::string> token_names;
  if (auto tokens = ws.tokens(s.actor))
    for (const auto& t : *tokens) token_names.emplace(t.id, t.name);
  data r;
  r.set("total", format_usd(report->total_micros));
  r.set("chart", cost_chart_svg(report->by_day, p->from, p->to));
  r.set("csv_href", "/billing.csv?" + http::encode_form({{"from", p->from}, {"to", p->to}}));
  r.set("has_days", !report->by_day.empty());
  r.set("by_day", usage_rows(report->by_day, nullptr));
  r.set("by_model", usage_rows(report->by_model, nullptr));
  r.set("by_token", usage_rows(report->by_token, &token_names));
  d.set("report", r);
  return page(ctx, 200, "billing", "Billing", s, d);
}

// A cell a spreadsheet would run as a formula (=, +, -, @, and the tab and
// carriage return OWASP lists) gets a leading apostrophe; cells with a
// delimiter, quote or line break are quoted (RFC 4180).
std::string csv_text(std::string_view v) {
  std::string cell(v);
  if (!cell.empty() && std::string_view("=+-@\t\r").find(cell.front()) != std::string_view::npos)
    cell.insert(cell.begin(), '\'');
  if (cell.find_first_of(",\"\r\n") != std::string::npos) {
    std::string quoted = "\"";
    for (char c : cell) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
  }
  return cell;
}

std::string csv_usd(std::int64_t micros) {
  const bool negative = micros < 0;
  std::uint64_t m =
      negative ? 0 - static_cast<std::uint64_t>(micros) : static_cast<std::uint64_t>(micros);
  return fmt::format("{}{}.{:06}", negative ? "-" : "", m / 1'000'000, m % 1'000'000);
}

// One row per (day, model, token), from one grouped query.
Response billing_csv(WebContext& ctx, Request& req, workspace::Service& ws, const Signed& s) {
  if (auto admin = ws.is_admin_now(s.actor); !admin)
    return failure(ctx, req, s, admin.error());
  else if (!*admin)
    return billing_forbidden(ctx, req, s);
  auto p = period_of(req, s);
  if (!p) return error_page(ctx, req, 400, "Bad period", "The dates could not be read.", s.viewer);
  auto report = ws.usage(s.actor, p->from, p->to);
  if (!report) {
    if (report.error().error == Error::forbidden) return billing_forbidden(ctx, req, s);
    return failure(ctx, req, s, report.error(), "No CSV");
  }
  std::string out = "day,model,token_id,input_tokens,output_tokens,cost_usd\r\n";
  for (const auto& d : report->details)
    out +=
        fmt::format("{},{},{},{},{},{}\r\n", csv_text(d.day), csv_text(d.model),
                    csv_text(d.token_id), d.input_tokens, d.output_tokens, csv_usd(d.cost_micros));
  // from/to passed ws.usage's strict YYYY-MM-DD check and Team IDs are
  // [a-z0-9-], so the file name needs no quoting beyond its quotes.
  Response res{200,
               {{"Content-Type", "text/csv; charset=utf-8"},
                {"Content-Disposition", fmt::format("attachment; filename=\"usage-{}-{}-{}.csv\"",
                                                    s.actor.team_id, p->from, p->to)}},
               std::move(out)};
  return res;
}

// ---- /activity ------------------------------------------------------------

// Audit details are a JSON object; people read "name: ci, prefix: gh_abc".
std::string readable_details(const std::string& json_text) {
  auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return json_text;
  std::string out;
  for (const auto& [k, v] : j.items()) {
    if (!out.empty()) out += ", ";
    out += k + ": " + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

Response activity(WebContext& ctx, Request& req, workspace::Service& ws, const Signed& s) {
  if (auto admin = ws.is_admin_now(s.actor); !admin)
    return failure(ctx, req, s, admin.error());
  else if (!*admin)
    return error_page(ctx, req, 403, "Admins only", "Only team admins can see the team's activity.",
                      s.viewer);
  auto events = ws.activity(s.actor, kActivityLimit);
  if (!events) return failure(ctx, req, s, events.error());
  data list{data::type::list};
  for (auto it = events->rbegin(); it != events->rend(); ++it) {  // the service gives newest last
    const std::int64_t at = it->at_us / 1'000'000;
    data row;
    row.set("when", datetime_of(at));
    row.set("iso", domain::format_day(at) + "T" + datetime_of(at).substr(11) + "Z");
    row.set("who", it->actor);
    row.set("action", it->action);
    row.set("target", it->target);
    row.set("details", readable_details(it->details));
    list.push_back(row);
  }
  data d;
  d.set("team_name", s.who.team.name);
  d.set("limit", std::to_string(kActivityLimit));
  d.set("has_events", !events->empty());
  d.set("events", list);
  return page(ctx, 200, "activity", "Activity", s, d);
}

using PageHandler = Response (*)(WebContext&, Request&, workspace::Service&, const Signed&);

void add(http::Router& router, WebContext& ctx, workspace::Service& ws, std::string method,
         std::string pattern, PageHandler handler) {
  router.add(std::move(method), std::move(pattern), [&ctx, &ws, handler](Request& req) {
    auto s = signed_in(ctx, req);
    if (auto* reject = std::get_if<Response>(&s)) return std::move(*reject);
    return handler(ctx, req, ws, std::get<Signed>(s));
  });
}

}  // namespace

void add_workspace_routes(http::Router& router, WebContext& ctx, workspace::Service& ws) {
  add(router, ctx, ws, "GET", "/team",
      [](WebContext& c, Request& r, workspace::Service& w, const Signed& s) {
        return team_page(c, r, w, s, 200, std::nullopt);
      });
  add(router, ctx, ws, "POST", "/team/members/{user_id}/role", post_role);
  add(router, ctx, ws, "GET", "/tokens",
      [](WebContext& c, Request& r, workspace::Service& w, const Signed& s) {
        return tokens_page(c, r, w, s, 200, std::nullopt, "");
      });
  add(router, ctx, ws, "POST", "/tokens", post_token);
  add(router, ctx, ws, "POST", "/tokens/{id}/revoke", post_revoke);
  add(router, ctx, ws, "GET", "/models",
      [](WebContext& c, Request& r, workspace::Service& w, const Signed& s) {
        return models_page(c, r, w, s, 200, std::nullopt, "", "");
      });
  add(router, ctx, ws, "POST", "/models", post_model);
  add(router, ctx, ws, "POST", "/models/{id}/delete", post_model_delete);
  add(router, ctx, ws, "GET", "/billing", billing);
  add(router, ctx, ws, "GET", "/billing.csv", billing_csv);
  add(router, ctx, ws, "GET", "/activity", activity);
}

}  // namespace gatehouse::web
