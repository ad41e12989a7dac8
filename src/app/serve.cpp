#include "app/serve.hpp"

#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "api/auth.hpp"
#include "api/gateway.hpp"
#include "api/ops.hpp"
#include "api/workspace_api.hpp"
#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/rate_limiter.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_box.hpp"
#include "http/client.hpp"
#include "http/limited_client.hpp"
#include "http/metered_client.hpp"
#include "http/server.hpp"
#include "oidc/relying_party.hpp"
#include "signin/flow.hpp"
#include "signin/sessions.hpp"
#include "store/database.hpp"
#include "web/headers.hpp"
#include "web/pages.hpp"
#include "web/signin_routes.hpp"
#include "web/workspace_routes.hpp"
#include "workspace/service.hpp"
#include "workspace/token_authority.hpp"

namespace gatehouse::app {
namespace {

// Periodic work on one background thread until stopped: team-state
// refresh for the token and session caches and the session change feed
// (twice a second), last-used and last-seen times (every 10 s), expired
// sessions, login attempts and change-feed rows (every minute).
class Background {
 public:
  Background(store::Database& db, const Clock& clock, workspace::TokenAuthority& tokens,
             signin::SessionCache& session_cache)
      : thread_([this, &db, &clock, &tokens, &session_cache] {
          int tick = 0;
          std::unique_lock lock(mu_);
          while (!cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_; })) {
            lock.unlock();
            ++tick;
            tokens.refresh_teams();
            session_cache.refresh();
            if (tick % 20 == 0) {
              tokens.flush_last_used();
              session_cache.flush_last_seen();
            }
            if (tick % 120 == 0) {
              auto now = clock.unix_seconds();
              (void)db.sessions().remove_expired(now);
              (void)db.login_attempts().remove_expired(now);
              // Twice the window the caches read, so no instance misses a row.
              (void)db.sessions().remove_changes_before((now - 300) * 1'000'000);
            }
            lock.lock();
          }
          lock.unlock();
          tokens.flush_last_used(1);  // at shutdown: every use not yet written
          session_cache.flush_last_seen(1);
        }) {}
  ~Background() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

int run_server(const config::Config& cfg) {
  SystemClock clock;
  crypto::SystemRandom rng;
  auto db = store::open_database(cfg.database_url);
  if (!db) {
    spdlog::error("cannot open the database: {}", db.error());
    return 1;
  }
  if (auto m = (*db)->migrate(); !m) {
    spdlog::error("cannot bring the database schema up to date: {}", m.error());
    return 1;
  }
  auto box = crypto::SecretBox::load_or_create(cfg.secret_key_file, rng);
  if (!box) {
    spdlog::error("{}", box.error());
    return 1;
  }
  auto idp_http = http::make_beast_client({.default_timeout = cfg.idp_timeout});
  metrics::Registry registry;
  http::MeteredClient idp_metered(*idp_http, registry);
  http::LimitedClient idp_limited(idp_metered, 16, cfg.idp_timeout);
  oidc::RelyingParty rp(idp_limited, clock, rng);
  // Signed-in requests answered from memory; every write that ends or changes
  // a session goes through `observed`, which evicts here and tells the other
  // instances through the change feed.
  signin::SessionCache session_cache(**db, clock);
  signin::ObservedDatabase observed(**db, session_cache, clock);
  signin::Sessions sessions(observed, *box, clock, rng,
                            {.absolute_ttl = cfg.session_ttl,
                             .idle_ttl = std::min(cfg.session_ttl, std::chrono::seconds(7200)),
                             .secure_cookies = cfg.secure_cookies},
                            &session_cache);
  signin::SigninFlow flow(observed, rp, *box, sessions, clock, rng,
                          {.redirect_uri = cfg.redirect_uri(), .public_origin = cfg.public_origin});
  web::Pages pages;
  // SPEC.md §2 GATEHOUSE_RATE_LIMITS.
  const bool limits = cfg.rate_limits;
  RateLimiter signin_starts(clock, 120, 2, limits);
  RateLimiter failed_callbacks(clock, 60, 1, limits);
  RateLimiter failed_token_checks(clock, 600, 50, limits);
  RateLimiter token_creation(clock, 60, 1, limits);
  web::WebContext web_ctx{sessions,
                          flow,
                          rp,
                          pages,
                          rng,
                          {.public_url = cfg.public_url,
                           .public_origin = cfg.public_origin,
                           .https = cfg.secure_cookies},
                          signin_starts,
                          failed_callbacks,
                          &registry};

  workspace::TokenAuthority tokens(**db, clock);
  workspace::Service ws(observed, tokens, clock, rng, token_creation);
  api::ApiAuth api_auth(sessions, tokens, failed_token_checks);

  for (auto& [name, limiter] : {std::pair{"signin_start", &signin_starts},
                                {"failed_callback", &failed_callbacks},
                                {"failed_token_check", &failed_token_checks},
                                {"token_creation", &token_creation}}) {
    auto* l = limiter;
    registry.callback(std::string("gatehouse_rate_limited_total{limit=\"") + name + "\"}",
                      "counter", "Requests refused by a rate limit",
                      [l] { return static_cast<double>(l->refused()); });
  }
  registry.callback("gatehouse_token_cache_lookups_total{result=\"hit\"}", "counter",
                    "API token checks answered from memory (hit) or the database (miss)",
                    [&tokens] { return static_cast<double>(tokens.hits()); });
  registry.callback("gatehouse_token_cache_lookups_total{result=\"miss\"}", "counter", "",
                    [&tokens] { return static_cast<double>(tokens.misses()); });
  registry.callback("gatehouse_session_cache_lookups_total{result=\"hit\"}", "counter",
                    "Session checks answered from memory (hit) or the database (miss)",
                    [&session_cache] { return static_cast<double>(session_cache.hits()); });
  registry.callback("gatehouse_session_cache_lookups_total{result=\"miss\"}", "counter", "",
                    [&session_cache] { return static_cast<double>(session_cache.misses()); });
  registry.callback("gatehouse_session_cache_entries", "gauge", "Browser sessions held in memory",
                    [&session_cache] { return static_cast<double>(session_cache.cached()); });
  registry.callback("gatehouse_token_cache_entries", "gauge", "API tokens held in memory",
                    [&tokens] { return static_cast<double>(tokens.cached()); });

  http::Router router;
  api::add_ops_routes(router, **db);
  router.add(
      "GET", "/metrics",
      [&registry](http::Request&) {
        http::Response r{
            200, {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}}, registry.render()};
        return r;
      },
      http::Execution::io);
  api::add_gateway_routes(router, tokens, **db, cfg.internal_key, failed_token_checks, rng);
  web::add_signin_routes(router, web_ctx);
  api::add_workspace_api(router, api_auth, ws);
  web::add_workspace_routes(router, web_ctx, ws);

