#include "api/ops.hpp"

namespace gatehouse::api {

void add_ops_routes(http::Router& router, store::Database& db) {
  // On the I/O thread: must answer even when every worker is busy.
  router.add(
      "GET", "/healthz",
      [](http::Request&) {
        return http::Response::json(200, {{"status", "ok"}});
      },
      http::Execution::io);
  router.add("GET", "/readyz", [&db](http::Request&) {
    if (auto r = db.ping(); !r)
      return http::Response::json(
          503, {{"status", "not ready"}, {"reason", store::to_string(r.error())}});
    return http::Response::json(200, {{"status", "ready"}});
  });
}

}  // namespace gatehouse::api
