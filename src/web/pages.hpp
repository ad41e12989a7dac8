#pragma once
// Server-rendered pages (mustache templates in src/web/templates, embedded in
// the binary; every value HTML-escaped unless the template says otherwise).
// Handlers build a view struct and get the whole HTML document back.
//   std::string html = pages.login_sso({.error = "No team acme here.", .team_id = "acme"});
#include <optional>
#include <string>
#include <vector>

#include <kainjow/mustache.hpp>

namespace gatehouse::web {

struct Viewer {          // the signed-in person, for the page header; absent when signed out
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
  [[nodiscard]] std::string render(const std::string& name, const std::string& title,
                                   const std::optional<Viewer>& viewer,
                                   const kainjow::mustache::data& data) const;
};

// The stylesheet served at /static/style.css.
[[nodiscard]] std::string_view stylesheet();

}  // namespace gatehouse::web
