// signin_load: complete OpenID Connect sign-ins per second against a relying
// party and its provider, many distinct users, keep-alive connections.
//
// wrk cannot drive this flow soundly: its connections all go to the one
// host:port of the URL (the flow alternates between the relying party and
// the provider), and its Lua state is per thread, not per connection, so a
// per-flow cookie jar cannot be tied to the connection whose responses fill it.
// Here every virtual user is one coroutine with its own cookie jar and one
// keep-alive connection per origin, and runs flows back to back:
//
//   GET start (user in the URL)  -> 302 to the provider's /authorize
//   GET /authorize               -> 302 back to the callback with code + state
//   GET callback (with cookies)  -> 30x that sets the session cookie: one sign-in
//
//   signin_load --start 'http://127.0.0.1:8080/sso/t/initiate?iss=...&login_hint={user}'
//               --session-cookie gh_session --users 100000 --duration 10 --concurrency 32
//   signin_load ... --check    # one flow, then the landing page; prints the Cookie header
//
// Prints "key value" lines: flows, failures, seconds, flows_per_second, p50_ms, p99_ms.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>  // before asio: boost 1.74's awaitable.hpp uses std::exchange
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Url {
  std::string host, port, target;
  [[nodiscard]] std::string origin() const { return host + ":" + port; }
};

// http://host[:port]/target only: everything in the benchmark is on loopback.
std::optional<Url> parse_url(std::string_view s, const Url* base) {
  if (s.starts_with("/") && base) return Url{base->host, base->port, std::string(s)};
  if (!s.starts_with("http://")) return std::nullopt;
  s.remove_prefix(7);
  const auto slash = s.find('/');
  std::string_view authority = s.substr(0, slash);
  std::string target = slash == std::string_view::npos ? "/" : std::string(s.substr(slash));
  const auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) return Url{std::string(authority), "80", target};
  return Url{std::string(authority.substr(0, colon)), std::string(authority.substr(colon + 1)),
             target};
}

struct Options {
  std::string start;
  std::string session_cookie;
  std::string user_prefix = "user-";
  long users = 1000;
  long first = 0;
  std::string order = "seq";
  double duration = 5;
  double warmup = 0;
  int concurrency = 16;
  int threads = 1;
  bool check = false;
};

struct Shared {
  const Options& opt;
  std::atomic<long> next{0};
  std::atomic<bool> stop{false};
  Clock::time_point measure_from{};
  std::mutex mu;
  std::vector<double> latencies_ms;  // flows that ended inside the window
  long flows = 0, failures = 0, requests = 0;
  std::vector<std::string> failure_samples;
  std::string check_cookie, check_report;
};

class Jar {
 public:
  void apply(const bhttp::response<bhttp::string_body>& res) {
    const auto range = res.equal_range(bhttp::field::set_cookie);
    for (auto it = range.first; it != range.second; ++it) {
      std::string_view v = it->value();
      const auto semi = v.find(';');
      std::string_view pair = v.substr(0, semi);
      const auto eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      std::string name(pair.substr(0, eq)), value(pair.substr(eq + 1));
      std::string attrs(semi == std::string_view::npos ? "" : v.substr(semi));
      std::transform(attrs.begin(), attrs.end(), attrs.begin(), ::tolower);
      // Deleting a cookie: empty value, Max-Age=0 or an Expires in the past
      // (every deletion we meet uses 1970).
      if (value.empty() || attrs.find("max-age=0") != std::string::npos ||
          attrs.find("1970") != std::string::npos)
        cookies_.erase(name);
      else
        cookies_[name] = value;
    }
  }
  [[nodiscard]] std::string header() const {
    std::string h;
    for (const auto& [k, v] : cookies_) h += (h.empty() ? "" : "; ") + k + "=" + v;
    return h;
  }
  [[nodiscard]] bool has(const std::string& name) const { return cookies_.count(name) > 0; }
  void clear() { cookies_.clear(); }

 private:
  std::map<std::string, std::string> cookies_;
};

class VirtualUser {
 public:
  VirtualUser(asio::io_context& io, Shared& shared) : io_(io), shared_(shared) {}