  http::ServerOptions options;
  options.host = cfg.listen_host;
  options.port = cfg.listen_port;
  options.io_threads = cfg.threads;
  // Workers block on the database and on identity providers (up to
  // GATEHOUSE_IDP_TIMEOUT_MS each), so there are many more of them than cores.
  options.worker_threads = std::max(32, cfg.threads * 16);
  options.provider_threads = 128;
  http::ServerHooks hooks;
  const bool https = cfg.secure_cookies;
  hooks.on_response = [https, &registry](const http::Request& req, http::Response& res,
                                         std::string_view route,
                                         std::chrono::steady_clock::duration elapsed) {
    web::apply_security_headers(res, https);
    // Handles of the last (route, method, status) this thread saw: building
    // label strings and looking them up on every request cost 13% of a token
    // check (callgrind, bench/results/authz-2026-11-29-profile.md).
    struct Last {
      const void* registry = nullptr;
      std::string route, method;
      int status = 0;
      metrics::Counter* counter = nullptr;
      metrics::Histogram* histogram = nullptr;
    };
    thread_local Last last;
    if (last.registry != &registry || last.status != res.status || last.route != route ||
        last.method != req.method) {
      std::string r = route.empty() ? "unmatched" : std::string(route);
      // Label values stay a small set: a client can send any method name.
      static const std::set<std::string, std::less<>> kMethods = {
          "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
      std::string method = kMethods.count(req.method) ? req.method : "other";
      last.counter = &registry.counter(
          "gatehouse_http_requests_total",
          {{"route", r}, {"method", method}, {"status", std::to_string(res.status)}},
          "HTTP requests by route, method and status");
      last.histogram =
          &registry.histogram("gatehouse_http_request_duration_seconds", {{"route", r}},
                              "Time from a whole request read to its response");
      last.registry = &registry;
      last.route = std::string(route);
      last.method = req.method;
      last.status = res.status;
    }
    last.counter->inc();
    last.histogram->observe(std::chrono::duration<double>(elapsed).count());
    // The route pattern, never the raw target: a query can carry a code or state.
    spdlog::debug("request_id={} {} {} -> {} in {}us", req.request_id, req.method,
                  route.empty() ? std::string_view("-") : route, res.status,
                  std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
  };
  http::Server server(options, router, hooks);
  try {
    server.listen();
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  registry.callback("gatehouse_open_connections", "gauge", "Open client connections",
                    [&server] { return static_cast<double>(server.open_connections()); });
  Background background(**db, clock, tokens, session_cache);
  spdlog::info("listening on {}:{}", cfg.listen_host, server.port());
  server.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace gatehouse::app
