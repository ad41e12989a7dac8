#include "http/router.hpp"

#include <map>

namespace gatehouse::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool is_param(std::string_view seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, Execution execution) {
  Route r{std::move(method), std::move(pattern), {}, std::move(handler), execution, nullptr};
  for (auto seg : split_path(r.pattern)) r.segments.emplace_back(seg);
  routes_.push_back(std::move(r));
}

void Router::add_with_fast_path(std::string method, std::string pattern, FastHandler fast,
                                Handler handler) {
  add(std::move(method), std::move(pattern), std::move(handler));
  routes_.back().fast = std::move(fast);
}

std::optional<Router::Match> Router::match(Request& req, Response& not_found_or_405) const {
  auto segs = split_path(req.path);
  std::string allow;
  for (const auto& route : routes_) {
    if (route.segments.size() != segs.size() || segs.empty()) continue;
    std::map<std::string, std::string, std::less<>> params;
    bool ok = true;
    for (std::size_t i = 0; i < segs.size() && ok; ++i) {
      const auto& want = route.segments[i];
      if (is_param(want)) {
        // A parameter never matches an empty segment or one with a '/' that
        // was percent-encoded into it.
        if (segs[i].empty())
          ok = false;
        else
          params.emplace(want.substr(1, want.size() - 2), std::string(segs[i]));
      } else if (want != segs[i]) {
        ok = false;
      }
    }
    if (!ok) continue;
    bool method_ok = route.method == req.method || (route.method == "GET" && req.method == "HEAD");
    if (!method_ok) {
      if (allow.find(route.method) == std::string::npos) {
        if (!allow.empty()) allow += ", ";
        allow += route.method;
      }
      continue;
    }
    req.path_params = std::move(params);
    return Match{&route.handler, route.execution, route.pattern,
                 route.fast ? &route.fast : nullptr};
  }
  if (!allow.empty()) {
    not_found_or_405 = Response::text(405, "method not allowed\n");
    not_found_or_405.set_header("Allow", allow);
  } else {
    not_found_or_405 = Response::text(404, "not found\n");
  }
  return std::nullopt;
}

Response Router::dispatch(Request& req) const {
  Response miss;
  auto m = match(req, miss);
  if (!m) return miss;
  if (m->fast)
    if (auto r = (*m->fast)(req)) return std::move(*r);
  return (*m->handler)(req);
}

}  // namespace gatehouse::http
