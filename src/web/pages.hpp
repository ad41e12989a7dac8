#pragma once
// Server-rendered pages (mustache templates in src/web/templates, embedded in
// the binary; every value HTML-escaped unless the template says otherwise).
// Handlers build a view struct and get the whole HTML document back.
//   std::string html = pages.login_sso({.error = "No team acme here.", .team_id = "acme"});
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <kainjow/mustache.hpp>

namespace gatehouse::web {

struct Viewer {  // the signed-in person, for the page header; absent when signed out
  std::string name, email, team_name, team_id, role, csrf_token;
  bool is_admin = false;
};

struct LoginSsoView {
  std::optional<std::string> error;  // shown above the form, announced to screen readers
  std::string team_id;               // value to refill the field with
};

struct ErrorView {
  int status = 500;
  std::string title;      // "Sign-in failed"
  std::string message;    // words a person can act on
  std::string reference;  // request id, also in the log
  std::string back_href = "/login_sso";
  std::string back_label = "Back to Corporate SSO";
  std::optional<Viewer> viewer;
};

struct DashboardView {
  Viewer viewer;
};

class Pages {
 public:
  // Throws at start-up if a template is missing or does not parse.
  Pages();

  [[nodiscard]] std::string login() const;
  [[nodiscard]] std::string login_sso(const LoginSsoView& v) const;
  [[nodiscard]] std::string error(const ErrorView& v) const;
  [[nodiscard]] std::string dashboard(const DashboardView& v) const;

  // Renders templates/<name>.mustache with data inside the layout; for the
  // pages later issues add (team, tokens, models, billing, activity).
  // When data is an object, the body also sees `viewer` (with `role_label`)
  // and `csrf_token` unless data sets them, so every form can carry the token.
  // Throws std::invalid_argument for an unknown name.
  [[nodiscard]] std::string render(const std::string& name, const std::string& title,
                                   const std::optional<Viewer>& viewer,
                                   const kainjow::mustache::data& data) const;

 private:
  // Parsed once at start-up and never rendered directly: kainjow's render()
  // is non-const (it records errors in the template), so each call renders a
  // copy and concurrent requests share nothing mutable.
  std::map<std::string, kainjow::mustache::mustache, std::less<>> templates_;

  [[nodiscard]] kainjow::mustache::mustache copy_of(std::string_view name) const;
};

// The stylesheet served at /static/style.css.
[[nodiscard]] std::string_view stylesheet();

}  // namespace gatehouse::web
