#pragma once
// Every GATEHOUSE_* variable of SPEC.md §2, parsed once into an immutable,
// validated value. A bad value is an error naming the variable.
//   auto cfg = Config::from_env(env_lookup());   // expected<Config, std::string>
//   if (!cfg) { std::cerr << "error: " << cfg.error() << "\n"; return 2; }
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <tl/expected.hpp>

namespace gatehouse::config {

enum class LogFormat { text, json };

struct Config {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  std::string public_url = "http://localhost:8080";     // no trailing slash
  std::string public_origin = "http://localhost:8080";  // scheme://host[:port]
  bool secure_cookies = false;                          // exactly when public_url is https
  std::string database_url = "sqlite://gatehouse.db";
  std::string secret_key_file = "gatehouse.key";
  std::optional<std::string> internal_key;
  int threads = 2;
  LogFormat log_format = LogFormat::text;
  std::chrono::milliseconds idp_timeout{10000};
  std::chrono::seconds session_ttl{43200};
  bool rate_limits = true;

  // The OIDC redirect URI every team registers at its provider.
  [[nodiscard]] std::string redirect_uri() const { return public_url + "/sso/callback"; }
};

// Looks a variable up; returns nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment, falling back to KEY=VALUE lines of the file named
// by GATEHOUSE_CONFIG when set (the environment wins).
[[nodiscard]] tl::expected<EnvLookup, std::string> process_env();

[[nodiscard]] tl::expected<Config, std::string> from_env(const EnvLookup& env);

}  // namespace gatehouse::config
