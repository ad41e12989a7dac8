#include "app/serve.hpp"

#include <spdlog/spdlog.h>

#include "api/ops.hpp"
#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "crypto/secret_box.hpp"
#include "http/client.hpp"
#include "http/server.hpp"
#include "store/database.hpp"
#include "web/headers.hpp"

namespace gatehouse::app {

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

  http::Router router;
  api::add_ops_routes(router, **db);

  http::ServerOptions options;
  options.host = cfg.listen_host;
  options.port = cfg.listen_port;
  options.io_threads = cfg.threads;
  // Workers block on the database and on identity providers (up to
  // GATEHOUSE_IDP_TIMEOUT_MS), so there are many more of them than cores.
  options.worker_threads = std::max(16, cfg.threads * 8);
  http::ServerHooks hooks;
  const bool https = cfg.secure_cookies;
  hooks.on_response = [https](const http::Request& req, http::Response& res, std::string_view route,
                              std::chrono::steady_clock::duration elapsed) {
    web::apply_security_headers(res, https);
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
  spdlog::info("listening on {}:{}", cfg.listen_host, server.port());
  server.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace gatehouse::app
