#include "config/config.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "http/url.hpp"

namespace gatehouse::config {
namespace {

template <typename T>
std::optional<T> parse_int(const std::string& s, T min, T max) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v < min || v > max) return std::nullopt;
  return v;
}

tl::unexpected<std::string> bad(std::string_view var, std::string_view value,
                                std::string_view why) {
  return tl::unexpected(fmt::format("{}={:?} is not valid: {}", var, std::string(value), why));
}

}  // namespace

tl::expected<EnvLookup, std::string> process_env() {
  auto file_values = std::make_shared<std::map<std::string, std::string>>();
  if (const char* path = std::getenv("GATEHOUSE_CONFIG"); path && *path) {
    std::ifstream in(path);
    if (!in) return tl::unexpected(fmt::format("GATEHOUSE_CONFIG: cannot read {}", path));
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty() || line[0] == '#') continue;
      auto eq = line.find('=');
      if (eq == std::string::npos || line.compare(0, 10, "GATEHOUSE_") != 0)
        return tl::unexpected(
            fmt::format("GATEHOUSE_CONFIG: {} line {}: expected GATEHOUSE_NAME=value", path, n));
      (*file_values)[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
  return EnvLookup([file_values](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    auto it = file_values->find(name);
    if (it != file_values->end()) return it->second;
    return std::nullopt;
  });
}

tl::expected<Config, std::string> from_env(const EnvLookup& env) {
  Config c;
  c.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  if (auto v = env("GATEHOUSE_LISTEN")) {
    auto colon = v->rfind(':');
    if (colon == std::string::npos)
      return bad("GATEHOUSE_LISTEN", *v, "expected HOST:PORT or :PORT");
    std::string host = v->substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "127.0.0.1";
    if (host == "localhost") host = "127.0.0.1";
    auto port = parse_int<std::uint16_t>(v->substr(colon + 1), 0, 65535);
    if (!port) return bad("GATEHOUSE_LISTEN", *v, "the port must be a number from 0 to 65535");
    c.listen_host = host;
    c.listen_port = *port;
  }
  if (auto v = env("GATEHOUSE_PUBLIC_URL")) {
    std::string s = *v;
    while (!s.empty() && s.back() == '/') s.pop_back();
    auto url = http::parse_url(s);
    if (!url) return bad("GATEHOUSE_PUBLIC_URL", *v, url.error());
    if (url->target != "/" && !url->target.empty())
      return bad("GATEHOUSE_PUBLIC_URL", *v,
                 "must be an origin without a path, e.g. https://sso.example.com");
    c.public_url = url->origin();
  }
  {
    auto url = http::parse_url(c.public_url);
    c.public_origin = url ? url->origin() : c.public_url;
    c.secure_cookies = url && url->scheme == "https";
  }
  if (auto v = env("GATEHOUSE_DATABASE_URL")) {
    if (v->rfind("sqlite://", 0) != 0 && v->rfind("postgresql://", 0) != 0 &&
        v->rfind("postgres://", 0) != 0)
      return bad("GATEHOUSE_DATABASE_URL", *v, "expected sqlite://PATH or postgresql://...");
    if (*v == "sqlite://") return bad("GATEHOUSE_DATABASE_URL", *v, "the sqlite path is empty");
    c.database_url = *v;
  }
  if (auto v = env("GATEHOUSE_SECRET_KEY_FILE")) {
    if (v->empty()) return bad("GATEHOUSE_SECRET_KEY_FILE", *v, "empty path");
    c.secret_key_file = *v;
  }
  if (auto v = env("GATEHOUSE_INTERNAL_KEY")) {
    if (v->size() < 16)
      return tl::unexpected(
          std::string("GATEHOUSE_INTERNAL_KEY is not valid: use at least 16 characters"));
    c.internal_key = *v;
  }
  if (auto v = env("GATEHOUSE_THREADS")) {
    auto n = parse_int<int>(*v, 1, 256);
    if (!n) return bad("GATEHOUSE_THREADS", *v, "expected a number from 1 to 256");
    c.threads = *n;
  }
  if (auto v = env("GATEHOUSE_LOG_FORMAT")) {
    if (*v == "text")
      c.log_format = LogFormat::text;
    else if (*v == "json")
      c.log_format = LogFormat::json;
    else
      return bad("GATEHOUSE_LOG_FORMAT", *v, "expected text or json");
  }
  if (auto v = env("GATEHOUSE_IDP_TIMEOUT_MS")) {
    auto n = parse_int<long>(*v, 100, 120000);
    if (!n) return bad("GATEHOUSE_IDP_TIMEOUT_MS", *v, "expected milliseconds from 100 to 120000");
    c.idp_timeout = std::chrono::milliseconds(*n);
  }
  if (auto v = env("GATEHOUSE_SESSION_TTL")) {
    auto n = parse_int<long>(*v, 60, 90L * 24 * 3600);
    if (!n) return bad("GATEHOUSE_SESSION_TTL", *v, "expected seconds from 60 to 7776000");
    c.session_ttl = std::chrono::seconds(*n);
  }
  if (auto v = env("GATEHOUSE_RATE_LIMITS")) {
    if (*v == "on")
      c.rate_limits = true;
    else if (*v == "off")
      c.rate_limits = false;
    else
      return bad("GATEHOUSE_RATE_LIMITS", *v, "expected on or off");
  }
  return c;
}

}  // namespace gatehouse::config
