#include "web/pages.hpp"

#include <array>
#include <stdexcept>

#include "core/assets.hpp"

namespace gatehouse::web {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::mustache;

constexpr std::string_view kTemplateSuffix = ".mustache";
constexpr std::string_view kStylesheet = "style.css";

// The pages this class builds itself; a binary without one of them must not start.
constexpr std::array<std::string_view, 5> kRequiredTemplates = {"layout", "login", "login_sso",
                                                                "error", "dashboard"};

// Shown role, taken from is_admin so the badge can never disagree with the
// admin-only links the same page offers (or leaves out).
std::string role_label(const Viewer& v) { return v.is_admin ? "admin" : "member"; }

data viewer_data(const Viewer& v) {
  data d;
  d.set("name", v.name);
  d.set("email", v.email);
  d.set("team_name", v.team_name);
  d.set("team_id", v.team_id);
  d.set("role", v.role);
  d.set("role_label", role_label(v));
  d.set("csrf_token", v.csrf_token);
  d.set("is_admin", v.is_admin);
  return d;
}

// An href rendered into the page must stay on this site: a path, but not a
// protocol-relative "//host" or "/\host" (browsers treat "\" as "/").
bool is_local_path(std::string_view href) {
  return href.starts_with('/') && !href.starts_with("//") && !href.starts_with("/\\");
}

}  // namespace

Pages::Pages() {
  for (const auto& asset : assets::all()) {
    if (!asset.name.ends_with(kTemplateSuffix)) continue;
    mustache tmpl{std::string(asset.content)};
    if (!tmpl.is_valid())
      throw std::runtime_error("template " + std::string(asset.name) +
                               " does not parse: " + tmpl.error_message());
    std::string name(asset.name.substr(0, asset.name.size() - kTemplateSuffix.size()));
    templates_.emplace(std::move(name), std::move(tmpl));
  }
  for (std::string_view name : kRequiredTemplates)
    if (!templates_.contains(name))
      throw std::runtime_error("template " + std::string(name) + ".mustache is not in the build");
  if (!assets::find(kStylesheet))
    throw std::runtime_error(std::string(kStylesheet) + " is not in the build");
}

mustache Pages::copy_of(std::string_view name) const {
  auto it = templates_.find(name);
  if (it == templates_.end())
    throw std::invalid_argument("no template " + std::string(name) + ".mustache");
  return it->second;
}

std::string Pages::render(const std::string& name, const std::string& title,
                          const std::optional<Viewer>& viewer, const data& body_data) const {
  data body_ctx = body_data;
  if (viewer && body_ctx.is_object()) {
    if (!body_ctx.get("viewer")) body_ctx.set("viewer", viewer_data(*viewer));
    // SPEC §3: every form a signed-in person submits carries the token.
    if (!body_ctx.get("csrf_token")) body_ctx.set("csrf_token", viewer->csrf_token);
  }
  mustache body_tmpl = copy_of(name);
  std::string body = body_tmpl.render(body_ctx);
  // Only lambdas or partials in the data can fail here; both are programming errors.
  if (!body_tmpl.is_valid())
    throw std::runtime_error("template " + name + ".mustache: " + body_tmpl.error_message());

  data page;
  page.set("title", title);
  if (viewer) page.set("viewer", viewer_data(*viewer));
  page.set("body", body);  // already escaped by the body template; the layout uses {{{body}}}
  mustache layout = copy_of("layout");
  std::string html = layout.render(page);
  if (!layout.is_valid())
    throw std::runtime_error("template layout.mustache: " + layout.error_message());
  return html;
}

std::string Pages::login() const { return render("login", "Sign in", std::nullopt, data{}); }

std::string Pages::login_sso(const LoginSsoView& v) const {
  data d;
  d.set("team_id", v.team_id);
  // An empty message would draw an empty alert box; treat it as no error.
  if (v.error && !v.error->empty()) d.set("error", *v.error);
  return render("login_sso", "Corporate SSO", std::nullopt, d);
}

std::string Pages::error(const ErrorView& v) const {
  const ErrorView defaults;
  data d;
  d.set("status", std::to_string(v.status));
  d.set("title", v.title.empty() ? std::string("Something went wrong") : v.title);
  d.set("message", v.message);
  d.set("reference", v.reference);
  const bool local = is_local_path(v.back_href);
  d.set("back_href", local ? v.back_href : defaults.back_href);
  d.set("back_label", local && !v.back_label.empty() ? v.back_label : defaults.back_label);
  return render("error", v.title.empty() ? "Error" : v.title, v.viewer, d);
}

std::string Pages::dashboard(const DashboardView& v) const {
  return render("dashboard", "Dashboard", v.viewer, data{});  // reads render()'s `viewer`
}

std::string_view stylesheet() { return assets::find(kStylesheet).value_or(std::string_view{}); }

}  // namespace gatehouse::web
