#pragma once
// Method + path-pattern routing. Patterns are literal segments and
// parameters in braces:
//   Router r;
//   r.add("GET", "/sso/{team_id}/initiate", [](const Request& req) {
//     return Response::text(200, req.path_param("team_id"));
//   });
//   Response res = r.dispatch(req);   // 404 unknown path, 405 with Allow
// Handlers run on the blocking worker pool unless added with Execution::io,
// which is only for handlers that never block (no database, no network).
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace gatehouse::http {

using Handler = std::function<Response(Request&)>;
// Tried on the I/O thread first; returns nullopt to hand the request to the
// worker-pool handler (e.g. a cache hit answers at once, a miss needs the database).
using FastHandler = std::function<std::optional<Response>(Request&)>;

// worker: the general blocking pool (database). provider: a separate pool for
// handlers that call identity providers, so a provider that hangs can fill
// only that pool and never delays pages, API calls or token checks.
// io: on the I/O thread, for handlers that never block.
enum class Execution { worker, provider, io };

class Router {
 public:
  struct Match {
    const Handler* handler = nullptr;
    Execution execution = Execution::worker;
    std::string route;  // the pattern, for metrics labels
    const FastHandler* fast = nullptr;
  };

  void add(std::string method, std::string pattern, Handler handler,
           Execution execution = Execution::worker);
  void add_with_fast_path(std::string method, std::string pattern, FastHandler fast,
                          Handler handler);

  // Finds the route for req and fills req.path_params; nullopt with
  // not_found_or_405 set to the response to send when nothing matches.
  [[nodiscard]] std::optional<Match> match(Request& req, Response& not_found_or_405) const;

  // match() then call: the whole routing step, for tests and simple servers.
  [[nodiscard]] Response dispatch(Request& req) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    Execution execution;
    FastHandler fast;
  };
  std::vector<Route> routes_;
};

}  // namespace gatehouse::http