  awaitable<void> run() {
    std::mt19937_64 rng(std::random_device{}());
    const auto& opt = shared_.opt;
    while (!shared_.stop.load(std::memory_order_relaxed)) {
      const long k = shared_.next.fetch_add(1);
      const long user =
          opt.first + (opt.order == "seq"
                           ? k % opt.users
                           : static_cast<long>(rng() % static_cast<unsigned long>(opt.users)));
      const auto t0 = Clock::now();
      std::string why;
      int requests = 0;
      const bool ok = co_await flow(opt.user_prefix + std::to_string(user), why, requests);
      const auto t1 = Clock::now();
      std::lock_guard lock(shared_.mu);
      if (t0 < shared_.measure_from || shared_.stop) continue;  // warm-up or past the end
      shared_.requests += requests;
      if (ok) {
        ++shared_.flows;
        shared_.latencies_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      } else {
        ++shared_.failures;
        if (shared_.failure_samples.size() < 5) shared_.failure_samples.push_back(why);
      }
      if (opt.check) co_return;
    }
  }

 private:
  awaitable<bool> flow(const std::string& user, std::string& why, int& requests) {
    const auto& opt = shared_.opt;
    std::string start = opt.start;
    if (auto at = start.find("{user}"); at != std::string::npos) start.replace(at, 6, user);
    auto url = parse_url(start, nullptr);
    jar_.clear();
    for (int hop = 0; hop < 6 && url; ++hop) {
      bhttp::response<bhttp::string_body> res;
      ++requests;
      if (!co_await get(*url, res, why)) co_return false;
      jar_.apply(res);
      const int status = res.result_int();
      const bool redirect = status == 301 || status == 302 || status == 303 || status == 307;
      if (jar_.has(opt.session_cookie) && redirect) {
        if (opt.check) co_return co_await land(*url, res, why);
        co_return true;
      }
      if (!redirect) {
        why = "HTTP " + std::to_string(status) + " at " + url->target.substr(0, 80) + ": " +
              res.body().substr(0, 200);
        co_return false;
      }
      url = parse_url(res[bhttp::field::location], &*url);
    }
    why = url ? "no session cookie after 6 redirects" : "bad Location";
    co_return false;
  }

  // --check: follow the last redirect with the session and report the page.
  awaitable<bool> land(const Url& from, const bhttp::response<bhttp::string_body>& last,
                       std::string& why) {
    auto url = parse_url(last[bhttp::field::location], &from);
    if (!url) {
      why = "bad Location after the callback";
      co_return false;
    }
    bhttp::response<bhttp::string_body> res;
    if (!co_await get(*url, res, why)) co_return false;
    std::lock_guard lock(shared_.mu);
    shared_.check_cookie = jar_.header();
    shared_.check_report =
        "landing " + url->target + " -> HTTP " + std::to_string(res.result_int());
    if (res.result_int() != 200) {
      why = shared_.check_report + ": " + res.body().substr(0, 200);
      co_return false;
    }
    co_return true;
  }

