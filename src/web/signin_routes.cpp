#include "web/signin_routes.hpp"

#include <spdlog/spdlog.h>

#include "crypto/hash.hpp"

namespace gatehouse::web {
namespace {

using http::Request;
using http::Response;

std::string login_cookie_name(const WebContext& ctx) {
  return ctx.settings.https ? "__Host-gh_login" : "gh_login";
}

http::CookieOptions cookie_options(const WebContext& ctx, std::optional<long> max_age) {
  // SameSite=Lax, not Strict: the cookie must come back on the provider's
  // top-level redirect to /sso/callback (SPEC.md §7).
  return {.http_only = true,
          .secure = ctx.settings.https,
          .same_site = "Lax",
          .path = "/",
          .max_age = max_age};
}

std::string trim_lower(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return domain::lowercase(s);
}

Response redirect_to_provider(const WebContext& ctx, const signin::Started& s) {
  auto res = Response::redirect(302, s.redirect_url);
  res.set_cookie(login_cookie_name(ctx), s.browser_cookie, cookie_options(ctx, 600));
  return res;
}

Response login_sso_form(const WebContext& ctx, int status, std::optional<std::string> error,
                        std::string team_id) {
  return Response::html(status, ctx.pages.login_sso({std::move(error), std::move(team_id)}));
}

void count_signin(const WebContext& ctx, const char* outcome, const std::string& reason) {
  if (ctx.metrics)
    ctx.metrics
        ->counter("gatehouse_signins_total", {{"outcome", outcome}, {"reason", reason}},
                  "Sign-ins by outcome and reason")
        .inc();
}

Response failure_page(const WebContext& ctx, const Request& req, const signin::Failure& f) {
  count_signin(ctx, "failure", signin::code(f));
  // The reference id ties what the person sees to the log line an operator reads.
  spdlog::warn("request_id={} sign-in failed: {}{}{}", req.request_id, signin::code(f),
               f.detail.empty() ? "" : ": ", f.detail);
  return error_page(ctx, req, signin::status(f), "Sign-in failed", signin::message(f));
}

Response post_login_sso(WebContext& ctx, Request& req) {
  if (auto wait = ctx.signin_starts.acquire(req.remote_addr))
    return too_many_requests(ctx, req, *wait);
  auto form = req.form();
  if (!form) return login_sso_form(ctx, 400, "The form could not be read. Please try again.", "");
  std::string team_id = trim_lower(form->get("team_id").value_or(""));
  if (team_id.empty()) return login_sso_form(ctx, 400, "Enter your Team ID.", "");
  signin::StartRequest start{.team_id = team_id,
                             .browser_cookie = req.cookie(login_cookie_name(ctx))};
  auto s = ctx.flow.start(start);
  if (!s) {
    auto kind = s.error().kind;
    if (kind == signin::FailureKind::team_id_malformed || kind == signin::FailureKind::team_unknown)
      return login_sso_form(ctx, signin::status(s.error()), signin::message(s.error()), team_id);
    return failure_page(ctx, req, s.error());
  }
  return redirect_to_provider(ctx, *s);
}

Response initiate(WebContext& ctx, Request& req) {
  if (auto wait = ctx.signin_starts.acquire(req.remote_addr))
    return too_many_requests(ctx, req, *wait);
  auto params = req.method == "POST" ? req.form() : req.query_params();
  if (!params)
    return failure_page(ctx, req,
                        {signin::FailureKind::request_malformed, std::nullopt, "bad parameters"});
  // Team IDs are lowercase; a tile configured with capitals still works.
  auto s = ctx.flow.initiate(domain::lowercase(req.path_param("team_id")), *params,
                             req.cookie(login_cookie_name(ctx)));
  if (!s) return failure_page(ctx, req, s.error());
  return redirect_to_provider(ctx, *s);
}

Response callback(WebContext& ctx, Request& req) {
  // Failed callbacks are limited per address: guessing states or replaying
  // codes costs an attacker one try per second after the first burst.
  if (auto wait = ctx.failed_callbacks.check(req.remote_addr))
    return too_many_requests(ctx, req, *wait);
  auto params = req.query_params();
  if (!params) {
    (void)ctx.failed_callbacks.acquire(req.remote_addr);
    return failure_page(ctx, req,
                        {signin::FailureKind::request_malformed, std::nullopt, "bad parameters"});
  }
  auto done = ctx.flow.callback(*params, req.cookie(login_cookie_name(ctx)));
  if (!done) {
    (void)ctx.failed_callbacks.acquire(req.remote_addr);
    return failure_page(ctx, req, done.error());
  }
  // Session rotation: whatever session this browser had is ended, so an id
  // planted before sign-in is worth nothing after it (session fixation).
  if (auto old = req.cookie(ctx.sessions.cookie_name())) (void)ctx.sessions.destroy(*old);
  count_signin(ctx, "success", "");
  auto res = Response::redirect(303, done->return_to);
  res.set_cookie(ctx.sessions.cookie_name(), done->session.cookie_value,
                 cookie_options(ctx, ctx.sessions.settings().absolute_ttl.count()));
  spdlog::info("request_id={} signed in user {} of team {} as {}", req.request_id, done->user.id,
               done->team.id, domain::to_string(done->user.role));
  return res;
}

Response logout(WebContext& ctx, Request& req) {
  auto auth = require_session(ctx, req);
  if (auth.reject) {
    if (auth.reject->status == 302) return Response::redirect(303, "/login");
    return *auth.reject;
  }
  auto form = req.form();
  auto token = form ? form->get("csrf_token") : std::nullopt;
  if (!token || !crypto::constant_time_equal(*token, auth.who->session.csrf_token))
    return error_page(ctx, req, 403, "Sign-out refused",
                      "The sign-out form was out of date. Reload the page and try again.",
                      viewer_of(*auth.who));
  auto id_token = ctx.sessions.id_token(auth.who->session);
  (void)ctx.sessions.destroy(*req.cookie(ctx.sessions.cookie_name()));
  std::string target = "/login";
  if (id_token) {
    if (auto url =
            ctx.rp.logout_url(auth.who->team.issuer, *id_token, ctx.settings.public_url + "/login",
                              crypto::random_token(ctx.rng, 16)))
      target = *url;
  }
  auto res = Response::redirect(303, target);
  res.set_cookie(ctx.sessions.cookie_name(), "", cookie_options(ctx, 0));
  return res;
}

Response dashboard(WebContext& ctx, Request& req) {
  auto auth = require_session(ctx, req);
  if (auth.reject) return *auth.reject;
  return Response::html(200, ctx.pages.dashboard({viewer_of(*auth.who)}));
}

}  // namespace

PageAuth require_session(WebContext& ctx, const Request& req) {
  auto cookie = req.cookie(ctx.sessions.cookie_name());
  if (!cookie) return {std::nullopt, Response::redirect(302, "/login")};
  auto who = ctx.sessions.authenticate(*cookie);
  if (!who)
    return {std::nullopt, error_page(ctx, req, 503, "Temporarily unavailable",
                                     "Our database is not answering. Please try again shortly.")};
  if (!*who) {
    auto res = Response::redirect(302, "/login");
    res.set_cookie(ctx.sessions.cookie_name(), "", cookie_options(ctx, 0));
    return {std::nullopt, std::move(res)};
  }
  return {std::move(*who), std::nullopt};
}

Viewer viewer_of(const signin::AuthContext& who) {
  return {who.user.name,
          who.user.email,
          who.team.name,
          who.team.id,
          std::string(domain::to_string(who.user.role)),
          who.session.csrf_token,
          who.user.role == domain::Role::admin};
}

Response too_many_requests(const WebContext& ctx, const Request& req, int retry_after) {
  auto res = error_page(ctx, req, 429, "Too many attempts",
                        "There were too many sign-in attempts from your network. Wait " +
                            std::to_string(retry_after) + " seconds and try again.");
  res.set_header("Retry-After", std::to_string(retry_after));
  return res;
}

Response error_page(const WebContext& ctx, const Request& req, int status, std::string title,
                    std::string message, const std::optional<Viewer>& viewer) {
  ErrorView v;
  v.status = status;
  v.title = std::move(title);
  v.message = std::move(message);
  v.reference = req.request_id;
  v.viewer = viewer;
  if (viewer) {
    v.back_href = "/dashboard";
    v.back_label = "Back to the dashboard";
  }
  return Response::html(status, ctx.pages.error(v));
}

void add_signin_routes(http::Router& router, WebContext& ctx) {
  router.add(
      "GET", "/",
      [&ctx](Request& req) {
        return Response::redirect(302,
                                  req.cookie(ctx.sessions.cookie_name()) ? "/dashboard" : "/login");
      },
      http::Execution::io);
  router.add(
      "GET", "/static/style.css",
      [](Request&) {
        Response r{200,
                   {{"Content-Type", "text/css; charset=utf-8"},
                    {"Cache-Control", "public, max-age=3600"}},
                   std::string(stylesheet())};
        return r;
      },
      http::Execution::io);
  router.add(
      "GET", "/login", [&ctx](Request&) { return Response::html(200, ctx.pages.login()); },
      http::Execution::io);
  router.add(
      "GET", "/login_sso", [&ctx](Request&) { return login_sso_form(ctx, 200, std::nullopt, ""); },
      http::Execution::io);
  // These call the identity provider (discovery, token, UserInfo): their own pool.
  constexpr auto provider = http::Execution::provider;
  router.add(
      "POST", "/login_sso", [&ctx](Request& req) { return post_login_sso(ctx, req); }, provider);
  router.add(
      "GET", "/sso/{team_id}/initiate", [&ctx](Request& req) { return initiate(ctx, req); },
      provider);
  router.add(
      "POST", "/sso/{team_id}/initiate", [&ctx](Request& req) { return initiate(ctx, req); },
      provider);
  router.add(
      "GET", "/sso/callback", [&ctx](Request& req) { return callback(ctx, req); }, provider);
  router.add("POST", "/logout", [&ctx](Request& req) { return logout(ctx, req); });
  router.add("GET", "/dashboard", [&ctx](Request& req) { return dashboard(ctx, req); });
}

}  // namespace gatehouse::web