  awaitable<bool> get(const Url& url, bhttp::response<bhttp::string_body>& res, std::string& why) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto& conn = conns_[url.origin()];
      try {
        if (!conn) {
          conn = std::make_unique<beast::tcp_stream>(io_);
          tcp::resolver resolver(io_);
          auto eps = co_await resolver.async_resolve(url.host, url.port, use_awaitable);
          co_await conn->async_connect(eps, use_awaitable);
          conn->socket().set_option(tcp::no_delay(true));
        }
        bhttp::request<bhttp::empty_body> req{bhttp::verb::get, url.target, 11};
        req.set(bhttp::field::host, url.origin());
        req.set(bhttp::field::user_agent, "signin_load");
        const auto cookie = jar_.header();
        if (!cookie.empty()) req.set(bhttp::field::cookie, cookie);
        conn->expires_after(std::chrono::seconds(30));
        co_await bhttp::async_write(*conn, req, use_awaitable);
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(1 << 20);
        co_await bhttp::async_read(*conn, buffers_[url.origin()], parser, use_awaitable);
        res = parser.release();
        if (!res.keep_alive()) conn.reset();
        co_return true;
      } catch (const std::exception& e) {
        conn.reset();
        buffers_[url.origin()].clear();
        // A keep-alive connection the server closed between requests: retry once.
        why = "connection to " + url.origin() + ": " + e.what();
      }
    }
    co_return false;
  }

  asio::io_context& io_;
  Shared& shared_;
  Jar jar_;
  std::map<std::string, std::unique_ptr<beast::tcp_stream>> conns_;
  std::map<std::string, beast::flat_buffer> buffers_;
};

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"signin_load: OpenID Connect sign-ins per second"};
  Options opt;
  app.add_option("--start", opt.start, "start URL; {user} is replaced by the user name")
      ->required();
  app.add_option("--session-cookie", opt.session_cookie, "cookie whose arrival ends a sign-in")
      ->required();
  app.add_option("--user-prefix", opt.user_prefix, "user names are PREFIX + number")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--users", opt.users, "distinct users")->check(CLI::PositiveNumber);
  app.add_option("--first", opt.first, "number of the first user");
  app.add_option("--order", opt.order, "seq (each user once before any repeats) or random")
      ->check(CLI::IsMember({"seq", "random"}));
  app.add_option("--duration", opt.duration, "seconds measured");
  app.add_option("--warmup", opt.warmup, "seconds run before measuring");
  app.add_option("--concurrency", opt.concurrency, "virtual users")->check(CLI::Range(1, 10000));
  app.add_option("--threads", opt.threads, "client threads")->check(CLI::Range(1, 64));
  app.add_flag("--check", opt.check, "one sign-in, then the landing page; print the Cookie header");
  CLI11_PARSE(app, argc, argv);
  if (!parse_url(opt.start, nullptr)) {
    std::cerr << "error: --start must be an http:// URL\n";
    return 2;
  }
  if (opt.check) {
    opt.concurrency = opt.threads = 1;
    opt.warmup = 0;
  }

  Shared shared{opt};
  std::vector<std::unique_ptr<asio::io_context>> ios;
  std::vector<std::unique_ptr<VirtualUser>> users;
  for (int t = 0; t < opt.threads; ++t) ios.push_back(std::make_unique<asio::io_context>(1));
  const auto begin = Clock::now();
  shared.measure_from = begin + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(opt.warmup));
  for (int i = 0; i < opt.concurrency; ++i) {
    auto& io = *ios[static_cast<std::size_t>(i % opt.threads)];
    users.push_back(std::make_unique<VirtualUser>(io, shared));
    asio::co_spawn(io, users.back()->run(), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
  }
  std::thread timer;
  if (!opt.check) {
    timer = std::thread([&] {
      std::this_thread::sleep_until(
          shared.measure_from +
          std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.duration)));
      std::lock_guard lock(shared.mu);
      shared.stop = true;
    });
  }
  std::vector<std::thread> pool;
  for (auto& io : ios) pool.emplace_back([&io] { io->run(); });
  for (auto& t : pool) t.join();
  if (timer.joinable()) timer.join();
  const double seconds =
      opt.check ? std::chrono::duration<double>(Clock::now() - begin).count() : opt.duration;

  for (const auto& f : shared.failure_samples) std::cerr << "failure: " << f << "\n";
  if (opt.check) {
    if (shared.flows != 1) return 1;
    std::cerr << shared.check_report << "\n";
    std::printf("%s\n", shared.check_cookie.c_str());
    return 0;
  }
  std::printf("flows %ld\nfailures %ld\nrequests %ld\nseconds %.2f\nflows_per_second %.1f\n",
              shared.flows, shared.failures, shared.requests, seconds,
              static_cast<double>(shared.flows) / seconds);
  std::printf("p50_ms %.2f\np99_ms %.2f\nusers_reached %ld\n", percentile(shared.latencies_ms, 0.5),
              percentile(shared.latencies_ms, 0.99), std::min(shared.next.load(), opt.users));
  return shared.flows > 0 && shared.failures == 0 ? 0 : 1;
}
